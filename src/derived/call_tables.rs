//! SPEC §12's two tables in words, generated from [`crate::model::call`] and
//! the transition table: where each phase's time goes, and which outcome each
//! closing transition gives.

use crate::model::call::{bucket_of, is_open_phase, outcome_of, Outcome};
use crate::model::table::{Target, TABLE};
use crate::model::vocabulary::{Event, Phase};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use strum::IntoEnumIterator;

/// One row per phase with a call: the phase, the duration its time goes to.
pub fn buckets_markdown() -> String {
    let mut out = String::from("| phase | duration |\n|---|---|\n");
    for phase in Phase::iter() {
        if let Some(bucket) = bucket_of(phase) {
            let _ = writeln!(out, "| `{phase}` | `{bucket}_ms` |");
        }
    }
    out
}

/// One row per closing event and outcome: the phases it closes a call from.
/// A transition closes a call when it leaves an open phase (`reserved`,
/// `offered`, a live one) for one that is not; a call is answered when it
/// closes from a live phase.
pub fn outcomes_markdown() -> String {
    let mut rows: BTreeMap<(Outcome, Event), Vec<Phase>> = BTreeMap::new();
    for rule in TABLE {
        for from in rule.from.iter().filter(|p| is_open_phase(*p)) {
            let closes = match rule.to {
                Target::Terminate | Target::Snapshot => true,
                Target::Phase(to) => !is_open_phase(to),
                Target::Stay | Target::Notice => false,
            };
            if closes {
                let outcome = outcome_of(from.is_live(), from, rule.event);
                let phases = rows.entry((outcome, rule.event)).or_default();
                if !phases.contains(&from) {
                    phases.push(from);
                }
            }
        }
    }
    let mut out = String::from("| outcome | closing event | from |\n|---|---|---|\n");
    for ((outcome, event), phases) in rows {
        let from: Vec<String> = phases.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(out, "| `{outcome}` | `{event}` | {} |", from.join(", "));
    }
    out
}
