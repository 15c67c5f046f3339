"""A user's script, type-checked with mypy --strict against the stubs."""

from typing import List

import callstate
from callstate import Accepted, Engine, Rejected, RejectionKind, Summary


def feed(engine: Engine, notifications: List[str]) -> List[RejectionKind]:
    kinds: List[RejectionKind] = []
    for text in notifications:
        verdict = engine.apply(text)
        if isinstance(verdict, Rejected):
            kinds.append(verdict.kind)
            inferred: List[str] = [t.event for t in verdict.inferred or []]
            print(verdict.message, verdict.repair, inferred)
        else:
            assert isinstance(verdict, Accepted)
            if verdict.transition is not None:  # None: accepted without change
                print(verdict.transition.to.phase, verdict.transition.interaction)
    return kinds


engine = Engine(mode="resync", initial="ready")
feed(engine, ['{"data": {"type": "AgentOfferContact", "agentId": "a1", "interactionId": "c1"}}'])
verdict, events = engine.emit({"agent": "a1", "event": "CustAnswered"})
restored: Engine = Engine.restore(engine.snapshot())
report = callstate.replay("log.jsonl", mode="strict")
for line in report:
    print(line.line, line.kind.value, line.to_dict())
summary: Summary = report.summary
total: int = summary.records + restored.open_calls
