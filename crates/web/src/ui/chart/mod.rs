//! SVG charts (no script): lines by month and grouped bars by quarter, each
//! with its table of numbers.
//!
//! Text keeps its size at every screen width. A chart's SVG has no viewBox,
//! so one of its units is a CSS pixel and nothing in it is scaled: positions
//! across are percentages of its width, positions down percentages of its
//! height (both set by the style sheet, `.chart-plot`), and labels are sized
//! by the style sheet in rem (14 px at the browser's default). The y-axis
//! labels stand in a margin on the SVG's left (`overflow: visible`). Month
//! labels that would overlap on a narrow chart are marked `minor`, and the
//! style sheet hides those when the chart is narrow (a container query).

use crate::ui::dates::uk_date;
use ipstrack_core::Day;
use ipstrack_core::report::ByGroup;
use maud::{Markup, html};

mod rates;

pub(crate) use rates::{RateBar, RatePanel, rate_bars};

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
    /// For each quarter, the day its figures run to when the quarter is not
    /// finished (the as-of date or the period's end falls inside it).
    pub quarter_to_date: Vec<Option<Day>>,
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

/// What a series counts, which says how its numbers read and how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// People or events: whole numbers, a solid line with dots, or bars.
    Count,
    /// A pro-rated target: one decimal, a dashed line with rings.
    Target,
    /// A ratio such as the caseload per FTE: one decimal, a solid line.
    Ratio,
}

impl Kind {
    fn number(self, value: f64) -> String {
        // + 0.0: an empty sum is -0.0, which reads "-0.0".
        let value = value + 0.0;
        match self {
            Kind::Count => format!("{value:.0}"),
            Kind::Target | Kind::Ratio => format!("{value:.1}"),
        }
    }
}

/// One series of a chart: its name in the key and the table, its colour (at
/// least 3:1 against white) and its values, one for each month or quarter.
pub(crate) struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
    pub values: &'a [f64],
    pub kind: Kind,
}

impl<'a> Series<'a> {
    pub(crate) fn count(name: &'a str, colour: &'a str, values: &'a [f64]) -> Self {
        Series {
            name,
            colour,
            values,
            kind: Kind::Count,
        }
    }

    pub(crate) fn target(name: &'a str, colour: &'a str, values: &'a [f64]) -> Self {
        Series {
            kind: Kind::Target,
            ..Series::count(name, colour, values)
        }
    }

    pub(crate) fn ratio(name: &'a str, colour: &'a str, values: &'a [f64]) -> Self {
        Series {
            kind: Kind::Ratio,
            ..Series::count(name, colour, values)
        }
    }

    fn value(&self, i: usize) -> f64 {
        self.values.get(i).copied().unwrap_or(0.0)
    }
}

/// A y-axis of round steps for values up to `max`: the step (1, 2 or 5 times
/// a power of ten, at most five steps to the top) and the top, the first
/// multiple of the step at or above `max`. With nothing above zero, 0 to 1.
pub(crate) fn nice_axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let exponent = raw.log10().floor() as i32;
    // 10^k as the nearest double, so that 0.1 is 1 / 10, not 10 × 0.01.
    let scale = |m: f64, k: i32| {
        if k >= 0 {
            m * 10f64.powi(k)
        } else {
            m / 10f64.powi(-k)
        }
    };
    let step = [(1.0, 0), (2.0, 0), (5.0, 0), (1.0, 1)]
        .iter()
        .map(|&(m, k)| scale(m, exponent + k))
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or_else(|| scale(1.0, exponent + 1));
    let steps = (max / step - 1e-9).ceil().max(1.0);
    (step, steps * step)
}

/// `nice_axis` for counts: steps are whole numbers.
pub(crate) fn count_axis(max: f64) -> (f64, f64) {
    match nice_axis(max) {
        (step, _) if step < 1.0 => (1.0, max.ceil().max(1.0)),
        axis => axis,
    }
}

/// A gridline's label: as many decimals as the step needs.
fn tick_label(value: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10() - 1e-9).ceil() as usize
    };
    format!("{value:.decimals$}")
}

/// Where the plot area is, in percent of the SVG's height: the rest below is
/// for the labels of months or quarters.
const PLOT_TOP: f64 = 6.0;
const PLOT_BOTTOM: f64 = 78.0;
const LABEL_Y: &str = "88%";

fn pc(value: f64) -> String {
    format!("{value:.2}%")
}

/// The y-axis: a gridline at each step, each labelled; the line at zero is
/// light too, so that a series at zero is drawn over it and seen.
struct Axis {
    step: f64,
    top: f64,
}

impl Axis {
    fn y(&self, value: f64) -> f64 {
        PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * value.max(0.0) / self.top
    }

    fn grid(&self) -> Markup {
        let steps = (self.top / self.step).round() as usize;
        html! {
            @for i in 0..=steps {
                @let value = self.step * i as f64;
                @let y = pc(self.y(value));
                line class="chart-grid" x1="0" x2="100%" y1=(y) y2=(y) stroke=(if i == 0 { "#aeb7bd" } else { "#d8dde0" }) stroke-width="1" {}
                text class="chart-tick" x="-8" y=(y) text-anchor="end" dominant-baseline="middle" { (tick_label(value, self.step)) }
            }
        }
    }
}

/// Which of `n` labels to draw, counting back from the last (the latest month
/// is always labelled): `Some(false)` on any chart, `Some(true)` only on a
/// wide one, `None` never. A wide chart has room for 12 labels, a narrow one
/// (down to a phone's) for 5.
fn label_shown(i: usize, n: usize) -> Option<bool> {
    let wide = n.div_ceil(12).max(1);
    let narrow = wide * n.div_ceil(wide).div_ceil(5).max(1);
    let back = n - 1 - i;
    if !back.is_multiple_of(wide) {
        None
    } else {
        Some(!back.is_multiple_of(narrow))
    }
}

/// The figure around a chart: its caption, the SVG, the key and the table.
fn figure(title: &str, plot: Markup, key: Markup, table: Markup, numbers_open: bool) -> Markup {
    html! {
        figure class="panel chart" {
            figcaption { strong { (title) } }
            svg class="chart-plot" width="100%" height="240" font-size="14" role="img" aria-label=(title) { (plot) }
            // The key: a swatch of each series (an SVG, as the content
            // security policy refuses inline styles).
            p class="chart-key" { (key) }
            details open[numbers_open] {
                summary { "The numbers" }
                // A region of its own that scrolls sideways when the table
                // is wider than a phone, reachable by keyboard to scroll it.
                div class="chart-numbers" role="region" tabindex="0" aria-label=(format!("The numbers: {title}")) { (table) }
            }
        }
    }
}

fn swatch(colour: &str, kind: Kind) -> Markup {
    html! {
        svg class="swatch" viewBox="0 0 16 6" width="16" height="6" aria-hidden="true" {
            @if kind == Kind::Target {
                line x1="0" y1="3" x2="16" y2="3" stroke=(colour) stroke-width="3" stroke-dasharray="5 3" {}
            } @else {
                rect width="16" height="6" fill=(colour) {}
            }
        }
    }
}

fn numbers_table(heading: &str, rows: &[String], series: &[Series]) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { (heading) } @for s in series { th scope="col" class="num" { (s.name) } } } }
            tbody { @for (i, row) in rows.iter().enumerate() {
                tr { th scope="row" { (row) } @for s in series { td class="num" { (s.kind.number(s.value(i))) } } }
            } }
        }
    }
}

/// A line chart by month (or any even steps), with its numbers in a table
/// underneath for screen readers and for anyone who wants them. `band`, if
/// any, is shaded.
pub(crate) fn line_chart(
    title: &str,
    months: &[String],
    series: &[Series],
    band: Option<(f64, f64)>,
    numbers_open: bool,
) -> Markup {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain(band.map(|b| b.1 + 1.0))
        .fold(0.0_f64, f64::max);
    let (step, top) = if series.iter().any(|s| s.kind == Kind::Count) {
        count_axis(max)
    } else {
        nice_axis(max)
    };
    let axis = Axis { step, top };
    let n = months.len().max(1);
    // Each month in the middle of its share of the width.
    let x = |i: usize| pc(100.0 * (i as f64 + 0.5) / n as f64);
    // Smaller dots and rings when months are many, so that they do not hide
    // the lines between them.
    let (dot, ring) = if n > 12 { ("2.5", "3.5") } else { ("4", "5") };
    let plot = html! {
        @if let Some((lo, hi)) = band {
            rect x="0" y=(pc(axis.y(hi))) width="100%" height=(pc(axis.y(lo) - axis.y(hi))) fill="#e8f1f8" {}
        }
        (axis.grid())
        @for (i, m) in months.iter().enumerate() {
            @if let Some(minor) = label_shown(i, months.len()) {
                text class=(if minor { "chart-x minor" } else { "chart-x" }) x=(x(i)) y=(LABEL_Y) text-anchor="middle" { (m) }
            }
        }
        @for s in series {
            @let dash = (s.kind == Kind::Target).then_some("8 5");
            g {
                @for i in 1..months.len() {
                    line x1=(x(i - 1)) y1=(pc(axis.y(s.value(i - 1)))) x2=(x(i)) y2=(pc(axis.y(s.value(i))))
                        stroke=(s.colour) stroke-width="3" stroke-linecap="round" stroke-dasharray=[dash] {}
                }
                @for (i, m) in months.iter().enumerate() {
                    @let (cx, cy) = (x(i), pc(axis.y(s.value(i))));
                    @if s.kind == Kind::Target {
                        circle cx=(cx) cy=(cy) r=(ring) fill="none" stroke=(s.colour) stroke-width="2" { title { (m) ": " (s.name) " " (s.kind.number(s.value(i))) } }
                    } @else {
                        circle cx=(cx) cy=(cy) r=(dot) fill=(s.colour) { title { (m) ": " (s.name) " " (s.kind.number(s.value(i))) } }
                    }
                }
            }
        }
    };
    let key = html! {
        @for s in series { span { (swatch(s.colour, s.kind)) " " (s.name) } " " }
        @if let Some((lo, hi)) = band { "(shaded: " (lo) "–" (hi) ")" }
    };
    let heading = if months.first().is_some_and(|m| m.starts_with('Q')) {
        "Quarter"
    } else {
        "Month"
    };
    figure(
        title,
        plot,
        key,
        numbers_table(heading, months, series),
        numbers_open,
    )
}

/// Grouped bars by quarter, one bar for each series. A quarter not finished
/// yet (its figures run to `to_date`) has lighter bars and "(to date)" in its
/// label and in the table, so that a quarter under way is not read as a fall.
pub(crate) fn bar_chart(
    title: &str,
    quarters: &[String],
    to_date: &[Option<Day>],
    series: &[Series],
    numbers_open: bool,
) -> Markup {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0_f64, f64::max);
    let (step, top) = count_axis(max);
    let axis = Axis { step, top };
    // A financial year has four quarters: room for each from the start, so
    // that bars keep their width as the year goes on.
    let slots = quarters.len().max(4) as f64;
    let band = 100.0 / slots;
    let bar = band * 0.72 / series.len().max(1) as f64;
    let unfinished = |i: usize| to_date.get(i).copied().flatten();
    let plot = html! {
        (axis.grid())
        @for (i, q) in quarters.iter().enumerate() {
            @let centre = pc(band * (i as f64 + 0.5));
            text class="chart-x" x=(centre) y=(LABEL_Y) text-anchor="middle" { (q) }
            @if unfinished(i).is_some() {
                text class="chart-x chart-to-date" x=(centre) y=(LABEL_Y) dy="1.2em" text-anchor="middle" { "(to date)" }
            }
            @for (j, s) in series.iter().enumerate() {
                @let value = s.value(i);
                @let left = band * i as f64 + band * 0.14 + bar * j as f64;
                @let label = format!("{q}{}: {} {}", if unfinished(i).is_some() { " (to date)" } else { "" }, s.name, s.kind.number(value));
                @if value <= 0.0 {
                    // Zero: a stub on the axis, so that it reads as nought,
                    // not as missing.
                    line x1=(pc(left)) x2=(pc(left + bar * 0.86)) y1=(pc(PLOT_BOTTOM)) y2=(pc(PLOT_BOTTOM)) stroke=(s.colour) stroke-width="4" { title { (label) } }
                } @else if unfinished(i).is_some() {
                    rect class="chart-bar to-date" x=(pc(left)) y=(pc(axis.y(value))) width=(pc(bar * 0.86)) height=(pc(PLOT_BOTTOM - axis.y(value)))
                        fill=(s.colour) fill-opacity="0.3" stroke=(s.colour) stroke-width="2" { title { (label) } }
                } @else {
                    rect class="chart-bar" x=(pc(left)) y=(pc(axis.y(value))) width=(pc(bar * 0.86)) height=(pc(PLOT_BOTTOM - axis.y(value)))
                        fill=(s.colour) { title { (label) } }
                }
            }
        }
    };
    let rows: Vec<String> = quarters
        .iter()
        .enumerate()
        .map(|(i, q)| match unfinished(i) {
            Some(_) => format!("{q} (to date)"),
            None => q.clone(),
        })
        .collect();
    let key = html! {
        @for s in series { span { (swatch(s.colour, s.kind)) " " (s.name) } " " }
        @for (i, q) in quarters.iter().enumerate() {
            @if let Some(day) = unfinished(i) {
                span class="chart-to-date-key" {
                    svg class="swatch" viewBox="0 0 16 10" width="16" height="10" aria-hidden="true" {
                        rect x="1" y="1" width="14" height="8" fill="#4c6272" fill-opacity="0.3" stroke="#4c6272" stroke-width="2" {}
                    }
                    " Lighter bars: " (q) " is not over, figures to " (uk_date(day))
                }
            }
        }
    };
    figure(
        title,
        plot,
        key,
        numbers_table("Quarter", &rows, series),
        numbers_open,
    )
}

/// Job starts and 13-week outcomes by quarter of the financial year so far.
pub(crate) fn quarters_chart(
    title: &str,
    trends: &Trends,
    series: &[Series],
    numbers_open: bool,
) -> Markup {
    bar_chart(
        title,
        &trends.quarters,
        &trends.quarter_to_date,
        series,
        numbers_open,
    )
}

pub(crate) fn access_chart(trends: &Trends, numbers_open: bool) -> Markup {
    line_chart(
        "Cumulative access (unemployed) against the target to date",
        &trends.months,
        &[
            Series::count("Access", "#005eb8", &trends.access),
            Series::target("Target", "#d5281b", &trends.access_target),
        ],
        None,
        numbers_open,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(max: f64) -> (f64, f64) {
        let (step, top) = nice_axis(max);
        // Rounded to cents, so that 0.1 compares as 0.1.
        ((step * 1e6).round() / 1e6, (top * 1e6).round() / 1e6)
    }

    #[test]
    fn axes_have_round_steps_and_end_at_the_first_step_over_the_maximum() {
        assert_eq!(axis(0.0), (1.0, 1.0));
        assert_eq!(axis(-3.0), (1.0, 1.0));
        assert_eq!(axis(f64::NAN), (1.0, 1.0));
        assert_eq!(axis(1.0), (0.2, 1.0));
        assert_eq!(axis(7.0), (2.0, 8.0));
        assert_eq!(axis(13.0), (5.0, 15.0));
        assert_eq!(axis(20.0), (5.0, 20.0));
        assert_eq!(axis(21.0), (5.0, 25.0));
        assert_eq!(axis(99.0), (20.0, 100.0));
        assert_eq!(axis(100.0), (20.0, 100.0));
        assert_eq!(axis(101.0), (50.0, 150.0));
        assert_eq!(axis(0.4), (0.1, 0.4));
        assert_eq!(axis(0.37), (0.1, 0.4));
        assert_eq!(axis(1234.0), (500.0, 1500.0));
        // Every step is 1, 2 or 5 times a power of ten, with two to five
        // steps to the top, and the top at or above the maximum.
        for i in 1..2000 {
            let max = f64::from(i) * 0.37;
            let (step, top) = nice_axis(max);
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-6),
                "{max}: {step}"
            );
            let steps = top / step;
            assert!((steps - steps.round()).abs() < 1e-6, "{max}: {top}");
            assert!((1.0..=5.0 + 1e-9).contains(&steps), "{max}: {steps}");
            assert!(
                top >= max * (1.0 - 1e-9) && top - step < max,
                "{max}: {top}"
            );
        }
    }

    #[test]
    fn count_axes_step_by_whole_numbers() {
        assert_eq!(count_axis(0.0), (1.0, 1.0));
        assert_eq!(count_axis(1.0), (1.0, 1.0));
        assert_eq!(count_axis(2.3), (1.0, 3.0));
        assert_eq!(count_axis(4.0), (1.0, 4.0));
        assert_eq!(count_axis(7.0), (2.0, 8.0));
        assert_eq!(count_axis(13.0), (5.0, 15.0));
    }

    #[test]
    fn gridline_labels_have_the_decimals_their_step_needs() {
        assert_eq!(tick_label(15.0, 5.0), "15");
        assert_eq!(tick_label(0.0, 1.0), "0");
        assert_eq!(tick_label(0.30000000000000004, 0.1), "0.3");
        assert_eq!(tick_label(1.5, 0.5), "1.5");
        assert_eq!(tick_label(0.15, 0.05), "0.15");
    }

    #[test]
    fn counts_read_as_whole_numbers_and_targets_with_one_decimal() {
        assert_eq!(Kind::Count.number(7.0), "7");
        assert_eq!(Kind::Target.number(6.25), "6.2");
        assert_eq!(Kind::Target.number(7.0), "7.0");
        assert_eq!(Kind::Ratio.number(12.345), "12.3");
        assert_eq!(Kind::Target.number([].iter().sum()), "0.0");
    }

    #[test]
    fn month_labels_thin_out_so_that_they_never_overlap() {
        let shown = |n: usize, wide: bool| -> Vec<usize> {
            (0..n)
                .filter(|&i| match label_shown(i, n) {
                    Some(minor) => wide || !minor,
                    None => false,
                })
                .collect()
        };
        // Nine months: all on a wide chart, every second on a narrow one,
        // the latest always.
        assert_eq!(shown(9, true).len(), 9);
        assert_eq!(shown(9, false), vec![0, 2, 4, 6, 8]);
        assert_eq!(shown(12, false), vec![2, 5, 8, 11]);
        assert_eq!(shown(4, false), vec![0, 1, 2, 3]);
        assert_eq!(shown(1, false), vec![0]);
        for n in 1..=60 {
            assert!(shown(n, true).len() <= 12, "{n}");
            assert!(shown(n, false).len() <= 5, "{n}");
            assert!(shown(n, false).contains(&(n - 1)), "{n}");
        }
    }

    #[test]
    fn an_unfinished_quarter_is_marked_and_zero_bars_are_drawn() {
        let day = Day::parse("2025-01-15").unwrap();
        let page = bar_chart(
            "By quarter",
            &["Q3".into(), "Q4".into()],
            &[None, Some(day)],
            &[Series::count("Job starts", "#005eb8", &[3.0, 0.0])],
            true,
        )
        .into_string();
        assert_eq!(page.matches("<rect class=\"chart-bar\"").count(), 1);
        assert!(page.contains("<th scope=\"row\">Q4 (to date)</th><td class=\"num\">0</td>"));
        assert!(page.contains("<th scope=\"row\">Q3</th><td class=\"num\">3</td>"));
        assert!(page.contains("(to date)</text>"));
        assert!(page.contains("Q4 is not over, figures to 15 Jan 2025"));
        // The zero of the unfinished quarter: a stub on the axis.
        assert!(page.contains("stroke=\"#005eb8\" stroke-width=\"4\""));
        // Gridlines at 0, 1, 2, 3.
        for tick in ["0", "1", "2", "3"] {
            assert!(page.contains(&format!("dominant-baseline=\"middle\">{tick}</text>")));
        }
        assert!(!page.contains("viewBox=\"0 0 640"));
    }
}
