// Terraform (hashicorp/aws 5.100.0 from the machine's offline mirror) applies examples/terraform/seed —
// the seed's architecture as a user writes it, with the provider's skip_* flags — against a real
// Wayfinder: the invoke URL serves the task, a second plan has no changes, destroy leaves nothing.
// Skipped, with the reason, where terraform or the provider mirror is absent (.ci/run's machines have both).
import { test } from 'node:test';
import { seedLifecycle } from '../support/terraform-seed.js';
import { terraformSkipReason } from '../support/terraform.js';

test('terraform: the seed architecture applies, serves its invoke URL, plans no changes, destroys to nothing', { skip: terraformSkipReason() ?? false }, async (t) => {
  await seedLifecycle('skip-checks', (line) => t.diagnostic(line));
});
