// README.md works as written (#16): its tested example, run as a user runs it —
// in a fresh project that did `npm install <clone>/bindings/node`, as
// `node example.js` — prints what the README says it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(pkg, 'README.md'), 'utf8');

/** The body of the fenced block right after the `<!-- ${marker}` comment. */
function block(marker) {
  const m = readme.match(new RegExp(`<!-- ${marker}[^>]*-->\\r?\\n\`\`\`\\w*\\r?\\n([\\s\\S]*?)\`\`\`\\r?\\n`));
  assert.ok(m, `README.md has no fenced block marked <!-- ${marker} -->`);
  return m[1];
}

test('README: the tested example runs from a fresh project and prints what the README shows', (t) => {
  const app = mkdtempSync(join(tmpdir(), 'callstate-readme-'));
  t.after(() => rmSync(app, { recursive: true, force: true }));
  // The README's steps: a package.json (`npm init -y`), then `npm install <clone>/bindings/node`.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', pkg], { cwd: app, stdio: 'pipe' });
  writeFileSync(join(app, 'example.js'), block('tested example'));
  const out = execFileSync(process.execPath, ['example.js'], { cwd: app, encoding: 'utf8' });

  // The verdicts, whatever the README says: the lost AgentWrapup (acw) is inferred (SPEC §8).
  const lines = out.split('\n');
  for (const expected of [
    'accepted eAgentOfferContact',
    'accepted CustAnswered',
    'accepted eAgentContactEnded',
    'illegal_transition eAgentContactWrappedUp in ended: repair infer [acw]',
    '  -> inferred acw wrapUp',
    '  -> event eAgentContactWrappedUp ready',
    'accepted AgentIdle',
    'a1 is idle',
  ]) {
    assert.ok(lines.includes(expected), `missing ${JSON.stringify(expected)} in:\n${out}`);
  }
  // And the README's "It prints:" block is exactly the output.
  assert.equal(out, block('tested output'));
});
