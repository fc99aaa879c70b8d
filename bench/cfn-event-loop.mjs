#!/usr/bin/env node
// How long hostile CloudFormation requests block the server's event loop: each case sends one request
// (AWS SDK v3, over loopback HTTP) to a Wayfinder running in this process, and reports the longest
// event-loop delay seen while it ran (perf_hooks.monitorEventLoopDelay, 10 ms resolution, and the
// longest gap between the ticks of a 5 ms interval, which also sees a block the histogram misses)
// with the request's answer and its time. Max of RUNS (default 3). Needs `npm run build` first.
//   node bench/cfn-event-loop.mjs [RUNS] [PORT]        (PORT default 5400; DNS PORT+1, the template server PORT+2)
//   REDOS_LENGTH / REDOS_LENGTH2 set the hostile values' lengths (default 26 / 36: a build that matches on
//   the main thread must still finish). To compare with an older build, copy this file into its tree and
//   run both in turn on different ports.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import { sdkConfig, startTestServer } from '../dist/test/support/server.js';

const runs = Number(process.argv[2] ?? 3);
const port = Number(process.argv[3] ?? 5400);
const server = await startTestServer({ port, dnsPort: port + 1 });
const cfn = new CloudFormationClient(sdkConfig(server));

const log = { Type: 'AWS::Logs::LogGroup' };
const json = (t) => JSON.stringify(t);
/** A loopback server that serves one large YAML template (TemplateURL may name a loopback URL; 1 MB quota). */
const bigYaml = `Resources:\n  A:\n    Type: AWS::Logs::LogGroup\nMetadata:\n${Array.from({ length: 24_000 }, (_, i) => `  k${i}: [a, b, {c: d}]`).join('\n')}\n`;
const files = createServer((_req, res) => res.end(bigYaml));
await new Promise((resolve) => files.listen(port + 2, '127.0.0.1', resolve));

const cases = [
  {
    name: `AllowedPattern (a+)+$ on ${process.env.REDOS_LENGTH ?? 26} a + !`,
    send: (i) =>
      new CreateStackCommand({
        StackName: `redos-${i}`,
        TemplateBody: json({ Parameters: { P: { Type: 'String', AllowedPattern: '(a+)+$' } }, Resources: { A: log } }),
        Parameters: [{ ParameterKey: 'P', ParameterValue: `${'a'.repeat(Number(process.env.REDOS_LENGTH ?? 26))}!` }],
      }),
  },
  {
    name: `AllowedPattern (a|aa)+ on ${process.env.REDOS_LENGTH2 ?? 36} a + !`,
    send: (i) =>
      new CreateStackCommand({
        StackName: `redos2-${i}`,
        TemplateBody: json({ Parameters: { P: { Type: 'String', AllowedPattern: '(a|aa)+' } }, Resources: { A: log } }),
        Parameters: [{ ParameterKey: 'P', ParameterValue: `${'a'.repeat(Number(process.env.REDOS_LENGTH2 ?? 36))}!` }],
      }),
  },
  {
    name: 'Fn::Split of a 50 KB string into characters, joined again',
    send: (i) =>
      new CreateStackCommand({
        StackName: `split-${i}`,
        TemplateBody: json({
          Resources: { A: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Select': [0, { 'Fn::Split': ['', 'x'.repeat(50_000)] }] } } } },
        }),
      }),
  },
  {
    name: 'Fn::Sub with 3,000 ${AWS::Region} references',
    send: (i) =>
      new CreateStackCommand({
        StackName: `sub-${i}`,
        TemplateBody: json({ Resources: { A: log }, Outputs: { O: { Value: { 'Fn::Sub': '${AWS::Region}'.repeat(3_000) } } } }),
      }),
  },
  {
    name: '1 MB YAML template from a loopback TemplateURL (ValidateTemplate)',
    send: () => new ValidateTemplateCommand({ TemplateURL: `http://127.0.0.1:${port + 2}/big.yaml` }),
  },
];

const h = monitorEventLoopDelay({ resolution: 10 });
try {
  for (const c of cases) {
    let worst = 0;
    let answer = '';
    for (let i = 0; i < runs; i++) {
      h.reset();
      h.enable();
      let last = performance.now();
      let gap = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 5);
      const t0 = performance.now();
      try {
        await cfn.send(c.send(i));
        answer = 'ok';
      } catch (e) {
        answer = `${e.name}: ${String(e.message).slice(0, 100)}`;
      }
      const ms = performance.now() - t0;
      h.disable();
      clearInterval(tick);
      gap = Math.max(gap, performance.now() - last);
      worst = Math.max(worst, h.max / 1e6, gap);
      answer += ` (${ms.toFixed(0)} ms)`;
      await cfn.send(new DeleteStackCommand({ StackName: `${c.name}` })).catch(() => undefined);
    }
    console.log(`${c.name.padEnd(66)} worst event-loop delay ${worst.toFixed(0).padStart(6)} ms   answer: ${answer}`);
  }
} finally {
  files.close();
  await server.destroy();
}
