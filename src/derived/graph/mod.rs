//! The machine drawn from [`TABLE`](crate::TABLE): a Mermaid `stateDiagram-v2`
//! ([`mermaid`](fn@mermaid)), a Graphviz digraph ([`dot`](fn@dot)), an XState v5
//! machine config ([`xstate`]), and in Markdown the table ([`table_markdown`]) and
//! the events ([`events_markdown`]) in words, which `docs/` embeds. Nothing here
//! knows a rule of its own; every drawing is read off the table, so the pictures
//! cannot drift from the engine.
//!
//! How the table becomes a picture:
//!
//! - every phase is a state; a fresh agent starts in `ready`;
//! - the phase sets the table is written in, *call* ([`PhaseSet::CALL`](crate::table::PhaseSet::CALL)) and *live*
//!   ([`PhaseSet::LIVE`](crate::table::PhaseSet::LIVE)), are composite states; a rule whose phases cover such a
//!   set, and that takes all of them to the same place, is drawn once, on the set;
//! - a rule that leaves the phase is an edge, labelled
//!   `event [recording guard] / effect`; rules sharing a source and a target are
//!   one edge with one line per rule, in table order;
//! - a rule that keeps the phase (availability and recording changes) is an
//!   *internal transition*, written inside its state (or in a note on its set), as
//!   in UML, so the phases are not ringed with self-loops;
//! - a terminating rule goes to the phase it always ends in (`eAgentOfferContactRona`
//!   always ends `idle`), or else to the `availability` choice, which leads on to
//!   `ready` or `idle`.
//!
//! ```
//! use callstate::graph::{self, GraphFormat};
//! let diagram = graph::render(GraphFormat::Mermaid);
//! assert!(diagram.starts_with("stateDiagram-v2\n"));
//! assert!(diagram.contains("offered --> connected : CustAnswered"));
//! assert!(diagram.contains("call --> availability : DROPPED / end call"));
//! ```

mod dot;
pub(super) mod drawing;
mod mermaid;

pub use super::markdown::{
    agent_notices_markdown, events_markdown, notices_markdown, placements_markdown, table_markdown,
};
pub use super::xstate::xstate;
pub use dot::dot;
pub use mermaid::mermaid;

use std::fmt::Write as _;

/// The drawing formats [`render`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display)]
#[strum(serialize_all = "lowercase")]
#[non_exhaustive]
pub enum GraphFormat {
    /// A Mermaid `stateDiagram-v2` (renders on GitHub inside a ```` ```mermaid ```` block).
    Mermaid,
    /// A Graphviz digraph, for `dot -Tsvg`.
    Dot,
    /// An XState v5 machine config, as JSON ([`xstate`]).
    Xstate,
}

/// The machine in `format`.
pub fn render(format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => mermaid(),
        GraphFormat::Dot => dot(),
        GraphFormat::Xstate => xstate(),
    }
}

/// The comment every generated drawing carries.
pub(super) const GENERATED: &str =
    "Generated from callstate's transition table (src/model/table.rs) by callstate::graph. Do not edit.";

/// One line of a drawing, indented `depth` levels.
fn line(out: &mut String, depth: usize, text: std::fmt::Arguments<'_>) {
    let _ = writeln!(out, "{:width$}{text}", "", width = 4 * depth);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::TABLE;
    use dot::{dot_escape, dot_lines};
    use drawing::{rule_label, Drawing, Node};

    #[test]
    fn every_rule_appears_in_both_formats() {
        let (mermaid, dot) = (mermaid(), dot());
        let drawing = Drawing::from_table();
        for (node, labels) in &drawing.internals {
            for label in labels {
                let in_mermaid = match node {
                    Node::Phase(p) => format!("    {p} : {label}\n"),
                    _ => format!("        {label}\n"),
                };
                assert!(mermaid.contains(&in_mermaid), "{label}");
                assert!(dot.contains(&dot_escape(label)), "{label}");
            }
        }
        for ((from, to), labels) in &drawing.edges {
            let label = labels.join("<br/>");
            assert!(mermaid.contains(&format!("    {from} --> {to} : {label}\n")));
            let label = dot_lines(labels, "\\n");
            assert!(dot.contains(&format!("\"{}\" -> \"{to}\" [", from.dot_id())));
            assert!(dot.contains(&format!("label=\"{label}\"];")), "{label}");
        }
        for rule in TABLE {
            assert!(mermaid.contains(&rule_label(rule)), "{rule:?}");
            assert!(dot.contains(&rule_label(rule)), "{rule:?}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(mermaid(), mermaid());
        assert_eq!(dot(), dot());
        assert_eq!(xstate(), xstate());
        assert_eq!(table_markdown(), table_markdown());
    }
}
