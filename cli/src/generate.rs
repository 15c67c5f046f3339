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
    let summary = if args.calls_truth.is_none() && !args.realistic {
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
        sim::write_simulator(
            simulator,
            &mut output::stdout(),
            faults.as_mut().map(|f| f as &mut dyn Write),
            calls.as_mut().map(|f| f as &mut dyn Write),
        )?
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
        Ok(()) if args.realistic || args.calls_truth.is_some() => {
            Err("--format webex takes neither --realistic nor --calls-truth yet".to_owned())
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
