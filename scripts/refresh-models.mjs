#!/usr/bin/env node
// Refreshes models/*.json from the botocore data folder of the machine's Python (botocore ≥ 1.43).
// The protocol layer is driven entirely by these files, so they are vendored, not fetched at run time.
// Documentation strings are stripped (size); everything else is kept as botocore ships it.
// Usage: node scripts/refresh-models.mjs [--botocore-data DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVICES = ['ec2', 'logs', 'servicediscovery', 'ecs', 'apigatewayv2', 'iam', 'sts', 'cloudformation', 'ecr', 'route53'];
const DROP_KEYS = new Set(['documentation', 'documentationUrl', 'deprecatedMessage']);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function botocoreData() {
  const i = process.argv.indexOf('--botocore-data');
  if (i > 0) return process.argv[i + 1];
  const out = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__), botocore.__version__)'], { encoding: 'utf8' }).trim();
  const [dir, version] = out.split(' ');
  console.log(`botocore ${version} at ${dir}`);
  return join(dir, 'data');
}

function strip(value) {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (!DROP_KEYS.has(k)) out[k] = strip(v);
    return out;
  }
  return value;
}

function readJson(file) {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  if (existsSync(file + '.gz')) return JSON.parse(gunzipSync(readFileSync(file + '.gz')).toString('utf8'));
  return undefined;
}

const data = botocoreData();
// Keep the Apache-2.0 attribution with the vendored models.
const notice = [
  'The JSON files in this folder are the AWS service models shipped with botocore',
  '(https://github.com/boto/botocore), with documentation strings removed.',
  'They are licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).',
  '',
  'Botocore NOTICE:',
  '',
  'Botocore',
  'Copyright 2012-2022 Amazon.com, Inc. or its affiliates. All Rights Reserved.',
  '',
].join('\n');
writeFileSync(join(root, 'models', 'NOTICE'), notice);
for (const service of SERVICES) {
  const versions = readdirSync(join(data, service)).sort();
  const latest = versions[versions.length - 1];
  const model = strip(readJson(join(data, service, latest, 'service-2.json')));
  const paginators = readJson(join(data, service, latest, 'paginators-1.json'));
  const out = { ...model, paginators: paginators?.pagination ?? {} };
  writeFileSync(join(root, 'models', `${service}.json`), JSON.stringify(out) + '\n');
  console.log(`${service} ${latest}: ${Object.keys(model.operations).length} operations, ${Object.keys(model.shapes).length} shapes`);
}
