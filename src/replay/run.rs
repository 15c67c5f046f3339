//! A replay of whole inputs with options: the one the command line and the Node
//! and Python packages share — how many parser threads, the longest line, the
//! mode and where agents start, and how the replay ended.
//!
//! ```no_run
//! use callstate::replay::ReplayOptions;
//! use callstate::Mode;
//!
//! let options = ReplayOptions::default().with_mode(Mode::Strict);
//! let summary = options
//!     .open(&["log.jsonl", "log.1.jsonl.gz"])?
//!     .report(|line, rejection| {
//!         println!("line {line}: {rejection}");
//!         Ok(())
//!     })?;
//! println!("{} records, {} rejected", summary.records, summary.rejected);
//! # Ok::<(), callstate::replay::ReplayError>(())
//! ```

use crate::model::finding::FindingKind;
use crate::model::rejection::Rejection;
use crate::model::resync::Mode;
use crate::model::time_rules::TimeRules;
use crate::model::unknown_name::UnknownName;
use crate::model::vocabulary::Availability;
use crate::replay::calls::CallRecord;
use crate::replay::durations::CallSummary;
use crate::replay::{for_each_line, parallel, Replay, Summary, Verdict};
use crate::wire::input::{InputError, Source, DEFAULT_MAX_LINE};
use std::io;
use std::path::Path;
use strum::{EnumCount, IntoEnumIterator};

/// Parser threads when none are asked for: the machine's parallelism (1 when it
/// cannot be known).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// How inputs are replayed. The default is the command line's: resync, agents
/// start `ready`, [`default_jobs`] parser threads, lines up to
/// [`DEFAULT_MAX_LINE`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayOptions {
    mode: Mode,
    initial: Availability,
    /// `None`: [`default_jobs`], asked when the inputs are replayed.
    jobs: Option<usize>,
    max_line_bytes: usize,
    /// Time rules (SPEC §11), off by default.
    time: Option<TimeRules>,
    /// The kinds of finding that fail the exit code (SPEC §11.8), by kind.
    fail_on: [bool; FindingKind::COUNT],
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            mode: Mode::Resync,
            initial: Availability::Ready,
            jobs: None,
            max_line_bytes: DEFAULT_MAX_LINE,
            time: None,
            fail_on: [false; FindingKind::COUNT],
        }
    }
}

impl ReplayOptions {
    /// Strict or resync.
    #[must_use]
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Where never-seen agents start.
    #[must_use]
    pub fn with_initial(mut self, initial: Availability) -> Self {
        self.initial = initial;
        self
    }

    /// Parser threads; with 0 or 1 the inputs are read, parsed and applied on
    /// the calling thread alone. The report is the same for any number.
    #[must_use]
    pub fn with_jobs(mut self, jobs: usize) -> Self {
        self.jobs = Some(jobs);
        self
    }

    /// The longest line read, in bytes; a longer one is a `malformed` record.
    #[must_use]
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> Self {
        self.max_line_bytes = max_line_bytes;
        self
    }

    /// The mode and where agents start, as the command line and the Node and
    /// Python packages spell them: `"resync"` or `"strict"`, `"ready"` or
    /// `"idle"`; `None` keeps the value. The error names the option (`mode`,
    /// `initial`) and the values it takes.
    pub fn with_names(
        self,
        mode: Option<&str>,
        initial: Option<&str>,
    ) -> Result<Self, UnknownName> {
        let mode = mode.map_or(Ok(self.mode), str::parse)?;
        let initial = initial.map_or(Ok(self.initial), |name| {
            name.parse().map_err(|e: UnknownName| e.named("initial"))
        })?;
        Ok(self.with_mode(mode).with_initial(initial))
    }

    /// With time rules (SPEC §11): the replay reports findings and the summary
    /// counts them.
    #[must_use]
    pub fn with_time(mut self, rules: TimeRules) -> Self {
        self.time = Some(rules);
        self
    }

    /// With findings of `kinds` failing the verdict (SPEC §11.8:
    /// [`ReplayOptions::fails`]); turns time rules on (with the default ones)
    /// when they are off.
    #[must_use]
    pub fn with_fail_on(mut self, kinds: &[FindingKind]) -> Self {
        for &kind in kinds {
            self.fail_on[kind as usize] = true;
        }
        self.time = Some(self.time.unwrap_or_default());
        self
    }

    /// The time rules, if on.
    pub fn time(&self) -> Option<&TimeRules> {
        self.time.as_ref()
    }

    /// The kinds of finding that fail the verdict.
    pub fn fail_on(&self) -> Vec<FindingKind> {
        FindingKind::iter()
            .filter(|&k| self.fail_on[k as usize])
            .collect()
    }

    /// Does `summary` fail for its findings (SPEC §11.8)? Rejections decide on
    /// their own ([`Summary::all_accepted`]).
    pub fn fails(&self, summary: &Summary) -> bool {
        summary
            .findings
            .is_some_and(|counts| counts.any_of(&self.fail_on()))
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Where never-seen agents start.
    pub fn initial(&self) -> Availability {
        self.initial
    }

    /// Parser threads.
    pub fn jobs(&self) -> usize {
        self.jobs.unwrap_or_else(default_jobs)
    }

    /// The longest line read, in bytes.
    pub fn max_line_bytes(&self) -> usize {
        self.max_line_bytes
    }

    /// A replay not fed yet, in this mode, whose agents start as `initial`.
    pub fn start(&self) -> Replay {
        let replay = Replay::new(self.initial).with_mode(self.mode);
        match self.time {
            Some(rules) => replay.with_time(rules),
            None => replay,
        }
    }

    /// Opens every input before reading any, so that a wrong path fails first;
    /// `-` is stdin, gzip is recognized. Several inputs are one log in parts.
    pub fn open(&self, paths: &[impl AsRef<Path>]) -> Result<OpenInputs, InputError> {
        let sources = paths
            .iter()
            .map(|path| Source::open(path.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(OpenInputs {
            sources,
            options: *self,
        })
    }
}

/// Why a replay ended before the end of its inputs.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// An input could not be opened, or reading one failed (the lines read
    /// before were replayed).
    #[error(transparent)]
    Input(#[from] InputError),
    /// The caller's handler of verdicts returned this error: nothing after
    /// that verdict was applied.
    #[error(transparent)]
    Stopped(io::Error),
}

/// Replays `sources` into `replay` as `options` say (on [`parallel`] parser
/// threads when there are two or more jobs), calling `each` with every verdict in
/// input order.
pub fn replay_sources(
    sources: Vec<Source>,
    options: &ReplayOptions,
    replay: &mut Replay,
    mut each: impl FnMut(&mut Replay, Verdict) -> io::Result<()>,
) -> Result<(), ReplayError> {
    let ended = if options.jobs() > 1 {
        parallel::replay(sources, options, replay, each)
    } else {
        for_each_line(sources, options.max_line_bytes, replay, |replay, line| {
            let verdict = replay.feed(line);
            each(replay, verdict)
        })
    };
    match ended {
        Ok(None) => Ok(()),
        Ok(Some(e)) => Err(ReplayError::Input(e)),
        Err(e) => Err(ReplayError::Stopped(e)),
    }
}

/// Inputs opened by [`ReplayOptions::open`], to be replayed with those options.
#[derive(Debug)]
pub struct OpenInputs {
    sources: Vec<Source>,
    options: ReplayOptions,
}

impl OpenInputs {
    /// Replays the inputs, handing every record not accepted to `each` with
    /// its line number (the SPEC §7 report's lines, in order); returns the
    /// summary.
    pub fn report(
        self,
        mut each: impl FnMut(u64, Rejection) -> io::Result<()>,
    ) -> Result<Summary, ReplayError> {
        let mut replay = self.options.start();
        replay_sources(
            self.sources,
            &self.options,
            &mut replay,
            |replay, verdict| match verdict {
                Verdict::NotAccepted(r) => each(replay.line(), r),
                _ => Ok(()),
            },
        )?;
        Ok(replay.summary())
    }

    /// [`OpenInputs::report`], also handing every call (SPEC §12) to
    /// `each_call`: each as soon as the record that terminated it was judged
    /// (after that record's rejection, if any), then those still open at the
    /// end, by agent id. Returns the summary and the calls' summary.
    pub fn report_with_calls(
        self,
        mut each: impl FnMut(u64, Rejection) -> io::Result<()>,
        mut each_call: impl FnMut(CallRecord) -> io::Result<()>,
    ) -> Result<(Summary, CallSummary), ReplayError> {
        let mut replay = self.options.start().with_calls(true);
        let mut calls = |replay: &mut Replay| replay.take_calls().try_for_each(&mut each_call);
        let ended = replay_sources(
            self.sources,
            &self.options,
            &mut replay,
            |replay, verdict| {
                if let Verdict::NotAccepted(r) = verdict {
                    each(replay.line(), r)?;
                }
                calls(replay)
            },
        );
        // The calls open where reading stopped, as after a whole input.
        if !matches!(ended, Err(ReplayError::Stopped(_))) {
            replay
                .open_calls()
                .into_iter()
                .try_for_each(&mut each_call)
                .map_err(ReplayError::Stopped)?;
        }
        ended?;
        let summary = replay.call_summary().unwrap_or_default();
        Ok((replay.summary(), summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::write_json_violation;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// The `--json` lines of `paths` with `options`, and the summary.
    fn report(options: ReplayOptions, paths: &[PathBuf]) -> (Vec<u8>, Summary) {
        let mut out = Vec::new();
        let summary = options
            .open(paths)
            .unwrap()
            .report(|line, r| write_json_violation(&mut out, line, &r))
            .unwrap();
        (out, summary)
    }

    #[test]
    fn any_number_of_jobs_gives_the_single_threaded_report() {
        let paths = [fixture("lossy.jsonl"), fixture("edge.jsonl")];
        for mode in [Mode::Strict, Mode::Resync] {
            let options = ReplayOptions::default().with_mode(mode);
            let one = report(options.with_jobs(1), &paths);
            assert!(!one.0.is_empty());
            for jobs in [0, 2, 3] {
                assert_eq!(
                    report(options.with_jobs(jobs), &paths),
                    one,
                    "{mode:?} {jobs}"
                );
            }
        }
    }

    #[test]
    fn names_set_the_mode_and_initial_and_none_keeps_them() {
        let options = ReplayOptions::default();
        assert_eq!(
            (options.mode(), options.initial()),
            (Mode::Resync, Availability::Ready)
        );
        let named = options.with_names(Some("strict"), Some("idle")).unwrap();
        assert_eq!(
            (named.mode(), named.initial()),
            (Mode::Strict, Availability::Idle)
        );
        assert_eq!(named.with_names(None, None).unwrap(), named);
        let e = options.with_names(None, Some("busy")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("initial must be 'ready' or 'idle'"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_input_fails_before_any_is_read_and_a_handler_error_stops() {
        let options = ReplayOptions::default();
        let missing = options.open(&[fixture("lossy.jsonl"), fixture("missing.jsonl")]);
        assert!(matches!(missing, Err(InputError::Open { .. })));
        let mut seen = 0;
        let stopped = options
            .open(&[fixture("lossy.jsonl")])
            .unwrap()
            .report(|_, _| {
                seen += 1;
                Err(io::Error::other("enough"))
            });
        assert!(matches!(stopped, Err(ReplayError::Stopped(_))));
        assert_eq!(seen, 1);
    }
}
