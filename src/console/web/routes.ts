// The console's pages by hash path. A page fills its root and may return a View: the store tables it
// shows (prefixes) and how to re-read them when the live stream says they changed.
import { clusterPage, clustersPage, servicePage } from './ecs.js';
import { createServicePage } from './ecs-create-service.js';
import { createTaskDefinitionPage, familyPage, revisionPage, taskDefinitionsPage, taskPage } from './ecs-task-definitions.js';
import { cloudMapServicePage, namespacePage, namespacesPage } from './cloudmap.js';
import { hostedZonePage } from './route53.js';
import { createStackPage, stackPage, stacksPage } from './cloudformation.js';
import { repositoriesPage, repositoryPage } from './ecr.js';
import { topologyIndexPage, topologyPage } from './topology.js';
import { logGroupPage, logGroupsPage, logStreamPage } from './logs.js';
import { apiPage, apisPage, createApiPage, createVpcLinkPage, vpcLinksPage } from './apigateway.js';
import { h, link } from './dom.js';

export interface View {
  tables?: string[];
  refresh?: () => Promise<void>;
  /** Stops what the page started (timers) when the user leaves it. */
  dispose?: () => void;
}

export type Page = (root: HTMLElement, params: string[]) => Promise<View | undefined | void>;

async function home(root: HTMLElement): Promise<void> {
  root.append(
    h('h1', {}, 'Wayfinder console'),
    h('p', {}, 'API Gateway HTTP API → VPC link → Cloud Map → ECS, on this machine. Every page calls the same AWS APIs the CLI calls.'),
    h(
      'ul',
      {},
      h('li', {}, link('#/ecs/clusters', 'Amazon ECS clusters')),
      h('li', {}, link('#/apigateway/apis', 'API Gateway APIs')),
      h('li', {}, link('#/cloudmap/namespaces', 'AWS Cloud Map namespaces')),
    ),
  );
}

export const ROUTES: { path: RegExp; page: Page }[] = [
  { path: /^\/$/, page: home },
  { path: /^\/ecs\/clusters$/, page: clustersPage },
  { path: /^\/ecs\/clusters\/([^/]+)\/create-service$/, page: createServicePage },
  { path: /^\/ecs\/clusters\/([^/]+)\/services\/([^/]+)$/, page: servicePage },
  { path: /^\/ecs\/clusters\/([^/]+)\/(services|tasks)$/, page: clusterPage },
  { path: /^\/ecs\/clusters\/([^/]+)\/tasks\/([^/]+)$/, page: taskPage },
  { path: /^\/apigateway\/apis$/, page: apisPage },
  { path: /^\/apigateway\/create-api$/, page: createApiPage },
  { path: /^\/apigateway\/apis\/([^/]+)$/, page: apiPage },
  { path: /^\/apigateway\/vpc-links$/, page: vpcLinksPage },
  { path: /^\/apigateway\/create-vpc-link$/, page: createVpcLinkPage },
  { path: /^\/cloudmap\/namespaces$/, page: namespacesPage },
  { path: /^\/cloudmap\/namespaces\/([^/]+)$/, page: namespacePage },
  { path: /^\/cloudmap\/services\/([^/]+)$/, page: cloudMapServicePage },
  { path: /^\/route53\/hostedzones\/([^/]+)$/, page: hostedZonePage },
  { path: /^\/ecr\/repositories$/, page: repositoriesPage },
  { path: /^\/ecr\/repositories\/(.+)$/, page: repositoryPage },
  { path: /^\/cloudformation\/stacks$/, page: stacksPage },
  { path: /^\/cloudformation\/create-stack$/, page: createStackPage },
  { path: /^\/cloudformation\/stacks\/([^/]+)$/, page: stackPage },
  { path: /^\/logs$/, page: logGroupsPage },
  { path: /^\/logs\/groups\/([^/]+)$/, page: logGroupPage },
  { path: /^\/logs\/groups\/([^/]+)\/([^/]+)$/, page: logStreamPage },
  { path: /^\/topology$/, page: topologyIndexPage },
  { path: /^\/topology\/([^/]+)$/, page: topologyPage },
  { path: /^\/ecs\/task-definitions$/, page: taskDefinitionsPage },
  { path: /^\/ecs\/create-task-definition$/, page: createTaskDefinitionPage },
  { path: /^\/ecs\/task-definitions\/([^/]+)$/, page: familyPage },
  { path: /^\/ecs\/task-definitions\/([^/]+)\/(\d+)$/, page: revisionPage },
];
