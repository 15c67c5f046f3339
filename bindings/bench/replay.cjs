// Replay throughput of a log from Node (bindings/bench/run).
const { statSync } = require('node:fs');
const { replayFile } = require('../node/index.js');
const path = process.argv[2];
const t = process.hrtime.bigint();
let n = 0;
const r = replayFile(path, {}, () => { n += 1; });
const s = Number(process.hrtime.bigint() - t) / 1e9;
console.log(`node: replayFile ${s.toFixed(2)} s, ${(r.summary.records / s / 1e6).toFixed(2)} M records/s, ${(statSync(path).size / s / 1e6).toFixed(0)} MB/s, ${n} report lines`);
