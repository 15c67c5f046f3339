//! The commands that write without reading: `paths`, `graph` and `simulate`.

use super::output::{self, say};
use super::{GraphArgs, PathsArgs, PathsFormat, SimulateArgs, EXIT_ERROR, EXIT_OK};
use callstate::graph;
use callstate::paths as table_paths;
use callstate::simulate as sim;
use std::io::{self, IsTerminal, Write};

pub(super) fn paths(args: &PathsArgs) -> io::Result<i32> {
    let all = table_paths::all();
    let mut out = output::stdout();
    match args.format {
        PathsFormat::Jsonl => table_paths::write_jsonl(&all, &mut out)?,
        PathsFormat::Json => table_paths::write_json(&all, &mut out)?,
    }
    out.flush()?;
    Ok(EXIT_OK)
}

pub(super) fn graph(args: &GraphArgs) -> io::Result<i32> {
    let mut out = output::stdout();
    out.write_all(graph::render(args.format.into()).as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}

pub(super) fn simulate(args: &SimulateArgs) -> io::Result<i32> {
    let Some(format) = args.format.format() else {
        return simulate_webex(args);
    };
    let config = sim::Config {
        agents: args.agents,
        records: args.records,
        seed: args.seed,
        faults: args.faults,
        loss: args.loss,
        format,
        initial: args.initial.into(),
    };
    if let Err(e) = config.validate() {
        say(format_args!("{e}\nhint: see callstate simulate --help"));
        return Ok(EXIT_ERROR);
    }
    if !(0.0..=1.0).contains(&args.time_faults) {
        say(format_args!(
            "the time fault rate must be between 0 and 1, not {}\nhint: see callstate simulate --help",
            args.time_faults
        ));
        return Ok(EXIT_ERROR);
    }
    let timed = args.time_faults > 0.0 || args.findings_truth.is_some();
    let summary = if args.calls_truth.is_none() && !args.realistic && !timed {
        match &args.truth {
            None => sim::write(&config, &mut output::stdout())?,
            Some(path) => sim::write_with_truth(&config, &mut output::stdout(), &mut truth(path)?)?,
        }
    } else {
        let mut simulator = sim::Simulator::new(&config).map_err(io::Error::other)?;
        if args.realistic {
            simulator = simulator.realistic();
        }
        let mut faults = args.truth.as_deref().map(truth).transpose()?;
        let mut calls = args.calls_truth.as_deref().map(truth).transpose()?;
        let faults = faults.as_mut().map(|f| f as &mut dyn Write);
        let calls = calls.as_mut().map(|f| f as &mut dyn Write);
        if timed {
            simulator = simulator.with_time_faults(args.time_faults);
        }
        match args.findings_truth.as_deref() {
            None => sim::write_simulator(simulator, &mut output::stdout(), faults, calls)?,
            Some(path) => sim::write_simulator_with_findings(
                simulator,
                &mut output::stdout(),
                faults,
                calls,
                &mut truth(path)?,
            )?,
        }
    };
    if io::stderr().is_terminal() {
        say(format_args!("wrote {summary}"));
    }
    Ok(EXIT_OK)
}

/// `simulate --format webex`: Webex CC agent-days ([`sim::webex`]). Agents log
/// in at the start of their day, so `--initial` changes nothing; faults other
/// than loss are not injected.
fn simulate_webex(args: &SimulateArgs) -> io::Result<i32> {
    let config = sim::webex::Config {
        agents: args.agents,
        records: args.records,
        seed: args.seed,
        loss: args.loss,
    };
    let checked = match config.validate() {
        Err(e) => Err(e.to_string()),
        Ok(())
            if args.realistic
                || args.calls_truth.is_some()
                || args.time_faults != 0.0
                || args.findings_truth.is_some() =>
        {
            Err("--format webex takes neither --realistic, --calls-truth, --time-faults nor --findings-truth yet".to_owned())
        }
        Ok(()) if args.faults != 0.0 => {
            Err("--format webex injects no --faults (it takes --loss)".to_owned())
        }
        Ok(()) => Ok(()),
    };
    if let Err(e) = checked {
        say(format_args!("{e}\nhint: see callstate simulate --help"));
        return Ok(EXIT_ERROR);
    }
    let summary = match &args.truth {
        None => sim::webex::write(&config, &mut output::stdout())?,
        Some(path) => {
            sim::webex::write_with_truth(&config, &mut output::stdout(), &mut truth(path)?)?
        }
    };
    if io::stderr().is_terminal() {
        say(format_args!("wrote {summary}"));
    }
    Ok(EXIT_OK)
}

/// The `--truth` (or `--calls-truth`) file, created; its write errors name it.
fn truth(path: &std::path::Path) -> io::Result<output::NamedFile<'_>> {
    output::NamedFile::create(path)
}
