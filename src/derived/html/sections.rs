//! The page's sections, each written from the replay and its flow. A section
//! with nothing to show is left out.

use super::map::{flow_colour, heat, write_map};
use super::{escape, thousands};
use crate::model::rejection::RejectionKind;
use crate::replay::flow::Culprit;
use crate::replay::report::{clean_line, kind_words, summary_rows};
use crate::replay::{FlowReport, Replay};
use std::fmt::Write as _;

pub(super) fn header(out: &mut String, inputs: &[&str], mode: &str) {
    let inputs = if inputs.is_empty() {
        "the input".to_owned()
    } else {
        inputs
            .iter()
            .map(|i| format!("<code>{}</code>", escape(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        out,
        r#"<header><h1>Replay report</h1><p class="meta">{inputs} · <span id="mode" data-mode="{mode}">{mode} mode</span></p></header>"#
    );
}

pub(super) fn headline(out: &mut String, headline: &str, status: &str) {
    let _ = write!(
        out,
        r#"<p id="headline" class="headline {status}" data-status="{status}">{}</p>"#,
        escape(headline)
    );
}

pub(super) fn summary(out: &mut String, replay: &Replay, flow: &FlowReport) {
    out.push_str(r#"<section class="card" id="summary"><h2>Summary</h2><table class="summary">"#);
    for row in summary_rows(replay) {
        let class = if row.indent > 2 {
            " class=\"part\""
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<tr{class} data-key="{}" data-count="{}"><th>{}</th><td>{}</td></tr>"#,
            row.key,
            row.count,
            escape(row.words),
            thousands(row.count)
        );
    }
    out.push_str("</table>");
    let summary = replay.summary();
    if let Some(clean) = clean_line(&summary) {
        let _ = write!(
            out,
            r#"<p id="clean" data-clean="{}" data-interactions="{}">{}</p>"#,
            summary.clean_interactions.unwrap_or(0),
            summary.interactions,
            escape(&clean)
        );
    }
    let kinds = &flow.rejected_by_kind;
    if !kinds.is_empty() {
        out.push_str(r#"<h3>Not accepted, by kind</h3>"#);
        let most = kinds.iter().map(|k| k.records).max().unwrap_or(0);
        bars(
            out,
            "kinds",
            kinds
                .iter()
                .map(|k| (k.words.to_owned(), k.kind, k.records, "bar-reject")),
            most,
        );
    }
    out.push_str("</section>");
}

/// Horizontal bars: label, data key, count, class; widths relative to `most`.
fn bars<'a>(
    out: &mut String,
    id: &str,
    rows: impl Iterator<Item = (String, &'a str, u64, &'a str)>,
    most: u64,
) {
    let _ = write!(out, r#"<div class="bars" id="{id}">"#);
    for (label, key, n, class) in rows {
        let width = if most == 0 {
            0.0
        } else {
            (n as f64 / most as f64 * 100.0).max(0.5)
        };
        let _ = write!(
            out,
            r#"<div class="bar-row" data-key="{}" data-count="{n}"><span class="bar-label">{}</span><span class="bar-track"><span class="bar {class}" style="width:{width:.1}%"></span></span><span class="bar-count">{}</span></div>"#,
            escape(key),
            escape(&label),
            thousands(n)
        );
    }
    out.push_str("</div>");
}

pub(super) fn process_map(out: &mut String, flow: &FlowReport) {
    out.push_str(
        r#"<section class="card wide" id="process"><h2>The process map</h2><p class="note">Every phase and transition of the transition table. A transition's width and colour say how many records took it; dashed orange, the events resync inferred; a phase's colour, how many rejected records arrived there. Hover a phase or a transition for its counts.</p><div class="map">"#,
    );
    write_map(out, flow);
    let most = flow.states.iter().map(|s| s.rejected).max().unwrap_or(0);
    let most_flow = flow
        .transitions
        .iter()
        .map(|t| t.records)
        .max()
        .unwrap_or(0);
    let stops: Vec<String> = (0..=8)
        .map(|i| format!("{} {}%", heat(f64::from(i) / 8.0), i * 100 / 8))
        .collect();
    let _ = write!(
        out,
        r#"</div><div class="legend"><div class="legend-item"><span class="heat" style="background:linear-gradient(90deg,{})"></span><span>rejected records that arrived in a phase: 0 … <b data-legend="rejected">{}</b></span></div><div class="legend-item"><svg width="150" height="22" aria-hidden="true"><path d="M4,11 H44" stroke="{}" stroke-width="1.5"/><path d="M54,11 H94" stroke="{}" stroke-width="5"/><path d="M104,11 H144" stroke="{}" stroke-width="10"/></svg><span>records that took a transition: 1 … <b data-legend="records">{}</b> (log scale)</span></div><div class="legend-item"><svg width="50" height="22" aria-hidden="true"><path d="M4,11 H46" class="inferred" stroke-width="3"/></svg><span>inferred by resync</span></div><div class="legend-item"><svg width="50" height="22" aria-hidden="true"><path d="M4,11 H46" class="unseen"/></svg><span>allowed, not seen</span></div></div></section>"#,
        stops.join(","),
        thousands(most),
        flow_colour(0.0),
        flow_colour(0.5),
        flow_colour(1.0),
        thousands(most_flow)
    );
}

pub(super) fn resync(out: &mut String, replay: &Replay, flow: &FlowReport) {
    let summary = replay.summary();
    out.push_str(r#"<section class="card" id="resync"><h2>Resync at a glance</h2>"#);
    if let (Some(clean), n) = (summary.clean_interactions, summary.interactions) {
        if n > 0 {
            let share = clean as f64 / n as f64 * 100.0;
            let _ = write!(
                out,
                r#"<h3>Calls</h3><div class="split" title="calls with a clean event flow: {c} of {all}"><span class="clean" style="width:{share:.2}%"></span><span class="repaired" style="width:{rest:.2}%"></span></div><p class="split-legend"><span class="dot clean"></span>clean event flow: <b>{c}</b> of <b>{all}</b> <span class="dot repaired"></span>the others: touched by a rejected record or an inference</p>"#,
                c = thousands(clean),
                all = thousands(n),
                rest = 100.0 - share,
            );
        }
    }
    if flow.repairs.is_empty() {
        out.push_str(r#"<p class="note">Nothing to repair: no record was rejected.</p>"#);
    } else {
        out.push_str("<h3>Repairs, by rule</h3>");
        let most = flow.repairs.iter().map(|r| r.records).max().unwrap_or(0);
        bars(
            out,
            "repairs",
            flow.repairs.iter().map(|r| {
                let label = format!("R{} {} — {}", r.rule, r.reason, r.repair);
                let class = if r.repair == "infer" {
                    "bar-infer"
                } else {
                    "bar-skip"
                };
                (label, r.repair, r.records, class)
            }),
            most,
        );
    }
    if !flow.inferred_events.is_empty() {
        out.push_str("<h3>Events most often inferred</h3>");
        let most = flow.inferred_events.first().map_or(0, |e| e.count);
        bars(
            out,
            "inferred",
            flow.inferred_events
                .iter()
                .take(10)
                .map(|e| (e.event.to_owned(), e.event, e.count, "bar-infer")),
            most,
        );
    }
    out.push_str("</section>");
}

pub(super) fn calls(out: &mut String, replay: &Replay, flow: &FlowReport) {
    let summary = replay.summary();
    out.push_str(r#"<section class="card" id="calls"><h2>How calls ended</h2>"#);
    if flow.call_endings.is_empty() {
        out.push_str(r#"<p class="note">No call ended.</p>"#);
    } else {
        let most = flow.call_endings.iter().map(|e| e.calls).max().unwrap_or(0);
        bars(
            out,
            "endings",
            flow.call_endings.iter().map(|e| {
                let to: &str = e.to.into();
                (format!("{} → {to}", e.event), e.event, e.calls, "bar-flow")
            }),
            most,
        );
    }
    let _ = write!(
        out,
        r#"<p class="note">Open at the end of the input: <b data-key="open_calls">{}</b></p></section>"#,
        thousands(summary.open_calls)
    );
}

pub(super) fn worst(out: &mut String, flow: &FlowReport) {
    for (id, title, who, list) in [
        (
            "worst-agents",
            "Agents with the most records not accepted",
            "agent",
            &flow.worst_agents,
        ),
        (
            "worst-calls",
            "Calls with the most records not accepted",
            "call",
            &flow.worst_calls,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            r#"<section class="card" id="{id}"><h2>{title}</h2><table class="worst"><tr><th>{who}</th><th class="n">records</th><th>first report lines</th></tr>"#
        );
        for culprit in list {
            write_culprit(out, culprit);
        }
        out.push_str("</table></section>");
    }
    if let Some(left) = &flow.left_out {
        let _ = write!(
            out,
            r#"<p class="note">Too many agents or calls to follow them all: {} records of agents and {} of calls are left out of these lists.</p>"#,
            thousands(left.agent_records),
            thousands(left.call_records)
        );
    }
}

fn write_culprit(out: &mut String, culprit: &Culprit) {
    let _ = write!(
        out,
        r#"<tr data-count="{}"><td><code>{}</code></td><td class="n">{}</td><td><ul class="lines">"#,
        culprit.rejected,
        escape(&culprit.id),
        thousands(culprit.rejected)
    );
    for first in &culprit.first {
        let at = match &first.input {
            Some(input) => format!("{}:{}", escape(input), first.line),
            None => format!("line {}", first.line),
        };
        let kind = kind_name(first.kind);
        let mut what = String::new();
        if let Some(event) = first.event {
            let _ = write!(what, " {event}");
        }
        if let Some(state) = first.state {
            let state: &str = state.into();
            let _ = write!(what, " in {state}");
        }
        let _ = write!(
            out,
            r#"<li><code>{at}</code> <span class="kind">{kind}</span>{}</li>"#,
            escape(&what)
        );
    }
    out.push_str("</ul></td></tr>");
}

/// A kind's `--json` name in the report for a person's words.
fn kind_name(name: &str) -> &'static str {
    use strum::IntoEnumIterator;
    RejectionKind::iter()
        .find(|k| k.name() == name)
        .map_or("", kind_words)
}

#[allow(clippy::type_complexity)]
pub(super) fn examples(
    out: &mut String,
    examples: &[(RejectionKind, u64, Vec<(String, Option<String>)>)],
) {
    if examples.is_empty() {
        return;
    }
    out.push_str(r#"<section class="card wide" id="examples"><h2>Records not accepted</h2>"#);
    for (kind, total, shown) in examples {
        let first = if *total as usize > shown.len() {
            format!(", the first {}", shown.len())
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"<h3 data-kind="{}" data-count="{total}">{} ({}{first})</h3><ul class="examples">"#,
            kind.name(),
            kind_words(*kind),
            thousands(*total)
        );
        for (entry, allowed) in shown {
            let _ = write!(out, "<li>{}", escape(entry));
            if let Some(allowed) = allowed {
                let _ = write!(
                    out,
                    r#"<br><span class="allowed">{}</span>"#,
                    escape(allowed)
                );
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}
