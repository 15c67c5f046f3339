// Per-event cost of validating from Node: callstate's engine.apply against the
// XState peer, one XState v5 actor per agent driven by the machine config that
// `callstate graph --format xstate` generates from the table (issue #16).
//
//   node --expose-gc bindings/bench/xstate.mjs LOG CONFIG [REPS]
//
// LOG: native records (`callstate simulate --format native`); CONFIG: the output
// of `callstate graph --format xstate`. bindings/bench/xstate runs it all.
//
// Every variant walks the same records in the same process: a warm-up pass of
// each, then REPS timed passes, the variants taking turns, each pass on fresh
// state (a new Engine, new actors); the median pass is reported.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(new URL('../node/package.json', import.meta.url));
const { createMachine, createActor } = require('xstate');
const { Engine } = require('../node/index.js');
const xstateVersion = require('xstate/package.json').version;

const [logPath, configPath, repsArg] = process.argv.slice(2);
if (!logPath || !configPath) {
  console.error('usage: node bindings/bench/xstate.mjs LOG CONFIG [REPS]');
  process.exit(2);
}
const reps = Number(repsArg ?? 7);
const gc = globalThis.gc ?? (() => {});

const lines = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.trim());
const objects = lines.map((l) => JSON.parse(l));
const agents = objects.map((r) => r.agent);
const machine = createMachine(JSON.parse(readFileSync(configPath, 'utf8')));

// The engine names each record's event canonically (the log mixes in aliases,
// which the XState machine does not know). One untimed pass collects the names,
// and each agent's final state to check the XState run against.
const canonical = new Array(lines.length);
const expected = new Map();
{
  const engine = new Engine({ mode: 'resync' });
  let rejected = 0;
  lines.forEach((line, i) => {
    const v = engine.apply(line);
    if (!v.accepted) rejected += 1;
    const t = v.accepted ? v.transition : v.rejection.transition;
    canonical[i] = t ? t.event : (v.rejection?.event ?? '');
    if (t) expected.set(agents[i], `${t.to.phase}/${t.to.recording}/${t.to.availability}`);
  });
  if (rejected) console.warn(`warning: the engine rejected ${rejected} records; use a log without --faults`);
}
const aliases = new Map(objects.map((r, i) => [r.event, canonical[i]]));

// The variants. Each returns a function that makes one pass and returns what the
// pass left behind (checked, untimed, after the pass).
const variants = [
  {
    name: 'xstate actor.send({type})',
    what: 'pre-parsed records, canonical names; Map agent→actor, actor created on first event',
    pass: () => {
      const actors = new Map();
      for (let i = 0; i < agents.length; i++) {
        let actor = actors.get(agents[i]);
        if (actor === undefined) {
          actor = createActor(machine).start();
          actors.set(agents[i], actor);
        }
        actor.send({ type: canonical[i] });
      }
      return actors;
    },
  },
  {
    name: 'xstate JSON.parse + send',
    what: 'from the text line: JSON.parse, alias→canonical Map, then as above',
    pass: () => {
      const actors = new Map();
      for (let i = 0; i < lines.length; i++) {
        const r = JSON.parse(lines[i]);
        let actor = actors.get(r.agent);
        if (actor === undefined) {
          actor = createActor(machine).start();
          actors.set(r.agent, actor);
        }
        actor.send({ type: aliases.get(r.event) });
      }
      return actors;
    },
  },
  {
    name: 'callstate engine.apply(text)',
    what: 'the line as given; the engine parses, resolves the name, checks interaction and time',
    pass: () => {
      const engine = new Engine({ mode: 'resync' });
      for (let i = 0; i < lines.length; i++) engine.apply(lines[i]);
      return engine;
    },
  },
  {
    name: 'callstate engine.apply(object)',
    what: 'pre-parsed records; the binding reads the object\'s fields',
    pass: () => {
      const engine = new Engine({ mode: 'resync' });
      for (let i = 0; i < objects.length; i++) engine.apply(objects[i]);
      return engine;
    },
  },
];

// The XState run must end where the engine does, agent by agent.
function check(result) {
  if (result instanceof Map) {
    for (const [agent, state] of expected) {
      const got = result.get(agent).getSnapshot().value;
      if (got !== state) throw new Error(`xstate: agent ${agent} ends in ${got}, the engine in ${state}`);
    }
    for (const actor of result.values()) actor.stop();
  } else if (result.agents !== expected.size) {
    throw new Error(`engine: ${result.agents} agents, expected ${expected.size}`);
  }
}

// Wall-clock, and the process's CPU time (user + system, all its threads, so
// GC helpers count): on a shared machine the second is the steadier.
const times = variants.map(() => []);
const cpuTimes = variants.map(() => []);
for (let rep = -1; rep < reps; rep++) {
  variants.forEach((v, k) => {
    gc();
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    const result = v.pass();
    const ns = Number(process.hrtime.bigint() - t) / lines.length;
    const used = process.cpuUsage(cpu);
    check(result);
    if (rep >= 0) {
      // rep -1 is the warm-up
      times[k].push(ns);
      cpuTimes[k].push(((used.user + used.system) * 1000) / lines.length);
    }
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const medians = times.map(median);
const cpuMedians = cpuTimes.map(median);
const base = medians[0];
const cpuBase = cpuMedians[0];
console.log(
  `${lines.length} records, ${expected.size} agents (${logPath}); ` +
    `node ${process.version}, xstate ${xstateVersion}, ${os.cpus()[0]?.model ?? 'cpu'}; ` +
    `median of ${reps} passes after a warm-up pass; load average ${os.loadavg()[0].toFixed(1)} ` +
    `on ${os.cpus().length} cores at the end`,
);
console.log('');
console.log('| variant | wall ns/event (median) | min – max | × xstate send | CPU ns/event (median) | × xstate send |');
console.log('|---|---:|---:|---:|---:|---:|');
variants.forEach((v, k) => {
  const lo = Math.min(...times[k]).toFixed(0);
  const hi = Math.max(...times[k]).toFixed(0);
  console.log(
    `| ${v.name} | ${medians[k].toFixed(0)} | ${lo} – ${hi} | ${(medians[k] / base).toFixed(2)} ` +
      `| ${cpuMedians[k].toFixed(0)} | ${(cpuMedians[k] / cpuBase).toFixed(2)} |`,
  );
});
console.log('');
for (const v of variants) console.log(`- ${v.name}: ${v.what}`);
console.log(
  '\nNot like for like: XState checks only that the state accepts the event (and ends each ' +
    'agent in the same state as the engine here, checked per agent). It does not check the ' +
    'interaction id or the time, keeps no call, reports nothing, and silently ignores an ' +
    'event its state does not accept, where the engine returns a rejection with its reason ' +
    'and, in resync, repairs. The XState rows also get canonical names for free (resolved ' +
    'beforehand by the engine); the engine resolves aliases itself.',
);
