//! The report's time lines (SPEC §11.7): a finding's `--json` line, an open
//! stay's, the summary's counts of findings, and their part of the report for a
//! person.

use crate::model::deadline::DeadlineSource;
use crate::model::finding::{Finding, FindingKind, OpenStay};
use crate::model::time_rules::Millis;
use crate::model::vocabulary::Phase;
use serde::Serialize;
use std::io::{self, Write};
use strum::{EnumCount, IntoEnumIterator};

/// Findings by kind: the summary's `findings` object (SPEC §11.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct FindingCounts {
    /// `late` findings.
    pub late: u64,
    /// `early` findings.
    pub early: u64,
    /// `overdue` findings.
    pub overdue: u64,
}

impl FindingCounts {
    /// Counts one finding of `kind`.
    pub fn count(&mut self, kind: FindingKind) {
        *self.of_mut(kind) += 1;
    }

    /// How many of `kind`.
    pub fn of(&self, kind: FindingKind) -> u64 {
        match kind {
            FindingKind::Late => self.late,
            FindingKind::Early => self.early,
            FindingKind::Overdue => self.overdue,
        }
    }

    fn of_mut(&mut self, kind: FindingKind) -> &mut u64 {
        match kind {
            FindingKind::Late => &mut self.late,
            FindingKind::Early => &mut self.early,
            FindingKind::Overdue => &mut self.overdue,
        }
    }

    /// Is there a finding of one of `kinds`?
    pub fn any_of(&self, kinds: &[FindingKind]) -> bool {
        kinds.iter().any(|&k| self.of(k) > 0)
    }

    /// All findings.
    pub fn total(&self) -> u64 {
        FindingKind::iter().map(|k| self.of(k)).sum()
    }
}

/// One finding's `--json` line (SPEC §11.7); the fields are written in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FindingLine<'a> {
    /// The line of the record that revealed it; `None` when none did.
    pub line: Option<u64>,
    /// `late`, `early` or `overdue`.
    pub finding: FindingKind,
    /// The agent.
    pub agent: &'a str,
    /// The call of the stay.
    pub interaction: Option<&'a str>,
    /// The phase of the stay.
    pub state: Phase,
    /// When the stay began.
    pub since: i64,
    /// Its deadline.
    pub deadline: i64,
    /// Where the deadline came from.
    pub source: DeadlineSource,
    /// The ending record's time, or the clock.
    pub at: i64,
    /// The ending record's event; `None` for `overdue`.
    pub event: Option<&'static str>,
    /// What happened, in one line.
    pub message: String,
}

impl<'a> FindingLine<'a> {
    /// The line of `f`, revealed by the record on line `line`.
    pub fn new(line: Option<u64>, f: &'a Finding) -> FindingLine<'a> {
        FindingLine {
            line,
            finding: f.kind,
            agent: &f.agent,
            interaction: f.interaction.as_deref(),
            state: f.phase,
            since: f.since,
            deadline: f.deadline,
            source: f.source,
            at: f.at,
            event: f.event.map(|e| e.name()),
            message: f.to_string(),
        }
    }
}

impl FindingLine<'_> {
    /// The line as JSON, without a newline.
    pub fn to_json(&self) -> String {
        // Strings, numbers and enums: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Writes a finding's `--json` line, and a newline.
pub fn write_json_finding(out: &mut impl Write, line: Option<u64>, f: &Finding) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &FindingLine::new(line, f))?;
    out.write_all(b"\n")
}

/// An open stay's `--json` line (SPEC §11.7); the fields are written in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OpenLine<'a> {
    /// The agent.
    pub open: &'a str,
    /// Its call.
    pub interaction: Option<&'a str>,
    /// Its phase.
    pub state: Phase,
    /// When the stay began, if known.
    pub since: Option<i64>,
    /// The clock minus `since`.
    pub age: Option<i64>,
    /// The stay's deadline, if it has one.
    pub deadline: Option<i64>,
    /// Where the deadline came from.
    pub source: Option<DeadlineSource>,
}

impl<'a> OpenLine<'a> {
    /// The line of `open`.
    pub fn new(open: &'a OpenStay) -> OpenLine<'a> {
        OpenLine {
            open: &open.agent,
            interaction: open.interaction.as_deref(),
            state: open.phase,
            since: open.since,
            age: open.age,
            deadline: open.deadline.map(|(d, _)| d),
            source: open.deadline.map(|(_, s)| s),
        }
    }
}

/// Writes an open stay's `--json` line, and a newline.
pub fn write_json_open(out: &mut impl Write, open: &OpenStay) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &OpenLine::new(open))?;
    out.write_all(b"\n")
}

/// The findings and open stays of a replay, for the report for a person: counts,
/// then the first few findings of each kind, then the oldest open stays.
#[derive(Debug)]
pub struct HumanTimeReport {
    per_kind: usize,
    examples: [Vec<(u64, Finding)>; FindingKind::COUNT],
}

impl HumanTimeReport {
    /// A report that shows up to `per_kind` findings of each kind.
    pub fn new(per_kind: usize) -> HumanTimeReport {
        HumanTimeReport {
            per_kind,
            examples: Default::default(),
        }
    }

    /// Notes a finding revealed at line `line`.
    pub fn note(&mut self, line: u64, f: &Finding) {
        let slot = &mut self.examples[f.kind as usize];
        if slot.len() < self.per_kind {
            slot.push((line, f.clone()));
        }
    }

    /// Writes the section: `counts` are all findings, `open` the open stays.
    pub fn write(
        &self,
        out: &mut impl Write,
        counts: &FindingCounts,
        open: &[OpenStay],
    ) -> io::Result<()> {
        writeln!(out, "\nfindings (time rules)")?;
        for kind in FindingKind::iter() {
            writeln!(out, "  {:<26}{:>12}", kind.name(), counts.of(kind))?;
        }
        for kind in FindingKind::iter() {
            let shown = &self.examples[kind as usize];
            if shown.is_empty() {
                continue;
            }
            writeln!(out, "\n{} ({}):", kind.name(), counts.of(kind))?;
            for (line, f) in shown {
                let call = f.interaction.as_deref().unwrap_or("-");
                writeln!(out, "  line {line}: agent {} call {call}: {f}", f.agent)?;
            }
        }
        let mut oldest: Vec<&OpenStay> = open.iter().filter(|o| o.age.is_some()).collect();
        oldest.sort_by_key(|o| std::cmp::Reverse(o.age));
        if !oldest.is_empty() {
            let shown = oldest.len().min(self.per_kind.max(1));
            writeln!(
                out,
                "\nopen at the end ({}), the oldest {shown}:",
                open.len()
            )?;
            for o in oldest.iter().take(shown) {
                let age = Millis(o.age.unwrap_or_default());
                let call = o.interaction.as_deref().unwrap_or("-");
                writeln!(
                    out,
                    "  agent {} call {call}: {} for {age}",
                    o.agent, o.phase
                )?;
            }
        }
        Ok(())
    }
}
