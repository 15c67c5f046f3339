//! Python bindings of `callstate` (PyO3): the library's engine, wire parser,
//! replay and outbound events with their types mapped to Python classes. No
//! rule of the SPEC is written here: every verdict, repair, report line and
//! outbound event comes from the library.

#![deny(clippy::unwrap_used, clippy::expect_used)]
// As in the library: `Rejection` is the error callers read field by field.
#![allow(clippy::result_large_err)]
// PyO3 0.22's #[pymethods] expansion converts PyErr into itself (fixed in 0.23).
#![allow(clippy::useless_conversion)]

use callstate::replay::{
    self as lib_replay, Replay as LibReplay, ReplayOptions, ReportLine as LibReportLine,
    Summary as LibSummary, Verdict as LibVerdict,
};
use callstate::wire::input::Line;
use callstate::{Rejection as LibRejection, Repair};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};

create_exception!(
    _callstate,
    CallstateError,
    PyValueError,
    "A bad option, snapshot or log: the message says what was wrong."
);

fn error(message: impl Into<String>) -> PyErr {
    CallstateError::new_err(message.into())
}

/// The library's options with `mode` and `initial`.
fn options_of(mode: &str, initial: &str) -> PyResult<ReplayOptions> {
    ReplayOptions::default()
        .with_names(Some(mode), Some(initial))
        .map_err(|e| error(e.to_string()))
}

/// `callstate.RejectionKind(name)`: the Python enum (defined in `__init__.py`).
fn kind_enum(py: Python<'_>, name: &str) -> PyResult<PyObject> {
    static CLASS: GILOnceCell<PyObject> = GILOnceCell::new();
    let class = CLASS.get_or_try_init(py, || -> PyResult<PyObject> {
        Ok(py
            .import_bound("callstate")?
            .getattr("RejectionKind")?
            .unbind())
    })?;
    Ok(class.bind(py).call1((name,))?.unbind())
}

fn json_module(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static JSON: GILOnceCell<PyObject> = GILOnceCell::new();
    Ok(JSON
        .get_or_try_init(py, || -> PyResult<PyObject> {
            Ok(py.import_bound("json")?.into_any().unbind())
        })?
        .bind(py))
}

/// JSON text the library wrote, as Python values (`json.loads`: dicts keep the
/// library's key order).
fn loads(py: Python<'_>, text: &str) -> PyResult<PyObject> {
    Ok(json_module(py)?.call_method1("loads", (text,))?.unbind())
}

// ---------------------------------------------------------------- verdicts

/// An agent's state: phase, role, recording and availability (SPEC §1).
#[pyclass(module = "callstate", frozen, get_all)]
pub struct Status {
    phase: &'static str,
    /// Whose call it is (SPEC v3 §1): "owner" with no call.
    role: String,
    recording: String,
    availability: String,
}

#[pymethods]
impl Status {
    fn __repr__(&self) -> String {
        format!(
            "Status(phase={:?}, role={:?}, recording={:?}, availability={:?})",
            self.phase, self.role, self.recording, self.availability
        )
    }
}

/// An applied transition: a record's own, or one that resync inferred.
#[pyclass(module = "callstate", frozen, get_all)]
pub struct Transition {
    /// The canonical event name.
    event: &'static str,
    /// The state before (`from` is a keyword).
    from_: Py<Status>,
    /// The state after.
    to: Py<Status>,
    /// The call the transition is about, or None.
    interaction: Option<String>,
}

#[pymethods]
impl Transition {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Transition(event={:?}, from_={}, to={}, interaction={})",
            self.event,
            self.from_.get().__repr__(),
            self.to.bind(py).get().__repr__(),
            self.interaction
                .as_deref()
                .map_or("None".to_owned(), |i| format!("{i:?}"))
        )
    }
}

fn status(py: Python<'_>, s: &callstate::Status) -> PyResult<Py<Status>> {
    Py::new(
        py,
        Status {
            phase: s.phase.into(),
            role: s.role.to_string(),
            recording: s.recording.to_string(),
            availability: s.availability.to_string(),
        },
    )
}

fn transition(
    py: Python<'_>,
    t: &callstate::Transition,
    call: Option<&str>,
) -> PyResult<Py<Transition>> {
    Py::new(
        py,
        Transition {
            event: t.event.name(),
            from_: status(py, &t.from)?,
            to: status(py, &t.to)?,
            interaction: call.map(str::to_owned),
        },
    )
}

/// A record the engine accepted.
#[pyclass(module = "callstate", frozen, get_all)]
pub struct Accepted {
    /// Always True.
    accepted: bool,
    /// The record's transition; None for a record accepted without change (a
    /// notice, an agent notice, a late notification: SPEC v3 §3.3).
    transition: Option<Py<Transition>>,
}

#[pymethods]
impl Accepted {
    fn __repr__(&self) -> String {
        match &self.transition {
            Some(t) => format!("Accepted({})", t.get().event),
            None => "Accepted(unchanged)".to_owned(),
        }
    }
}

/// A record that was not accepted (SPEC §4), with resync's repair (SPEC §8).
#[pyclass(module = "callstate", frozen)]
pub struct Rejected {
    /// Always False.
    #[pyo3(get)]
    accepted: bool,
    /// The record's agent id, when a non-empty string.
    #[pyo3(get)]
    agent: Option<String>,
    /// The interaction id the record named, when a non-empty string.
    #[pyo3(get)]
    interaction: Option<String>,
    /// The canonical event name when known, else as given.
    #[pyo3(get)]
    event: Option<String>,
    /// The phase the record met (None for malformed).
    #[pyo3(get)]
    state: Option<&'static str>,
    /// The events the met state would have accepted.
    #[pyo3(get)]
    allowed: Vec<&'static str>,
    /// The interaction the agent held.
    #[pyo3(get)]
    held: Option<String>,
    /// What was wrong, in one line.
    #[pyo3(get)]
    message: String,
    /// Resync only: "skip" or "infer".
    #[pyo3(get)]
    repair: Option<&'static str>,
    /// The rule of SPEC §8 that decided (1 to 10).
    #[pyo3(get)]
    rule: Option<u8>,
    /// repair == "infer": the inferred transitions, in order.
    #[pyo3(get)]
    inferred: Option<Vec<Py<Transition>>>,
    /// repair == "infer": the record's own transition, applied after them.
    #[pyo3(get)]
    transition: Option<Py<Transition>>,
    kind_name: &'static str,
}

#[pymethods]
impl Rejected {
    /// The rejection kind, a `callstate.RejectionKind`.
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<PyObject> {
        kind_enum(py, self.kind_name)
    }

    fn __repr__(&self) -> String {
        format!("Rejected({}: {})", self.kind_name, self.message)
    }
}

/// The one place that reads `Rejection`'s fields (to become accessor methods).
fn rejected(py: Python<'_>, r: &LibRejection) -> PyResult<Rejected> {
    let repair = r.repair();
    let inferred = match repair {
        Some(rep @ Repair::Infer { .. }) => Some(
            rep.inferred()
                .iter()
                .map(|i| transition(py, &i.transition, i.call.as_deref()))
                .collect::<PyResult<Vec<_>>>()?,
        ),
        _ => None,
    };
    let own = match repair.and_then(|rep| rep.transition().map(|t| (t, rep.call()))) {
        Some((t, call)) => Some(transition(py, t, call)?),
        None => None,
    };
    Ok(Rejected {
        accepted: false,
        kind_name: r.kind().name(),
        agent: r.agent().map(str::to_owned),
        interaction: r.interaction().map(str::to_owned),
        event: r.event().map(str::to_owned),
        state: r.state().map(<&str>::from),
        allowed: r.allowed().iter().map(|e| e.name()).collect(),
        held: r.held().map(str::to_owned),
        message: r.to_string(),
        repair: repair.map(Repair::name),
        rule: repair.map(|r| r.rule().number()),
        inferred,
        transition: own,
    })
}

type Applied = Result<(callstate::Accepted, Option<String>), LibRejection>;

fn verdict(py: Python<'_>, result: &Applied) -> PyResult<PyObject> {
    match result {
        Ok((accepted, call)) => Ok(Py::new(
            py,
            Accepted {
                accepted: true,
                // Accepted without change (SPEC v3 §3.3): no transition, as in Node.
                transition: match accepted.transition() {
                    Some(t) => Some(transition(py, t, call.as_deref())?),
                    None => None,
                },
            },
        )?
        .into_any()),
        Err(r) => Ok(Py::new(py, rejected(py, r)?)?.into_any()),
    }
}

// ---------------------------------------------------------------- Engine

/// A record as a line of JSON: a str, bytes (UTF-8 or not: the library says),
/// or a mapping written with `json.dumps`.
fn record_line(record: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(text) = record.downcast::<PyString>() {
        return Ok(text.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(bytes) = record.downcast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if record.downcast::<PyDict>().is_ok() || record.hasattr("keys")? {
        let text = json_module(record.py())?.call_method1("dumps", (record,))?;
        return Ok(text.extract::<String>()?.into_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "a record must be a dict, a str or bytes of JSON, not {}",
        record.get_type().name()?
    )))
}

/// The call-state engine: one machine per agent, records applied one at a time.
#[pyclass(module = "callstate")]
pub struct Engine {
    inner: callstate::Engine,
}

#[pymethods]
impl Engine {
    /// `Engine(mode="resync" | "strict", initial="ready" | "idle", *, time=False,
    /// limits=None, grace=None)`. Time rules (SPEC §11) are on with `time=True`,
    /// or when `limits` (`["wrapUp=10m"]`) or `grace` (`"5s"`) is given.
    #[new]
    #[pyo3(signature = (mode = "resync", initial = "ready", *, time = false, limits = None, grace = None))]
    fn new(
        mode: &str,
        initial: &str,
        time: bool,
        limits: Option<Vec<String>>,
        grace: Option<&str>,
    ) -> PyResult<Engine> {
        let options = options_of(mode, initial)?;
        let mut inner = callstate::Engine::starting(options.initial()).with_mode(options.mode());
        if time || limits.is_some() || grace.is_some() {
            let rules = callstate::TimeRules::from_texts(&limits.unwrap_or_default(), grace)
                .map_err(|e| error(e.to_string()))?;
            inner = inner.with_time(rules);
        }
        Ok(Engine { inner })
    }

    /// Moves the clock to `now` (ms since the epoch) if later; the `overdue`
    /// findings that became due, as dicts (SPEC §11.7's keys, `line` None).
    fn advance(&mut self, py: Python<'_>, now: i64) -> PyResult<Vec<PyObject>> {
        findings(py, &self.inner.advance(now))
    }

    /// The findings of the records applied since the last call, as dicts.
    fn take_findings(&mut self, py: Python<'_>) -> PyResult<Vec<PyObject>> {
        findings(py, &self.inner.take_findings())
    }

    /// Applies one record (a dict, or JSON text as str/bytes, in any shape of
    /// SPEC §5): `Accepted` or `Rejected`. A record that is not JSON, not an
    /// object or lacks a field is a `Rejected` of kind MALFORMED, as in replay.
    fn apply(&mut self, record: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        let line = record_line(record)?;
        verdict(record.py(), &lib_replay::apply_line(&mut self.inner, &line))
    }

    /// `apply`, also giving the outbound events (SPEC §6, and in resync mode
    /// the inferred transitions' too, SPEC §8) as dicts: `(verdict, events)`.
    fn emit(&mut self, record: &Bound<'_, PyAny>) -> PyResult<(PyObject, Vec<PyObject>)> {
        let py = record.py();
        let line = record_line(record)?;
        let (result, events) = lib_replay::emit_line(&mut self.inner, &line);
        let events = events
            .iter()
            .map(|e| loads(py, &e.to_json()))
            .collect::<PyResult<Vec<_>>>()?;
        Ok((verdict(py, &result)?, events))
    }

    /// The phase `agent` is in (the initial phase if never seen).
    fn phase_of(&self, agent: &str) -> &'static str {
        self.inner.phase_of(agent).into()
    }

    /// The interaction `agent` holds, or None.
    fn interaction_of(&self, agent: &str) -> Option<String> {
        self.inner
            .agent(agent)
            .and_then(|m| m.interaction())
            .map(str::to_owned)
    }

    /// How many agents hold a call.
    #[getter]
    fn open_calls(&self) -> usize {
        self.inner.open_calls()
    }

    /// How many agents the engine knows.
    #[getter]
    fn agents(&self) -> usize {
        self.inner.len()
    }

    /// "resync" or "strict".
    #[getter]
    fn mode(&self) -> &'static str {
        self.inner.mode().name()
    }

    /// The engine's whole state as JSON text (the library's snapshot format).
    fn snapshot(&self) -> String {
        self.inner.to_snapshot_json()
    }

    /// An engine that goes on exactly where the snapshot's stopped.
    #[staticmethod]
    fn restore(snapshot: &str) -> PyResult<Engine> {
        callstate::Engine::from_snapshot_json(snapshot)
            .map(|inner| Engine { inner })
            .map_err(|e| error(e.to_string()))
    }
}

/// Findings as dicts, keyed as `callstate replay --json` writes them.
fn findings(py: Python<'_>, found: &[callstate::Finding]) -> PyResult<Vec<PyObject>> {
    found
        .iter()
        .map(|f| loads(py, &lib_replay::FindingLine::new(None, f).to_json()))
        .collect()
}

// ---------------------------------------------------------------- replay

/// The closing summary of SPEC §7.
#[pyclass(module = "callstate", frozen)]
pub struct Summary {
    #[pyo3(get)]
    records: u64,
    #[pyo3(get)]
    accepted: u64,
    #[pyo3(get)]
    rejected: u64,
    #[pyo3(get)]
    unknown: u64,
    #[pyo3(get)]
    malformed: u64,
    #[pyo3(get)]
    agents: u64,
    #[pyo3(get)]
    interactions: u64,
    #[pyo3(get)]
    open_calls: u64,
    #[pyo3(get)]
    repaired: Option<u64>,
    #[pyo3(get)]
    skipped: Option<u64>,
    #[pyo3(get)]
    inferred: Option<u64>,
    #[pyo3(get)]
    clean_interactions: Option<u64>,
    json: String,
}

#[pymethods]
impl Summary {
    /// The object `callstate replay --json` prints inside `{"summary": …}`.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        loads(py, &self.json)
    }

    fn __repr__(&self) -> String {
        format!("Summary({})", self.json)
    }
}

fn summary(s: &LibSummary) -> Summary {
    Summary {
        records: s.records,
        accepted: s.accepted,
        rejected: s.rejected,
        unknown: s.unknown,
        malformed: s.malformed,
        agents: s.agents,
        interactions: s.interactions,
        open_calls: s.open_calls,
        repaired: s.repaired,
        skipped: s.skipped,
        inferred: s.inferred,
        clean_interactions: s.clean_interactions,
        json: s.to_json(),
    }
}

/// One report line of `callstate replay --json` (SPEC §7).
#[pyclass(module = "callstate", frozen)]
pub struct ReportLine {
    #[pyo3(get)]
    line: u64,
    #[pyo3(get)]
    agent: Option<String>,
    #[pyo3(get)]
    interaction: Option<String>,
    #[pyo3(get)]
    event: Option<String>,
    #[pyo3(get)]
    state: Option<&'static str>,
    #[pyo3(get)]
    repair: Option<&'static str>,
    #[pyo3(get)]
    inferred: Option<Vec<&'static str>>,
    #[pyo3(get)]
    message: String,
    kind_name: &'static str,
    json: String,
}

#[pymethods]
impl ReportLine {
    /// The rejection kind, a `callstate.RejectionKind`.
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<PyObject> {
        kind_enum(py, self.kind_name)
    }

    /// Exactly the object `callstate replay --json` prints for this line.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        loads(py, &self.json)
    }

    fn __repr__(&self) -> String {
        format!("ReportLine({})", self.json)
    }
}

fn report_line(line: u64, r: &LibRejection) -> ReportLine {
    let lib = LibReportLine::new(line, r);
    ReportLine {
        line,
        json: lib.to_json(),
        kind_name: lib.kind,
        agent: lib.agent.map(str::to_owned),
        interaction: lib.interaction.map(str::to_owned),
        event: lib.event.map(str::to_owned),
        state: lib.phase.map(<&str>::from),
        repair: lib.repair,
        inferred: lib.inferred,
        message: lib.message,
    }
}

/// What the replay thread of a file sends.
enum FromFile {
    Line(ReportLine),
    End(Result<LibSummary, String>),
}

enum Feed {
    /// Files replayed on a thread (the library's parallel reader, as the CLI).
    Files(Receiver<FromFile>),
    /// Lines pulled from a Python iterable.
    Lines {
        lines: PyObject,
        replay: Box<LibReplay>,
    },
    Done,
}

/// The report of `callstate.replay`: iterate it for the report lines (read as
/// the log is, never holding it); `summary` once the input is read.
#[pyclass(module = "callstate")]
pub struct ReplayReport {
    feed: Feed,
    /// Lines read ahead when `summary` was asked for early.
    pending: VecDeque<ReportLine>,
    summary: Option<Py<Summary>>,
}

impl ReplayReport {
    /// The next report line, or `None` at the end (the summary is then set).
    fn next_line(&mut self, py: Python<'_>) -> PyResult<Option<ReportLine>> {
        if let Some(line) = self.pending.pop_front() {
            return Ok(Some(line));
        }
        match &mut self.feed {
            Feed::Done => Ok(None),
            Feed::Files(_) => {
                // The receiver goes to the waiting (GIL-free) closure and back.
                let Feed::Files(rx) = std::mem::replace(&mut self.feed, Feed::Done) else {
                    return Ok(None);
                };
                let (rx, message) = py.allow_threads(move || {
                    let message = rx.recv();
                    (rx, message)
                });
                self.feed = Feed::Files(rx);
                match message {
                    Ok(FromFile::Line(line)) => Ok(Some(line)),
                    Ok(FromFile::End(Ok(s))) => {
                        self.finish(py, &s)?;
                        Ok(None)
                    }
                    Ok(FromFile::End(Err(e))) => {
                        self.feed = Feed::Done;
                        Err(error(e))
                    }
                    Err(_) => {
                        self.feed = Feed::Done;
                        Err(error("the replay thread stopped"))
                    }
                }
            }
            Feed::Lines { lines, replay } => {
                let iter = lines.bind(py);
                loop {
                    let Some(item) = iter.iter()?.next() else {
                        let s = replay.summary();
                        self.finish(py, &s)?;
                        return Ok(None);
                    };
                    let item = item?;
                    let verdict = if let Ok(text) = item.downcast::<PyString>() {
                        replay.feed(Line::from_text(text.to_cow()?.as_bytes()))
                    } else if let Ok(bytes) = item.downcast::<PyBytes>() {
                        replay.feed(Line::from_text(bytes.as_bytes()))
                    } else {
                        return Err(PyTypeError::new_err(format!(
                            "log lines must be str or bytes, not {}",
                            item.get_type().name()?
                        )));
                    };
                    if let LibVerdict::NotAccepted(r) = verdict {
                        return Ok(Some(report_line(replay.line(), &r)));
                    }
                }
            }
        }
    }

    fn finish(&mut self, py: Python<'_>, s: &LibSummary) -> PyResult<()> {
        self.summary = Some(Py::new(py, summary(s))?);
        self.feed = Feed::Done;
        Ok(())
    }
}

#[pymethods]
impl ReplayReport {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<ReportLine>> {
        self.next_line(py)
    }

    /// The summary of SPEC §7. Asked for before the report lines were all
    /// read, it reads the rest of the input first (keeping the report lines
    /// not yet iterated, not the log).
    #[getter]
    fn summary(&mut self, py: Python<'_>) -> PyResult<Py<Summary>> {
        let mut ahead = VecDeque::new();
        while self.summary.is_none() {
            // `pending` is drained by next_line first, then refilled below.
            match self.next_line(py)? {
                Some(line) => ahead.push_back(line),
                None => break,
            }
        }
        ahead.extend(self.pending.drain(..));
        self.pending = ahead;
        self.summary
            .as_ref()
            .map(|s| s.clone_ref(py))
            .ok_or_else(|| error("the replay ended without a summary"))
    }
}

/// `replay(source, *, mode="resync", initial="ready", jobs=None,
/// max_line_bytes=None)`: replays a log — a path (or a list of paths: one log
/// in parts; gzip is read too), or any iterable of str/bytes lines — and
/// returns a `ReplayReport`, which streams.
#[pyfunction]
#[pyo3(signature = (source, *, mode = "resync", initial = "ready", jobs = None, max_line_bytes = None, calls = None))]
fn replay(
    source: &Bound<'_, PyAny>,
    mode: &str,
    initial: &str,
    jobs: Option<usize>,
    max_line_bytes: Option<usize>,
    calls: Option<PathBuf>,
) -> PyResult<ReplayReport> {
    let mut options = options_of(mode, initial)?;
    if let Some(jobs) = jobs {
        options = options.with_jobs(jobs);
    }
    if let Some(max) = max_line_bytes {
        options = options.with_max_line_bytes(max);
    }
    let paths: Option<Vec<PathBuf>> = if let Ok(path) = source.extract::<PathBuf>() {
        // str and os.PathLike are paths; bytes are not (an iterable of ints).
        Some(vec![path])
    } else if let Ok(list) = source.downcast::<PyList>() {
        list.iter()
            .map(|p| p.extract::<PathBuf>())
            .collect::<PyResult<Vec<_>>>()
            .ok()
    } else {
        None
    };
    let feed = match paths {
        Some(paths) if paths.is_empty() => return Err(error("replay needs at least one path")),
        Some(paths) => {
            let inputs = options.open(&paths).map_err(|e| error(e.to_string()))?;
            let calls_file = match &calls {
                Some(path) => Some(CallsFile::create(path).map_err(|e| error(e.to_string()))?),
                None => None,
            };
            let (tx, rx) = sync_channel(1024);
            std::thread::Builder::new()
                .name("callstate-replay".into())
                .spawn(move || {
                    let send = |line, r: LibRejection| {
                        tx.send(FromFile::Line(report_line(line, &r)))
                            .map_err(|_| io::Error::other("the report was dropped"))
                    };
                    let end = match calls_file {
                        None => inputs.report(send),
                        Some(mut file) => inputs
                            .report_with_calls(send, |call| file.write_call(&call))
                            .and_then(|(summary, _)| {
                                file.flush()
                                    .map_err(callstate::replay::ReplayError::Stopped)?;
                                Ok(summary)
                            }),
                    }
                    .map_err(|e| e.to_string());
                    // The receiver may be gone (the report was dropped early).
                    let _ = tx.send(FromFile::End(end));
                })
                .map_err(|e| error(format!("cannot start the replay thread: {e}")))?;
            Feed::Files(rx)
        }
        None if calls.is_some() => {
            return Err(PyTypeError::new_err(
                "calls= needs a path or a list of paths as the source",
            ))
        }
        None => {
            if source.downcast::<PyBytes>().is_ok() || source.iter().is_err() {
                return Err(PyTypeError::new_err(format!(
                    "replay takes a path, a list of paths or an iterable of lines, not {}",
                    source.get_type().name()?
                )));
            }
            Feed::Lines {
                lines: source.iter()?.into_any().unbind(),
                replay: Box::new(options.start()),
            }
        }
    };
    Ok(ReplayReport {
        feed,
        pending: VecDeque::new(),
        summary: None,
    })
}

/// The rejection kinds of SPEC §4, in their order of precedence.
#[pyfunction]
fn rejection_kinds() -> Vec<&'static str> {
    use strum::IntoEnumIterator;
    callstate::RejectionKind::iter()
        .map(callstate::RejectionKind::name)
        .collect()
}

#[pymodule]
fn _callstate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_class::<Accepted>()?;
    m.add_class::<Rejected>()?;
    m.add_class::<Transition>()?;
    m.add_class::<Status>()?;
    m.add_class::<Summary>()?;
    m.add_class::<ReportLine>()?;
    m.add_class::<ReplayReport>()?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(rejection_kinds, m)?)?;
    m.add("CallstateError", m.py().get_type_bound::<CallstateError>())?;
    Ok(())
}

/// The `calls=` file of `replay`: every call as a JSON line (SPEC §12), its
/// errors naming it.
struct CallsFile {
    out: io::BufWriter<std::fs::File>,
    path: PathBuf,
}

impl CallsFile {
    fn create(path: &std::path::Path) -> io::Result<CallsFile> {
        let file = std::fs::File::create(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(CallsFile {
            out: io::BufWriter::new(file),
            path: path.to_owned(),
        })
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", self.path.display()),
        )
    }

    fn write_call(&mut self, call: &callstate::replay::calls::CallRecord) -> io::Result<()> {
        use std::io::Write;
        let written = writeln!(self.out, "{}", call.to_json());
        written.map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        use std::io::Write;
        let flushed = self.out.flush();
        flushed.map_err(|e| self.named(e))
    }
}
