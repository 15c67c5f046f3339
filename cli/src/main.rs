//! The `callstate` command line (package `callstate-cli`): argument parsing,
//! and one module per subcommand for its I/O. Everything it judges with comes
//! from the `callstate` library's public API.
//!
//! Exit codes, for every subcommand: 0 when every record was accepted, 1 when any
//! was rejected, unknown or malformed, 2 on a usage, input or output error. What
//! a failed write does is in `output.rs`: in short, a closed stdout (`| head -1`)
//! ends the run quietly, with 2 when records were left unjudged (`replay --json`,
//! `emit`), the verdict when the whole input was judged (the report for a
//! person), and 0 for the commands that judge nothing (`paths`, `graph`,
//! `simulate`).

#[cfg(feature = "kafka")]
mod consume;
mod emit;
mod generate;
mod inputs;
mod output;
mod replay;

use callstate::graph::GraphFormat;
use callstate::replay::ReplayOptions;
use callstate::simulate;
use callstate::wire::input::DEFAULT_MAX_LINE;
use callstate::Availability;
use callstate::Mode;
use callstate::{FindingKind, TimeRules};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit code: every record was accepted.
const EXIT_OK: i32 = 0;
/// Exit code: some record was rejected, unknown or malformed.
const EXIT_VIOLATIONS: i32 = 1;
/// Exit code: a usage, input or output error.
const EXIT_ERROR: i32 = 2;

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
        Exit codes: 0 every record accepted, 1 some record rejected, unknown or malformed, \
        2 a usage, input or output error. If stdout is closed early (| head), the run \
        ends quietly: replay --json and emit exit 2 (the rest was not judged), the \
        report for a person exits with its verdict, paths, graph and simulate exit 0.",
    after_help = "Examples:\n  \
        callstate replay calls.jsonl\n  \
        callstate replay --json calls.jsonl.gz > report.jsonl\n  \
        callstate simulate --records 20000 --faults 0.02 | callstate replay"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Replay event logs and report every record that was not accepted.
    #[command(after_help = "Examples:\n  \
        callstate replay calls.jsonl               # a report for a person\n  \
        callstate replay rotated.1.jsonl rotated.2.jsonl.gz   # one log in parts\n  \
        callstate replay --json calls.jsonl > r.jsonl  # JSON lines, then a summary\n  \
        callstate replay --html report.html calls.jsonl  # also a page to open in a browser\n  \
        zcat calls.gz | callstate replay           # from stdin\n\n\
        In the repository, try tests/fixtures/mixed.jsonl (it has violations).")]
    Replay(ReplayArgs),
    /// Turn accepted records into OutboundCallStateChange events (one JSON line each).
    #[command(
        after_help = "Records not accepted go to stderr as JSON lines, like replay --json.\n\n\
        Example:\n  callstate emit calls.jsonl > events.jsonl 2> not-accepted.jsonl"
    )]
    Emit(EmitArgs),
    /// Print test paths that cover every legal transition of the table.
    #[command(
        after_help = "Each path is the shortest way from a fresh agent in ready to one legal \
        (phase, recording, availability, event) pair, then that event. One agent per path; the \
        whole log replays with zero rejections.\n\n\
        Examples:\n  callstate paths > paths.jsonl && callstate replay paths.jsonl\n  \
        callstate paths --format json | jq '.paths[0]'"
    )]
    Paths(PathsArgs),
    /// Draw the state machine from the transition table.
    #[command(
        after_help = "Examples:\n  callstate graph --format mermaid > machine.mmd\n  \
        callstate graph --format dot | dot -Tsvg > machine.svg\n  \
        callstate graph --format xstate > machine.json   # createMachine(config)"
    )]
    Graph(GraphArgs),
    /// Write a realistic interleaved event log (deterministic for a seed).
    #[command(after_help = "Examples:\n  \
        callstate simulate --agents 10000 --records 2000000 --seed 7 --format mixed > load.jsonl\n  \
        callstate simulate --agents 50 --records 20000 --faults 0.02 | callstate replay\n  \
        callstate simulate --format webex --agents 40 --records 20000 > day.jsonl\n\n\
        --format webex writes a Webex CC agent-day as the platform's websocket sends it: \
        every call flow (inbound, outdial, preview, progressive, predictive, RONA, abandoned), \
        consults seen by both agents, conferences, the four transfers, failed requests, \
        data-only updates and relogin snapshots, with the whole interaction object on each \
        line (docs/spec.md, SPEC v3): replay accepts every record of it, in both modes. Agents log in first (Idle, then \
        Available), so --initial makes no difference.")]
    Simulate(SimulateArgs),
    /// Validate a Kafka topic as a consumer group member (feature kafka):
    /// outbound events and report lines to topics, engine state checkpointed.
    #[cfg(feature = "kafka")]
    #[command(
        after_help = "Each message is one record (any input shape), keyed by agent id. \
        Members of one --group share the topic's partitions; each partition has its own engine, \
        checkpointed to the state topic before its offset is committed. After a crash, the \
        outputs after the last checkpoint are produced again, identical, with the same \
        callstate-source-* headers. SIGTERM or Ctrl-C checkpoints, commits and leaves the group. \
        docs/streaming.md has the details.\n\n\
        Example (a broker on localhost:9092; kcat and jq to load a test log keyed by agent):\n  \
        callstate simulate --agents 50 --records 20000 --faults 0.02 \\\n    \
        | jq -Rr '((fromjson? | .agent) // \"none\") + \"\\t\" + .' \\\n    \
        | kcat -P -b localhost:9092 -t calls -K '\\t'\n  \
        callstate consume --brokers localhost:9092 --group callstate --topic calls \\\n    \
        --out-topic calls.outbound --report-topic calls.report"
    )]
    Consume(consume::ConsumeArgs),
}

#[derive(Args, Debug)]
struct PathsArgs {
    /// jsonl: native records to replay; json: each path with the transition it
    /// targets.
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
    /// The diagram language, or xstate for a machine config.
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
    /// Record shape: native, envelope (the seed's), websocket, mixed per line,
    /// or webex (the frames Webex CC sends: --loss and --truth apply, --faults
    /// does not).
    #[arg(long, value_enum, default_value_t = ShapeArg::Native)]
    format: ShapeArg,
    /// Where agents start (replay such a log with the same --initial).
    #[arg(long, value_enum, default_value_t = Initial::Ready)]
    initial: Initial,
    /// Phases last as long as in a contact center: log-normal talk, hold,
    /// consult and wrap-up times with long tails, rings of a few seconds, RONA
    /// at 18 s (without it, delays are drawn uniformly; the log is another).
    #[arg(long)]
    realistic: bool,
    /// Also write every call's ground truth to FILE, one JSON object per line
    /// in the form of replay --calls: what replay --calls must give for this
    /// log when it has no faults and no loss.
    #[arg(long, value_name = "FILE")]
    calls_truth: Option<PathBuf>,
    /// Inject time faults into about RATE (0 to 1) of the offers: answered
    /// just after the ronaTimeout deadline plus the grace (late), RONA long
    /// before it (early), or the agent stuck ringing for good (overdue); every
    /// line then carries ronaTimeout (18 s).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    time_faults: f64,
    /// Also write the findings replay --time must give for this log to FILE,
    /// one JSON object per line (finding, agent, interaction, state, since,
    /// deadline, at): exact for the default grace, no --limit, and no
    /// --faults or --loss.
    #[arg(long, value_name = "FILE")]
    findings_truth: Option<PathBuf>,
}

/// Inputs and the options every log-reading subcommand shares.
#[derive(Args, Debug)]
struct InputArgs {
    /// Log files (JSON lines; gzip is detected), read as one log in parts;
    /// stdin if none is given, or for -.
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
    /// Strict mode: judge each record by the table alone; a rejected record
    /// changes nothing, so after one lost event every later record of its agent
    /// can fail.
    ///
    /// Without it (resync, the default) a rejected record still counts, then is
    /// skipped (a repeat, a late event, …) or applied after inferring the events
    /// that were lost; emit writes those inferred events too. docs/spec.md §4
    /// and §8 say exactly how.
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
    /// (docs/conformance.md describes them).
    #[arg(long)]
    json: bool,
    /// How many records of each kind the report for a person shows.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16))]
    show: u16,
    /// Also list, for each record shown, the events its agent's state allowed.
    #[arg(long, short)]
    verbose: bool,
    /// Never draw the progress display (it is drawn only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// Parser threads (default: all cores). The report is identical for any N;
    /// 1 reads, parses and applies on the main thread alone.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// Also write the report as one self-contained HTML page to FILE (it opens
    /// offline): the summary, the process map with the replay's flow drawn on
    /// it, resync at a glance, how calls ended, the worst agents and calls.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// With --json, add a flow object to the summary: every count the --html
    /// page shows (implied by --html).
    #[arg(long)]
    flow: bool,
    /// Write every call (an agent holding one interaction) to FILE, - for
    /// stdout, as one JSON object per line: each when it finishes, then those
    /// still open at the end (outcome "open"). Its times, its time per phase
    /// (ring, talk, hold, …), how it ended and whether its flow was clean.
    /// Implies --durations. docs/spec.md §12 says exactly how.
    #[arg(long, value_name = "FILE")]
    calls: Option<PathBuf>,
    /// Add the calls' summary to the report: counts by outcome, and per phase
    /// the mean, p50, p90, p99 and max of the clean calls' durations, with the
    /// average handle time (talk + hold + wrap-up); with --json, a "calls"
    /// object after the summary.
    #[arg(long)]
    durations: bool,
    #[command(flatten)]
    time: TimeArgs,
}

/// The time rules of docs/spec.md §11: off unless one of these is given.
/// Shared by replay and consume.
#[derive(Args, Debug, Clone)]
struct TimeRuleArgs {
    /// Apply the time rules: report findings (late, early, overdue) from the
    /// deadlines the records carry (ronaTimeout, campaignPreviewOfferTimeout)
    /// and the --limit ones (replay: then the agents still inside a call, with
    /// their ages).
    #[arg(long)]
    time: bool,
    /// A deadline for every stay in a call phase, as PHASE=DURATION
    /// (wrapUp=10m, connected=4h, offered=30s; units ms, s, m, h); wins over the
    /// records' own deadlines. Repeatable. Turns --time on.
    #[arg(long, value_name = "PHASE=DUR", value_parser = parse_limit)]
    limit: Vec<String>,
    /// Tolerance around every deadline (default 5s). Turns --time on.
    #[arg(long, value_name = "DUR", value_parser = parse_duration_text)]
    grace: Option<String>,
}

impl TimeRuleArgs {
    /// The time rules, if any is asked for.
    fn rules(&self) -> Option<TimeRules> {
        if !self.time && self.limit.is_empty() && self.grace.is_none() {
            return None;
        }
        // Each text was checked when the arguments were read.
        Some(TimeRules::from_texts(&self.limit, self.grace.as_deref()).unwrap_or_default())
    }
}

/// replay's time options: the rules, and which findings fail the exit code.
#[derive(Args, Debug, Clone)]
struct TimeArgs {
    #[command(flatten)]
    rules: TimeRuleArgs,
    /// Fail the exit code (1) when a finding of these kinds is reported:
    /// late, early, overdue, or all (comma-separated); without it findings do
    /// not change the exit code. Turns --time on.
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = parse_fail_on)]
    fail_on: Vec<Vec<FindingKind>>,
}

impl TimeArgs {
    /// The replay options with these time rules, if any is asked for.
    fn apply(&self, options: ReplayOptions) -> ReplayOptions {
        let rules = match (self.rules.rules(), self.fail_on.is_empty()) {
            (Some(rules), _) => rules,
            (None, false) => TimeRules::default(),
            (None, true) => return options,
        };
        let kinds: Vec<FindingKind> = self.fail_on.iter().flatten().copied().collect();
        options.with_time(rules).with_fail_on(&kinds)
    }
}

fn parse_limit(text: &str) -> Result<String, String> {
    TimeRules::default()
        .with_limit_text(text)
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

fn parse_duration_text(text: &str) -> Result<String, String> {
    callstate::parse_duration(text)
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

fn parse_fail_on(text: &str) -> Result<Vec<FindingKind>, String> {
    if text == "all" {
        return Ok(FindingKind::all().collect());
    }
    text.parse::<FindingKind>()
        .map(|k| vec![k])
        .map_err(|e| format!("{e} (or 'all')"))
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
    /// A Mermaid stateDiagram-v2 (GitHub draws it in a mermaid code block).
    Mermaid,
    /// A Graphviz digraph, for dot -Tsvg.
    Dot,
    /// An XState v5 machine config (JSON for createMachine), one state per
    /// reachable (phase, recording, availability).
    Xstate,
}

impl From<GraphArg> for GraphFormat {
    fn from(g: GraphArg) -> Self {
        match g {
            GraphArg::Mermaid => GraphFormat::Mermaid,
            GraphArg::Dot => GraphFormat::Dot,
            GraphArg::Xstate => GraphFormat::Xstate,
        }
    }
}

/// `simulate --format`: the library's [`simulate::Format`] as the command line
/// spells it.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ShapeArg {
    /// {"agent":…,"interaction":…,"event":…,"time":…}, the compact shape.
    Native,
    /// The outbound envelope of the seed's sample (a few KB per line).
    Envelope,
    /// Webex CC websocket notifications (data.type); availability changes as
    /// AgentStateChange with a subStatus.
    Websocket,
    /// A random one of the three shapes on each line.
    Mixed,
    /// The frames Webex CC really sends (for SPEC v3, in progress): every call flow, both sides
    /// of consults, transfers, the full interaction object (~3 kB) per line.
    Webex,
}

impl ShapeArg {
    /// The library's [`simulate::Format`]; `None` for `webex`, which is
    /// [`simulate::webex`]'s own simulator.
    fn format(self) -> Option<simulate::Format> {
        match self {
            ShapeArg::Native => Some(simulate::Format::Native),
            ShapeArg::Envelope => Some(simulate::Format::Envelope),
            ShapeArg::Websocket => Some(simulate::Format::Websocket),
            ShapeArg::Mixed => Some(simulate::Format::Mixed),
            ShapeArg::Webex => None,
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

fn main() {
    std::process::exit(run(std::env::args_os()));
}

/// Runs the command line with `args` (the first is the program name); returns
/// the exit code.
fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            // A failed write of either leaves the exit code to say it.
            return match (e.print(), e.use_stderr()) {
                (_, true) | (Err(_), false) => EXIT_ERROR,
                (Ok(()), false) => EXIT_OK,
            };
        }
    };
    let judges = matches!(cli.command, Command::Replay(_) | Command::Emit(_));
    let result = match cli.command {
        Command::Replay(args) => replay::run(&args),
        Command::Emit(args) => emit::run(&args),
        Command::Paths(args) => generate::paths(&args),
        Command::Graph(args) => generate::graph(&args),
        Command::Simulate(args) => generate::simulate(&args),
        #[cfg(feature = "kafka")]
        Command::Consume(args) => consume::run(&args),
    };
    result.unwrap_or_else(|e| output::exit_code(&e, judges))
}
