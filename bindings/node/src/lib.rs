//! Node.js bindings of `callstate` (napi-rs): the library's engine, wire parser,
//! replay and outbound events with their types mapped to JavaScript. No rule of
//! the SPEC is written here: every verdict, repair, report line and outbound
//! event comes from the library.

#![deny(clippy::unwrap_used, clippy::expect_used)]
// As in the library: `Rejection` is the error callers read field by field.
#![allow(clippy::result_large_err)]

use callstate::replay::{
    self, ReplayOptions as LibOptions, ReportLine as LibReportLine, Summary as LibSummary,
    Verdict as LibVerdict,
};
use callstate::Repair;
use napi::bindgen_prelude::{Buffer, Either};
use napi::{Env, Error, JsFunction, JsObject, JsUnknown, Result, Status, Task, ValueType};
use napi_derive::napi;
use std::io::{self, Write};
use std::path::PathBuf;

// ---------------------------------------------------------------- options

/// How an engine or a replay treats the records it rejects, and where new
/// agents start.
#[napi(object)]
#[derive(Default)]
pub struct EngineOptions {
    /// `'resync'` (SPEC §8, the default, as in the CLI) or `'strict'` (SPEC §4 alone).
    #[napi(ts_type = "'resync' | 'strict'")]
    pub mode: Option<String>,
    /// Where never-seen agents start: `'ready'` (the default) or `'idle'`.
    #[napi(ts_type = "'ready' | 'idle'")]
    pub initial: Option<String>,
    /// Time rules (SPEC §11): findings from `takeFindings()` and `advance()`.
    /// On with `true`, or when `limits` or `grace` is given.
    pub time: Option<bool>,
    /// Deadlines per call phase, as `'wrapUp=10m'` (units ms, s, m, h).
    pub limits: Option<Vec<String>>,
    /// The tolerance around every deadline, as `'5s'` (the default).
    pub grace: Option<String>,
}

/// Options of `replayFile`.
#[napi(object)]
#[derive(Default)]
pub struct ReplayOptions {
    /// `'resync'` (the default) or `'strict'`, as `callstate replay [--strict]`.
    #[napi(ts_type = "'resync' | 'strict'")]
    pub mode: Option<String>,
    /// `'ready'` (the default) or `'idle'`, as `callstate replay --initial`.
    #[napi(ts_type = "'ready' | 'idle'")]
    pub initial: Option<String>,
    /// Parser threads (default: the machine's parallelism, as the CLI).
    pub jobs: Option<u32>,
    /// The longest line read, in bytes (default 64 MiB, as the CLI); a longer
    /// one is a `malformed` record.
    pub max_line_bytes: Option<u32>,
    /// A file to write every call to, one JSON object per line, as `callstate
    /// replay --calls FILE` (SPEC §12).
    pub calls: Option<String>,
}

/// The library's options with `mode` and `initial` (each defaulting as in the CLI).
fn options_of(mode: Option<&str>, initial: Option<&str>) -> Result<LibOptions> {
    LibOptions::default()
        .with_names(mode, initial)
        .map_err(|e| invalid(e.to_string()))
}

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

// ---------------------------------------------------------------- verdicts

/// An agent's state: phase, role, recording and availability (SPEC §1).
#[napi(object)]
pub struct AgentStatus {
    #[napi(
        ts_type = "'idle' | 'ready' | 'reserved' | 'offered' | 'connected' | 'hold' | 'consulting' | 'consult' | 'conference' | 'ended' | 'wrapUp'"
    )]
    pub phase: String,
    /// Whose call it is (SPEC v3 §1): `owner` with no call.
    #[napi(ts_type = "'owner' | 'consulted'")]
    pub role: String,
    #[napi(ts_type = "'off' | 'on' | 'paused'")]
    pub recording: String,
    #[napi(ts_type = "'ready' | 'idle'")]
    pub availability: String,
}

/// An applied transition: a record's own, or one that resync inferred.
#[napi(object)]
pub struct Transition {
    /// The canonical event name.
    pub event: String,
    pub from: AgentStatus,
    pub to: AgentStatus,
    /// The call the transition is about: the agent's call after it, or the one
    /// it terminated; absent when the agent had none.
    pub interaction: Option<String>,
}

/// A record that was not accepted (SPEC §4), with resync's repair (SPEC §8).
#[napi(object)]
pub struct Rejection {
    #[napi(
        ts_type = "'malformed' | 'unknown_event' | 'out_of_order' | 'agent_busy' | 'interaction_mismatch' | 'agent_not_ready' | 'no_active_call' | 'illegal_transition'"
    )]
    pub kind: String,
    /// The record's agent id, when it was a non-empty string.
    pub agent: Option<String>,
    /// The interaction id the record named, when a non-empty string.
    pub interaction: Option<String>,
    /// The canonical event name when known, else the name as given.
    pub event: Option<String>,
    /// The phase the record met (absent for `malformed`).
    #[napi(
        ts_type = "'idle' | 'ready' | 'reserved' | 'offered' | 'connected' | 'hold' | 'consulting' | 'consult' | 'conference' | 'ended' | 'wrapUp'"
    )]
    pub state: Option<String>,
    /// The events the met state would have accepted (canonical names).
    pub allowed: Vec<String>,
    /// The interaction the agent held when the record arrived.
    pub held: Option<String>,
    /// What was wrong, in one line.
    pub message: String,
    /// Resync only, for the kinds `out_of_order` … `illegal_transition`.
    #[napi(ts_type = "'skip' | 'infer'")]
    pub repair: Option<String>,
    /// The rule of SPEC §8 that decided the repair (1 to 10).
    pub rule: Option<u32>,
    /// `repair === 'infer'`: the inferred transitions, in order.
    pub inferred: Option<Vec<Transition>>,
    /// `repair === 'infer'`: the record's own transition, applied after them.
    pub transition: Option<Transition>,
}

/// What `Engine.apply` did with one record: accepted with its transition, or
/// not accepted with the rejection.
#[napi(object)]
pub struct Verdict {
    pub accepted: bool,
    /// Set when `accepted` as a transition; absent for a record accepted without
    /// change (a notice, an agent notice, a late notification: SPEC v3 §3.3).
    pub transition: Option<Transition>,
    /// Set when not `accepted`.
    pub rejection: Option<Rejection>,
}

/// `Engine.emit`'s result: the verdict and the outbound events (SPEC §6/§8) of
/// every transition applied, inferred ones first, as `callstate emit` writes them.
#[napi(object)]
pub struct Emitted {
    pub verdict: Verdict,
    #[napi(ts_type = "Array<OutboundCallStateChange>")]
    pub events: Vec<JsUnknown>,
}

/// The outbound event of SPEC §6 (type only: `Emitted.events` holds these).
#[napi(object)]
pub struct OutboundCallStateChange {
    pub channel: String,
    pub topic: String,
    pub subtopic: String,
    #[napi(
        ts_type = "{ source: 'event' | 'inferred'; call: { id?: string; ResponseActual?: unknown; ResponseFields: { fromAddress?: string; toAddress?: string; CallState: string; Role: 'owner' | 'consulted'; Type: string; Campaign?: string; OutBoundType?: string }; CallType: string; event: string; reservationInteractionId?: string; CallVariables?: unknown } }"
    )]
    pub message: JsUnknown,
}

fn status(s: &callstate::Status) -> AgentStatus {
    AgentStatus {
        phase: <&str>::from(s.phase).to_owned(),
        role: s.role.to_string(),
        recording: s.recording.to_string(),
        availability: s.availability.to_string(),
    }
}

fn transition(t: &callstate::Transition, call: Option<&str>) -> Transition {
    Transition {
        event: t.event.name().to_owned(),
        from: status(&t.from),
        to: status(&t.to),
        interaction: call.map(str::to_owned),
    }
}

/// A library rejection as a JS object.
fn rejection(r: &callstate::Rejection) -> Rejection {
    let repair = r.repair();
    Rejection {
        kind: r.kind().name().to_owned(),
        agent: r.agent().map(str::to_owned),
        interaction: r.interaction().map(str::to_owned),
        event: r.event().map(str::to_owned),
        state: r.state().map(|p| <&str>::from(p).to_owned()),
        allowed: r.allowed().iter().map(|e| e.name().to_owned()).collect(),
        held: r.held().map(str::to_owned),
        message: r.to_string(),
        repair: repair.map(|rep| rep.name().to_owned()),
        rule: repair.map(|rep| u32::from(rep.rule().number())),
        inferred: repair
            .filter(|rep| matches!(rep, Repair::Infer { .. }))
            .map(|rep| {
                rep.inferred()
                    .iter()
                    .map(|i| transition(&i.transition, i.call.as_deref()))
                    .collect()
            }),
        transition: repair.and_then(|rep| rep.transition().map(|t| transition(t, rep.call()))),
    }
}

fn verdict(
    result: &std::result::Result<(callstate::Accepted, Option<String>), callstate::Rejection>,
) -> Verdict {
    match result {
        Ok((accepted, call)) => Verdict {
            accepted: true,
            // Accepted without change (SPEC §3.3): no transition.
            transition: accepted
                .transition()
                .map(|t| transition(t, call.as_deref())),
            rejection: None,
        },
        Err(r) => Verdict {
            accepted: false,
            transition: None,
            rejection: Some(rejection(r)),
        },
    }
}

// ---------------------------------------------------------------- JSON glue

/// A record given as JSON text, or as an object serialized with `JSON.stringify`
/// (so numbers are written as JavaScript writes them on the wire). Anything
/// else is a `TypeError`-like error saying what was given.
fn record_text(env: &Env, record: JsUnknown) -> Result<String> {
    match record.get_type()? {
        ValueType::String => return record.coerce_to_string()?.into_utf8()?.into_owned(),
        ValueType::Object => {}
        other => {
            return Err(invalid(format!(
                "a record must be JSON text or an object, not {}",
                type_name(other)
            )))
        }
    }
    let json: JsObject = env.get_global()?.get_named_property("JSON")?;
    let stringify: JsFunction = json.get_named_property("stringify")?;
    let text = stringify.call(Some(&json), &[record])?;
    if text.get_type()? != ValueType::String {
        return Err(invalid(
            "the record object cannot be written as JSON".to_owned(),
        ));
    }
    text.coerce_to_string()?.into_utf8()?.into_owned()
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        ValueType::External => "an external",
        ValueType::BigInt => "a bigint",
        _ => "an unknown type",
    }
}

/// JSON text the library wrote, as a JavaScript value (`JSON.parse`, so keys
/// keep the library's order).
fn parse_json(env: &Env, text: &str) -> Result<JsUnknown> {
    let json: JsObject = env.get_global()?.get_named_property("JSON")?;
    let parse: JsFunction = json.get_named_property("parse")?;
    parse.call(Some(&json), &[env.create_string(text)?])
}

/// A finding of SPEC §11 (type only: `advance` and `takeFindings` give these).
#[napi(object)]
pub struct Finding {
    pub line: Option<u32>,
    #[napi(ts_type = "'late' | 'early' | 'overdue'")]
    pub finding: String,
    pub agent: String,
    pub interaction: Option<String>,
    pub state: String,
    pub since: i64,
    pub deadline: i64,
    #[napi(ts_type = "'limit' | 'ronaTimeout' | 'campaignPreviewOfferTimeout'")]
    pub source: String,
    pub at: i64,
    pub event: Option<String>,
    pub message: String,
}

fn findings(env: &Env, found: &[callstate::Finding]) -> Result<Vec<JsUnknown>> {
    found
        .iter()
        .map(|f| parse_json(env, &replay::FindingLine::new(None, f).to_json()))
        .collect()
}

// ---------------------------------------------------------------- Engine

/// The call-state engine: one machine per agent, records applied one at a time.
#[napi]
pub struct Engine {
    inner: callstate::Engine,
}

#[napi]
impl Engine {
    /// `new Engine({ mode: 'resync' | 'strict', initial: 'ready' | 'idle' })`;
    /// both optional (resync, ready).
    #[napi(constructor)]
    pub fn new(options: Option<EngineOptions>) -> Result<Engine> {
        let given = options.unwrap_or_default();
        let options = options_of(given.mode.as_deref(), given.initial.as_deref())?;
        let mut inner = callstate::Engine::starting(options.initial()).with_mode(options.mode());
        if given.time == Some(true) || given.limits.is_some() || given.grace.is_some() {
            let limits = given.limits.unwrap_or_default();
            let rules = callstate::TimeRules::from_texts(&limits, given.grace.as_deref())
                .map_err(|e| invalid(e.to_string()))?;
            inner = inner.with_time(rules);
        }
        Ok(Engine { inner })
    }

    /// Moves the clock to `now` (ms since the epoch) if later; the `overdue`
    /// findings that became due (SPEC §11.7's keys, `line` null).
    #[napi(ts_return_type = "Array<Finding>")]
    pub fn advance(&mut self, env: Env, now: i64) -> Result<Vec<JsUnknown>> {
        findings(&env, &self.inner.advance(now))
    }

    /// The findings of the records applied since the last call.
    #[napi(ts_return_type = "Array<Finding>")]
    pub fn take_findings(&mut self, env: Env) -> Result<Vec<JsUnknown>> {
        findings(&env, &self.inner.take_findings())
    }

    /// Applies one record: JSON text or an object, in any of the three shapes
    /// of SPEC §5. A record that is not JSON, not an object or lacks a field is
    /// a `malformed` verdict (as in replay), not an exception.
    #[napi(ts_args_type = "record: string | object")]
    pub fn apply(&mut self, env: Env, record: JsUnknown) -> Result<Verdict> {
        let text = record_text(&env, record)?;
        Ok(verdict(&replay::apply_line(
            &mut self.inner,
            text.as_bytes(),
        )))
    }

    /// `apply`, also giving the outbound events (SPEC §6; in resync mode an
    /// inferred transition's too, SPEC §8) of what it applied.
    #[napi(ts_args_type = "record: string | object")]
    pub fn emit(&mut self, env: Env, record: JsUnknown) -> Result<Emitted> {
        let text = record_text(&env, record)?;
        let (result, events) = replay::emit_line(&mut self.inner, text.as_bytes());
        let events = events
            .iter()
            .map(|e| parse_json(&env, &e.to_json()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Emitted {
            verdict: verdict(&result),
            events,
        })
    }

    /// The phase `agent` is in (the initial phase if never seen).
    #[napi(
        ts_return_type = "'idle' | 'ready' | 'reserved' | 'offered' | 'connected' | 'hold' | 'consulting' | 'consult' | 'conference' | 'ended' | 'wrapUp'"
    )]
    pub fn phase_of(&self, agent: String) -> String {
        <&str>::from(self.inner.phase_of(&agent)).to_owned()
    }

    /// The interaction `agent` holds, if any.
    #[napi]
    pub fn interaction_of(&self, agent: String) -> Option<String> {
        let machine = self.inner.agent(&agent)?;
        machine.interaction().map(str::to_owned)
    }

    /// How many agents hold a call right now.
    #[napi(getter)]
    pub fn open_calls(&self) -> u32 {
        u32::try_from(self.inner.open_calls()).unwrap_or(u32::MAX)
    }

    /// How many agents the engine knows.
    #[napi(getter)]
    pub fn agents(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// `'resync'` or `'strict'`.
    #[napi(getter, ts_return_type = "'resync' | 'strict'")]
    pub fn mode(&self) -> String {
        self.inner.mode().name().to_owned()
    }

    /// The engine's whole state as JSON text (the library's snapshot format).
    #[napi]
    pub fn snapshot(&self) -> String {
        self.inner.to_snapshot_json()
    }

    /// An engine that goes on exactly where the snapshot's stopped. Throws if
    /// the text is not a snapshot this version reads.
    #[napi(factory)]
    pub fn restore(json: String) -> Result<Engine> {
        callstate::Engine::from_snapshot_json(&json)
            .map(|inner| Engine { inner })
            .map_err(|e| invalid(e.to_string()))
    }
}

// ---------------------------------------------------------------- replay

/// The closing summary of SPEC §7 (`replayFile(...).summary`), with the keys
/// `--json` prints.
#[napi(object)]
pub struct Summary {
    pub records: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub unknown: i64,
    pub malformed: i64,
    pub agents: i64,
    pub interactions: i64,
    #[napi(js_name = "open_calls")]
    pub open_calls: i64,
    /// Resync only.
    pub repaired: Option<i64>,
    /// Resync only.
    pub skipped: Option<i64>,
    /// Resync only.
    pub inferred: Option<i64>,
    /// Resync only.
    #[napi(js_name = "clean_interactions")]
    pub clean_interactions: Option<i64>,
}

/// One report line of `callstate replay --json` (SPEC §7), exactly as printed.
#[napi(object)]
pub struct ReportLine {
    pub line: i64,
    #[napi(
        ts_type = "'malformed' | 'unknown_event' | 'out_of_order' | 'agent_busy' | 'interaction_mismatch' | 'agent_not_ready' | 'no_active_call' | 'illegal_transition'"
    )]
    pub kind: String,
    #[napi(ts_type = "string | null")]
    pub agent: Option<String>,
    #[napi(ts_type = "string | null")]
    pub interaction: Option<String>,
    #[napi(ts_type = "string | null")]
    pub event: Option<String>,
    #[napi(ts_type = "string | null")]
    pub state: Option<String>,
    #[napi(ts_type = "'skip' | 'infer'")]
    pub repair: Option<String>,
    pub inferred: Option<Vec<String>>,
    pub message: String,
}

/// `replayFile`'s result: the report lines then the summary, as `--json` prints them.
#[napi(object)]
pub struct ReplayResult {
    pub summary: Summary,
    /// Empty when an `onLine` callback took the lines.
    #[napi(ts_type = "Array<ReportLine>")]
    pub lines: Vec<JsUnknown>,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn summary(s: &LibSummary) -> Summary {
    Summary {
        records: count(s.records),
        accepted: count(s.accepted),
        rejected: count(s.rejected),
        unknown: count(s.unknown),
        malformed: count(s.malformed),
        agents: count(s.agents),
        interactions: count(s.interactions),
        open_calls: count(s.open_calls),
        repaired: s.repaired.map(count),
        skipped: s.skipped.map(count),
        inferred: s.inferred.map(count),
        clean_interactions: s.clean_interactions.map(count),
    }
}

/// The `--json` text of one report line (without its newline).
fn report_text(line: u64, r: &callstate::Rejection) -> String {
    LibReportLine::new(line, r).to_json()
}

struct ReplayRun {
    paths: Vec<PathBuf>,
    options: LibOptions,
    /// Where every call goes, when asked for.
    calls: Option<PathBuf>,
}

impl ReplayRun {
    fn new(
        paths: Either<String, Vec<String>>,
        options: Option<ReplayOptions>,
    ) -> Result<ReplayRun> {
        let options = options.unwrap_or_default();
        let paths: Vec<PathBuf> = match paths {
            Either::A(one) => vec![one.into()],
            Either::B(many) => many.into_iter().map(PathBuf::from).collect(),
        };
        if paths.is_empty() {
            return Err(invalid("replayFile needs at least one path".to_owned()));
        }
        let mut lib = options_of(options.mode.as_deref(), options.initial.as_deref())?;
        if let Some(jobs) = options.jobs {
            lib = lib.with_jobs(jobs as usize);
        }
        if let Some(max) = options.max_line_bytes {
            lib = lib.with_max_line_bytes(max as usize);
        }
        Ok(ReplayRun {
            paths,
            options: lib,
            calls: options.calls.map(PathBuf::from),
        })
    }

    /// Replays the files as `callstate replay` does (with the same parallel
    /// reader), handing every report line to `each`.
    fn run(
        &self,
        mut each: impl FnMut(u64, &callstate::Rejection) -> io::Result<()>,
    ) -> Result<LibSummary> {
        let failed = |e: &dyn std::error::Error| Error::new(Status::GenericFailure, e.to_string());
        let inputs = self.options.open(&self.paths).map_err(|e| failed(&e))?;
        let Some(path) = &self.calls else {
            return inputs
                .report(|line, r| each(line, &r))
                .map_err(|e| failed(&e));
        };
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let file = std::fs::File::create(path).map_err(|e| failed(&named(e)))?;
        let mut out = io::BufWriter::new(file);
        let (summary, _) = inputs
            .report_with_calls(
                |line, r| each(line, &r),
                |call| writeln!(out, "{}", call.to_json()).map_err(named),
            )
            .map_err(|e| failed(&e))?;
        out.flush().map_err(|e| failed(&named(e)))?;
        Ok(summary)
    }
}

/// Replays log files (JSON lines, gzip or not; several files are one log in
/// parts) and returns the SPEC §7 report: the lines and the summary that
/// `callstate replay --json` prints. With `onLine`, each report line is handed
/// to it as it is found and not kept (memory stays bounded for any log); an
/// exception thrown by `onLine` stops the replay and is rethrown.
/// Runs on the calling thread: see `replayFileAsync` to keep the event loop free.
#[napi(
    ts_args_type = "path: string | string[], options?: ReplayOptions, onLine?: (line: ReportLine) => void"
)]
pub fn replay_file(
    env: Env,
    path: Either<String, Vec<String>>,
    options: Option<ReplayOptions>,
    on_line: Option<JsFunction>,
) -> Result<ReplayResult> {
    let run = ReplayRun::new(path, options)?;
    let mut lines = Vec::new();
    let mut failure: Option<Error> = None;
    let result = run.run(|line, r| {
        let step = parse_json(&env, &report_text(line, r)).and_then(|value| match &on_line {
            Some(callback) => callback.call(None, &[value]).map(drop),
            None => {
                lines.push(value);
                Ok(())
            }
        });
        step.map_err(|e| {
            failure = Some(e);
            io::Error::other("stopped")
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(ReplayResult {
        summary: summary(&result?),
        lines,
    })
}

pub struct ReplayTask {
    run: ReplayRun,
}

impl Task for ReplayTask {
    type Output = (LibSummary, Vec<String>);
    type JsValue = ReplayResult;

    fn compute(&mut self) -> Result<Self::Output> {
        let mut lines = Vec::new();
        let summary = self.run.run(|line, r| {
            lines.push(report_text(line, r));
            Ok(())
        })?;
        Ok((summary, lines))
    }

    fn resolve(&mut self, env: Env, (s, lines): Self::Output) -> Result<ReplayResult> {
        let lines = lines
            .iter()
            .map(|l| parse_json(&env, l))
            .collect::<Result<Vec<_>>>()?;
        Ok(ReplayResult {
            summary: summary(&s),
            lines,
        })
    }
}

/// `replayFile` on a worker thread: a Promise of the same result. The report
/// lines are kept until it resolves (the log is not).
#[napi(
    ts_args_type = "path: string | string[], options?: ReplayOptions",
    ts_return_type = "Promise<ReplayResult>"
)]
pub fn replay_file_async(
    path: Either<String, Vec<String>>,
    options: Option<ReplayOptions>,
) -> Result<napi::bindgen_prelude::AsyncTask<ReplayTask>> {
    Ok(napi::bindgen_prelude::AsyncTask::new(ReplayTask {
        run: ReplayRun::new(path, options)?,
    }))
}

/// A replay fed one line at a time, for logs that arrive from a stream (a
/// socket, `readline`, …): memory grows with agents and interactions, never
/// with lines. Line numbers count every line fed, blank ones too.
#[napi]
pub struct Replay {
    inner: replay::Replay,
}

#[napi]
impl Replay {
    #[napi(constructor)]
    pub fn new(options: Option<EngineOptions>) -> Result<Replay> {
        let options = options.unwrap_or_default();
        let options = options_of(options.mode.as_deref(), options.initial.as_deref())?;
        Ok(Replay {
            inner: options.start(),
        })
    }

    /// Reads the next line (without its newline): its report line, or `null`
    /// when it was accepted or blank.
    #[napi(
        ts_args_type = "line: string | Buffer",
        ts_return_type = "ReportLine | null"
    )]
    pub fn feed(&mut self, env: Env, line: Either<String, Buffer>) -> Result<Option<JsUnknown>> {
        let bytes: &[u8] = match &line {
            Either::A(text) => text.as_bytes(),
            Either::B(buffer) => buffer,
        };
        match self
            .inner
            .feed(callstate::wire::input::Line::from_text(bytes))
        {
            LibVerdict::NotAccepted(r) => {
                parse_json(&env, &report_text(self.inner.line(), &r)).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The summary of everything fed so far.
    #[napi]
    pub fn summary(&self) -> Summary {
        summary(&self.inner.summary())
    }

    /// The number of the last line fed.
    #[napi(getter)]
    pub fn line(&self) -> i64 {
        count(self.inner.line())
    }
}

/// The rejection kinds of SPEC §4, in their order of precedence.
#[napi(
    ts_return_type = "Array<'malformed' | 'unknown_event' | 'out_of_order' | 'agent_busy' | 'interaction_mismatch' | 'agent_not_ready' | 'no_active_call' | 'illegal_transition'>"
)]
pub fn rejection_kinds() -> Vec<String> {
    use strum::IntoEnumIterator;
    callstate::RejectionKind::iter()
        .map(|k| k.name().to_owned())
        .collect()
}
