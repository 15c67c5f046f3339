//! The table and the events in words, as the Markdown tables `docs/` embeds.

use super::graph::drawing::{effects, end_of, split, Node, GROUPS};
use crate::model::table::{PhaseSet, Rule, Target, TABLE};
use crate::model::vocabulary::{Event, Phase, AGENT_STATE_CHANGE};
use std::fmt::Write as _;
use strum::IntoEnumIterator;

/// The table in words: a legend, then one Markdown table row per rule of
/// [`TABLE`], in table order. The `rule` column is the rule's index in `TABLE`
/// (as in [`crate::derived::paths`]' output).
pub fn table_markdown() -> String {
    let live: Vec<String> = PhaseSet::LIVE.iter().map(code).collect();
    let mut out = format!(
        "*live* = {}. *end call*: the phase becomes the agent's availability \
         (`ready` or `idle`), recording `off`, no interaction.\n\n",
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

/// The events in words: one Markdown table row per event, E1 … E21, with its
/// names sorted by where they come from, the phases the table accepts it in, and
/// what it needs to be applied.
///
/// Names are sorted by their shape: `e` and a capital letter is a Webex CC Desktop
/// SDK name; an alias starting `Agent` or `Contact` is a websocket `data.type`;
/// anything else is another alias. A `subStatus` that makes a websocket
/// `AgentStateChange` this event is listed with the websocket names.
pub fn events_markdown() -> String {
    let mut out = String::from(
        "| # | canonical | Desktop SDK | websocket `data.type` | other aliases | accepted in | needs |\n\
         |---:|---|---|---|---|---|---|\n",
    );
    for event in Event::iter() {
        let names: Vec<&str> = std::iter::once(event.name())
            .chain(event.aliases())
            .collect();
        let aliases = &names[1..];
        let sdk = names.iter().filter(|n| is_sdk_name(n));
        let websocket = aliases
            .iter()
            .filter(|n| !is_sdk_name(n) && is_websocket_name(n))
            .map(code);
        let state_change = names
            .iter()
            .filter(|n| Event::from_state_change(n) == Some(event))
            .map(|n| format!("{} + `subStatus` {}", code(AGENT_STATE_CHANGE), code(n)));
        let other = aliases
            .iter()
            .filter(|n| !is_sdk_name(n) && !is_websocket_name(n));
        let _ = writeln!(
            out,
            "| E{} | {} | {} | {} | {} | {} | {} |",
            event.number(),
            code(event),
            listed(sdk.map(code)),
            listed(websocket.chain(state_change)),
            listed(other.map(code)),
            phases_in_words(accepted_in(event)),
            needs(event),
        );
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
    name.starts_with("Agent") || name.starts_with("Contact")
}

/// The phases some rule of the table accepts `event` in.
fn accepted_in(event: Event) -> PhaseSet {
    TABLE
        .iter()
        .filter(|r| r.event == event)
        .fold(PhaseSet::EMPTY, |set, r| set.union(r.from))
}

fn needs(event: Event) -> &'static str {
    if event.offers_call() {
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
        assert!(rows[0].contains("`AgentStateChange` + `subStatus` `Available` | `Available`, `Ready` | every phase | nothing |"));
        assert!(rows[20].ends_with("| `AgentOutboundFailed` |  | any call phase | a call |"));
        assert!(rows[3].contains("| `ready`, `reserved` | an interaction id |"));
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
