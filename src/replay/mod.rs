//! Replay: an event log through the engine, with the conformance report of SPEC §7.
//!
//! [`Replay`] takes lines one at a time ([`Replay::feed`]) and keeps the counts of
//! the summary. It holds the engine (one machine per agent seen) and the set of
//! distinct interactions that the summary must count; neither stores records, so
//! memory grows with the number of agents and of distinct interactions, not with
//! the number of lines. The report's two forms are in [`report`]: the
//! `--json` lines ([`write_json_violation`], [`write_json_summary`]) and the
//! report for a person ([`HumanReport`]).
//!
//! ```
//! use callstate::replay::{Replay, Verdict};
//! use callstate::wire::input::Line;
//!
//! let mut replay = Replay::default();
//! let log = [
//!     r#"{"agent":"a1","interaction":"c1","event":"AgentOfferContact","time":1}"#,
//!     r#"{"agent":"a1","event":"acw","time":2}"#,
//!     "",
//! ];
//! let verdicts: Vec<Verdict> = log.iter().map(|l| replay.feed(Line::Text(l.as_bytes()))).collect();
//! assert!(matches!(verdicts[0], Verdict::Accepted(_)));
//! assert!(matches!(&verdicts[1], Verdict::NotAccepted(r) if r.kind().name() == "illegal_transition"));
//! assert!(matches!(verdicts[2], Verdict::Blank));
//! let summary = replay.summary();
//! assert_eq!((summary.records, summary.accepted, summary.rejected), (2, 1, 1));
//! ```

mod apply;
pub mod calls;
pub mod durations;
pub mod flow;
pub mod parallel;
pub mod report;
mod run;
pub mod time_report;

pub use apply::{apply_line, emit_line};
pub use flow::{Flow, FlowReport};
pub use report::{
    write_json_snapshot, write_json_summary, write_json_summary_with, write_json_violation, Ending,
    HumanReport, ReportLine, SnapshotLine,
};
pub use run::{default_jobs, replay_sources, OpenInputs, ReplayError, ReplayOptions};
pub use time_report::{write_json_finding, write_json_open, FindingCounts, FindingLine, OpenLine};

use crate::engine::Engine;
use crate::model::finding::Finding;
use crate::model::machine::{Accepted, CallUpdate, Transition};
use crate::model::record::{EventName, Record};
use crate::model::rejection::{Malformed, Rejection, RejectionKind};
use crate::model::resync::{Inferred, Mode, Repair};
use crate::model::time_rules::TimeRules;
use crate::model::vocabulary::Availability;
use crate::wire::input::{InputError, Line, LineReader, Source};
use crate::wire::{self, CarriedText, Shape, WireRecord};
use calls::{CallRecord, CallTracker};
use durations::CallSummary;
use serde::Serialize;
use std::collections::HashSet;
use std::io;
use strum::{EnumCount, IntoEnumIterator};

/// What happened to one line.
#[derive(Debug)]
pub enum Verdict {
    /// A blank line: skipped, not a record.
    Blank,
    /// The record was accepted: a transition, or accepted without change.
    Accepted(Accepted),
    /// The record was rejected, unknown or malformed.
    NotAccepted(Rejection),
}

/// A transition applied to an agent, as [`Replay::feed_with`] shows it: in input
/// order, a repaired record's inferred events come before its own.
#[derive(Debug, Clone, Copy)]
pub enum Applied<'a> {
    /// A lost event that resync inferred (SPEC §8).
    Inferred(&'a Inferred),
    /// A record's own transition: accepted, or applied after an inference.
    Record(AppliedRecord<'a>),
}

/// A record's own transition, as [`Replay::feed_with`] shows it: the record
/// was accepted, or rejected and then applied after an inference (SPEC §8).
#[derive(Debug, Clone, Copy)]
pub struct AppliedRecord<'a> {
    /// The line's text.
    pub line: &'a str,
    /// The shape it was read as.
    pub shape: Shape,
    /// What it carries into its outbound event, read in the line's one pass.
    pub carried: &'a CarriedText<'a>,
    /// The record.
    pub record: &'a Record<'a>,
    /// What it changed.
    pub transition: &'a Transition,
    /// The interaction of the call the transition is about: the agent's call after
    /// it, or the call it terminated; `None` when the agent had none.
    pub call: Option<&'a str>,
}

/// The closing summary of SPEC §7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub records: u64,
    /// Records accepted.
    pub accepted: u64,
    /// Records rejected with a kind from `out_of_order` to `illegal_transition`.
    pub rejected: u64,
    /// Records with an unknown event.
    pub unknown: u64,
    /// Malformed records.
    pub malformed: u64,
    /// Resync only: rejected records applied after an inference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repaired: Option<u64>,
    /// Resync only: rejected records skipped (`rejected` = `repaired` + `skipped`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<u64>,
    /// Resync only: inferred events, in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred: Option<u64>,
    /// Distinct agent ids of records that were not malformed.
    pub agents: u64,
    /// Distinct interaction ids named by accepted records.
    pub interactions: u64,
    /// Agents holding a call at the end of the input.
    pub open_calls: u64,
    /// Resync only: of the interactions counted, those no rejected record touched
    /// (named, or held by its agent) and no inferred event named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clean_interactions: Option<u64>,
    /// Time rules only (SPEC §11.7): findings by kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<FindingCounts>,
}

impl Summary {
    /// Did every record pass? (`allow_unknown` leaves unknown events out.)
    pub fn all_accepted(&self, allow_unknown: bool) -> bool {
        self.rejected == 0 && self.malformed == 0 && (allow_unknown || self.unknown == 0)
    }
}

/// A replay in progress.
#[derive(Debug)]
pub struct Replay {
    engine: Engine,
    /// 128-bit fingerprints of interaction ids, 16 bytes each (about 40 with the
    /// set's slack): a collision, which would undercount by one, has a probability
    /// near n²/2¹²⁹ — about 10⁻²¹ for a billion interactions.
    interactions: HashSet<u128, foldhash::fast::RandomState>,
    /// Resync only: fingerprints of the interactions a rejected record named or
    /// found held, or an inferred event named.
    touched: HashSet<u128, foldhash::fast::RandomState>,
    /// The snapshot line (SPEC §7) of the last record, when it was a snapshot
    /// that differed; taken by [`Replay::take_snapshot_line`].
    snapshot_line: Option<SnapshotLine>,
    by_kind: [u64; RejectionKind::COUNT],
    accepted: u64,
    repaired: u64,
    inferred: u64,
    line: u64,
    /// Each input's name and the number of its first line (SPEC §7: lines are
    /// counted across inputs), in input order.
    inputs: Vec<(Box<str>, u64)>,
    /// Every call's record and their summary (SPEC §12), when asked for.
    calls: Option<Box<Calls>>,
    /// Time rules only: findings not taken yet, and all found, by kind.
    findings: Vec<Finding>,
    found: FindingCounts,
}

/// What a replay keeps of its calls (SPEC §12).
#[derive(Debug, Default)]
struct Calls {
    tracker: CallTracker,
    summary: CallSummary,
    /// Finished calls not taken yet, when records are kept.
    finished: Vec<CallRecord>,
    keep_records: bool,
}

impl Calls {
    fn observe(
        &mut self,
        record: &Record<'_>,
        t: &Transition,
        bound: Option<&str>,
        repaired: bool,
    ) {
        let (summary, kept) = (&mut self.summary, &mut self.finished);
        let keep = self.keep_records;
        let each = |call: calls::FinishedCall<'_>| {
            summary.add_facts(&call.facts());
            if keep {
                kept.push(call.record());
            }
        };
        self.tracker
            .observe(record.agent, t, record.time, bound, repaired, each);
    }

    /// What a rejected record does to the calls: its agent's open call is not
    /// clean any more; a repair's transitions are applied, inferred ones at
    /// the record's time.
    #[cold]
    fn rejected(&mut self, record: &Record<'_>, r: &Rejection) {
        self.tracker.rejected(record.agent, record.interaction);
        let Some(repair) = r.repair() else { return };
        let Some(transition) = repair.transition() else {
            return;
        };
        for lost in repair.inferred() {
            self.observe(record, &lost.transition, lost.call.as_deref(), true);
        }
        let bound = record.interaction.or(repair.call());
        self.observe(record, transition, bound, true);
    }
}

impl Default for Replay {
    fn default() -> Self {
        Replay::new(Availability::Ready)
    }
}

impl Replay {
    /// A replay whose agents start in the no-call phase of `initial`.
    pub fn new(initial: Availability) -> Replay {
        Replay {
            engine: Engine::starting(initial),
            interactions: HashSet::default(),
            touched: HashSet::default(),
            snapshot_line: None,
            by_kind: [0; RejectionKind::COUNT],
            accepted: 0,
            repaired: 0,
            inferred: 0,
            line: 0,
            inputs: Vec::new(),
            calls: None,
            findings: Vec::new(),
            found: FindingCounts::default(),
        }
    }

    /// The same replay with time rules (SPEC §11): findings come with the
    /// verdicts ([`Replay::take_findings`]) and the summary counts them. Meant
    /// for a replay that has not been fed yet.
    pub fn with_time(mut self, rules: TimeRules) -> Replay {
        self.engine = self.engine.with_time(rules);
        self
    }

    /// The findings of the lines fed since the last call, in order (SPEC §11.7);
    /// all of them belong to the last line fed when taken after every line.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// [`Engine::advance`] on the replay's engine: moves the clock to `now` if
    /// that is later and returns the `overdue` findings that became due,
    /// counted in the summary (they belong to no line).
    pub fn advance(&mut self, now: i64) -> Vec<Finding> {
        let found = self.engine.advance(now);
        for finding in &found {
            self.found.count(finding.kind);
        }
        found
    }

    /// Moves the findings of the last record from the engine, counting them.
    #[cold]
    fn collect_findings(&mut self) {
        for finding in self.engine.take_findings() {
            self.found.count(finding.kind);
            self.findings.push(finding);
        }
    }

    /// The same replay, following every call (SPEC §12): their summary is
    /// [`Replay::call_summary`]; with `keep_records`, each finished call's
    /// record waits for [`Replay::take_calls`]. Meant for a replay that has not
    /// been fed yet.
    pub fn with_calls(mut self, keep_records: bool) -> Replay {
        self.calls = Some(Box::new(Calls {
            keep_records,
            ..Calls::default()
        }));
        self
    }

    /// The calls finished since the last take, in the order they finished
    /// (none unless [`Replay::with_calls`] kept records).
    pub fn take_calls(&mut self) -> impl Iterator<Item = CallRecord> + '_ {
        let calls = self.calls.as_deref_mut().into_iter();
        calls.flat_map(|calls| calls.finished.drain(..))
    }

    /// The calls still open, as records with outcome `open`, by agent id.
    pub fn open_calls(&self) -> Vec<CallRecord> {
        self.calls
            .as_ref()
            .map_or_else(Vec::new, |c| c.tracker.open_records())
    }

    /// The summary of the calls so far, with [`Replay::with_calls`].
    pub fn call_summary(&self) -> Option<CallSummary> {
        let calls = self.calls.as_deref()?;
        Some(CallSummary {
            open: calls.tracker.open_calls() as u64,
            ..calls.summary.clone()
        })
    }

    /// The same replay in `mode` (strict by default; the CLI's default is resync).
    /// Meant for a replay that has not been fed yet.
    pub fn with_mode(mut self, mode: Mode) -> Replay {
        self.engine = self.engine.with_mode(mode);
        self
    }

    /// A replay that goes on from `engine` (say, one restored from a snapshot):
    /// its mode and starting availability are the engine's. Its counts, line
    /// numbers and summary cover only what is fed from here on; `interactions`
    /// counts only ids named again after the resumption.
    pub fn resume(engine: Engine) -> Replay {
        Replay {
            engine,
            ..Replay::new(Availability::Ready)
        }
    }

    /// The engine, for a snapshot or a [`Replay::resume`]; the counts are dropped.
    pub fn into_engine(self) -> Engine {
        self.engine
    }

    /// The snapshot line of SPEC §7 for the record just fed, when it was an
    /// accepted snapshot that differed from the agent's state (§3.5): not a
    /// rejection, but written in the report all the same. Taking it clears it.
    pub fn take_snapshot_line(&mut self) -> Option<SnapshotLine> {
        self.snapshot_line.take()
    }

    /// Strict or resync.
    pub fn mode(&self) -> Mode {
        self.engine.mode()
    }

    /// Reads the next line of the input (line numbers count every line, blank ones
    /// too, from 1).
    pub fn feed(&mut self, line: Line<'_>) -> Verdict {
        let untimed = self.engine.time_rules().is_none();
        parse_wire(line, untimed, |parsed, _| self.feed_parsed(parsed))
    }

    /// Applies a line already parsed with [`parse_line`] — possibly on another
    /// thread. Lines must be fed in input order.
    pub fn feed_parsed(&mut self, parsed: Parsed<'_>) -> Verdict {
        self.feed_parsed_hashed(parsed, None)
    }

    /// [`Replay::feed_parsed`], with the hash of a record's agent if a
    /// [`Lookahead`](crate::engine::Lookahead) computed it.
    pub(crate) fn feed_parsed_hashed(&mut self, parsed: Parsed<'_>, hash: Option<u64>) -> Verdict {
        self.feed_parsed_as::<false>(parsed, hash).0
    }

    /// [`Replay::feed_parsed_hashed`], with `WITH_CALL` also giving the call an
    /// accepted record's transition is about (see [`Engine::apply_with_call`]).
    #[inline]
    fn feed_parsed_as<const WITH_CALL: bool>(
        &mut self,
        parsed: Parsed<'_>,
        hash: Option<u64>,
    ) -> (Verdict, Option<String>) {
        self.line += 1;
        let fed = match parsed {
            Parsed::Blank => (Verdict::Blank, None),
            Parsed::Invalid(r) => (self.not_accepted(r), None),
            Parsed::Record(record) => match self.apply_record::<WITH_CALL>(&record, hash) {
                Ok((t, call)) => (Verdict::Accepted(t), call),
                Err(r) => (self.not_accepted(r), None),
            },
        };
        if self.engine.has_findings() {
            self.collect_findings();
        }
        fed
    }

    /// [`Replay::feed`], showing every transition it applies to `on_apply`, in
    /// order — for callers that render them, such as `callstate emit`.
    pub fn feed_with(&mut self, line: Line<'_>, mut on_apply: impl FnMut(Applied<'_>)) -> Verdict {
        let untimed = self.engine.time_rules().is_none();
        let read = |text| wire::parse_str_carried_as(text, untimed);
        read_wire(line, read, |parsed, source| {
            let (Parsed::Record(record), Some((text, shape, carried))) = (&parsed, source) else {
                return self.feed_parsed(parsed);
            };
            let record = *record;
            let (verdict, call) = self.feed_parsed_as::<true>(parsed, None);
            let applied = |transition, call| {
                Applied::Record(AppliedRecord {
                    line: text,
                    shape,
                    carried: &carried,
                    record: &record,
                    transition,
                    call,
                })
            };
            match &verdict {
                Verdict::Accepted(Accepted::Transition(t)) => {
                    on_apply(applied(t, call.as_deref()));
                }
                Verdict::Accepted(Accepted::Unchanged(_)) => {}
                Verdict::NotAccepted(r) => {
                    if let Some(Repair::Infer {
                        inferred,
                        transition,
                        call,
                        ..
                    }) = r.repair()
                    {
                        for lost in inferred {
                            on_apply(Applied::Inferred(lost));
                        }
                        on_apply(applied(transition, call.as_deref()));
                    }
                }
                Verdict::Blank => {}
            }
            verdict
        })
    }

    #[inline]
    fn apply_record<const WITH_CALL: bool>(
        &mut self,
        record: &Record<'_>,
        hash: Option<u64>,
    ) -> Result<(Accepted, Option<String>), Rejection> {
        let hash = hash.unwrap_or_else(|| self.engine.hash(record.agent));
        let result = if WITH_CALL {
            self.engine
                .apply_hashed_as::<true>(record, hash)
                .map_err(|rejection| *rejection)
        } else {
            // Every line's path: the engine's own compiled copy, as `apply` calls it.
            self.engine.apply_hashed(record, hash).map(|t| (t, None))
        };
        let (t, call) = match result {
            Ok(applied) => applied,
            Err(r) => {
                if r.kind().counts_as_rejected() {
                    if self.engine.mode() == Mode::Resync {
                        self.note_resync(record, &r);
                    }
                    if let Some(calls) = self.calls.as_deref_mut() {
                        calls.rejected(record, &r);
                    }
                }
                return Err(r);
            }
        };
        self.accepted += 1;
        // A record that named only the call its agent held (see
        // `names_only_held_call`) names an id counted when the offer that bound it
        // was accepted (by this replay, or before a `Replay::resume`, whose
        // summary says so): the set need not be touched, which with many
        // calls open saves a random memory access on most records.
        if let Some(interaction) = record.interaction.filter(|_| !t.names_only_held_call()) {
            self.interactions.insert(fingerprint(interaction));
        }
        if let Some(transition) = t.transition() {
            self.note_call_update(record, transition);
            if let Some(calls) = self.calls.as_deref_mut() {
                calls.observe(record, transition, record.interaction, false);
            }
        }
        Ok((t, call))
    }

    /// The ids a re-keying or a snapshot names besides the record's (SPEC §3.6,
    /// §7): a re-keying names the reservation id too; a snapshot that differed
    /// touches (resync) the interaction it names and the one the agent held.
    fn note_call_update(&mut self, record: &Record<'_>, t: &Transition) {
        match t.change {
            CallUpdate::Row | CallUpdate::SnapshotKept => {}
            CallUpdate::Rekeyed => {
                if let Some(reservation) = record.reservation {
                    self.interactions.insert(fingerprint(reservation));
                }
            }
            CallUpdate::SnapshotSet { replaced } => {
                self.snapshot_line = Some(SnapshotLine::new(self.line, record, t));
                if self.engine.mode() == Mode::Resync {
                    let agent = self.engine.agent(record.agent);
                    let held = agent.and_then(|m| m.finished()).filter(|_| replaced);
                    let touched = record.interaction.into_iter().chain(held);
                    let touched: Vec<u128> = touched.map(fingerprint).collect();
                    self.touched.extend(touched);
                }
            }
        }
    }

    /// Counts what resync did about a rejected record, and the interactions it
    /// touched (SPEC §7's `clean_interactions`).
    #[cold]
    fn note_resync(&mut self, record: &Record<'_>, r: &Rejection) {
        // An agent notice names no call (SPEC §3.3): its id touches nothing.
        let named = record
            .interaction
            .filter(|_| !matches!(record.event, EventName::AgentNotice(_)));
        let touched = named.into_iter().chain(r.held());
        self.touched.extend(touched.map(fingerprint));
        if let Some(Repair::Infer { inferred, .. }) = r.repair() {
            self.repaired += 1;
            self.inferred += inferred.len() as u64;
            let named = inferred.iter().filter_map(|i| i.call.as_deref());
            self.touched.extend(named.map(fingerprint));
            if let Some(interaction) = record.interaction {
                self.interactions.insert(fingerprint(interaction));
            }
        }
    }

    fn not_accepted(&mut self, r: Rejection) -> Verdict {
        self.by_kind[r.kind() as usize] += 1;
        Verdict::NotAccepted(r)
    }

    /// The number of the last line fed.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Marks the start of the next input: the lines fed from here on are
    /// `name`'s, until the next call. Line numbers go on counting across inputs
    /// (SPEC §7); [`Replay::locate`] gives the input and its own line.
    pub fn begin_input(&mut self, name: &str) {
        self.inputs.push((name.into(), self.line + 1));
    }

    /// The names of the inputs begun so far, in input order.
    pub fn input_names(&self) -> impl Iterator<Item = &str> {
        self.inputs.iter().map(|(name, _)| &**name)
    }

    /// The input that line `line` (counted across inputs) belongs to, and its
    /// number there; `None` before the first [`Replay::begin_input`].
    pub fn locate(&self, line: u64) -> Option<(&str, u64)> {
        // The last input that begins at or before the line: an empty input
        // begins where the next one does, and holds no line.
        let after = self.inputs.partition_point(|&(_, first)| first <= line);
        let (name, first) = self.inputs.get(after.checked_sub(1)?)?;
        Some((name, line - first + 1))
    }

    /// The engine, as the replay has left it so far.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many records were not accepted, by kind (indexed by `RejectionKind as usize`).
    pub fn counts_by_kind(&self) -> [u64; RejectionKind::COUNT] {
        self.by_kind
    }

    /// The summary of everything fed so far.
    pub fn summary(&self) -> Summary {
        let count = |k: RejectionKind| self.by_kind[k as usize];
        let rejected = RejectionKind::iter()
            .filter(|k| k.counts_as_rejected())
            .map(count)
            .sum();
        let unknown = count(RejectionKind::UnknownEvent);
        let malformed = count(RejectionKind::Malformed);
        let resync = self.engine.mode() == Mode::Resync;
        let clean = || {
            let touched = self.touched.iter();
            let touched_and_counted = touched.filter(|i| self.interactions.contains(i)).count();
            (self.interactions.len() - touched_and_counted) as u64
        };
        Summary {
            records: self.accepted + rejected + unknown + malformed,
            accepted: self.accepted,
            rejected,
            unknown,
            malformed,
            agents: self.engine.len() as u64,
            interactions: self.interactions.len() as u64,
            open_calls: self.engine.open_calls() as u64,
            repaired: resync.then_some(self.repaired),
            skipped: resync.then_some(rejected - self.repaired),
            inferred: resync.then_some(self.inferred),
            clean_interactions: resync.then(clean),
            findings: self.engine.time_rules().map(|_| self.found),
        }
    }
}

/// A line read and checked, ready for [`Replay::feed_parsed`].
#[derive(Debug)]
pub enum Parsed<'a> {
    /// Empty, or only spaces, tabs and carriage returns (SPEC §7).
    Blank,
    /// A well-formed record.
    Record(Record<'a>),
    /// A malformed line.
    Invalid(Rejection),
}

/// Parses one line and hands the result to `then`. The parse needs no replay
/// state, so it can run on any thread; the record borrows from the line.
pub fn parse_line<R>(line: Line<'_>, then: impl FnOnce(Parsed<'_>) -> R) -> R {
    parse_wire(line, false, |parsed, _| then(parsed))
}

/// [`parse_line`], also giving a well-formed record's line text and shape; if
/// `untimed`, for a replay without time rules ([`wire::parse_str_untimed`]).
pub(crate) fn parse_wire<R>(
    line: Line<'_>,
    untimed: bool,
    then: impl FnOnce(Parsed<'_>, Option<(&str, Shape, ())>) -> R,
) -> R {
    read_wire(line, |text| wire::parse_str_as(text, untimed), then)
}

/// What the wire read of a line: its record, and what else it kept.
trait Reading<'l> {
    /// What else it kept.
    type Kept: Copy;
    fn wire(&self) -> &WireRecord<'l>;
    fn kept(&self) -> Self::Kept;
}

impl<'l> Reading<'l> for WireRecord<'l> {
    type Kept = ();
    fn wire(&self) -> &WireRecord<'l> {
        self
    }
    fn kept(&self) {}
}

/// What emit reads a line for ([`wire::parse_str_carried`]).
impl<'l> Reading<'l> for (WireRecord<'l>, CarriedText<'l>) {
    type Kept = CarriedText<'l>;
    fn wire(&self) -> &WireRecord<'l> {
        &self.0
    }
    fn kept(&self) -> CarriedText<'l> {
        self.1
    }
}

/// [`parse_wire`], reading the line's text with `read`, which may keep more
/// than the record (what it carries, for emit).
#[inline(always)]
fn read_wire<'l, W: Reading<'l>, R>(
    line: Line<'l>,
    read: impl FnOnce(&'l str) -> Result<W, Rejection>,
    then: impl FnOnce(Parsed<'_>, Option<(&'l str, Shape, W::Kept)>) -> R,
) -> R {
    let bytes = match line {
        Line::Text(bytes) if is_blank(bytes) => return then(Parsed::Blank, None),
        Line::Text(bytes) => Ok(bytes),
        Line::TooLong(len) => Err(Rejection::malformed(Malformed::TooLong(len))),
    };
    let wire = bytes.and_then(|bytes| {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| Rejection::malformed(Malformed::NotUtf8(e.valid_up_to())))?;
        Ok((text, read(text)?))
    });
    match wire {
        Err(r) => then(Parsed::Invalid(r), None),
        // A keep-alive counts for `line` only (SPEC §5).
        Ok((_, read)) if read.wire().is_keep_alive() => then(Parsed::Blank, None),
        Ok((text, read)) => match read.wire().record() {
            Ok(record) => {
                let source = (text, read.wire().shape, read.kept());
                then(Parsed::Record(record), Some(source))
            }
            Err(r) => then(Parsed::Invalid(r), None),
        },
    }
}

/// Blank (SPEC v2 §7): empty, or only spaces, tabs and carriage returns, in any
/// order. Nothing else is blank — not a vertical tab or form feed, not a Unicode
/// space: such a line is a record, malformed as not JSON.
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

fn fingerprint(id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(id.as_bytes())
}

/// Feeds every line of `sources` to `each`, marking where each input begins
/// ([`Replay::begin_input`]); stops at the first read error.
pub fn for_each_line(
    sources: Vec<Source>,
    max_line: usize,
    replay: &mut Replay,
    mut each: impl FnMut(&mut Replay, Line<'_>) -> io::Result<()>,
) -> io::Result<Option<InputError>> {
    for source in sources {
        let name = source.name().to_owned();
        replay.begin_input(&name);
        let mut reader = LineReader::new(source.into_reader(), max_line);
        loop {
            match reader.next_line() {
                Ok(Some(line)) => each(replay, line)?,
                Ok(None) => break,
                Err(source) => {
                    return Ok(Some(InputError::Read {
                        name,
                        line: replay.line(),
                        source,
                    }))
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interactions(initial: Availability, log: &[&str]) -> u64 {
        let mut replay = Replay::new(initial);
        for line in log {
            replay.feed(Line::Text(line.as_bytes()));
        }
        replay.summary().interactions
    }

    #[test]
    fn every_id_an_accepted_record_names_is_counted_once() {
        let log = [
            // Availability changes may name any call, with or without one held.
            r#"{"agent":"a","event":"AgentAvailable","interaction":"x0"}"#,
            r#"{"agent":"a","event":"AgentOfferContact","interaction":"c1"}"#,
            r#"{"agent":"a","event":"AgentIdle","interaction":"x1"}"#,
            r#"{"agent":"a","event":"AgentAvailable","interaction":"c1"}"#,
            // Call events name the held call (counted at the offer), or none.
            r#"{"agent":"a","event":"CustAnswered","interaction":"c1"}"#,
            r#"{"agent":"a","event":"ContactHeld"}"#,
            // Rejected: names another call; not counted.
            r#"{"agent":"a","event":"ContactUnHeld","interaction":"r1"}"#,
            r#"{"agent":"a","event":"ContactUnHeld","interaction":"c1"}"#,
            // A preview: reserved, then offered on the same call.
            r#"{"agent":"b","event":"AgentOfferCampaignReserved","interaction":"c2"}"#,
            r#"{"agent":"b","event":"AgentOfferContact","interaction":"c2"}"#,
        ];
        // x0, c1, x1, c2; not r1.
        assert_eq!(interactions(Availability::Ready, &log), 4);
        // Starting idle, a is made ready by its first record, but b's preview is
        // refused (agent_not_ready): x0, c1, x1.
        assert_eq!(interactions(Availability::Idle, &log), 3);
    }
}
