//! The replay report as one self-contained HTML page (feature `html`): the
//! headline and summary of the report for a person, the process map drawn from
//! the table with the replay's flow on it, resync at a glance, how calls ended,
//! the time findings and call durations when the replay has them, the worst
//! agents and calls, and the records not accepted that the report
//! for a person shows.
//!
//! The page needs nothing but itself: no script, no font, no request; styles
//! are inline and the map is SVG, laid out in layers here. It holds
//! aggregates only, so its size does not grow with the log. Every number on it
//! is in the `--json` summary too (its `flow` object is the [`FlowReport`] the
//! page is drawn from), or in the report's lines.
//!
//! ```
//! use callstate::html::HtmlReport;
//! use callstate::replay::{Flow, HumanReport, Replay};
//! use callstate::wire::input::Line;
//!
//! let mut replay = Replay::default();
//! let (mut flow, mut human) = (Flow::default(), HumanReport::new(5));
//! replay.begin_input("calls.jsonl");
//! for line in [r#"{"agent":"a1","interaction":"c1","event":"AgentOfferContact"}"#, "not json"] {
//!     let verdict = replay.feed(Line::Text(line.as_bytes()));
//!     flow.note(replay.line(), &verdict);
//!     if let callstate::replay::Verdict::NotAccepted(r) = &verdict {
//!         human.note(replay.line(), r);
//!     }
//! }
//! let flow = flow.report(&replay, 10);
//! let mut page = Vec::new();
//! HtmlReport::new(&replay, &human, &flow).write(&mut page)?;
//! let page = String::from_utf8(page).unwrap();
//! assert!(page.contains("FAIL: 1 of 2 records were not accepted"));
//! assert!(page.contains(r#"id="state-offered""#));
//! # Ok::<(), std::io::Error>(())
//! ```

mod layout;
mod map;
mod sections;
mod times;

use crate::model::resync::Mode;
use crate::replay::durations::CallSummary;
use crate::replay::report::thousands as grouped;
use crate::replay::time_report::FindingCounts;
use crate::replay::{Ending, FlowReport, HumanReport, Replay};
use std::io::{self, Write};

/// The page's styles, inlined.
const STYLE: &str = include_str!("style.css");

/// What the page forbids: everything but its own inline styles and data images.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// A replay's report as an HTML page.
#[derive(Debug)]
pub struct HtmlReport<'a> {
    replay: &'a Replay,
    human: &'a HumanReport,
    flow: &'a FlowReport,
    allow_unknown: bool,
    ending: Ending<'a>,
    findings: Option<FindingCounts>,
    calls: Option<&'a CallSummary>,
}

impl<'a> HtmlReport<'a> {
    /// The page of `replay`, showing the records `human` kept and the flow
    /// `flow` (from a [`Flow`](crate::replay::Flow) fed the same verdicts).
    pub fn new(replay: &'a Replay, human: &'a HumanReport, flow: &'a FlowReport) -> Self {
        HtmlReport {
            replay,
            human,
            flow,
            allow_unknown: false,
            ending: Ending::Whole,
            findings: None,
            calls: None,
        }
    }

    /// Passes a log whose only faults are unknown events, as the report for a
    /// person's headline does.
    #[must_use]
    pub fn allow_unknown(mut self, allow_unknown: bool) -> Self {
        self.allow_unknown = allow_unknown;
        self
    }

    /// How the replay ended (whole, or cut short by a read error).
    #[must_use]
    pub fn ending(mut self, ending: Ending<'a>) -> Self {
        self.ending = ending;
        self
    }

    /// The time rules' findings by kind (the summary's `findings`), when the
    /// replay had time rules.
    #[must_use]
    pub fn findings(mut self, findings: Option<FindingCounts>) -> Self {
        self.findings = findings;
        self
    }

    /// The calls' summary (the `--json` summary's `calls`), when the replay
    /// measured calls.
    #[must_use]
    pub fn calls(mut self, calls: Option<&'a CallSummary>) -> Self {
        self.calls = calls;
        self
    }

    /// The page, as a string.
    pub fn render(&self) -> String {
        let mut page = String::with_capacity(64 << 10);
        let replay = self.replay;
        let inputs: Vec<&str> = replay.input_names().collect();
        let title = if inputs.is_empty() {
            "callstate replay".to_owned()
        } else {
            format!("callstate replay: {}", inputs.join(", "))
        };
        page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        page.push_str(&format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style></head><body><main>",
            escape(&title)
        ));
        let mode = match replay.mode() {
            Mode::Resync => "resync",
            Mode::Strict => "strict",
        };
        sections::header(&mut page, &inputs, mode);
        let headline = self.human.headline(replay, self.allow_unknown, self.ending);
        sections::headline(&mut page, &headline, self.status());
        sections::summary(&mut page, replay, self.flow);
        if replay.mode() == Mode::Resync {
            sections::resync(&mut page, replay, self.flow);
        } else {
            sections::calls(&mut page, replay, self.flow);
        }
        sections::process_map(&mut page, self.flow);
        if replay.mode() == Mode::Resync {
            sections::calls(&mut page, replay, self.flow);
        }
        if let Some(findings) = &self.findings {
            times::findings(&mut page, findings);
        }
        if let Some(calls) = self.calls {
            times::durations(&mut page, calls);
        }
        sections::worst(&mut page, self.flow);
        sections::examples(&mut page, &self.human.examples(replay));
        page.push_str(&format!(
            "<footer>Made by callstate {} from the transition table and the replay's counts. \
             Hover a phase or a transition for its counts.</footer></main></body></html>\n",
            env!("CARGO_PKG_VERSION")
        ));
        page
    }

    /// Writes the page.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(self.render().as_bytes())
    }

    /// `pass`, `fail`, `incomplete` or `empty`, as the headline says.
    fn status(&self) -> &'static str {
        let summary = self.replay.summary();
        match self.ending {
            Ending::ReadError { .. } => "incomplete",
            Ending::Whole if summary.records == 0 => "empty",
            Ending::Whole if summary.all_accepted(self.allow_unknown) => "pass",
            Ending::Whole => "fail",
        }
    }
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element text and
/// attribute values alike.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `n` with thousands separators, as the report for a person writes it.
pub(crate) fn thousands(n: u64) -> String {
    grouped(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
