// Per-record cost of engine.apply from Node (bindings/bench/run).
const { readFileSync } = require('node:fs');
const { Engine } = require('../node/index.js');
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim());
const objects = lines.map((l) => { try { return JSON.parse(l); } catch { return l; } });
for (const [name, input] of [['text', lines], ['object', objects]]) {
  const e = new Engine({ mode: 'resync' });
  const t = process.hrtime.bigint();
  for (const r of input) e.apply(r);
  const ns = Number(process.hrtime.bigint() - t) / input.length;
  console.log(`node: apply(${name}) ${ns.toFixed(0)} ns/record`);
}
