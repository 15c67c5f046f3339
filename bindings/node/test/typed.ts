// Compiled with `tsc --noEmit` against the generated index.d.ts: a user's code.
import { Engine, replayFile, Replay, rejectionKinds, type Verdict, type ReportLine, type Summary } from '../index.js';

const engine = new Engine({ mode: 'resync', initial: 'ready' });
const verdict: Verdict = engine.apply({ data: { type: 'AgentOfferContact', agentId: 'a1', interactionId: 'c1' } });
if (verdict.accepted && verdict.transition) {
  const phase: 'offered' | string = verdict.transition.to.phase;
  console.log(phase, verdict.transition.interaction ?? '-');
} else if (verdict.rejection) {
  const kind = verdict.rejection.kind;
  const names: string[] = verdict.rejection.inferred?.map((t) => t.event) ?? [];
  console.log(kind === 'agent_busy', names, verdict.rejection.repair === 'infer');
}
const { events } = engine.emit('{"agent":"a1","event":"CustAnswered"}');
for (const e of events) console.log(e.message.source, e.message.call.ResponseFields.CallState);
const restored: Engine = Engine.restore(engine.snapshot());
const open: number = restored.openCalls;
const result = replayFile('log.jsonl', { mode: 'strict', jobs: 2 }, (line: ReportLine) => console.log(line.kind, line.line));
const summary: Summary = result.summary;
console.log(open, summary.open_calls, summary.records, rejectionKinds().length, new Replay().feed('') === null);

// @ts-expect-error: not a mode
new Engine({ mode: 'lenient' });
// @ts-expect-error: a record is text or an object
engine.apply(42);
