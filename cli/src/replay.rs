//! `callstate replay`: the conformance report (SPEC §7), for a person or as JSON
//! lines.

use super::inputs::{input_error, Inputs};
use super::output::{self, say, NamedFile};
use super::{ReplayArgs, EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS};
use callstate::html::HtmlReport;
use callstate::replay::calls::CallRecord;
use callstate::replay::durations::CallSummary;
use callstate::replay::time_report::HumanTimeReport;
use callstate::replay::{
    self, Ending, Flow, FlowReport, HumanReport, Replay, ReplayError, ReplayOptions, Summary,
    Verdict,
};
use callstate::wire::input::InputError;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

/// How many agents and calls the flow's worst lists hold.
const WORST: usize = 10;

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
    // The page's file is created before any input is read, so that a path that
    // cannot be written fails at once.
    let mut page = match args.html.as_deref().map(create_page).transpose() {
        Ok(page) => page,
        Err(message) => {
            say(message);
            return Ok(EXIT_ERROR);
        }
    };
    let mut flow = (args.flow || page.is_some()).then(Flow::default);
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
    let options = args.time.apply(options);
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
    let mut human_time = HumanTimeReport::new(usize::from(args.show));
    let mut human = HumanReport::new(usize::from(args.show))
        .verbose(args.verbose)
        .name_inputs(inputs.len() > 1);
    let keep_examples = !args.json || page.is_some();
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
        if let Some(flow) = flow.as_mut() {
            flow.note(replay.line(), &verdict);
        }
        match verdict {
            Verdict::NotAccepted(r) => {
                if keep_examples {
                    human.note(replay.line(), &r);
                }
                if args.json {
                    replay::write_json_violation(&mut out, replay.line(), &r)?;
                }
            }
            Verdict::Accepted(_) => match replay.take_snapshot_line() {
                Some(s) if args.json => replay::write_json_snapshot(&mut out, &s)?,
                Some(s) => human.note_snapshot(s),
                None => {}
            },
            Verdict::Blank => {}
        }
        // SPEC §11.7: a record's findings follow its own line.
        for finding in replay.take_findings() {
            if args.json {
                replay::write_json_finding(&mut out, Some(replay.line()), &finding)?;
            } else {
                human_time.note(replay.line(), &finding);
            }
        }
        Ok(())
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
    let mut code = verdict(&summary, input.allow_unknown, error.as_ref());
    if code == EXIT_OK && options.fails(&summary) {
        code = EXIT_VIOLATIONS;
    }
    let open = match summary.findings {
        Some(_) => replay.engine().open_stays(),
        None => Vec::new(),
    };
    let ending = match &error {
        Some(InputError::Read { name, line, .. }) => Ending::ReadError {
            input: name,
            line: *line,
        },
        _ => Ending::Whole,
    };
    let flow: Option<FlowReport> = flow.map(|flow| flow.report(&replay, WORST));
    let written = if args.json {
        open.iter()
            .try_for_each(|o| replay::write_json_open(&mut out, o))
            .and_then(|()| {
                replay::write_json_summary_with(
                    &mut out,
                    &summary,
                    flow.as_ref(),
                    call_summary.as_ref(),
                )
            })
    } else {
        human
            .write(&mut out, &replay, input.allow_unknown, ending)
            .and_then(|()| match &summary.findings {
                Some(counts) => human_time.write(&mut out, counts, &open),
                None => Ok(()),
            })
            .and_then(|()| write_human_calls(&mut out, call_summary.as_ref()))
    }
    .and_then(|()| out.flush());
    if let (Some((path, file)), Some(flow)) = (page.as_mut(), &flow) {
        let html = HtmlReport::new(&replay, &human, flow)
            .allow_unknown(input.allow_unknown)
            .ending(ending)
            .findings(summary.findings)
            .calls(call_summary.as_ref());
        if let Err(e) = html.write(file).and_then(|()| file.flush()) {
            say(format_args!("cannot write {}: {e}", path.display()));
            return Ok(EXIT_ERROR);
        }
    }
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

/// The file `--html` writes, created (or truncated) now; the message says why not.
fn create_page(path: &Path) -> Result<(&Path, BufWriter<File>), String> {
    File::create(path)
        .map(|file| (path, BufWriter::new(file)))
        .map_err(|e| {
            format!(
                "cannot write {}: {e}\nhint: check the --html path",
                path.display()
            )
        })
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
