//! The replay report's two forms (SPEC §7): the `--json` lines ([`ReportLine`],
//! [`write_json_violation`], [`write_json_summary`]) and the report for a person
//! ([`HumanReport`]).

use crate::model::machine::Transition;
use crate::model::record::Record;
use crate::model::rejection::{Reason, Rejection, RejectionKind};
use crate::model::resync::Repair;
use crate::model::vocabulary::Phase;
use crate::replay::durations::CallSummary;
use crate::replay::{FlowReport, Replay, Summary};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{self, Write};
use strum::{EnumCount, IntoEnumIterator};

/// One `--json` line of SPEC §7: a record that was not accepted, with its line
/// number. The fields are written in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportLine<'a> {
    /// The line's number, counting every line read (blank ones too).
    pub line: u64,
    /// The rejection kind's name.
    pub kind: &'static str,
    /// The record's agent id, when a non-empty string.
    pub agent: Option<&'a str>,
    /// The interaction id the record named.
    pub interaction: Option<&'a str>,
    /// The canonical event name when known, else the name as given.
    pub event: Option<&'a str>,
    /// The phase the record met; the key is `state` (SPEC §7).
    #[serde(rename = "state")]
    pub phase: Option<Phase>,
    /// Resync only: `skip` or `infer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair: Option<&'static str>,
    /// `repair` `infer`: the inferred events' names, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred: Option<Vec<&'static str>>,
    /// What was wrong, in one line.
    pub message: String,
}

impl<'a> ReportLine<'a> {
    /// The report line of `r`, the record on line `line`.
    pub fn new(line: u64, r: &'a Rejection) -> ReportLine<'a> {
        ReportLine {
            line,
            kind: r.kind().name(),
            agent: r.agent.as_deref(),
            interaction: r.interaction.as_deref(),
            event: r.event.as_deref(),
            phase: r.state,
            repair: r.repair().map(Repair::name),
            inferred: match r.repair() {
                Some(Repair::Infer { inferred, .. }) => {
                    Some(inferred.iter().map(|i| i.transition.event.name()).collect())
                }
                _ => None,
            },
            message: r.to_string(),
        }
    }

    /// The line as JSON, without a newline.
    pub fn to_json(&self) -> String {
        // Strings, numbers and an enum: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The snapshot line of SPEC §7: an accepted snapshot (`AgentContact`, §3.5) that
/// was not kept — the agent's state differed from the platform's. Not a
/// rejection: no `repair`, not counted in `rejected`, no effect on the exit code.
/// The fields are written in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SnapshotLine {
    /// The line's number, counting every line read (blank ones too).
    pub line: u64,
    /// Always `snapshot`.
    pub kind: &'static str,
    /// The record's agent id.
    pub agent: String,
    /// The interaction the snapshot names.
    pub interaction: Option<String>,
    /// Always `AgentContact`.
    pub event: &'static str,
    /// The phase the agent was in before; the key is `state`.
    #[serde(rename = "state")]
    pub phase: Phase,
    /// What differed, in one line.
    pub message: String,
}

impl SnapshotLine {
    /// The snapshot line of `record`, on line `line`, which made `t`.
    pub(crate) fn new(line: u64, record: &Record<'_>, t: &Transition) -> SnapshotLine {
        let interaction = record.interaction.map(str::to_owned);
        let (from, to) = (t.from, t.to);
        let message = format!(
            "the snapshot of {} sets the agent to {} as {}: callstate had it in {} as {}",
            interaction.as_deref().unwrap_or("its call"),
            to.phase,
            to.role,
            from.phase,
            from.role,
        );
        SnapshotLine {
            line,
            kind: "snapshot",
            agent: record.agent.to_owned(),
            interaction,
            event: t.event.name(),
            phase: from.phase,
            message,
        }
    }

    /// The line as JSON, without a newline.
    pub fn to_json(&self) -> String {
        // Strings, numbers and an enum: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Writes the `--json` object of a snapshot line, and a newline.
pub fn write_json_snapshot(out: &mut impl Write, s: &SnapshotLine) -> io::Result<()> {
    serde_json::to_writer(&mut *out, s)?;
    out.write_all(b"\n")
}

/// Writes the `--json` object for a record that was not accepted, and a newline.
pub fn write_json_violation(out: &mut impl Write, line: u64, r: &Rejection) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &ReportLine::new(line, r))?;
    out.write_all(b"\n")
}

impl Summary {
    /// The summary as the JSON object inside the closing `{"summary": …}` line.
    pub fn to_json(&self) -> String {
        // Numbers only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Writes the closing `{"summary": …}` object, and a newline.
pub fn write_json_summary(out: &mut impl Write, summary: &Summary) -> io::Result<()> {
    write_json_summary_with(out, summary, None, None)
}

/// [`write_json_summary`], with the replay's flow as the summary's `flow` object
/// when given (the other keys are the same, in the same order), and the calls'
/// summary (SPEC §12.7) as a `calls` object after `summary` when given.
pub fn write_json_summary_with(
    out: &mut impl Write,
    summary: &Summary,
    flow: Option<&FlowReport>,
    calls: Option<&CallSummary>,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct WithFlow<'a> {
        #[serde(flatten)]
        summary: &'a Summary,
        #[serde(skip_serializing_if = "Option::is_none")]
        flow: Option<&'a FlowReport>,
    }
    #[derive(Serialize)]
    struct Closing<'a> {
        summary: WithFlow<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        calls: Option<&'a CallSummary>,
    }
    let summary = WithFlow { summary, flow };
    serde_json::to_writer(&mut *out, &Closing { summary, calls })?;
    out.write_all(b"\n")
}

/// The width the report for a person keeps its lines within.
const WIDTH: usize = 80;

/// How a replay ended, for the headline of the report for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ending<'a> {
    /// Every input was read to its end.
    Whole,
    /// Reading `input` failed after the replay's line `line` (counted across all
    /// inputs, as [`Replay::line`] counts): the counts cover the lines before.
    ReadError {
        /// The input that failed, as named in [`Replay::begin_input`].
        input: &'a str,
        /// The last line read whole, counted across all inputs.
        line: u64,
    },
}

/// The report for a person: a headline that says what happened, a summary
/// table, then the first few records not accepted of each kind, with where they
/// are and (in resync mode) what was done about them.
///
/// Every line fits in 80 columns, except a single id or file name longer than that.
/// The kinds are named in one set of words everywhere in it (`unknown event`,
/// `out of order`, …: [`kind_words`]).
#[derive(Debug)]
pub struct HumanReport {
    per_kind: usize,
    verbose: bool,
    name_inputs: bool,
    examples: [Vec<(u64, Rejection)>; RejectionKind::COUNT],
    snapshots: Vec<SnapshotLine>,
    snapshots_seen: u64,
}

/// A kind as the report for a person names it: the `--json` name with spaces.
pub fn kind_words(kind: RejectionKind) -> &'static str {
    match kind {
        RejectionKind::Malformed => "malformed",
        RejectionKind::UnknownEvent => "unknown event",
        RejectionKind::OutOfOrder => "out of order",
        RejectionKind::AgentBusy => "agent busy",
        RejectionKind::InteractionMismatch => "interaction mismatch",
        RejectionKind::AgentNotReady => "agent not ready",
        RejectionKind::NoActiveCall => "no active call",
        RejectionKind::IllegalTransition => "illegal transition",
    }
}

impl HumanReport {
    /// A report that shows up to `per_kind` records of each kind.
    pub fn new(per_kind: usize) -> HumanReport {
        HumanReport {
            per_kind,
            verbose: false,
            name_inputs: false,
            examples: Default::default(),
            snapshots: Vec::new(),
            snapshots_seen: 0,
        }
    }

    /// Also lists, for each record shown, the events its agent's state allowed.
    pub fn verbose(mut self, verbose: bool) -> HumanReport {
        self.verbose = verbose;
        self
    }

    /// Names each record's input and its line there (`rotated.2.jsonl:17`)
    /// instead of `line N` — for a replay of several inputs.
    pub fn name_inputs(mut self, name_inputs: bool) -> HumanReport {
        self.name_inputs = name_inputs;
        self
    }

    /// Notes a record not accepted, at line `line` of the replay (kept only while
    /// its kind has fewer than `per_kind`).
    pub fn note(&mut self, line: u64, r: &Rejection) {
        let slot = &mut self.examples[r.kind() as usize];
        if slot.len() < self.per_kind {
            slot.push((line, r.clone()));
        }
    }

    /// Notes a snapshot line (SPEC §7; kept only while fewer than `per_kind`).
    pub fn note_snapshot(&mut self, s: SnapshotLine) {
        self.snapshots_seen += 1;
        if self.snapshots.len() < self.per_kind {
            self.snapshots.push(s);
        }
    }

    /// Writes the report of `replay`, which ended as `ending`. `allow_unknown`
    /// passes a log whose only faults are unknown events (the report still lists
    /// them).
    pub fn write(
        &self,
        out: &mut impl Write,
        replay: &Replay,
        allow_unknown: bool,
        ending: Ending<'_>,
    ) -> io::Result<()> {
        let summary = replay.summary();
        let headline = self.headline(replay, allow_unknown, ending);
        wrap(out, &headline, 0, 2)?;
        writeln!(out)?;
        for row in summary_rows(replay) {
            let (indent, name) = (row.indent, row.words);
            let width = 28 - indent;
            writeln!(
                out,
                "{:indent$}{name:<width$}{:>12}",
                "",
                thousands(row.count)
            )?;
        }
        if let Some(clean) = clean_line(&summary) {
            writeln!(out, "\n{clean}")?;
        }
        for (kind, total, shown) in self.examples(replay) {
            let first = if total as usize > shown.len() {
                format!(", the first {}", shown.len())
            } else {
                String::new()
            };
            writeln!(out, "\n{} ({}{first}):", kind_words(kind), thousands(total))?;
            for (entry, allowed) in shown {
                wrap(out, &entry, 2, 6)?;
                if let Some(allowed) = allowed {
                    wrap(out, &allowed, 6, 8)?;
                }
            }
        }
        if !self.snapshots.is_empty() {
            let total = self.snapshots_seen;
            let first = if total as usize > self.snapshots.len() {
                format!(", the first {}", self.snapshots.len())
            } else {
                String::new()
            };
            writeln!(
                out,
                "\nsnapshots that differed, accepted ({}{first}):",
                thousands(total)
            )?;
            for s in &self.snapshots {
                let at = match replay.locate(s.line) {
                    Some((input, local)) if self.name_inputs => format!("{input}:{local}"),
                    _ => format!("line {}", s.line),
                };
                wrap(
                    out,
                    &format!("{at}: agent {}: {}", s.agent, s.message),
                    2,
                    6,
                )?;
            }
        }
        Ok(())
    }

    /// The report's first line: what happened, in one line.
    pub fn headline(&self, replay: &Replay, allow_unknown: bool, ending: Ending<'_>) -> String {
        headline(&replay.summary(), allow_unknown, ending, |line| {
            replay.locate(line)
        })
    }

    /// The records shown, per kind with any: the kind, how many there were, and
    /// each shown record's entry (where, what, what resync did) with, when
    /// verbose, the events its state allowed.
    #[allow(clippy::type_complexity)]
    pub fn examples(
        &self,
        replay: &Replay,
    ) -> Vec<(RejectionKind, u64, Vec<(String, Option<String>)>)> {
        let by_kind = replay.counts_by_kind();
        let mut all = Vec::new();
        for kind in RejectionKind::iter() {
            let shown = &self.examples[kind as usize];
            if shown.is_empty() {
                continue;
            }
            let entries = shown
                .iter()
                .map(|(line, r)| {
                    let at = match replay.locate(*line) {
                        Some((input, local)) if self.name_inputs => format!("{input}:{local}"),
                        _ => format!("line {line}"),
                    };
                    let mut entry = format!("{at}: {}", describe(r));
                    if let Some(repair) = r.repair() {
                        entry.push_str(" — ");
                        entry.push_str(&describe_repair(repair));
                    }
                    let allowed = (self.verbose && r.state.is_some())
                        .then(|| format!("allowed: {}", r.allowed));
                    (entry, allowed)
                })
                .collect();
            all.push((kind, by_kind[kind as usize], entries));
        }
        all
    }
}

/// One row of the report's summary table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SummaryRow {
    /// 2 for a count of records or ids, 4 for a part of the row above.
    pub indent: usize,
    /// What is counted, in the report's words.
    pub words: &'static str,
    /// The `--json` summary's key for it, or the kind's name for a kind's row.
    pub key: &'static str,
    /// How many.
    pub count: u64,
}

/// The summary table of the report for a person, row by row.
pub fn summary_rows(replay: &Replay) -> Vec<SummaryRow> {
    let summary = replay.summary();
    let by_kind = replay.counts_by_kind();
    let mut rows = Vec::new();
    let mut row = |indent, words, key, count| {
        rows.push(SummaryRow {
            indent,
            words,
            key,
            count,
        })
    };
    row(2, "records", "records", summary.records);
    row(2, "accepted", "accepted", summary.accepted);
    row(2, "rejected", "rejected", summary.rejected);
    for kind in RejectionKind::iter().filter(|k| k.counts_as_rejected()) {
        let n = by_kind[kind as usize];
        if n > 0 {
            row(4, kind_words(kind), kind.name(), n);
        }
    }
    // Resync mode: what was done about them.
    if let (Some(repaired), Some(skipped), Some(inferred)) =
        (summary.repaired, summary.skipped, summary.inferred)
    {
        if summary.rejected > 0 {
            row(4, "repaired", "repaired", repaired);
            row(4, "skipped", "skipped", skipped);
            row(2, "inferred events", "inferred", inferred);
        }
    }
    let (unknown, malformed) = (RejectionKind::UnknownEvent, RejectionKind::Malformed);
    row(2, kind_words(unknown), "unknown", summary.unknown);
    row(2, kind_words(malformed), "malformed", summary.malformed);
    row(2, "agents", "agents", summary.agents);
    row(2, "interactions", "interactions", summary.interactions);
    row(2, "open calls", "open_calls", summary.open_calls);
    rows
}

/// `calls with a clean event flow: 7,697 of 7,750 (99.3%)`, in resync mode
/// when any interaction was counted.
pub fn clean_line(summary: &Summary) -> Option<String> {
    let (Some(clean), n) = (summary.clean_interactions, summary.interactions) else {
        return None;
    };
    (n > 0).then(|| {
        format!(
            "calls with a clean event flow: {} of {} ({})",
            thousands(clean),
            thousands(n),
            percent(clean, n)
        )
    })
}

/// The first line of the report: what happened, in one line.
fn headline<'a>(
    s: &Summary,
    allow_unknown: bool,
    ending: Ending<'a>,
    locate: impl Fn(u64) -> Option<(&'a str, u64)>,
) -> String {
    let records = |n: u64| plural(n, "record", "records");
    let not_accepted = s.records - s.accepted;
    match ending {
        Ending::ReadError { input, line } => {
            let local = match locate(line) {
                Some((name, local)) if name == input => local,
                _ => 0,
            };
            let at = if local == 0 {
                "before its first line".to_owned()
            } else {
                format!("after its line {}", thousands(local))
            };
            format!(
                "INCOMPLETE: reading {input} failed {at}; the counts cover the {} read \
                 before",
                records(s.records)
            )
        }
        Ending::Whole if s.records == 0 => {
            "NO RECORDS: the input holds no records (blank lines are not records)".to_owned()
        }
        Ending::Whole if s.all_accepted(false) => {
            format!("PASS: all {} accepted", records(s.records))
        }
        Ending::Whole if s.all_accepted(allow_unknown) => format!(
            "PASS ({} allowed): every other record was accepted",
            plural(s.unknown, "unknown event", "unknown events")
        ),
        Ending::Whole => format!(
            "FAIL: {} of {} not accepted",
            thousands(not_accepted),
            plural(s.records, "record was", "records were")
        ),
    }
}

/// `n` and the noun for it: `1 record`, `1,499 records`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `part` of `whole` in percent, rounded down to one decimal (so that 99.96% is
/// not shown as 100.0%).
fn percent(part: u64, whole: u64) -> String {
    let tenths = u128::from(part) * 1000 / u128::from(whole.max(1));
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// `n` with thousands separators: `3,385,466`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// What a record not accepted was and met, in words: `acw for c-17 from agent
/// a-3 in connected`.
fn describe(r: &Rejection) -> String {
    let mut s = String::new();
    let event = r.event.as_deref();
    if let Reason::Malformed(what) = &r.reason {
        if let Some(event) = event {
            let _ = write!(s, "{event}: ");
        }
        let _ = write!(s, "{what}");
        return s;
    }
    s.push_str(event.unwrap_or("a record"));
    if let Some(interaction) = &r.interaction {
        let _ = write!(s, " for {interaction}");
    }
    if let Some(agent) = &r.agent {
        let _ = write!(s, " from agent {agent}");
    }
    if let Some(phase) = r.state {
        let phase: &str = phase.into();
        let _ = write!(s, " in {phase}");
        if phase_is_live(r) && matches!(r.reason, Reason::IllegalTransition) {
            let _ = write!(s, ", recording {}", r.recording);
        }
    }
    match &r.reason {
        Reason::OutOfOrder { time, last } => {
            let _ = write!(s, ", at {time}, before the agent's last event ({last})");
        }
        Reason::AgentBusy { held } | Reason::InteractionMismatch { held } => {
            let _ = write!(s, ", holding {held}");
        }
        _ => {}
    }
    s
}

fn phase_is_live(r: &Rejection) -> bool {
    r.state.is_some_and(Phase::is_live)
}

/// What resync did: `skipped (a repeat)`, `inferred eAgentContactEnded (one
/// event was lost)`.
fn describe_repair(repair: &Repair) -> String {
    let why = repair.rule().reason();
    match repair {
        Repair::Infer { inferred, .. } => {
            let names: Vec<&str> = inferred.iter().map(|i| i.transition.event.name()).collect();
            format!("inferred {} ({why})", names.join(", "))
        }
        // A rule that infers found nothing to infer.
        _ if repair.rule().infers_up_to() > 0 => "skipped (no lost events explain it)".to_owned(),
        _ => format!("skipped ({why})"),
    }
}

/// Writes `text` word-wrapped within [`WIDTH`] columns: the first line indented
/// by `first`, the others by `rest`. A word longer than a line stays whole.
fn wrap(out: &mut dyn Write, text: &str, first: usize, rest: usize) -> io::Result<()> {
    let mut line = " ".repeat(first);
    let mut width = first;
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if !empty && width + 1 + len > WIDTH {
            writeln!(out, "{line}")?;
            line = " ".repeat(rest);
            width = rest;
            empty = true;
        }
        if !empty {
            line.push(' ');
            width += 1;
        }
        line.push_str(word);
        width += len;
        empty = false;
    }
    writeln!(out, "{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_percent() {
        let got: Vec<String> = [0, 7, 999, 1_000, 12_345, 3_385_466, u64::MAX]
            .into_iter()
            .map(thousands)
            .collect();
        assert_eq!(
            got,
            [
                "0",
                "7",
                "999",
                "1,000",
                "12,345",
                "3,385,466",
                "18,446,744,073,709,551,615"
            ]
        );
        assert_eq!(percent(7_697, 7_750), "99.3%");
        assert_eq!(percent(9_999, 10_000), "99.9%");
        assert_eq!(percent(5, 5), "100.0%");
        assert_eq!(percent(0, 0), "0.0%");
    }

    #[test]
    fn wrap_keeps_lines_within_the_width() {
        let text = "word ".repeat(60);
        let mut out = Vec::new();
        wrap(&mut out, &text, 2, 6).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.lines().count() > 3);
        for (i, line) in out.lines().enumerate() {
            assert!(line.chars().count() <= WIDTH, "{line:?}");
            let indent = line.len() - line.trim_start().len();
            assert_eq!(indent, if i == 0 { 2 } else { 6 });
        }
    }
}
