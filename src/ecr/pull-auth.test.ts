// The Docker runtime's pull credentials (EcrApi.pullAuth): a task pulls from its own account's
// registry only. An image naming another account's registry host gets no credentials, so the pull
// is refused as AWS refuses a task role without access; else any account could run another's images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../kernel/log.js';
import { Store } from '../store/store.js';
import { createEcr } from './index.js';
import { ecrMigrations } from './store.js';

test("pullAuth: a task's own registry gets a token for its account; another account's registry host gets none", () => {
  const ecr = createEcr({ store: Store.open(':memory:', ecrMigrations, silentLogger), logger: silentLogger, dataDir: ':memory:', port: 4566, uploadIdleMs: 60_000 });
  try {
    const owner = { account: '222222222222', region: 'us-east-1' };
    const own = ecr.api.pullAuth('222222222222.dkr.ecr.us-east-1.localhost:4566/app:latest', owner);
    assert.equal(own?.username, 'AWS');
    const onLocalhost = ecr.api.pullAuth('localhost:4566/app:latest', owner);
    assert.ok(onLocalhost);
    assert.equal(ecr.api.pullAuth('111111111111.dkr.ecr.us-east-1.localhost:4566/secret:latest', owner), undefined);
    assert.equal(ecr.api.pullAuth('222222222222.dkr.ecr.eu-west-1.localhost:4566/app:latest', owner)?.username, 'AWS', 'its own account in another region');
    // Without an owner (no task), the host names the account.
    assert.ok(ecr.api.pullAuth('111111111111.dkr.ecr.us-east-1.localhost:4566/secret:latest'));
  } finally {
    ecr.stop?.();
  }
});
