import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedOrigin, compileCors, CorsError, validateCors } from './cors.js';

test('CORS configuration: credentials with *, bad origins and methods are refused', () => {
  assert.throws(() => validateCors({ allowOrigins: ['*'], allowCredentials: true }), CorsError);
  assert.throws(() => validateCors({ allowOrigins: ['example.com'] }), CorsError);
  assert.throws(() => validateCors({ allowMethods: ['FETCH'] }), CorsError);
  validateCors({ allowOrigins: ['https://*', 'http://localhost:3000'], allowMethods: ['GET', '*'], allowCredentials: true });
});

test('allowed origins: exact (case-insensitive), scheme wildcards, and *', () => {
  const c = compileCors({ allowOrigins: ['https://app.example.com', 'http://*'] })!;
  assert.equal(allowedOrigin(c, 'https://APP.example.com'), 'https://APP.example.com');
  assert.equal(allowedOrigin(c, 'http://anything:8080'), 'http://anything:8080');
  assert.equal(allowedOrigin(c, 'https://evil.example.com'), undefined);
  assert.equal(allowedOrigin(compileCors({ allowOrigins: ['*'] })!, 'https://x'), '*');
});
