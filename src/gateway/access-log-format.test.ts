import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFormat, FormatError, validateFormat } from './access-log-format.js';

test('formats: variables with dots, JSON quoting and sentence-ending dots', () => {
  assert.deepEqual(compileFormat('{"id":"$context.requestId","ip":"$context.identity.sourceIp"}'), [
    { text: '{"id":"' },
    { variable: 'requestId' },
    { text: '","ip":"' },
    { variable: 'identity.sourceIp' },
    { text: '"}' },
  ]);
  assert.deepEqual(compileFormat('done $context.status.'), [{ text: 'done ' }, { variable: 'status' }, { text: '.' }]);
  assert.deepEqual(compileFormat('${context.requestId}x'), [{ variable: 'requestId' }, { text: 'x' }]);
});

test('a format must carry $context.requestId (or extendedRequestId) and be one line ≤ 3 KB', () => {
  validateFormat('$context.requestId $context.status');
  validateFormat('$context.extendedRequestId');
  assert.throws(() => validateFormat('$context.status'), FormatError);
  assert.throws(() => validateFormat('$context.requestId\n$context.status'), FormatError);
  assert.throws(() => validateFormat('$context.requestId' + 'x'.repeat(4000)), FormatError);
});
