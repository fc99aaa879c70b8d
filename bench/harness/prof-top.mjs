// Benchmark harness: self-time summary of a V8 .cpuprofile (bench/gateway-profile.sh): the top
// functions and a by-module breakdown. Usage: node bench/harness/prof-top.mjs <file.cpuprofile>
import { readFileSync } from 'node:fs';

const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas;
let total = 0;
p.samples.forEach((id, i) => {
  const n = byId.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\//, '')}:${cf.lineNumber}`;
  self.set(key, (self.get(key) || 0) + dt[i]);
  total += dt[i];
});
const mod = new Map();
for (const [k, v] of self) {
  const u = k.split(' ')[1] || '';
  const m = u.startsWith('node:') ? u.split(':').slice(0, 2).join(':') : u.startsWith('undici') ? 'undici' : u.includes('.js') ? 'app' : k.split(' ')[0];
  mod.set(m, (mod.get(m) || 0) + v);
}
console.log('top self time:');
[...self]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 25)
  .forEach(([k, v]) => {
    console.log(((100 * v) / total).toFixed(1).padStart(5) + '%  ' + k);
  });
console.log('by module:');
[...mod]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 15)
  .forEach(([k, v]) => {
    console.log(((100 * v) / total).toFixed(1).padStart(5) + '%  ' + k);
  });
