//! Horizontal bars of a rate by group, the whole's rate marked (issue 26's
//! equality page): one panel per rate, in one figure per dimension.

use super::{Kind, pc, swatch};
use maud::{Markup, html};

/// One group's bar in [`rate_bars`]: its name, its rate in percent (none
/// when it may not be shown) and a word or two after it ("beyond chance").
pub(crate) struct RateBar<'a> {
    pub label: &'a str,
    pub percent: Option<f64>,
    pub note: &'a str,
}

/// One panel of [`rate_bars`]: a rate's name, each group's bar and the
/// whole's rate (its name and value), marked by a line down the bars.
pub(crate) struct RatePanel<'a> {
    pub title: &'a str,
    pub bars: Vec<RateBar<'a>>,
    pub whole: (&'a str, Option<f64>),
}

/// Where a horizontal bar's 0% and 100% are, in percent of the SVG's width
/// (the group's name stands to the left of them).
const BAR_LEFT: f64 = 42.0;
const BAR_SPAN: f64 = 46.0;
/// A bar's row and the room for the whole's label above the bars, in px.
const BAR_ROW: u32 = 28;
const BAR_TOP: u32 = 26;

fn bar_x(percent: f64) -> f64 {
    BAR_LEFT + BAR_SPAN * percent.clamp(0.0, 100.0) / 100.0
}

/// Horizontal bars of each group's rate, 0 to 100%, one panel per rate,
/// with the whole's rate marked (issue 26): a group whose rate is not shown
/// has no bar and says so. The numbers beneath, as every chart has them.
pub(crate) fn rate_bars(title: &str, panels: &[RatePanel], numbers_open: bool) -> Markup {
    let percent = |p: Option<f64>| p.map_or("not shown".to_string(), |p| format!("{p:.1}%"));
    html! {
        figure class="panel chart" {
            figcaption { strong { (title) } }
            @for panel in panels {
                @let height = BAR_TOP + BAR_ROW * panel.bars.len() as u32 + 8;
                @let label = format!("{title}: {}", panel.title);
                p class="chart-panel-title" { (panel.title) }
                svg class="chart-bars" width="100%" height=(height) font-size="14" role="img" aria-label=(label) {
                    line x1=(pc(bar_x(0.0))) x2=(pc(bar_x(0.0))) y1=(BAR_TOP - 4) y2=(height - 4) stroke="#aeb7bd" stroke-width="1" {}
                    @for (i, bar) in panel.bars.iter().enumerate() {
                        @let y = BAR_TOP + BAR_ROW * i as u32;
                        @let words = format!("{}: {}{}", bar.label, percent(bar.percent), if bar.note.is_empty() { String::new() } else { format!(", {}", bar.note) });
                        text x="0" y=(y + BAR_ROW / 2) dominant-baseline="middle" { (bar.label) }
                        @if let Some(p) = bar.percent {
                            rect class="chart-bar" x=(pc(bar_x(0.0))) y=(y + 5) width=(pc(bar_x(p) - BAR_LEFT)) height=(BAR_ROW - 10) fill="#005eb8" { title { (words) } }
                            text x=(pc(bar_x(p) + 1.0)) y=(y + BAR_ROW / 2) dominant-baseline="middle" { (format!("{p:.1}%")) @if !bar.note.is_empty() { " " tspan font-weight="bold" { (bar.note) } } }
                        } @else {
                            text class="chart-to-date" x=(pc(bar_x(0.0) + 1.0)) y=(y + BAR_ROW / 2) dominant-baseline="middle" { "not shown" title { (words) } }
                        }
                    }
                    @if let (name, Some(w)) = panel.whole {
                        line x1=(pc(bar_x(w))) x2=(pc(bar_x(w))) y1=(BAR_TOP - 6) y2=(height - 4) stroke="#d5281b" stroke-width="2" stroke-dasharray="5 3" {}
                        text x=(pc(bar_x(w))) y="12" text-anchor="middle" { (format!("{name} {w:.1}%")) }
                    }
                }
            }
            p class="chart-key" {
                span { (swatch("#005eb8", Kind::Count)) " Each group's rate" } " "
                span { (swatch("#d5281b", Kind::Target)) " " (panels.first().map_or("All", |p| p.whole.0)) "'s rate" }
            }
            details open[numbers_open] {
                summary { "The numbers" }
                div class="chart-numbers" role="region" tabindex="0" aria-label=(format!("The numbers: {title}")) {
                    table {
                        thead { tr { th scope="col" { "Group" } @for panel in panels { th scope="col" class="num" { (panel.title) } } } }
                        tbody {
                            @for (i, bar) in panels.first().map(|p| p.bars.as_slice()).unwrap_or_default().iter().enumerate() {
                                tr { th scope="row" { (bar.label) } @for panel in panels { td class="num" { (percent(panel.bars.get(i).and_then(|b| b.percent))) } } }
                            }
                            tr { th scope="row" { (panels.first().map_or("All", |p| p.whole.0)) } @for panel in panels { td class="num" { (percent(panel.whole.1)) } } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_bars_mark_the_whole_and_leave_out_hidden_rates() {
        let panel = RatePanel {
            title: "Access rate",
            bars: vec![
                RateBar {
                    label: "White",
                    percent: Some(50.0),
                    note: "beyond chance",
                },
                RateBar {
                    label: "Mixed",
                    percent: None,
                    note: "",
                },
            ],
            whole: ("Service", Some(25.0)),
        };
        let page = rate_bars("Ethnic group", &[panel], false).into_string();
        assert_eq!(page.matches("<rect class=\"chart-bar\"").count(), 1);
        assert!(page.contains("Service 25.0%"));
        assert!(page.contains("not shown"));
        assert!(page.contains("beyond chance"));
    }
}
