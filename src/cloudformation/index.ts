// The CloudFormation product: stacks whose resources are made by the other services' own code.
// Built last (app.ts): it is given `call`, an in-process invoker over every service's handler table.
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { cloudFormationOperationNames, type CloudFormationOperations } from '../protocol/generated/cloudformation.js';
import type { OperationCaller } from '../protocol/invoke.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import { StackEngine } from './engine.js';
import { NESTED_STACK_TYPE, nestedStackProvider } from './nested.js';
import { driftOperations } from './operations/drift.js';
import { changeSetOperations } from './operations/change-sets.js';
import { stackOperations } from './operations/stacks.js';
import { providerMap } from './providers/index.js';
import { CfnStore, cloudFormationMigrations } from './store.js';

export interface CloudFormationDeps extends ProductDeps {
  /** Invokes any service's operation in-process, with the model's validation (protocol/invoke.ts). */
  call: OperationCaller;
}

export function createCloudFormation({ store, logger, call }: CloudFormationDeps): Product<undefined> {
  const cfn = new CfnStore(store);
  const providers = providerMap();
  const engine = new StackEngine({ cfn, call, providers, logger });
  const deps = { cfn, engine, call, providers };
  // The nested stack type drives this engine itself, so it is made here rather than in providers/.
  providers.set(NESTED_STACK_TYPE, nestedStackProvider(deps));
  const handlers: HandlerTable<CloudFormationOperations> = {
    ...notImplementedAll(cloudFormationOperationNames),
    ...stackOperations(deps),
    ...changeSetOperations(deps),
    ...driftOperations(deps),
  };
  return {
    name: 'cloudformation',
    services: [serviceHandlers('cloudformation', handlers)],
    api: undefined,
    onListening() {
      // Stacks a restart caught mid-operation are finished or rolled back once every service answers.
      const stuck = cfn.stacks.all().filter((s) => s.status.endsWith('_IN_PROGRESS') && s.status !== 'REVIEW_IN_PROGRESS');
      if (stuck.length) logger.info({ stacks: stuck.map((s) => s.name) }, 'resuming stack operations interrupted by a restart');
      engine.resume(stuck);
    },
    async stop() {
      await engine.halt();
    },
    async beforeReset() {
      await engine.halt();
    },
  };
}

export const cloudFormationProduct: ProductModule<CloudFormationDeps> = { migrations: cloudFormationMigrations, create: createCloudFormation };
