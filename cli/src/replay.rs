//! `callstate replay`: the conformance report (SPEC §7), for a person or as JSON
//! lines.

use super::inputs::{input_error, Inputs};
use super::output::{self, say, NamedFile};
use super::{ReplayArgs, EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS};
use callstate::replay::calls::CallRecord;
use callstate::replay::durations::CallSummary;
use callstate::replay::{
    self, Ending, HumanReport, Replay, ReplayError, ReplayOptions, Summary, Verdict,
};
use callstate::wire::input::InputError;
use std::io::{self, IsTerminal, Write};

/// The exit code of a replay that read its inputs as far as `error` lets it.
pub(super) fn verdict(summary: &Summary, allow_unknown: bool, error: Option<&InputError>) -> i32 {
    if error.is_some() {
        EXIT_ERROR
    } else if summary.all_accepted(allow_unknown) {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    }
}

pub(super) fn run(args: &ReplayArgs) -> io::Result<i32> {
    let input = &args.input;
    let Some(mut inputs) = Inputs::open(&input.files) else {
        return Ok(EXIT_ERROR);
    };
    let show_progress = !args.no_progress
        && io::stderr().is_terminal()
        && !(args.json && io::stdout().is_terminal());
    let progress = inputs.progress(show_progress);
    let mut out = output::stdout();
    let options = ReplayOptions::default()
        .with_mode(input.mode())
        .with_initial(input.initial.into())
        .with_jobs(args.jobs.map_or_else(replay::default_jobs, usize::from))
        .with_max_line_bytes(input.max_line_bytes);
    let mut calls_file = match args
        .calls
        .as_deref()
        .filter(|p| *p != std::path::Path::new("-"))
    {
        Some(path) => Some(NamedFile::create(path)?),
        None => None,
    };
    let writing_calls = args.calls.is_some();
    let mut replay = options.start();
    if args.calls.is_some() || args.durations {
        replay = replay.with_calls(args.calls.is_some());
    }
    let mut human = HumanReport::new(usize::from(args.show))
        .verbose(args.verbose)
        .name_inputs(inputs.len() > 1);
    let mut write_calls = |out: &mut dyn Write, calls: &mut dyn Iterator<Item = CallRecord>| {
        let to: &mut dyn Write = match calls_file.as_mut() {
            Some(file) => file,
            None => out,
        };
        for call in calls {
            write_call(&mut *to, &call)?;
        }
        Ok::<(), io::Error>(())
    };
    let report = |replay: &mut Replay, verdict: Verdict| {
        progress.tick(replay.line());
        if writing_calls {
            write_calls(&mut out, &mut replay.take_calls())?;
        }
        match verdict {
            Verdict::NotAccepted(r) if args.json => {
                replay::write_json_violation(&mut out, replay.line(), &r)
            }
            Verdict::NotAccepted(r) => {
                human.note(replay.line(), &r);
                Ok(())
            }
            _ => Ok(()),
        }
    };
    let error = match replay::replay_sources(inputs.take_sources(), &options, &mut replay, report) {
        Ok(()) => None,
        Err(ReplayError::Input(e)) => Some(e),
        Err(ReplayError::Stopped(e)) => return Err(e),
    };
    progress.finish();
    if writing_calls {
        write_calls(&mut out, &mut replay.open_calls().into_iter())?;
    }
    if let Some(file) = calls_file.as_mut() {
        file.flush()?;
    }
    let summary = replay.summary();
    let call_summary = replay.call_summary();
    let code = verdict(&summary, input.allow_unknown, error.as_ref());
    let written = if args.json {
        replay::write_json_summary_with_calls(&mut out, &summary, call_summary.as_ref())
    } else {
        let ending = match &error {
            Some(InputError::Read { name, line, .. }) => Ending::ReadError {
                input: name,
                line: *line,
            },
            _ => Ending::Whole,
        };
        human
            .write(&mut out, &replay, input.allow_unknown, ending)
            .and_then(|()| write_human_calls(&mut out, call_summary.as_ref()))
    }
    .and_then(|()| out.flush());
    if let Some(e) = &error {
        say(input_error(e, Some(&replay)));
    }
    inputs.hint_pretty_json(&summary);
    match written {
        // The report for a person is written once every line was judged: a
        // closed stdout does not change the verdict.
        Err(e) if !args.json && output::is_closed_stdout(&e) => Ok(code),
        Err(e) => Err(e),
        Ok(()) => Ok(code),
    }
}

/// One call as a JSON line.
fn write_call(out: &mut dyn Write, call: &CallRecord) -> io::Result<()> {
    serde_json::to_writer(&mut *out, call)?;
    out.write_all(b"\n")
}

/// The calls' summary after the report for a person, when asked for.
fn write_human_calls(out: &mut impl Write, calls: Option<&CallSummary>) -> io::Result<()> {
    match calls {
        Some(calls) => {
            writeln!(out)?;
            calls.write_human(out)
        }
        None => Ok(()),
    }
}
