// forwardsBackendHead lets a backend's head skip the response steps when none of them would edit it:
// that judgement is made for these three steps. A step added here must be judged there too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corsHeaders } from './cors-headers.js';
import { requestIdHeader } from './request-id.js';
import { mapResponse } from './respond.js';
import { RESPONSE_STEPS } from './response.js';

test('the response steps are the three forwardsBackendHead judges (update it when adding one)', () => {
  assert.deepEqual(RESPONSE_STEPS, [mapResponse, corsHeaders, requestIdHeader]);
});
