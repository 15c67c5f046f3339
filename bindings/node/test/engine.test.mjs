// The engine from Node: SPEC §8's examples, every rejection kind, snapshots,
// outbound events and bad input. Run with `node --test test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Engine, rejectionKinds } = require('../index.js');

/** An engine with agent a1 connected holding c1, last = CustAnswered (SPEC §8). */
function connected(mode = 'resync') {
  const e = new Engine({ mode, initial: 'ready' });
  assert.equal(e.apply({ agent: 'a1', interaction: 'c1', event: 'AgentOfferContact', time: 1 }).accepted, true);
  assert.equal(e.apply({ agent: 'a1', interaction: 'c1', event: 'CustAnswered', time: 2 }).accepted, true);
  return e;
}

test('SPEC §8 examples (v3): kind, repair and inferred events', () => {
  const examples = [
    [{ event: 'eAgentOfferContact', interaction: 'c2' }, 'agent_busy', 'infer', ['DROPPED'], 'offered'],
    [{ event: 'eAgentContactHeld', interaction: 'c9' }, 'interaction_mismatch', 'skip', undefined, 'connected'],
    [{ event: 'eAgentContactWrappedUp', interaction: 'c1' }, 'illegal_transition', 'infer', ['acw'], 'ready'],
    [{ event: 'eAgentConsulting', interaction: 'c1' }, 'illegal_transition', 'infer', ['eAgentConsultCreated'], 'consult'],
  ];
  const saved = connected().snapshot();
  for (const [record, kind, repair, inferred, after] of examples) {
    const e = Engine.restore(saved);
    const v = e.apply({ agent: 'a1', time: 3, ...record });
    assert.equal(v.accepted, false, record.event);
    assert.equal(v.rejection.kind, kind, record.event);
    assert.equal(v.rejection.state, 'connected');
    assert.equal(v.rejection.repair, repair, record.event);
    assert.deepEqual(v.rejection.inferred?.map((t) => t.event), inferred, record.event);
    assert.equal(e.phaseOf('a1'), after, record.event);
    if (repair === 'infer') {
      assert.equal(v.rejection.transition.event, v.rejection.event);
      assert.equal(v.rejection.transition.to.phase, after);
    } else {
      assert.equal(v.rejection.transition, undefined);
    }
  }
  // v2's first two examples are accepted in v3: acw is E19 from a live phase, a
  // transition (§10 E19-live); CustAnswered in connected is a notice, accepted
  // without change and without a transition (§3.3, §10 E6-connected).
  const acw = Engine.restore(saved);
  const wrap = acw.apply({ agent: 'a1', time: 3, event: 'acw', interaction: 'c1' });
  assert.deepEqual([wrap.accepted, wrap.transition.event, wrap.transition.from.phase, wrap.transition.to.phase], [true, 'acw', 'connected', 'wrapUp']);
  assert.equal(acw.phaseOf('a1'), 'wrapUp');
  const again = Engine.restore(saved);
  const notice = again.apply({ agent: 'a1', time: 3, event: 'CustAnswered', interaction: 'c1' });
  assert.deepEqual(notice, { accepted: true });
  assert.deepEqual([again.phaseOf('a1'), again.interactionOf('a1'), again.openCalls], ['connected', 'c1', 1]);
  assert.deepEqual(again.emit({ agent: 'a1', time: 4, event: 'CustAnswered', interaction: 'c1' }).events, []);
});

test('strict mode rejects the same records and repairs nothing', () => {
  const e = connected('strict');
  const v = e.apply({ agent: 'a1', event: 'eAgentContactWrappedUp', interaction: 'c1', time: 3 });
  assert.equal(v.rejection.kind, 'illegal_transition');
  assert.equal(v.rejection.repair, undefined);
  assert.equal(v.rejection.inferred, undefined);
  assert.ok(v.rejection.allowed.includes('acw'));
  assert.match(v.rejection.message, /^eAgentContactWrappedUp is not allowed in connected/);
  assert.equal(e.phaseOf('a1'), 'connected');
  assert.equal(e.mode, 'strict');
});

test('every rejection kind, in the three input shapes', () => {
  const e = new Engine({ mode: 'strict' });
  e.apply({ agent: 'idle1', event: 'AgentIdle', time: 1 });
  connected('strict'); // warm-up of the helper; the engine below is its own
  e.apply({ agent: 'a1', interaction: 'c1', event: 'AgentOfferContact', time: 10 });
  const cases = [
    ['{"agent": "a1", "event": ', 'malformed'],
    [{ agent: 'a1', event: 'AgentOfferContact' }, 'malformed'],
    [{ agent: 'a1', event: 'Swapped' }, 'unknown_event'],
    [{ agent: 'a1', event: 'CustAnswered', time: 5 }, 'out_of_order'],
    [{ data: { type: 'AgentOfferContact', agentId: 'a1', interactionId: 'c2' } }, 'agent_busy'],
    [{ agent: 'a1', event: 'CustAnswered', interaction: 'c3' }, 'interaction_mismatch'],
    [{ data: { type: 'AgentOfferContact', agentId: 'idle1', interactionId: 'c4' } }, 'agent_not_ready'],
    [{ message: { call: { event: 'CustAnswered', id: 'c5', ResponseActual: { data: { agentId: 'fresh' } } } } }, 'no_active_call'],
    [{ agent: 'a1', event: 'acw' }, 'illegal_transition'],
  ];
  const seen = new Set();
  for (const [record, kind] of cases) {
    const v = e.apply(record);
    assert.equal(v.accepted, false, JSON.stringify(record));
    assert.equal(v.rejection.kind, kind, JSON.stringify(record));
    assert.equal(typeof v.rejection.message, 'string');
    seen.add(kind);
  }
  assert.deepEqual([...seen].sort(), [...rejectionKinds()].sort());
  assert.equal(e.openCalls, 1);
});

test('an accepted record gives its transition; websocket and envelope shapes too', () => {
  const e = new Engine();
  const v = e.apply(JSON.stringify({ data: { type: 'AgentStateChange', subStatus: 'Idle', agentId: 'w1', eventTime: 1 } }));
  assert.deepEqual(v, {
    accepted: true,
    transition: {
      event: 'AgentIdle',
      from: { phase: 'ready', role: 'owner', recording: 'off', availability: 'ready' },
      to: { phase: 'idle', role: 'owner', recording: 'off', availability: 'idle' },
    },
  });
  const offer = e.apply({ message: { call: { event: 'eAgentOfferContact', id: 'c1', ResponseActual: { data: { agentId: 'e1', eventTime: 5 } } } } });
  assert.equal(offer.transition.interaction, 'c1');
  assert.equal(e.interactionOf('e1'), 'c1');
  const ended = e.apply({ agent: 'e1', event: 'DROPPED' });
  assert.equal(ended.transition.interaction, 'c1', 'a terminating transition names the call it ended');
  assert.equal(e.phaseOf('e1'), 'ready');
  assert.equal(e.openCalls, 0);
});

test('emit gives the outbound events, inferred ones first', () => {
  const e = connected();
  // The lost acw is inferred (SPEC §8's table).
  const { verdict, events } = e.emit({ data: { type: 'eAgentContactWrappedUp', agentId: 'a1', interactionId: 'c1', eventTime: 3 } });
  assert.equal(verdict.rejection.repair, 'infer');
  assert.deepEqual(events.map((ev) => [ev.message.source, ev.message.call.event, ev.message.call.ResponseFields.CallState]), [
    ['inferred', 'acw', 'wrapUp'],
    ['event', 'eAgentContactWrappedUp', 'ready'],
  ]);
  assert.equal(events[0].message.call.ResponseActual, undefined);
  assert.equal(events[1].message.call.ResponseActual.data.type, 'eAgentContactWrappedUp');
  assert.equal(events[1].channel, 'Webexcc');
  assert.equal(events[1].subtopic, 'OutBoundCallStateChange');
  assert.deepEqual(e.emit({ agent: 'a1', event: 'Swapped' }).events, []);
});

test('snapshot round trip', () => {
  const e = connected();
  e.apply({ agent: 'b', event: 'AgentIdle', time: 7 });
  const text = e.snapshot();
  const r = Engine.restore(text);
  assert.equal(r.snapshot(), text);
  assert.equal(r.phaseOf('a1'), 'connected');
  assert.equal(r.phaseOf('b'), 'idle');
  assert.equal(r.openCalls, 1);
  assert.equal(r.agents, 2);
  assert.equal(r.mode, 'resync');
  // Both go on alike.
  const next = { agent: 'a1', event: 'acw', time: 9 };
  assert.deepEqual(r.apply(next), e.apply(next));
  assert.equal(r.snapshot(), e.snapshot());
});

test('bad input is an exception or a malformed verdict, never a crash', () => {
  const e = new Engine();
  for (const bad of [42, null, undefined, true, 10n, Symbol('s'), () => 1]) {
    assert.throws(() => e.apply(bad), /a record must be JSON text or an object/);
  }
  const circular = {};
  circular.self = circular;
  assert.throws(() => e.apply(circular), /circular/);
  assert.throws(() => e.apply({ agent: 'a', event: 'AgentIdle', time: 1n }), /BigInt/);
  // Text that is not a record is SPEC §4's malformed, as in replay.
  for (const text of ['not json', '', '[1,2]', '{"agent": "a", "event": "AgentIdle", "time": 1.5}', 'NaN']) {
    const v = e.apply(text);
    assert.equal(v.rejection.kind, 'malformed', text);
    assert.match(v.rejection.message, /^malformed record: /);
  }
  const big = 'x'.repeat(2 << 20);
  assert.equal(e.apply(big).rejection.kind, 'malformed');
  assert.equal(e.apply('{"agent":"' + big + '"}').rejection.kind, 'malformed');
  assert.equal(e.apply({ agent: big, event: 'AgentIdle' }).accepted, true);
  assert.equal(e.apply('['.repeat(200000)).rejection.kind, 'malformed');
  // Options and snapshots.
  assert.throws(() => new Engine({ mode: 'lenient' }), /mode must be 'resync' or 'strict'/);
  assert.throws(() => new Engine({ initial: 'busy' }), /initial must be 'ready' or 'idle'/);
  assert.throws(() => new Engine({ mode: 5 }));
  assert.throws(() => Engine.restore('not json'), /the snapshot is not valid/);
  assert.throws(() => Engine.restore(big), /the snapshot is not valid/);
  assert.throws(() => Engine.restore('{"version": 99, "initial": "ready", "agents": {}}'), /version 99/);
  assert.throws(() => Engine.restore('{"version": 2, "initial": "ready", "agents": {"a": {"phase": "connected", "recording": "off", "availability": "ready"}}}'), /needs an interaction/);
  assert.throws(() => Engine.restore(7));
  assert.equal(e.phaseOf(big), 'idle');
});

test('time rules: a late answer, then advance() finds a stuck wrap-up once (SPEC §11)', () => {
  const e = new Engine({ limits: ['wrapUp=10s'] });
  assert.equal(e.apply({ agent: 'a1', interaction: 'c1', event: 'eAgentOfferContact', time: 0, ronaTimeout: '18' }).accepted, true);
  assert.equal(e.apply({ agent: 'a1', event: 'CustAnswered', time: 25000 }).accepted, true);
  const [late] = e.takeFindings();
  assert.deepEqual([late.finding, late.state, late.source, late.at, late.line], ['late', 'offered', 'ronaTimeout', 25000, null]);
  e.apply({ agent: 'a1', event: 'eAgentContactEnded', time: 26000 });
  e.apply({ agent: 'a1', event: 'acw', time: 27000 });
  assert.deepEqual(e.takeFindings(), []);
  assert.deepEqual(e.advance(42000), []);
  const [stuck] = e.advance(42001);
  assert.deepEqual([stuck.finding, stuck.agent, stuck.state, stuck.deadline], ['overdue', 'a1', 'wrapUp', 37000]);
  assert.deepEqual(e.advance(1e12), []);
  assert.deepEqual(new Engine().advance(1e12), []);
  assert.throws(() => new Engine({ limits: ['ready=1s'] }));
});
