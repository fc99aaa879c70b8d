import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.js';
import { compileRestRoutes, matchRestRoute } from './rest-routes.js';

const routes = compileRestRoutes(loadModel('apigatewayv2'));
const match = (method: string, path: string, qs = '') => matchRestRoute(routes, method, path, new URLSearchParams(qs));

test('apigatewayv2 paths route to their operations with decoded labels', () => {
  assert.deepEqual(match('GET', '/v2/apis'), { operation: 'GetApis', labels: {} });
  assert.deepEqual(match('POST', '/v2/apis'), { operation: 'CreateApi', labels: {} });
  assert.deepEqual(match('GET', '/v2/apis/abc123defg'), { operation: 'GetApi', labels: { apiId: 'abc123defg' } });
  assert.deepEqual(match('GET', '/v2/apis/abc/routes/r1'), { operation: 'GetRoute', labels: { apiId: 'abc', routeId: 'r1' } });
  assert.deepEqual(match('DELETE', '/v2/vpclinks/xyz'), { operation: 'DeleteVpcLink', labels: { vpcLinkId: 'xyz' } });
});

test('encoded labels are decoded exactly once and never split the path', () => {
  assert.deepEqual(match('GET', '/v2/apis/abc/stages/%24default'), { operation: 'GetStage', labels: { apiId: 'abc', stageName: '$default' } });
  const arn = 'arn:aws:apigateway:us-east-1::/apis/abc';
  assert.deepEqual(match('GET', `/v2/tags/${encodeURIComponent(arn)}`), { operation: 'GetTags', labels: { 'resource-arn': arn } });
  assert.deepEqual(match('DELETE', '/v2/apis/abc/stages/prod/routesettings/GET%20%2Fpets'), {
    operation: 'DeleteRouteSettings',
    labels: { apiId: 'abc', stageName: 'prod', routeKey: 'GET /pets' },
  });
  // %2525 stays %25 after one decode
  assert.deepEqual(match('GET', '/v2/apis/a%2525b'), { operation: 'GetApi', labels: { apiId: 'a%25b' } });
});

test('a known path under the wrong method is reported as such; unknown paths match nothing', () => {
  assert.deepEqual(match('PUT', '/v2/vpclinks'), { methodMismatch: true });
  assert.equal(match('GET', '/v2/nothing-here'), undefined);
  assert.equal(match('GET', '/v2/apis/%E0%A4%A'), undefined);
});
