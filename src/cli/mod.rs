//! The `callstate` command line: argument parsing and the subcommands' I/O.
//!
//! Exit codes, for every subcommand: 0 when every record was accepted, 1 when any
//! was rejected, unknown or malformed, 2 on a usage or I/O error.

use crate::derived::graph::{self, GraphFormat};
use crate::derived::paths;
use crate::model::resync::Mode;
use crate::model::vocabulary::Availability;
use crate::replay::parallel;
use crate::replay::{self, for_each_line, Applied, HumanReport, Replay, Summary, Verdict};
use crate::testing::simulate;
use crate::wire::input::{InputError, Source, DEFAULT_MAX_LINE};
use crate::wire::outbound::{Carried, OutboundCallStateChange};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

/// Exit code: every record was accepted.
pub const EXIT_OK: i32 = 0;
/// Exit code: some record was rejected, unknown or malformed.
pub const EXIT_VIOLATIONS: i32 = 1;
/// Exit code: a usage or I/O error.
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "callstate",
    version,
    about = "Validate Webex Contact Center outbound call flows against the call-state table.",
    long_about = "Validate Webex Contact Center outbound call flows.\n\n\
        Each agent moves through the phases of one transition table (ready, reserved, \
        offered, connected, hold, consulting, consult, conference, ended, wrapUp, idle). \
        callstate replays event logs through it and reports every record it cannot accept, \
        with the reason.\n\n\
        Exit codes: 0 every record accepted, 1 some record rejected/unknown/malformed, \
        2 usage or I/O error.",
    after_help = "Examples:\n  callstate replay tests/fixtures/mixed.jsonl\n  \
        callstate replay --json calls.jsonl.gz > report.jsonl\n  \
        callstate emit tests/fixtures/clean.jsonl | head -1"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Replay event logs and report every record that was not accepted.
    #[command(after_help = "Examples:\n  \
        callstate replay tests/fixtures/mixed.jsonl          # a report for a person\n  \
        callstate replay --json a.jsonl b.jsonl.gz > r.jsonl  # one JSON line per violation, then a summary\n  \
        zcat calls.gz | callstate replay -                    # from stdin")]
    Replay(ReplayArgs),
    /// Turn accepted records into OutboundCallStateChange events (one JSON line each).
    #[command(
        after_help = "Not accepted records go to stderr as JSON lines, like `replay --json`.\n\n\
        Example:\n  callstate emit tests/fixtures/clean.jsonl > events.jsonl"
    )]
    Emit(EmitArgs),
    /// Print test paths that cover every legal transition of the table.
    #[command(
        after_help = "Each path is the shortest way from a fresh agent in `ready` to one legal \
        (phase, recording, availability, event) pair, then that event. One agent per path; the \
        whole log replays with zero rejections.\n\n\
        Examples:\n  callstate paths > paths.jsonl && callstate replay paths.jsonl\n  \
        callstate paths --format json | jq '.paths[0]'"
    )]
    Paths(PathsArgs),
    /// Draw the state machine from the transition table.
    #[command(
        after_help = "Examples:\n  callstate graph --format mermaid > machine.mmd\n  \
        callstate graph --format dot | dot -Tsvg > machine.svg"
    )]
    Graph(GraphArgs),
    /// Write a realistic interleaved event log (deterministic for a seed).
    #[command(after_help = "Examples:\n  \
        callstate simulate --agents 10000 --records 2000000 --seed 7 --format mixed > load.jsonl\n  \
        callstate simulate --agents 50 --records 20000 --faults 0.02 | callstate replay")]
    Simulate(SimulateArgs),
}

#[derive(Args, Debug)]
struct PathsArgs {
    /// `jsonl`: native records to replay; `json`: each path with the transition it targets.
    #[arg(long, value_enum, default_value_t = PathsFormat::Jsonl)]
    format: PathsFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum PathsFormat {
    Jsonl,
    Json,
}

#[derive(Args, Debug)]
struct GraphArgs {
    /// The diagram language.
    #[arg(long, value_enum, default_value_t = GraphArg::Mermaid)]
    format: GraphArg,
}

#[derive(Args, Debug)]
struct SimulateArgs {
    /// Agents taking calls.
    #[arg(long, default_value_t = 100)]
    agents: usize,
    /// Lines to write.
    #[arg(long, default_value_t = 10_000)]
    records: u64,
    /// Seed: the same seed and options give the same bytes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Share of records that carry a fault (0.0 – 1.0): missing, duplicated and
    /// reordered events, foreign interactions, unknown names, malformed and blank lines.
    #[arg(long, default_value_t = 0.0)]
    faults: f64,
    /// Share of events lost on the way (0.0 – 1.0), as real streams lose them:
    /// the agent goes through the event but no line shows it, recoverable or not.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    loss: f64,
    /// Also write the ground truth of every injected fault and lost event to
    /// FILE, one JSON object per line: line, kind, agent, interaction, event.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,
    /// Record shape: native, envelope (the seed's), websocket, or mixed per line.
    #[arg(long, value_enum, default_value_t = ShapeArg::Native)]
    format: ShapeArg,
    /// Where agents start (replay such a log with the same --initial).
    #[arg(long, value_enum, default_value_t = Initial::Ready)]
    initial: Initial,
}

/// Inputs and the options every log-reading subcommand shares.
#[derive(Args, Debug)]
struct InputArgs {
    /// Log files (JSON lines; gzip is detected). `-` or none reads stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Where never-seen agents start.
    #[arg(long, value_enum, default_value_t = Initial::Ready)]
    initial: Initial,
    /// Unknown event names do not fail the exit code (they stay in the report).
    #[arg(long)]
    allow_unknown: bool,
    /// Lines longer than this many bytes are reported malformed without being stored.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LINE)]
    max_line_bytes: usize,
    /// Strict mode (SPEC §4 alone, the v1 report): a rejected record changes
    /// nothing. By default replay resyncs (SPEC §8): a rejected record keeps its
    /// verdict, then is skipped or applied after inferring the events that were lost.
    #[arg(long)]
    strict: bool,
}

impl InputArgs {
    fn mode(&self) -> Mode {
        if self.strict {
            Mode::Strict
        } else {
            Mode::Resync
        }
    }
}

#[derive(Args, Debug)]
struct ReplayArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Print one JSON object per record not accepted, then a summary object
    /// (docs/conformance.md describes the format).
    #[arg(long)]
    json: bool,
    /// How many violations of each kind the report for a person shows.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16))]
    show: u16,
    /// Never draw the progress spinner (it is drawn only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// Parser threads (default: all cores). The report is identical for any N;
    /// 1 reads, parses and applies on the main thread alone.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
}

#[derive(Args, Debug)]
struct EmitArgs {
    #[command(flatten)]
    input: InputArgs,
}

/// `graph --format`: the library's [`GraphFormat`] as the command line spells it
/// (the library's enums carry no clap derives).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum GraphArg {
    /// A Mermaid `stateDiagram-v2` (renders on GitHub inside a ```` ```mermaid ```` block).
    Mermaid,
    /// A Graphviz digraph, for `dot -Tsvg`.
    Dot,
}

impl From<GraphArg> for GraphFormat {
    fn from(g: GraphArg) -> Self {
        match g {
            GraphArg::Mermaid => GraphFormat::Mermaid,
            GraphArg::Dot => GraphFormat::Dot,
        }
    }
}

/// `simulate --format`: the library's [`simulate::Format`] as the command line
/// spells it.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ShapeArg {
    /// `{"agent":…,"interaction":…,"event":…,"time":…}`, the compact shape.
    Native,
    /// The outbound envelope of the seed's sample (a few KB per line).
    Envelope,
    /// Webex CC websocket notifications (`data.type`); availability changes as
    /// `AgentStateChange` with a `subStatus`.
    Websocket,
    /// A random one of the three shapes on each line.
    Mixed,
}

impl From<ShapeArg> for simulate::Format {
    fn from(s: ShapeArg) -> Self {
        match s {
            ShapeArg::Native => simulate::Format::Native,
            ShapeArg::Envelope => simulate::Format::Envelope,
            ShapeArg::Websocket => simulate::Format::Websocket,
            ShapeArg::Mixed => simulate::Format::Mixed,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Initial {
    Ready,
    Idle,
}

impl From<Initial> for Availability {
    fn from(i: Initial) -> Self {
        match i {
            Initial::Ready => Availability::Ready,
            Initial::Idle => Availability::Idle,
        }
    }
}

/// Runs the command line with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    run(std::env::args_os())
}

/// Runs the command line with `args` (the first is the program name).
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    let result = match cli.command {
        Command::Replay(args) => replay_command(&args),
        Command::Emit(args) => emit_command(&args),
        Command::Paths(args) => paths_command(&args),
        Command::Graph(args) => graph_command(&args),
        Command::Simulate(args) => simulate_command(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_ERROR,
        Err(e) => {
            eprintln!("callstate: {e}");
            EXIT_ERROR
        }
    }
}

/// Opens every input before reading any, so a wrong path fails fast.
fn open_all(files: &[PathBuf]) -> Result<Vec<Source>, InputError> {
    let stdin = std::path::Path::new("-");
    let reads_stdin = files.is_empty() || files.iter().any(|f| f.as_path() == stdin);
    if reads_stdin && io::stdin().is_terminal() {
        eprintln!("callstate: reading records from the terminal; end with Ctrl-D (give a FILE to read a log)");
    }
    if files.is_empty() {
        return Ok(vec![Source::open(stdin)?]);
    }
    files.iter().map(|f| Source::open(f)).collect()
}

/// Opens the inputs, or says why not; `None` means exit with [`EXIT_ERROR`].
fn open_or_report(files: &[PathBuf]) -> Option<Vec<Source>> {
    open_all(files).map_err(|e| report_input_error(&e)).ok()
}

fn report_input_error(e: &InputError) {
    let hint = match e {
        InputError::Open { .. } => "\nhint: check the path; give - to read stdin",
        InputError::Directory { .. } | InputError::NoGzip { .. } => "",
        InputError::Read { .. } => {
            "\nhint: the report above covers the lines read before the error"
        }
    };
    eprintln!("callstate: {e}{hint}");
}

fn exit_code(summary: &Summary, allow_unknown: bool, error: Option<&InputError>) -> i32 {
    if let Some(e) = error {
        report_input_error(e);
        return EXIT_ERROR;
    }
    if summary.all_accepted(allow_unknown) {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    }
}

fn replay_command(args: &ReplayArgs) -> io::Result<i32> {
    let input = &args.input;
    let Some(sources) = open_or_report(&input.files) else {
        return Ok(EXIT_ERROR);
    };
    let stdout = io::stdout();
    let show_progress =
        !args.no_progress && io::stderr().is_terminal() && !(args.json && stdout.is_terminal());
    let progress = Progress::new(show_progress);
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut replay = Replay::new(input.initial.into()).with_mode(input.mode());
    let mut human = HumanReport::new(usize::from(args.show));
    let mut report = |replay: &mut Replay, verdict: Verdict| {
        progress.tick(replay.line());
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
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        usize::from,
    );
    let error = if jobs > 1 {
        parallel::replay(sources, input.max_line_bytes, jobs, &mut replay, report)?
    } else {
        for_each_line(
            sources,
            input.max_line_bytes,
            &mut replay,
            |replay, line| {
                let verdict = replay.feed(line);
                report(replay, verdict)
            },
        )?
    };
    progress.finish();
    let summary = replay.summary();
    if args.json {
        replay::write_json_summary(&mut out, &summary)?;
    } else {
        human.write(
            &mut out,
            &summary,
            &replay.counts_by_kind(),
            input.allow_unknown,
        )?;
    }
    out.flush()?;
    Ok(exit_code(&summary, input.allow_unknown, error.as_ref()))
}

fn emit_command(args: &EmitArgs) -> io::Result<i32> {
    let input = &args.input;
    let Some(sources) = open_or_report(&input.files) else {
        return Ok(EXIT_ERROR);
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut err = BufWriter::new(io::stderr().lock());
    let mut replay = Replay::new(input.initial.into()).with_mode(input.mode());
    let mut write_error: io::Result<()> = Ok(());
    let error = for_each_line(
        sources,
        input.max_line_bytes,
        &mut replay,
        |replay, line| {
            let verdict = replay.feed_with(line, |applied| {
                let event = match applied {
                    Applied::Inferred(inferred) => OutboundCallStateChange::inferred(inferred),
                    Applied::Record(a) => {
                        let carried = Carried::from_line(a.line, a.shape);
                        OutboundCallStateChange::new(a.transition, a.call, carried)
                    }
                };
                if write_error.is_ok() {
                    write_error = serde_json::to_writer(&mut out, &event)
                        .map_err(io::Error::from)
                        .and_then(|()| out.write_all(b"\n"));
                }
            });
            std::mem::replace(&mut write_error, Ok(()))?;
            if let Verdict::NotAccepted(r) = verdict {
                replay::write_json_violation(&mut err, replay.line(), &r)?;
            }
            Ok(())
        },
    )?;
    out.flush()?;
    err.flush()?;
    Ok(exit_code(
        &replay.summary(),
        input.allow_unknown,
        error.as_ref(),
    ))
}

fn paths_command(args: &PathsArgs) -> io::Result<i32> {
    let all = paths::all();
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        PathsFormat::Jsonl => paths::write_jsonl(&all, &mut out)?,
        PathsFormat::Json => paths::write_json(&all, &mut out)?,
    }
    out.flush()?;
    Ok(EXIT_OK)
}

fn graph_command(args: &GraphArgs) -> io::Result<i32> {
    let mut out = io::stdout().lock();
    out.write_all(graph::render(args.format.into()).as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}

fn simulate_command(args: &SimulateArgs) -> io::Result<i32> {
    let config = simulate::Config {
        agents: args.agents,
        records: args.records,
        seed: args.seed,
        faults: args.faults,
        loss: args.loss,
        format: args.format.into(),
        initial: args.initial.into(),
    };
    if let Err(e) = config.validate() {
        eprintln!("callstate: {e}\nhint: see callstate simulate --help");
        return Ok(EXIT_ERROR);
    }
    let summary = match &args.truth {
        None => simulate::write(&config, &mut io::stdout().lock())?,
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
            })?;
            let mut truth = BufWriter::new(file);
            simulate::write_with_truth(&config, &mut io::stdout().lock(), &mut truth)?
        }
    };
    if io::stderr().is_terminal() {
        eprintln!("callstate: wrote {summary}");
    }
    Ok(EXIT_OK)
}

/// A progress spinner on stderr, drawn only when asked for.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(show: bool) -> Progress {
        Progress(show.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {human_pos} lines  {per_sec}  {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        }))
    }

    fn tick(&self, line: u64) {
        if let Some(bar) = &self.0 {
            if line.is_multiple_of(65_536) {
                bar.set_position(line);
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
