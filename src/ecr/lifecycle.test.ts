// Lifecycle policy evaluation as AWS documents it: priority order, a selected image out of reach of
// lower rules, tag prefixes and patterns, counts and ages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiredImages, parseLifecyclePolicy, PolicyInvalid } from './lifecycle.js';
import type { ImageWithTags } from './store.js';

const DAY = 86_400_000;
const now = 100 * DAY;
function img(digest: string, tags: string[], ageDays: number): ImageWithTags {
  return { digest, tags, pushedAt: now - ageDays * DAY, mediaType: 'm', artifactType: null, subject: null, size: 1 };
}

test('imageCountMoreThan keeps the newest N of what the rule selects', () => {
  const rules = parseLifecyclePolicy(
    JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] }),
  );
  const images = [img('a', ['1'], 4), img('b', [], 3), img('c', ['3'], 2), img('d', ['4'], 1)];
  assert.deepEqual(expiredImages(rules, images, now).sort(), ['a', 'b']);
});

test('a higher-priority rule shields the images it selects from lower rules', () => {
  const rules = parseLifecyclePolicy(
    JSON.stringify({
      rules: [
        { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } },
      ],
    }),
  );
  const images = [img('p1', ['prod-1'], 5), img('p2', ['prod-2'], 4), img('d1', ['dev-1'], 3), img('d2', ['dev-2'], 2)];
  assert.deepEqual(expiredImages(rules, images, now), ['d1']);
});

test('sinceImagePushed expires by age; untagged and tag patterns select', () => {
  const rules = parseLifecyclePolicy(
    JSON.stringify({
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
        {
          rulePriority: 2,
          selection: { tagStatus: 'tagged', tagPatternList: ['*-rc*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
          action: { type: 'expire' },
        },
      ],
    }),
  );
  const images = [img('old-untagged', [], 20), img('new-untagged', [], 2), img('rc', ['v2-rc1'], 3), img('release', ['v2'], 30)];
  assert.deepEqual(expiredImages(rules, images, now).sort(), ['old-untagged', 'rc']);
});

test('invalid policies are refused with a reason', () => {
  for (const text of [
    'not json',
    '{"rules":[]}',
    JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }),
  ]) {
    assert.throws(() => parseLifecyclePolicy(text), PolicyInvalid);
  }
});
