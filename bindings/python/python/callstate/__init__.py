"""callstate: validates Webex Contact Center outbound call flows.

The engine, the record parser, replay and the outbound events are the Rust
library's (``callstate._callstate``); this module adds the Python enum of the
rejection kinds.
"""

from enum import Enum

from ._callstate import (
    Accepted,
    CallstateError,
    Engine,
    Rejected,
    ReplayReport,
    ReportLine,
    Status,
    Summary,
    Transition,
    rejection_kinds,
    replay,
)


class RejectionKind(str, Enum):
    """The rejection kinds of SPEC §4, in their order of precedence.

    Members compare equal to their wire names (``RejectionKind.AGENT_BUSY ==
    "agent_busy"``).
    """

    MALFORMED = "malformed"
    UNKNOWN_EVENT = "unknown_event"
    OUT_OF_ORDER = "out_of_order"
    AGENT_BUSY = "agent_busy"
    INTERACTION_MISMATCH = "interaction_mismatch"
    AGENT_NOT_READY = "agent_not_ready"
    NO_ACTIVE_CALL = "no_active_call"
    ILLEGAL_TRANSITION = "illegal_transition"

    def __str__(self) -> str:
        return self.value


__all__ = [
    "Accepted",
    "CallstateError",
    "Engine",
    "Rejected",
    "RejectionKind",
    "ReplayReport",
    "ReportLine",
    "Status",
    "Summary",
    "Transition",
    "rejection_kinds",
    "replay",
]
