//! The page's time sections: the findings of the time rules by kind (SPEC
//! §11.7) and the calls' durations per phase (SPEC §12.7), drawn as a box from
//! p50 to p90, a whisker to p99 and a tick at the max on one log time axis.
//! Each is written only when the replay has its data.

use super::{escape, thousands};
use crate::model::call::{Bucket, Outcome};
use crate::replay::durations::{seconds, CallSummary, Distribution};
use crate::replay::time_report::FindingCounts;
use std::fmt::Write as _;
use strum::IntoEnumIterator;

/// The drawing's size and margins, in SVG units.
const WIDTH: f64 = 1160.0;
const LABEL: f64 = 110.0;
const NUMBERS: f64 = 150.0;
const ROW: f64 = 30.0;
const AXIS: f64 = 28.0;

pub(super) fn findings(out: &mut String, counts: &FindingCounts) {
    out.push_str(
        r#"<section class="card" id="findings"><h2>Time findings</h2><table class="summary">"#,
    );
    count_rows(
        out,
        "finding",
        [
            ("late", counts.late),
            ("early", counts.early),
            ("overdue", counts.overdue),
        ],
    );
    out.push_str("</table></section>");
}

pub(super) fn durations(out: &mut String, calls: &CallSummary) {
    out.push_str(r#"<section class="card wide" id="durations"><h2>Call durations</h2><table class="summary">"#);
    count_rows(
        out,
        "calls",
        [
            ("finished", calls.finished),
            ("clean", calls.clean),
            ("repaired", calls.repaired),
            ("untimed", calls.untimed),
            ("open", calls.open),
        ],
    );
    for o in Outcome::iter().filter(|o| *o != Outcome::Open) {
        let n = calls.outcomes[o as usize];
        if n > 0 {
            let name = o.as_ref();
            let _ = write!(
                out,
                r#"<tr class="part"><th>{name}</th><td data-outcome="{name}" data-count="{n}">{}</td></tr>"#,
                thousands(n)
            );
        }
    }
    out.push_str("</table>");
    let rows: Vec<(&str, &Distribution)> = Bucket::iter()
        .map(|b| (<&'static str>::from(b), &calls.durations[b as usize]))
        .chain([("handle", &calls.handle)])
        .filter(|(_, d)| !d.is_empty())
        .collect();
    if rows.is_empty() {
        out.push_str(r#"<p class="note">No clean timed call finished.</p></section>"#);
        return;
    }
    out.push_str(
        r#"<p class="note">Clean timed calls per phase, handle time last: the box spans p50 to p90, the whisker reaches p99, the tick marks the longest; the axis is logarithmic. Hover a row for its mean.</p>"#,
    );
    plot(out, &rows);
    out.push_str("</section>");
}

/// One table row per count, its key in `data-{attribute}`.
fn count_rows<'a>(
    out: &mut String,
    attribute: &str,
    rows: impl IntoIterator<Item = (&'a str, u64)>,
) {
    for (key, n) in rows {
        let _ = write!(
            out,
            r#"<tr><th>{key}</th><td data-{attribute}="{key}" data-count="{n}">{}</td></tr>"#,
            thousands(n)
        );
    }
}

/// The rows on a shared log axis spanning whole decades of milliseconds.
fn plot(out: &mut String, rows: &[(&str, &Distribution)]) {
    let values = rows
        .iter()
        .flat_map(|(_, d)| [d.percentile(50), d.max()])
        .flatten()
        .map(|ms| ms.max(1));
    let (low, high) = values.fold((u64::MAX, 1), |(lo, hi), ms| (lo.min(ms), hi.max(ms)));
    let first = (low as f64).log10().floor() as i32;
    let last = ((high as f64).log10().ceil() as i32).max(first + 1);
    let span = WIDTH - LABEL - NUMBERS;
    let x = |ms: u64| {
        let at = ((ms.max(1) as f64).log10() - f64::from(first)) / f64::from(last - first);
        LABEL + at.clamp(0.0, 1.0) * span
    };
    let height = AXIS + ROW * rows.len() as f64;
    let _ = write!(
        out,
        r#"<svg id="durations-plot" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="call durations per phase">"#
    );
    for decade in first..=last {
        let ms = 10u64.pow(decade.max(0) as u32);
        let at = x(ms);
        let _ = write!(
            out,
            r##"<line x1="{at:.1}" y1="0" x2="{at:.1}" y2="{:.1}" stroke="#e2e6ee"/><text x="{at:.1}" y="{:.1}" class="tick">{}</text>"##,
            height - AXIS + 6.0,
            height - 6.0,
            decade_label(ms)
        );
    }
    for (i, (name, d)) in rows.iter().enumerate() {
        let (Some(p50), Some(p90), Some(p99), Some(max), Some(mean)) = (
            d.percentile(50),
            d.percentile(90),
            d.percentile(99),
            d.max(),
            d.mean(),
        ) else {
            continue;
        };
        let mid = ROW * i as f64 + ROW / 2.0;
        let name = escape(name);
        let _ = write!(
            out,
            r##"<g class="phase" data-phase="{name}" data-calls="{}" data-mean="{mean}" data-p50="{p50}" data-p90="{p90}" data-p99="{p99}" data-max="{max}"><title>{name}: {} calls, mean {}, p50 {}, p90 {}, p99 {}, max {}</title><text x="0" y="{:.1}" class="row">{name}</text><line x1="{:.1}" y1="{mid:.1}" x2="{:.1}" y2="{mid:.1}" stroke="#5a6473"/><rect x="{:.1}" y="{:.1}" width="{:.1}" height="14" fill="#2b5aa6" rx="2"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#1a202c" stroke-width="2"/><text x="{:.1}" y="{:.1}" class="row">p50 {}</text></g>"##,
            d.len(),
            thousands(d.len()),
            seconds(mean),
            seconds(p50),
            seconds(p90),
            seconds(p99),
            seconds(max),
            mid + 5.0,
            x(p90),
            x(p99),
            x(p50),
            mid - 7.0,
            (x(p90) - x(p50)).max(2.0),
            x(max),
            mid - 8.0,
            x(max),
            mid + 8.0,
            WIDTH - NUMBERS + 12.0,
            mid + 5.0,
            seconds(p50)
        );
    }
    out.push_str("</svg>");
}

/// `1ms`, `10ms`, `100ms`, `1s`, `10s`, …
fn decade_label(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{}s", ms / 1000)
    }
}
