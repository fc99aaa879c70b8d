// STS helpers for suites that use temporary credentials.
import * as STS from '@aws-sdk/client-sts';
import { failureOf } from './errors.js';
import { sdkConfig } from './server.js';

/**
 * Whether a request signed with keys AssumeRole issued for `roleArn` passes SigV4 (it does once the
 * verifier reads IamApi.issuedKey). Suites that need it skip with a reason when it does not.
 */
export async function stsKeysAccepted(server: { port: number }, roleArn: string): Promise<boolean> {
  const sts = new STS.STSClient(sdkConfig(server));
  try {
    const { Credentials: c } = await sts.send(new STS.AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' }));
    const asRole = new STS.STSClient({ ...sdkConfig(server), credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } });
    try {
      return (await failureOf(asRole.send(new STS.GetCallerIdentityCommand({})))).name === 'no error';
    } finally {
      asRole.destroy();
    }
  } finally {
    sts.destroy();
  }
}
