import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedOrigin, compileCors, CorsError, validateCors } from './cors.js';

test('CORS configuration: credentials with any wildcard origin, bad origins and methods are refused', () => {
  for (const wildcard of ['*', 'https://*', 'http://*']) {
    assert.throws(
      () => validateCors({ allowOrigins: ['https://app.example.com', wildcard], allowCredentials: true }),
      (e: Error) => e instanceof CorsError && e.message === `allow-credentials is not supported if 'allow-origin' is ${wildcard}`,
    );
    validateCors({ allowOrigins: [wildcard], allowCredentials: false });
  }
  assert.throws(() => validateCors({ allowOrigins: ['example.com'] }), CorsError);
  assert.throws(() => validateCors({ allowMethods: ['FETCH'] }), CorsError);
  validateCors({ allowOrigins: ['https://app.example.com', 'http://localhost:3000'], allowMethods: ['GET', '*'], allowCredentials: true });
});

test('a stored configuration with a wildcard origin and credentials (accepted before) never sends Allow-Credentials', () => {
  assert.equal(compileCors({ allowOrigins: ['https://*'], allowCredentials: true })!.allowCredentials, false);
  assert.equal(compileCors({ allowOrigins: ['*'], allowCredentials: true })!.allowCredentials, false);
  assert.equal(compileCors({ allowOrigins: ['https://app.example.com'], allowCredentials: true })!.allowCredentials, true);
});

test('allowed origins: exact (case-insensitive), scheme wildcards, and *', () => {
  const c = compileCors({ allowOrigins: ['https://app.example.com', 'http://*'] })!;
  assert.equal(allowedOrigin(c, 'https://APP.example.com'), 'https://APP.example.com');
  assert.equal(allowedOrigin(c, 'http://anything:8080'), 'http://anything:8080');
  assert.equal(allowedOrigin(c, 'https://evil.example.com'), undefined);
  assert.equal(allowedOrigin(compileCors({ allowOrigins: ['*'] })!, 'https://x'), '*');
});
