// For unit tests: a Cloud Map product on an in-memory SQLite store, set up through its own handlers
// (no HTTP), with one private DNS namespace `internal` ready.
import { silentLogger } from '../../src/kernel/log.js';
import type { RequestContext } from '../../src/protocol/handlers.js';
import { Store } from '../../src/store/store.js';
import { cloudMapProduct } from '../../src/cloudmap/index.js';
import { testContext } from './context.js';

export async function cloudMapWorld(options = { healthDelayMs: 0, operationDelayMs: 0 }) {
  const store = Store.open(':memory:', cloudMapProduct.migrations, silentLogger);
  const cm = cloudMapProduct.create({ store, logger: silentLogger, ec2: { vpc: () => ({}) as never }, ...options });
  await cm.start!();
  const ctx = testContext({ service: 'servicediscovery' });
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever output shape the handler returns
  const h = cm.services[0]!.table as unknown as Record<string, (input: unknown, ctx: RequestContext) => any>;
  /** A private DNS namespace, created and its operation read back: the namespace id. */
  const namespace = (Name: string) =>
    h.GetOperation!({ OperationId: h.CreatePrivateDnsNamespace!({ Name, Vpc: 'vpc-1' }, ctx).OperationId }, ctx).Operation.Targets.NAMESPACE as string;
  const nsId = namespace('internal');
  const service = (Name: string, extra: object, NamespaceId = nsId) => h.CreateService!({ Name, NamespaceId, ...extra }, ctx).Service as { Id: string; Arn: string };
  return { store, cm, h, namespace, nsId, service, close: async () => (await cm.stop!(), store.close()) };
}
