// The seed's Terraform configuration with the provider as a user writes it for AWS: no skip_* flags, so
// the provider validates the credentials and reads the account id through STS GetCallerIdentity, and
// IAM is called on Wayfinder too (examples/terraform/seed-sts/provider.tf replaces the seed's).
// Skipped, with the reason, where terraform or the provider mirror is absent.
import { test } from 'node:test';
import { seedLifecycle } from '../support/terraform-seed.js';
import { terraformSkipReason } from '../support/terraform.js';

test('terraform without skip_* flags (STS and IAM on Wayfinder): the seed architecture applies, serves, plans no changes, destroys', {
  skip: terraformSkipReason() ?? false,
}, async (t) => {
  await seedLifecycle('sts', (line) => t.diagnostic(line));
});
