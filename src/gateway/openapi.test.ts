import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOpenApi, importOpenApi, OpenApiError } from './openapi.js';
import type { AuthorizerRecord, IntegrationRecord, RouteRecord } from './store.js';

const base = { region: 'us-east-1', apiId: 'abcdefghij' };

test('export then import keeps routes, integrations, authorizers, scopes and CORS', () => {
  const integrations: IntegrationRecord[] = [
    {
      ...base,
      integrationId: 'i1',
      integrationType: 'HTTP_PROXY',
      integrationUri: 'http://backend/{proxy}',
      integrationMethod: 'ANY',
      connectionType: 'INTERNET',
      payloadFormatVersion: '1.0',
      timeoutInMillis: 5000,
      requestParameters: { 'append:header.x-user': '$context.authorizer.claims.sub' },
    },
  ];
  const authorizers: AuthorizerRecord[] = [
    {
      ...base,
      authorizerId: 'a1',
      name: 'jwt',
      authorizerType: 'JWT',
      identitySource: ['$request.header.Authorization'],
      jwtConfiguration: { issuer: 'https://issuer', audience: ['api'] },
    },
  ];
  const routes: RouteRecord[] = [
    {
      ...base,
      routeId: 'r1',
      routeKey: 'GET /pets/{proxy+}',
      target: 'integrations/i1',
      authorizationType: 'JWT',
      authorizerId: 'a1',
      authorizationScopes: ['read'],
      apiKeyRequired: false,
    },
    { ...base, routeId: 'r2', routeKey: '$default', target: 'integrations/i1', authorizationType: 'NONE', apiKeyRequired: false },
  ];
  const doc = exportOpenApi({
    name: 'pets',
    createdAt: 0,
    serverUrl: 'http://abcdefghij.execute-api.localhost:4566',
    routes,
    integrations,
    authorizers,
    cors: { allowOrigins: ['*'] },
    includeExtensions: true,
  });
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  assert.ok(paths['/$default']!['x-amazon-apigateway-any-method']);
  const back = importOpenApi(JSON.parse(JSON.stringify(doc)));
  assert.equal(back.name, 'pets');
  assert.deepEqual(back.cors, { allowOrigins: ['*'] });
  assert.deepEqual(back.warnings, []);
  const pets = back.routes.find((r) => r.routeKey === 'GET /pets/{proxy+}')!;
  assert.equal(pets.authorizerName, 'jwt');
  assert.deepEqual(pets.scopes, ['read']);
  assert.equal(pets.integration!.integrationUri, 'http://backend/{proxy}');
  assert.equal(pets.integration!.timeoutInMillis, 5000);
  assert.ok(back.routes.some((r) => r.routeKey === '$default'));
  assert.equal(back.authorizers[0]!.record.jwtConfiguration!.issuer, 'https://issuer');
});

test('imports refuse Swagger 2 and title-less documents; unsupported integrations become warnings', () => {
  assert.throws(() => importOpenApi({ swagger: '2.0', info: { title: 'x' } }), OpenApiError);
  assert.throws(() => importOpenApi({ openapi: '3.0.1', info: {} }), OpenApiError);
  const r = importOpenApi({ openapi: '3.0.1', info: { title: 't' }, paths: { '/x': { get: { 'x-amazon-apigateway-integration': { type: 'mock' } } } } });
  assert.equal(r.routes.length, 1);
  assert.equal(r.routes[0]!.integration, undefined);
  assert.equal(r.warnings.length, 1);
});
