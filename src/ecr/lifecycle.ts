// ECR lifecycle policies: parsing the policy text and choosing the images a policy expires. The rules
// as AWS documents them ("Lifecycle policy evaluation rules"): rules run in rulePriority order, and an
// image a rule selects is out of reach of every lower-priority rule, whether that rule expired it or kept it.
import type { ImageWithTags } from './store.js';

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

export class PolicyInvalid extends Error {}

/** Parses and checks a policy text; the message is the reason AWS's validation failure names. */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let doc: { rules?: unknown };
  try {
    doc = JSON.parse(text) as { rules?: unknown };
  } catch {
    throw new PolicyInvalid('Could not map policyString into LifecyclePolicy.');
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.rules) || doc.rules.length === 0) throw new PolicyInvalid('At least one rule must be provided');
  const priorities = new Set<number>();
  const rules = doc.rules.map((raw) => {
    const r = raw as LifecycleRule;
    if (!r || typeof r !== 'object' || !Number.isInteger(r.rulePriority) || r.rulePriority < 1) throw new PolicyInvalid('rulePriority must be a positive integer');
    if (priorities.has(r.rulePriority)) throw new PolicyInvalid('rulePriority must be unique');
    priorities.add(r.rulePriority);
    const s = r.selection;
    if (!s || typeof s !== 'object') throw new PolicyInvalid('selection is required');
    if (!['tagged', 'untagged', 'any'].includes(s.tagStatus)) throw new PolicyInvalid('tagStatus must be tagged, untagged or any');
    if (s.tagStatus === 'tagged' && !s.tagPrefixList?.length && !s.tagPatternList?.length) {
      throw new PolicyInvalid('tagPrefixList or tagPatternList is required when tagStatus is tagged');
    }
    if (s.countType !== 'imageCountMoreThan' && s.countType !== 'sinceImagePushed') throw new PolicyInvalid('countType must be imageCountMoreThan or sinceImagePushed');
    if (s.countType === 'sinceImagePushed' && s.countUnit !== 'days') throw new PolicyInvalid("countUnit must be 'days' for sinceImagePushed");
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1) throw new PolicyInvalid('countNumber must be a positive integer');
    if (r.action?.type !== 'expire') throw new PolicyInvalid("action type must be 'expire'");
    return r;
  });
  return rules.sort((a, b) => a.rulePriority - b.rulePriority);
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function selects(rule: LifecycleRule, img: ImageWithTags): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'untagged') return img.tags.length === 0;
  if (s.tagStatus === 'any') return true;
  if (img.tags.length === 0) return false;
  if (s.tagPrefixList?.length && !s.tagPrefixList.some((p) => img.tags.some((t) => t.startsWith(p)))) return false;
  if (s.tagPatternList?.length && !s.tagPatternList.some((p) => img.tags.some((t) => wildcard(p).test(t)))) return false;
  return true;
}

/** The digests the policy expires now, among a repository's images. */
export function expiredImages(rules: readonly LifecycleRule[], images: readonly ImageWithTags[], now: number): string[] {
  return expiryDecisions(rules, images, now).map((d) => d.digest);
}

/** Each image the policy expires now, with the priority of the rule that expires it (the preview's answer). */
export function expiryDecisions(rules: readonly LifecycleRule[], images: readonly ImageWithTags[], now: number): Array<{ digest: string; rulePriority: number }> {
  let remaining = [...images];
  const expired: Array<{ digest: string; rulePriority: number }> = [];
  for (const rule of rules) {
    const chosen = remaining.filter((img) => selects(rule, img));
    if (rule.selection.countType === 'imageCountMoreThan') {
      const newestFirst = [...chosen].sort((a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1));
      for (const img of newestFirst.slice(rule.selection.countNumber)) expired.push({ digest: img.digest, rulePriority: rule.rulePriority });
    } else {
      const cutoff = now - rule.selection.countNumber * 86_400_000;
      for (const img of chosen) if (img.pushedAt < cutoff) expired.push({ digest: img.digest, rulePriority: rule.rulePriority });
    }
    const taken = new Set(chosen.map((i) => i.digest));
    remaining = remaining.filter((img) => !taken.has(img.digest));
  }
  return expired;
}
