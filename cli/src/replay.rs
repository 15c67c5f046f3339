//! `callstate replay`: the conformance report (SPEC §7), for a person or as JSON
//! lines.

use super::inputs::{input_error, Inputs};
use super::output::{self, say};
use super::{ReplayArgs, EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS};
use callstate::replay::time_report::HumanTimeReport;
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
    let options = args.time.apply(options);
    let mut replay = options.start();
    let mut human_time = HumanTimeReport::new(usize::from(args.show));
    let mut human = HumanReport::new(usize::from(args.show))
        .verbose(args.verbose)
        .name_inputs(inputs.len() > 1);
    let report = |replay: &mut Replay, verdict: Verdict| {
        progress.tick(replay.line());
        match verdict {
            Verdict::NotAccepted(r) if args.json => {
                replay::write_json_violation(&mut out, replay.line(), &r)?;
            }
            Verdict::NotAccepted(r) => human.note(replay.line(), &r),
            _ => {}
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
    let summary = replay.summary();
    let mut code = verdict(&summary, input.allow_unknown, error.as_ref());
    if code == EXIT_OK && options.fails(&summary) {
        code = EXIT_VIOLATIONS;
    }
    let open = match summary.findings {
        Some(_) => replay.engine().open_stays(),
        None => Vec::new(),
    };
    let written = if args.json {
        open.iter()
            .try_for_each(|o| replay::write_json_open(&mut out, o))
            .and_then(|()| replay::write_json_summary(&mut out, &summary))
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
            .and_then(|()| match &summary.findings {
                Some(counts) => human_time.write(&mut out, counts, &open),
                None => Ok(()),
            })
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
