"""The engine from Python: SPEC §8's examples, every rejection kind, snapshots,
outbound events and bad input."""

import json

import pytest

import callstate
from callstate import Accepted, CallstateError, Engine, Rejected, RejectionKind


def connected(mode: str = "resync") -> Engine:
    """Agent a1 connected holding c1, last = CustAnswered (SPEC §8)."""
    e = Engine(mode=mode, initial="ready")
    assert e.apply({"agent": "a1", "interaction": "c1", "event": "AgentOfferContact", "time": 1}).accepted
    assert e.apply({"agent": "a1", "interaction": "c1", "event": "CustAnswered", "time": 2}).accepted
    return e


@pytest.mark.parametrize(
    "event,interaction,kind,repair,inferred,after",
    [
        ("eAgentOfferContact", "c2", RejectionKind.AGENT_BUSY, "infer", ["DROPPED"], "offered"),
        ("eAgentContactHeld", "c9", RejectionKind.INTERACTION_MISMATCH, "skip", None, "connected"),
        ("eAgentContactWrappedUp", "c1", RejectionKind.ILLEGAL_TRANSITION, "infer", ["acw"], "ready"),
        ("eAgentConsulting", "c1", RejectionKind.ILLEGAL_TRANSITION, "infer", ["eAgentConsultCreated"], "consult"),
    ],
)
def test_spec_8_examples(event, interaction, kind, repair, inferred, after):
    e = Engine.restore(connected().snapshot())
    v = e.apply({"agent": "a1", "event": event, "interaction": interaction, "time": 3})
    assert isinstance(v, Rejected) and not v.accepted
    assert v.kind is kind
    assert v.kind == kind.value
    assert v.state == "connected"
    assert v.repair == repair
    assert (None if v.inferred is None else [t.event for t in v.inferred]) == inferred
    assert e.phase_of("a1") == after
    if repair == "infer":
        assert v.transition is not None and v.transition.to.phase == after
    else:
        assert v.transition is None


def test_spec_8_examples_accepted_in_v3():
    """v2's first two examples: acw is E19 from a live phase, a transition (SPEC §10
    E19-live); CustAnswered in connected is a notice, accepted without change and
    without a transition (SPEC §3.3, §10 E6-connected)."""
    saved = connected().snapshot()
    e = Engine.restore(saved)
    v = e.apply({"agent": "a1", "event": "acw", "interaction": "c1", "time": 3})
    assert isinstance(v, Accepted) and v.transition is not None
    assert (v.transition.event, v.transition.from_.phase, v.transition.to.phase) == ("acw", "connected", "wrapUp")
    assert e.phase_of("a1") == "wrapUp"
    e = Engine.restore(saved)
    notice = e.apply({"agent": "a1", "event": "CustAnswered", "interaction": "c1", "time": 3})
    assert isinstance(notice, Accepted) and notice.accepted and notice.transition is None
    assert (e.phase_of("a1"), e.interaction_of("a1"), e.open_calls) == ("connected", "c1", 1)
    verdict, events = e.emit({"agent": "a1", "event": "CustAnswered", "interaction": "c1", "time": 4})
    assert isinstance(verdict, Accepted) and verdict.transition is None and events == []


def test_strict_mode_repairs_nothing():
    e = connected("strict")
    v = e.apply({"agent": "a1", "event": "eAgentContactWrappedUp", "interaction": "c1", "time": 3})
    assert isinstance(v, Rejected)
    assert v.kind is RejectionKind.ILLEGAL_TRANSITION
    assert v.repair is None and v.inferred is None
    assert "acw" in v.allowed
    assert v.message.startswith("eAgentContactWrappedUp is not allowed in connected")
    assert e.phase_of("a1") == "connected" and e.mode == "strict"


def test_every_rejection_kind_in_the_three_shapes():
    e = Engine(mode="strict")
    e.apply({"agent": "idle1", "event": "AgentIdle", "time": 1})
    e.apply({"agent": "a1", "interaction": "c1", "event": "AgentOfferContact", "time": 10})
    cases = [
        ('{"agent": "a1", "event": ', RejectionKind.MALFORMED),
        (b'{"agent": "a1", "event": "\xff"}', RejectionKind.MALFORMED),
        ({"agent": "a1", "event": "AgentOfferContact"}, RejectionKind.MALFORMED),
        ({"agent": "a1", "event": "Swapped"}, RejectionKind.UNKNOWN_EVENT),
        ({"agent": "a1", "event": "CustAnswered", "time": 5}, RejectionKind.OUT_OF_ORDER),
        ({"data": {"type": "AgentOfferContact", "agentId": "a1", "interactionId": "c2"}}, RejectionKind.AGENT_BUSY),
        ({"agent": "a1", "event": "CustAnswered", "interaction": "c3"}, RejectionKind.INTERACTION_MISMATCH),
        ({"data": {"type": "AgentOfferContact", "agentId": "idle1", "interactionId": "c4"}}, RejectionKind.AGENT_NOT_READY),
        (
            {"message": {"call": {"event": "CustAnswered", "id": "c5", "ResponseActual": {"data": {"agentId": "fresh"}}}}},
            RejectionKind.NO_ACTIVE_CALL,
        ),
        ({"agent": "a1", "event": "acw"}, RejectionKind.ILLEGAL_TRANSITION),
    ]
    seen = set()
    for record, kind in cases:
        v = e.apply(record)
        assert isinstance(v, Rejected), record
        assert v.kind is kind, (record, v.message)
        seen.add(v.kind)
    assert seen == set(RejectionKind)
    assert [k.value for k in RejectionKind] == callstate.rejection_kinds()
    assert e.open_calls == 1


def test_accepted_records_give_their_transition():
    e = Engine()
    v = e.apply(json.dumps({"data": {"type": "AgentStateChange", "subStatus": "Idle", "agentId": "w1", "eventTime": 1}}))
    assert isinstance(v, Accepted) and v.accepted
    t = v.transition
    assert t is not None
    assert (t.event, t.from_.phase, t.to.phase, t.to.availability, t.interaction) == ("AgentIdle", "ready", "idle", "idle", None)
    assert (t.from_.role, t.to.role, t.from_.recording, t.to.recording) == ("owner", "owner", "off", "off")
    offer = e.apply({"message": {"call": {"event": "eAgentOfferContact", "id": "c1", "ResponseActual": {"data": {"agentId": "e1"}}}}})
    assert isinstance(offer, Accepted) and offer.transition is not None and offer.transition.interaction == "c1"
    assert e.interaction_of("e1") == "c1"
    ended = e.apply(b'{"agent": "e1", "event": "DROPPED"}')
    assert isinstance(ended, Accepted) and ended.transition is not None and ended.transition.interaction == "c1"
    assert e.phase_of("e1") == "ready" and e.open_calls == 0 and e.agents == 2


def test_emit_gives_outbound_events_inferred_first():
    e = connected()
    # The lost acw is inferred (SPEC §8's table).
    v, events = e.emit({"data": {"type": "eAgentContactWrappedUp", "agentId": "a1", "interactionId": "c1", "eventTime": 3}})
    assert isinstance(v, Rejected) and v.repair == "infer"
    assert [(x["message"]["source"], x["message"]["call"]["event"], x["message"]["call"]["ResponseFields"]["CallState"]) for x in events] == [
        ("inferred", "acw", "wrapUp"),
        ("event", "eAgentContactWrappedUp", "ready"),
    ]
    assert "ResponseActual" not in events[0]["message"]["call"]
    assert events[1]["message"]["call"]["ResponseActual"]["data"]["type"] == "eAgentContactWrappedUp"
    assert e.emit({"agent": "a1", "event": "Swapped"})[1] == []


def test_snapshot_round_trip():
    e = connected()
    e.apply({"agent": "b", "event": "AgentIdle", "time": 7})
    text = e.snapshot()
    r = Engine.restore(text)
    assert r.snapshot() == text
    assert (r.phase_of("a1"), r.phase_of("b"), r.open_calls, r.agents, r.mode) == ("connected", "idle", 1, 2, "resync")
    a = r.apply({"agent": "a1", "event": "acw", "time": 9})
    b = e.apply({"agent": "a1", "event": "acw", "time": 9})
    assert repr(a) == repr(b)
    assert r.snapshot() == e.snapshot()


def test_bad_input_raises_or_is_malformed_never_crashes():
    e = Engine()
    for bad in [42, None, 1.5, [1, 2], object()]:
        with pytest.raises(TypeError, match="a record must be a dict, a str or bytes of JSON"):
            e.apply(bad)
    with pytest.raises(TypeError):
        e.apply({"agent": "a", "event": "AgentIdle", "time": object()})
    circular: dict = {}
    circular["self"] = circular
    with pytest.raises(ValueError, match="[Cc]ircular"):
        e.apply(circular)
    for text in ["not json", "", "[1,2]", '{"agent": "a", "event": "AgentIdle", "time": 1.5}', "NaN"]:
        v = e.apply(text)
        assert isinstance(v, Rejected) and v.kind is RejectionKind.MALFORMED, text
        assert v.message.startswith("malformed record: ")
    nan = e.apply({"agent": "a", "event": "AgentIdle", "time": float("nan")})
    assert isinstance(nan, Rejected) and nan.kind is RejectionKind.MALFORMED
    big = "x" * (2 << 20)
    assert e.apply(big).kind is RejectionKind.MALFORMED  # type: ignore[union-attr]
    assert e.apply({"agent": big, "event": "AgentIdle"}).accepted
    assert e.apply("[" * 200000).kind is RejectionKind.MALFORMED  # type: ignore[union-attr]
    assert e.phase_of(big) == "idle"
    with pytest.raises(UnicodeEncodeError):
        e.apply('{"agent": "\ud800", "event": "AgentIdle"}')
    with pytest.raises(CallstateError, match="mode must be 'resync' or 'strict'"):
        Engine(mode="lenient")  # type: ignore[arg-type]
    with pytest.raises(CallstateError, match="initial must be 'ready' or 'idle'"):
        Engine(initial="busy")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Engine(mode=5)  # type: ignore[arg-type]
    with pytest.raises(CallstateError, match="the snapshot is not valid"):
        Engine.restore("not json")
    with pytest.raises(CallstateError, match="the snapshot is not valid"):
        Engine.restore(big)
    with pytest.raises(CallstateError, match="version 99"):
        Engine.restore('{"version": 99, "initial": "ready", "agents": {}}')
    with pytest.raises(ValueError, match="needs an interaction"):
        Engine.restore('{"version": 2, "initial": "ready", "agents": {"a": {"phase": "connected", "recording": "off", "availability": "ready"}}}')


def test_time_rules_late_and_advance_overdue():
    """SPEC §11: a late answer from the record, a stuck wrap-up from advance()."""
    e = Engine(limits=["wrapUp=10s"])
    offer = {"agent": "a1", "interaction": "c1", "event": "eAgentOfferContact", "time": 0, "ronaTimeout": "18"}
    assert e.apply(offer).accepted
    assert e.apply({"agent": "a1", "event": "CustAnswered", "time": 25000}).accepted
    [late] = e.take_findings()
    assert (late["finding"], late["state"], late["source"], late["at"]) == ("late", "offered", "ronaTimeout", 25000)
    assert late["line"] is None
    assert e.apply({"agent": "a1", "event": "eAgentContactEnded", "time": 26000}).accepted
    assert e.apply({"agent": "a1", "event": "acw", "time": 27000}).accepted
    assert e.take_findings() == []
    assert e.advance(42000) == []
    [stuck] = e.advance(42001)
    assert (stuck["finding"], stuck["agent"], stuck["state"], stuck["deadline"]) == ("overdue", "a1", "wrapUp", 37000)
    assert e.advance(10**12) == []
    # Without time rules nothing is found; a bad limit is an error.
    assert Engine().advance(10**12) == []
    with pytest.raises(CallstateError):
        Engine(limits=["ready=1s"])
