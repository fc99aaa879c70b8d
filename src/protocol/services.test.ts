import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERVICE_INDEX } from './generated/service-index.js';
import { loadModel, SERVICE_NAMES, signingName } from './model.js';
import { ServiceRegistry } from './services.js';

test('the generated service index says what each model says (protocol, signing name, target prefix, API version)', () => {
  for (const name of SERVICE_NAMES) {
    const model = loadModel(name);
    assert.deepEqual(
      SERVICE_INDEX[name],
      { protocol: model.metadata.protocol, signingName: signingName(model), targetPrefix: model.metadata.targetPrefix, apiVersion: model.metadata.apiVersion },
      name,
    );
  }
});

test('the registry routes by target prefix and signing name, and hands out the model and REST routes on demand', () => {
  const registry = new ServiceRegistry();
  assert.equal(registry.forTarget('AmazonEC2ContainerServiceV20141113')?.name, 'ecs');
  assert.equal(registry.forSigningName('apigateway')?.name, 'apigatewayv2');
  assert.equal(registry.forSigningName('ec2')?.protocol, 'ec2');
  assert.ok(registry.get('ecs').model.operations.CreateService);
  assert.ok(registry.get('apigatewayv2').restRoutes.some((r) => r.operation === 'GetRoutes'));
  assert.deepEqual(registry.get('ecs').restRoutes, []);
});

test('a rest-xml service is found by its /<api version>/ path prefix, and only there', () => {
  const registry = new ServiceRegistry();
  assert.equal(registry.forRestXmlPath('/2013-04-01/hostedzone/Z1')?.name, 'route53');
  assert.equal(registry.forRestXmlPath('/2013-04-01')?.name, 'route53');
  assert.equal(registry.forRestXmlPath('/2013-04-011/x'), undefined);
  assert.equal(registry.forRestXmlPath('/v2/apis'), undefined);
  assert.ok(registry.get('route53').restRoutes.some((r) => r.operation === 'ListResourceRecordSets'));
});
