//! The commands that write without reading: `paths`, `graph` and `simulate`.

use super::output::{self, say};
use super::{GraphArgs, PathsArgs, PathsFormat, SimulateArgs, EXIT_ERROR, EXIT_OK};
use crate::derived::graph;
use crate::derived::paths as table_paths;
use crate::testing::simulate as sim;
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
    let config = sim::Config {
        agents: args.agents,
        records: args.records,
        seed: args.seed,
        faults: args.faults,
        format: args.format.into(),
        initial: args.initial.into(),
    };
    if let Err(e) = config.validate() {
        say(format_args!("{e}\nhint: see callstate simulate --help"));
        return Ok(EXIT_ERROR);
    }
    let summary = sim::write(&config, &mut output::stdout())?;
    if io::stderr().is_terminal() {
        say(format_args!("wrote {summary}"));
    }
    Ok(EXIT_OK)
}
