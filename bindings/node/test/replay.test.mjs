// replayFile gives exactly what `callstate replay --json` prints: compared with
// tests/fixtures/*.expected.jsonl (strict) and *.resync.expected.jsonl (resync),
// v2's reports, with SPEC v3 §10's changes from tests/fixtures/v3-changes.jsonl
// (the CLI's test holds that file to `replay --json`'s output line by line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { replayFile, replayFileAsync, Replay } = require('../index.js');
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'fixtures');

const jsonLines = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

/** v2's report of a fixture in a mode, with v3's line (or none) where v3-changes.jsonl lists one. */
function expected(file, mode) {
  const objects = jsonLines(file);
  const closing = objects.pop();
  const fixture = file.split('/').pop().replace(/\..*$/, '');
  const changes = jsonLines(join(fixtures, 'v3-changes.jsonl')).filter((c) => c.fixture === fixture && c.mode === mode);
  const byLine = new Map(objects.map((o) => [o.line, o]));
  let summary = closing.summary;
  for (const c of changes) {
    if (c.line === null) {
      assert.deepEqual(summary, c.v2, `${fixture} ${mode}: the v2 summary in v3-changes.jsonl`);
      summary = c.v3;
      continue;
    }
    assert.deepEqual(byLine.get(c.line) ?? null, c.v2, `${fixture} ${mode} line ${c.line}: v2 in v3-changes.jsonl`);
    if (c.v3 === null) byLine.delete(c.line);
    else byLine.set(c.line, c.v3);
  }
  return { lines: [...byLine.values()].sort((a, b) => a.line - b.line), summary };
}

/** The lines of a file, read in chunks and split on \n only (readline would
 * also split on a lone \r, which SPEC §5 keeps inside a line). */
async function* linesOf(path) {
  let rest = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 4096 })) {
    rest = Buffer.concat([rest, chunk]);
    let i;
    while ((i = rest.indexOf(10)) >= 0) {
      yield rest.subarray(0, i);
      rest = rest.subarray(i + 1);
    }
  }
  if (rest.length > 0) yield rest;
}

const withoutMessage = (lines) => lines.map(({ message, ...rest }) => rest);

const cases = readdirSync(fixtures)
  .filter((f) => f.endsWith('.jsonl') && !f.includes('.expected'))
  .flatMap((f) => {
    const base = join(fixtures, f.replace(/\.jsonl$/, ''));
    return [
      ['strict', `${base}.expected.jsonl`],
      ['resync', `${base}.resync.expected.jsonl`],
    ]
      .filter(([, exp]) => existsSync(exp))
      .map(([mode, exp]) => [join(fixtures, f), mode, exp]);
  });

test('there are fixtures of both modes', () => {
  assert.ok(cases.filter(([, m]) => m === 'strict').length >= 3);
  assert.ok(cases.filter(([, m]) => m === 'resync').length >= 3);
});

for (const [log, mode, exp] of cases) {
  const name = `${log.split('/').pop()} (${mode})`;
  test(`replayFile ${name} equals the CLI's --json`, () => {
    const want = expected(exp, mode);
    const options = mode === 'strict' ? { mode: 'strict' } : {};
    for (const jobs of [1, 2]) {
      const got = replayFile(log, { ...options, jobs });
      assert.deepEqual(withoutMessage(got.lines), want.lines);
      assert.deepEqual(got.summary, want.summary);
      for (const l of got.lines) assert.equal(typeof l.message, 'string');
    }
  });

  test(`streaming forms of ${name} agree`, async () => {
    const want = expected(exp, mode);
    const options = mode === 'strict' ? { mode: 'strict' } : {};
    // Callback: lines are handed over, not kept.
    const seen = [];
    const got = replayFile(log, options, (line) => seen.push(line));
    assert.deepEqual(got.lines, []);
    assert.deepEqual(withoutMessage(seen), want.lines);
    assert.deepEqual(got.summary, want.summary);
    // A Promise, on a worker thread.
    const promised = await replayFileAsync(log, options);
    assert.deepEqual(withoutMessage(promised.lines), want.lines);
    assert.deepEqual(promised.summary, want.summary);
    // Line by line from any stream: an async loop over Buffers.
    const replay = new Replay(options);
    const fed = [];
    for await (const line of linesOf(log)) {
      const report = replay.feed(line);
      if (report !== null) fed.push(report);
    }
    assert.deepEqual(withoutMessage(fed), want.lines);
    assert.deepEqual(replay.summary(), want.summary);
  });
}

test('several files are one log in parts; line numbers go on', () => {
  const [log] = cases[0];
  const once = replayFile(log, { mode: 'strict' });
  const twice = replayFile([log, log], { mode: 'strict' });
  assert.equal(twice.summary.records, 2 * once.summary.records);
});

test('replay errors are exceptions; a throwing callback stops the replay', async () => {
  assert.throws(() => replayFile('/nonexistent/log.jsonl'), /cannot open \/nonexistent\/log.jsonl/);
  assert.throws(() => replayFile(fixtures), /is a directory/);
  assert.throws(() => replayFile('x'.repeat(2 << 20)), /cannot open/);
  assert.throws(() => replayFile([]), /at least one path/);
  assert.throws(() => replayFile(fixtures + '/lossy.jsonl', { mode: 'loose' }), /mode must be/);
  await assert.rejects(replayFileAsync('/nonexistent/log.jsonl'), /cannot open/);
  let calls = 0;
  assert.throws(
    () => replayFile(join(fixtures, 'lossy.jsonl'), {}, () => { calls += 1; throw new Error('enough'); }),
    /enough/,
  );
  assert.equal(calls, 1);
  // A line over the limit is a malformed record, as in the CLI.
  const dir = mkdtempSync(join(tmpdir(), 'callstate-node-'));
  const file = join(dir, 'long.jsonl');
  writeFileSync(file, '{"agent":"a","event":"AgentIdle"}\n' + 'x'.repeat(3 << 20) + '\n\n');
  const r = replayFile(file, { maxLineBytes: 1 << 20 });
  assert.deepEqual(r.lines.map((l) => [l.line, l.kind]), [[2, 'malformed']]);
  assert.equal(r.summary.records, 2);
});
