"""Type stubs of the Rust module (see callstate/__init__.py)."""

import os
from typing import Any, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, Union

from . import RejectionKind

Phase = Literal[
    "idle", "ready", "reserved", "offered", "connected", "hold",
    "consulting", "consult", "conference", "ended", "wrapUp",
]
ModeName = Literal["resync", "strict"]
InitialName = Literal["ready", "idle"]
RecordInput = Union[str, bytes, Mapping[str, Any]]
PathInput = Union[str, "os.PathLike[str]"]

class CallstateError(ValueError):
    """A bad option, snapshot or log: the message says what was wrong."""

class Status:
    @property
    def phase(self) -> Phase: ...
    @property
    def role(self) -> Literal["owner", "consulted"]: ...
    @property
    def recording(self) -> Literal["off", "on", "paused"]: ...
    @property
    def availability(self) -> Literal["ready", "idle"]: ...

class Transition:
    @property
    def event(self) -> str: ...
    @property
    def from_(self) -> Status: ...
    @property
    def to(self) -> Status: ...
    @property
    def interaction(self) -> Optional[str]: ...

class Accepted:
    @property
    def accepted(self) -> Literal[True]: ...
    @property
    def transition(self) -> Optional[Transition]: ...

class Rejected:
    @property
    def accepted(self) -> Literal[False]: ...
    @property
    def kind(self) -> RejectionKind: ...
    @property
    def agent(self) -> Optional[str]: ...
    @property
    def interaction(self) -> Optional[str]: ...
    @property
    def event(self) -> Optional[str]: ...
    @property
    def state(self) -> Optional[Phase]: ...
    @property
    def allowed(self) -> List[str]: ...
    @property
    def held(self) -> Optional[str]: ...
    @property
    def message(self) -> str: ...
    @property
    def repair(self) -> Optional[Literal["skip", "infer"]]: ...
    @property
    def rule(self) -> Optional[int]: ...
    @property
    def inferred(self) -> Optional[List[Transition]]: ...
    @property
    def transition(self) -> Optional[Transition]: ...

Verdict = Union[Accepted, Rejected]

class Engine:
    def __init__(
        self,
        mode: ModeName = "resync",
        initial: InitialName = "ready",
        *,
        time: bool = False,
        limits: Optional[Sequence[str]] = None,
        grace: Optional[str] = None,
    ) -> None: ...
    def advance(self, now: int) -> List[dict[str, Any]]: ...
    def take_findings(self) -> List[dict[str, Any]]: ...
    def apply(self, record: RecordInput) -> Verdict: ...
    def emit(self, record: RecordInput) -> Tuple[Verdict, List[dict[str, Any]]]: ...
    def phase_of(self, agent: str) -> Phase: ...
    def interaction_of(self, agent: str) -> Optional[str]: ...
    @property
    def open_calls(self) -> int: ...
    @property
    def agents(self) -> int: ...
    @property
    def mode(self) -> ModeName: ...
    def snapshot(self) -> str: ...
    @staticmethod
    def restore(snapshot: str) -> "Engine": ...

class Summary:
    records: int
    accepted: int
    rejected: int
    unknown: int
    malformed: int
    agents: int
    interactions: int
    open_calls: int
    repaired: Optional[int]
    skipped: Optional[int]
    inferred: Optional[int]
    clean_interactions: Optional[int]
    def to_dict(self) -> dict[str, int]: ...

class ReportLine:
    line: int
    agent: Optional[str]
    interaction: Optional[str]
    event: Optional[str]
    state: Optional[Phase]
    repair: Optional[Literal["skip", "infer"]]
    inferred: Optional[List[str]]
    message: str
    @property
    def kind(self) -> RejectionKind: ...
    def to_dict(self) -> dict[str, Any]: ...

class ReplayReport(Iterator[ReportLine]):
    def __iter__(self) -> "ReplayReport": ...
    def __next__(self) -> ReportLine: ...
    @property
    def summary(self) -> Summary: ...

def replay(
    source: Union[PathInput, List[PathInput], Iterable[Union[str, bytes]]],
    *,
    mode: ModeName = "resync",
    initial: InitialName = "ready",
    jobs: Optional[int] = None,
    max_line_bytes: Optional[int] = None,
    calls: Optional[PathInput] = None,
) -> ReplayReport: ...

def rejection_kinds() -> List[str]: ...
