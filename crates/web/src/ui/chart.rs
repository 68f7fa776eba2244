//! SVG charts (no script): trends by month, with their table of numbers.

use ipstrack_core::report::ByGroup;
use maud::{Markup, html};

/// Month-by-month series for the team dashboard's charts.
#[derive(Clone, Debug, Default)]
pub struct Trends {
    pub months: Vec<String>,
    pub access: Vec<f64>,
    pub access_target: Vec<f64>,
    /// Active caseload per FTE in post (CASE-2), each month.
    pub active_per_fte: Vec<f64>,
    /// FID-1 / CASE-4: the active caseload per FTE that still scores 5.
    pub fidelity_limit: u32,
    /// Quarters of the financial year so far, with job starts and 13-week
    /// outcomes, unemployed and employed at referral apart.
    pub quarters: Vec<String>,
    pub job_starts: Vec<ByGroup>,
    pub sustained: Vec<ByGroup>,
}

pub(crate) fn unemployed(values: &[ByGroup]) -> Vec<f64> {
    values.iter().map(|g| f64::from(g.unemployed)).collect()
}

pub(crate) fn employed(values: &[ByGroup]) -> Vec<f64> {
    values.iter().map(|g| f64::from(g.employed)).collect()
}

pub(crate) fn both(values: &[ByGroup]) -> Vec<f64> {
    values
        .iter()
        .map(|g| f64::from(g.unemployed + g.employed))
        .collect()
}

/// A small line chart as SVG (no script, no fonts needed), with its numbers in
/// a table underneath for screen readers and for anyone who wants them.
pub(crate) fn line_chart(
    title: &str,
    months: &[String],
    lines: &[(&str, &str, &[f64])],
    band: Option<(f64, f64)>,
    numbers_open: bool,
) -> Markup {
    let (w, h, left, bottom) = (640.0, 240.0, 40.0, 24.0);
    let top = lines
        .iter()
        .flat_map(|(_, _, v)| v.iter().copied())
        .chain(band.map(|b| b.1 + 5.0))
        .fold(1.0_f64, f64::max);
    let n = months.len().max(2) as f64;
    let right = 34.0;
    let x = |i: usize| left + (w - left - right) * i as f64 / (n - 1.0);
    let y = |v: f64| (h - bottom) - (h - bottom - 10.0) * v / top;
    let months_heading = if months.first().is_some_and(|m| m.starts_with('Q')) {
        "Quarter"
    } else {
        "Month"
    };
    html! {
        figure class="panel" {
            figcaption { strong { (title) } }
            svg viewBox=(format!("0 0 {w} {h}")) width="100%" role="img" aria-label=(title) {
                @if let Some((lo, hi)) = band {
                    rect x=(left) y=(y(hi)) width=(w - left - right) height=(y(lo) - y(hi)) fill="#e8f1f8" {}
                }
                line x1=(left) y1=(h - bottom) x2=(w - right) y2=(h - bottom) stroke="#4c6272" {}
                line x1=(left) y1="10" x2=(left) y2=(h - bottom) stroke="#4c6272" {}
                text x="2" y="16" font-size="12" { (format!("{top:.0}")) }
                text x="2" y=(h - bottom) font-size="12" { "0" }
                @for (i, m) in months.iter().enumerate() {
                    text x=(x(i) - 14.0) y=(h - 6.0) font-size="11" { (m) }
                }
                @for (_, colour, values) in lines {
                    polyline fill="none" stroke=(colour) stroke-width="3"
                        points=(values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ")) {}
                }
            }
            // The key: a swatch of each line's colour (an SVG attribute, as
            // the content security policy refuses inline styles).
            p class="chart-key" { @for (name, colour, _) in lines {
                span { svg class="swatch" viewBox="0 0 16 6" width="16" height="6" aria-hidden="true" { rect width="16" height="6" fill=(colour) {} } " " (name) } " " }
                @if let Some((lo, hi)) = band { "(shaded: " (lo) "–" (hi) ")" } }
            details open[numbers_open] {
                summary { "The numbers" }
                table {
                    thead { tr { th scope="col" { (months_heading) } @for (name, _, _) in lines { th scope="col" class="num" { (name) } } } }
                    tbody { @for (i, m) in months.iter().enumerate() {
                        tr { th scope="row" { (m) } @for (_, _, values) in lines { td class="num" { (format!("{:.1}", values.get(i).copied().unwrap_or(0.0))) } } }
                    } }
                }
            }
        }
    }
}

pub(crate) fn access_chart(trends: &Trends, numbers_open: bool) -> Markup {
    line_chart(
        "Cumulative access (unemployed) against the target to date",
        &trends.months,
        &[
            ("Access", "#005eb8", &trends.access),
            ("Target", "#d5281b", &trends.access_target),
        ],
        None,
        numbers_open,
    )
}
