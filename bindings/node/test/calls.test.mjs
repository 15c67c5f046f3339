// replayFile's `calls` option writes what `callstate replay --calls FILE`
// writes (SPEC §12): compared with tests/fixtures/clean.calls.expected.jsonl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { replayFile } = require('../index.js');
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'fixtures');

test('replayFile writes every call as replay --calls does', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'callstate-')), 'calls.jsonl');
  const plain = replayFile(join(fixtures, 'clean.jsonl'), { jobs: 1 });
  const result = replayFile(join(fixtures, 'clean.jsonl'), { jobs: 1, calls: out });
  assert.deepEqual(result, plain);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(join(fixtures, 'clean.calls.expected.jsonl'), 'utf8'));
});

test('a calls file that cannot be created is an error', () => {
  assert.throws(() => replayFile(join(fixtures, 'clean.jsonl'), { calls: join(fixtures, 'no', 'such', 'dir', 'calls.jsonl') }));
});
