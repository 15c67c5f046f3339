//! The table and the events in words, as the Markdown tables `docs/` embeds.

use super::graph::drawing::{effects, end_of, split, Node, GROUPS};
use crate::model::table::{is_late_notification, notice_phases, PhaseSet, Rule, Target, TABLE};
use crate::model::vocabulary::{
    AgentNotice, ByField, CallNotice, Event, Phase, Placement, StateMessage, NAMES,
};
use std::fmt::Write as _;
use strum::IntoEnumIterator;

/// The table in words: a legend, then one Markdown table row per rule of
/// [`TABLE`], in table order. The `rule` column is the rule's index in `TABLE`
/// (as in [`crate::derived::paths`]' output).
pub fn table_markdown() -> String {
    let live: Vec<String> = PhaseSet::LIVE.iter().map(code).collect();
    let mut out = format!(
        "*live* = {}. *end call*: the phase becomes the agent's availability \
         (`ready` or `idle`) after the rule's effect, role `owner`, recording `off`, \
         no interaction; the call becomes the agent's finished call. A guard `role …` \
         limits the rule to that role; no role guard: either role.\n\n",
        live.join(", ")
    );
    out.push_str("| rule | from | event | guard | to | effect | why |\n");
    out.push_str("|---:|---|---|---|---|---|---|\n");
    for (index, rule) in TABLE.iter().enumerate() {
        let recording = rule.guard.map(|g| format!("recording {}", code(g)));
        let role = rule.role.map(code);
        let guard: Vec<String> = recording.into_iter().chain(role).collect();
        let guard = guard.join(", ");
        let _ = writeln!(
            out,
            "| {index} | {} | E{} {} | {guard} | {} | {} | {} |",
            phases_in_words(rule.from),
            rule.event.number(),
            code(rule.event),
            target_in_words(rule),
            effects(rule).unwrap_or_default(),
            rule.note,
        );
    }
    out
}

/// The events in words: one Markdown table row per transition event, E1 … E34,
/// with its names sorted by where they come from, the phases where a rule moves
/// the agent on it, the phases where it is accepted without change, and what it
/// needs to be applied.
///
/// Names are sorted by their shape: `e` and a capital letter is a Webex CC Desktop
/// SDK name; an alias starting `Agent`, `Contact` or `Participant` is a websocket
/// `data.type`; anything else is another alias. A name a field of the record
/// decides (SPEC §2.4) is listed with every event it can be, with the field.
pub fn events_markdown() -> String {
    let mut out = String::from(
        "| # | canonical | Desktop SDK | websocket `data.type` | other aliases | moves in | accepted without change in | needs |\n\
         |---:|---|---|---|---|---|---|---|\n",
    );
    for event in Event::iter() {
        let names: Vec<&str> = std::iter::once(event.name())
            .filter(|n| Placement::of(n) == Some(Placement::Event(event)))
            .chain(event.aliases())
            .collect();
        let sdk = names.iter().filter(|n| is_sdk_name(n)).map(code);
        let websocket = names
            .iter()
            .filter(|n| **n != event.name() && !is_sdk_name(n) && is_websocket_name(n))
            .map(code);
        let other = names
            .iter()
            .filter(|n| **n != event.name() && !is_sdk_name(n) && !is_websocket_name(n))
            .map(code);
        let (decided_sdk, decided_websocket): (Vec<_>, Vec<_>) =
            decided_by_field(event).partition(|(name, _)| is_sdk_name(name));
        let _ = writeln!(
            out,
            "| E{} | {} | {} | {} | {} | {} | {} | {} |",
            event.number(),
            code(event),
            listed(sdk.chain(decided_sdk.into_iter().map(|(_, words)| words))),
            listed(websocket.chain(decided_websocket.into_iter().map(|(_, words)| words))),
            listed(other),
            phases_in_words(moves_in(event)),
            notice_in(event),
            needs(event),
        );
    }
    out
}

/// The names a field decides (SPEC §2.4, §5.3) that can be `event`, each with its
/// words (the name and the field).
fn decided_by_field(event: Event) -> impl Iterator<Item = (&'static str, String)> {
    NAMES.iter().filter_map(move |(name, placement)| {
        let Placement::ByField(by) = placement else {
            return None;
        };
        let field = match by {
            ByField::Participant => matches!(
                event,
                Event::ParticipantLeftConference | Event::LeftConference
            )
            .then_some("`participantId`"),
            ByField::PendingWrapUp => matches!(
                event,
                Event::ContactEnded | Event::ContactEndedWrapUp | Event::ContactEndedNoWrapUp
            )
            .then_some("`agentsPendingWrapUp`"),
            ByField::AgentState(_) => {
                matches!(event, Event::AgentAvailable | Event::AgentIdle).then_some("")
            }
        }?;
        Some((
            *name,
            match by {
                ByField::AgentState(_) => {
                    let sub_status = match event {
                        Event::AgentAvailable => "Available",
                        _ => "Idle",
                    };
                    format!("{} + `subStatus` `{sub_status}`", code(name))
                }
                _ => format!("{} by {field}", code(name)),
            },
        ))
    })
}

/// The call notices (SPEC §2.2), one row each, with the phases they are accepted
/// in (and, as late notifications, in `idle`/`ready` naming the finished call).
pub fn notices_markdown() -> String {
    let mut out = String::from(
        "| # | name | accepted in | what it is |\n\
         |---:|---|---|---|\n",
    );
    for notice in CallNotice::iter() {
        let _ = writeln!(
            out,
            "| N{} | {} | {} | {} |",
            notice.number(),
            code(notice.name()),
            phases_in_words(notice_phases(notice)),
            notice.what(),
        );
    }
    out
}

/// The agent notices (SPEC §2.3), one row each.
pub fn agent_notices_markdown() -> String {
    let mut out = String::from(
        "| # | name | what it is |\n\
         |---:|---|---|\n",
    );
    for notice in AgentNotice::iter() {
        let _ = writeln!(
            out,
            "| A{} | {} | {} |",
            notice.number(),
            code(notice.name()),
            notice.what(),
        );
    }
    out
}

/// Where each of `names` is placed (SPEC §2), one row per name in the order given:
/// its transition event, call notice or agent notice, the field that decides it,
/// or "unknown event" for a name in no placement.
pub fn placements_markdown<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from(
        "| name | place | what it is |\n\
         |---|---|---|\n",
    );
    for name in names {
        let (place, what) = match Placement::of(name) {
            None => ("unknown event".to_owned(), String::new()),
            Some(Placement::Event(e)) => {
                let kind = if e.name() == name {
                    "transition"
                } else {
                    "transition (alias)"
                };
                (
                    format!("{kind}: E{} {}", e.number(), code(e)),
                    String::new(),
                )
            }
            Some(Placement::CallNotice(n)) => (
                format!("accepted without change: N{}", n.number()),
                n.what().to_owned(),
            ),
            Some(Placement::AgentNotice(n)) => (
                format!("not an agent-call event: A{}", n.number()),
                n.what().to_owned(),
            ),
            Some(Placement::ByField(ByField::Participant)) => (
                "transition: E27 `AgentLeftConference` when `participantId` is the agent, \
                 else E26 `ParticipantLeftConference`"
                    .to_owned(),
                String::new(),
            ),
            Some(Placement::ByField(ByField::PendingWrapUp)) => (
                "transition: by `agentsPendingWrapUp`: absent E18 `eAgentContactEnded`, \
                 holding the agent E32 `ContactEndedWrapUp`, else E33 `ContactEndedNoWrapUp`"
                    .to_owned(),
                String::new(),
            ),
            Some(Placement::ByField(ByField::AgentState(m))) => {
                let otherwise = match m {
                    StateMessage::AgentStateChange => "else unknown event",
                    _ => "else not an agent-call event (agent notice)",
                };
                (
                    format!(
                        "agent-state message: E1 `AgentAvailable` or E2 `AgentIdle` by \
                         `subStatus`, {otherwise}"
                    ),
                    String::new(),
                )
            }
        };
        let _ = writeln!(out, "| {} | {place} | {what} |", code(name));
    }
    out
}

fn listed(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn is_sdk_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next() == Some('e') && chars.next().is_some_and(|c| c.is_ascii_uppercase())
}

fn is_websocket_name(name: &str) -> bool {
    name.starts_with("Agent") || name.starts_with("Contact") || name.starts_with("Participant")
}

/// The phases where a rule of the table moves the agent on `event` (a transition
/// or the snapshot).
fn moves_in(event: Event) -> PhaseSet {
    TABLE
        .iter()
        .filter(|r| r.event == event && !r.is_notice())
        .fold(PhaseSet::EMPTY, |set, r| set.union(r.from))
}

/// The phases where a notice row accepts `event` without change, and "late" when
/// it may be a late notification of the agent's finished call (SPEC §3.4).
fn notice_in(event: Event) -> String {
    let rows = TABLE
        .iter()
        .filter(|r| r.event == event && r.is_notice())
        .fold(PhaseSet::EMPTY, |set, r| set.union(r.from));
    let phases = (rows != PhaseSet::EMPTY).then(|| phases_in_words(rows));
    let late = is_late_notification(event).then(|| "late (§3.4)".to_owned());
    listed(phases.into_iter().chain(late))
}

fn needs(event: Event) -> &'static str {
    if event.needs_interaction() {
        "an interaction id"
    } else if event.needs_call() {
        "a call"
    } else {
        "nothing"
    }
}
/// A set of phases as SPEC §3 words it: its phases, with the groups it covers
/// named as groups ("any call phase", "live").
fn phases_in_words(set: PhaseSet) -> String {
    if set == PhaseSet::ALL {
        return "every phase".to_owned();
    }
    let (rest, groups) = split(set, |_| Some(()));
    let phases = rest.iter().map(code);
    let groups = groups.into_iter().map(|(g, ())| GROUPS[g].words.to_owned());
    phases.chain(groups).collect::<Vec<_>>().join(", ")
}

fn target_in_words(rule: &Rule) -> String {
    match rule.to {
        Target::Phase(p) => code(p),
        Target::Stay => "(unchanged)".to_owned(),
        Target::Notice => "notice (accepted without change)".to_owned(),
        Target::Snapshot => "(the snapshot's state)".to_owned(),
        Target::Terminate => {
            let phase = rule.from.iter().next().unwrap_or(Phase::Ready);
            match end_of(rule, phase) {
                Node::Phase(p) => format!("→ {}", code(p)),
                _ => "→ availability".to_owned(),
            }
        }
    }
}

fn code(name: impl std::fmt::Display) -> String {
    format!("`{name}`")
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_in_words_have_a_row_per_event_with_every_name() {
        let md = events_markdown();
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| E")).collect();
        assert_eq!(rows.len(), <Event as strum::EnumCount>::COUNT);
        for (event, row) in Event::iter().zip(&rows) {
            for name in std::iter::once(event.name()).chain(event.aliases()) {
                assert!(row.contains(&code(name)), "{row} lacks {name}");
            }
        }
        assert!(rows[0].contains("`AgentStateChange` + `subStatus` `Available`"));
        assert!(rows[0].ends_with("| `Available`, `Ready` | every phase |  | nothing |"));
        assert!(rows[20].ends_with("| `AgentOutboundFailed` |  | any call phase |  | a call |"));
        assert!(rows[3].ends_with("| `ready`, `reserved` |  | an interaction id |"));
        assert!(rows[17].contains("`ContactEnded` by `agentsPendingWrapUp`"));
        assert!(rows[18].contains("| `ended`, live | `wrapUp`, late (§3.4) | a call |"));
    }

    #[test]
    fn the_notices_and_the_placements_in_words() {
        let calls = notices_markdown();
        assert!(calls.contains("| N21 | `CampaignContactUpdated` | `reserved` |"));
        assert!(agent_notices_markdown().contains("| A1 | `Welcome` |"));
        let placed = placements_markdown(["AgentWrapup", "ContactUpdated", "Welcome", "Swapped"]);
        assert!(placed.contains("| `AgentWrapup` | transition (alias): E19 `acw` |"));
        assert!(placed.contains("| `ContactUpdated` | accepted without change: N27 |"));
        assert!(placed.contains("| `Welcome` | not an agent-call event: A1 |"));
        assert!(placed.contains("| `Swapped` | unknown event |"));
    }

    #[test]
    fn the_table_in_words_has_a_row_per_rule() {
        let md = table_markdown();
        let rows = md.lines().filter(|l| l.starts_with("| ")).count();
        assert_eq!(rows, TABLE.len() + 1, "a header and one row per rule");
        assert!(md.contains(
            "| `offered`, live | E18 `eAgentContactEnded` |  | `ended` |  | the contact ended |"
        ));
        assert!(md.contains("| any call phase | E21 `DROPPED` |  | → availability | end call |"));
        assert!(
            md.contains("| `reserved`, `offered` | E5 `eAgentOfferContactRona` |  | → `idle` |")
        );
    }
}
