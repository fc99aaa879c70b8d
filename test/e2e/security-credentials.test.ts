// Under `--auth on` any key is accepted, and only keys whose secret Wayfinder knows are verified
// (SECURITY.md). A key Wayfinder knows but does not verify must not carry the identity it once had:
// an IAM user's Inactive access key, signed with any secret, is just an unknown key (the account's
// root), never the user; under `--auth strict` it is refused, as AWS refuses it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as I from '@aws-sdk/client-iam';
import * as S from '@aws-sdk/client-sts';
import { sdkConfig, sdkConfigAs, startTestServer, type TestServer } from '../support/server.js';

async function inactiveKey(server: TestServer): Promise<string> {
  const iam = new I.IAMClient(sdkConfig(server));
  await iam.send(new I.CreateUserCommand({ UserName: 'alice' }));
  const key = (await iam.send(new I.CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
  await iam.send(new I.UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: key.AccessKeyId!, Status: 'Inactive' }));
  iam.destroy();
  return key.AccessKeyId!;
}

describe("an IAM user's Inactive access key", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.destroy());

  it('does not act as the user under --auth on, whatever secret signs it', async () => {
    const id = await inactiveKey(server);
    const sts = new S.STSClient(sdkConfigAs(server, id, 'not-the-secret'));
    const who = await sts.send(new S.GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(who.Arn, 'arn:aws:iam::000000000000:root');
    // GetUser without a UserName answers for the caller: never alice.
    const iam = new I.IAMClient(sdkConfigAs(server, id, 'not-the-secret'));
    const me = await iam.send(new I.GetUserCommand({})).then(
      (out) => out.User?.UserName,
      (e: Error) => e.name,
    );
    iam.destroy();
    assert.notEqual(me, 'alice');
  });
});

describe('--auth strict', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: 'strict' });
  });
  after(async () => server.destroy());

  it("refuses an Inactive key with AWS's InvalidClientTokenId", async () => {
    const id = await inactiveKey(server);
    const sts = new S.STSClient(sdkConfigAs(server, id, 'not-the-secret'));
    const e = (await sts.send(new S.GetCallerIdentityCommand({})).catch((x: Error) => x)) as Error;
    sts.destroy();
    assert.equal(e.name, 'InvalidClientTokenId');
  });
});
