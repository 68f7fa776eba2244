//! The period a page shows (a financial year, a quarter or a custom range)
//! and the day its figures are as of, read from the query; the period form
//! above every report; a bad period answers 400 with the form kept.

use axum::http::StatusCode;
use ipstrack_core::model::Dataset;
use ipstrack_core::report::PeriodOut;
use ipstrack_core::{Day, Period};
use serde::Deserialize;

use maud::{Markup, html};

use crate::error::WebError;
use crate::ui::form::{FormState, date_input, problem_summary};
use crate::ui::layout::layout;
use crate::viewer::Viewer;

/// A period or as-of date that cannot be shown: 400 with the form kept as
/// typed (a custom range's days too) and the problem beside its field.
pub(crate) fn bad_period(
    v: &Viewer,
    (title, action): (&str, &str),
    (data, today): (&Dataset, Day),
    q: &PeriodQuery,
    team: Option<&str>,
    message: &str,
) -> WebError {
    let q = &q.joined();
    let text = |t: &Option<String>| t.as_deref().unwrap_or_default().to_string();
    let typed = Typed {
        period: text(&q.period),
        from: text(&q.from),
        to: text(&q.to),
        as_of: text(&q.as_of),
    };
    let choices = period_choices(data, today);
    WebError::Page(
        StatusCode::BAD_REQUEST,
        period_problem(v, title, action, (&choices, &typed), team, message),
    )
}

#[derive(Default, Deserialize)]
pub(crate) struct PeriodQuery {
    /// A period's label (`2024/25`, `2024/25-Q3`, `2024-04-01..2024-06-30`),
    /// or `custom` for the range `from`–`to`.
    pub(crate) period: Option<String>,
    pub(crate) as_of: Option<String>,
    pub(crate) team: Option<String>,
    /// A custom range's first and last days (with `period=custom`).
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    /// The same days as a GOV.UK date input sends them: day, month, year.
    #[serde(flatten)]
    pub(crate) parts: DateParts,
}

/// The day, month and year boxes of the period form's dates.
#[derive(Clone, Default, Deserialize)]
pub(crate) struct DateParts {
    #[serde(rename = "from-day")]
    from_day: Option<String>,
    #[serde(rename = "from-month")]
    from_month: Option<String>,
    #[serde(rename = "from-year")]
    from_year: Option<String>,
    #[serde(rename = "to-day")]
    to_day: Option<String>,
    #[serde(rename = "to-month")]
    to_month: Option<String>,
    #[serde(rename = "to-year")]
    to_year: Option<String>,
    #[serde(rename = "as_of-day")]
    as_of_day: Option<String>,
    #[serde(rename = "as_of-month")]
    as_of_month: Option<String>,
    #[serde(rename = "as_of-year")]
    as_of_year: Option<String>,
}

/// A date typed in three boxes, as one text: `YYYY-MM-DD` when the parts are
/// numbers, the parts joined with `/` when not (so it is told as not a
/// date), nothing when all three are empty or absent.
pub(crate) fn joined(d: &Option<String>, m: &Option<String>, y: &Option<String>) -> Option<String> {
    let part = |p: &Option<String>| p.as_deref().unwrap_or_default().trim().to_string();
    let (d, m, y) = (part(d), part(m), part(y));
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    let number = |t: &str, most: usize| {
        !t.is_empty() && t.len() <= most && t.bytes().all(|b| b.is_ascii_digit())
    };
    Some(
        if number(&d, 2) && number(&m, 2) && y.len() == 4 && number(&y, 4) {
            format!("{y}-{m:0>2}-{d:0>2}")
        } else {
            format!("{d}/{m}/{y}")
        },
    )
}

impl DateParts {
    /// The first day typed in its boxes, as one text (see [`joined`]).
    pub(crate) fn from(&self) -> Option<String> {
        joined(&self.from_day, &self.from_month, &self.from_year)
    }

    /// The last day typed in its boxes.
    pub(crate) fn to(&self) -> Option<String> {
        joined(&self.to_day, &self.to_month, &self.to_year)
    }
}

impl PeriodQuery {
    /// The query with the days typed in day, month and year boxes read as
    /// its `from`, `to` and `as_of` (the boxes win over a whole date).
    pub(crate) fn joined(&self) -> PeriodQuery {
        let p = &self.parts;
        PeriodQuery {
            period: self.period.clone(),
            as_of: joined(&p.as_of_day, &p.as_of_month, &p.as_of_year).or(self.as_of.clone()),
            team: self.team.clone(),
            from: p.from().or(self.from.clone()),
            to: p.to().or(self.to.clone()),
            parts: DateParts::default(),
        }
    }
}

/// The value of the period list's "Custom range" choice.
pub(crate) const CUSTOM: &str = "custom";

/// The periods a page offers, newest first: each financial year from the
/// first with data to the last (or to `until`), with its quarters that have
/// begun by `until`. (label, words)
pub(crate) fn period_choices(data: &Dataset, until: Day) -> Vec<(String, String)> {
    let first = data
        .referrals
        .iter()
        .map(|r| r.received)
        .min()
        .unwrap_or(until);
    let last = data
        .referrals
        .iter()
        .map(|r| r.received)
        .max()
        .unwrap_or(until)
        .max(until);
    // At most six years back from the last: the list stays short.
    let first_fy = first.financial_year().max(last.financial_year() - 5);
    let mut out = Vec::new();
    for fy in (first_fy..=last.financial_year()).rev() {
        let year = Period::financial_year(fy);
        for q in (1..=4).rev() {
            let quarter = Period::quarter(fy, q);
            if quarter.start <= last {
                let words = format!(
                    "{} Q{q}: {} to {}",
                    year.label,
                    quarter.start.date().strftime("%b"),
                    quarter.end.date().strftime("%b %Y")
                );
                out.push((quarter.label, words));
            }
        }
        out.push((
            year.label.clone(),
            format!("{} (the whole financial year)", year.label),
        ));
    }
    out
}

/// The period and as-of date asked for (default: the current quarter, to today).
pub(crate) fn period_of(q: &PeriodQuery, today: Day) -> Result<(Period, Day), String> {
    period_or(q, today, Period::quarter_containing(today))
}

/// The period and as-of date asked for, `default` when none is.
pub(crate) fn period_or(
    q: &PeriodQuery,
    today: Day,
    default: Period,
) -> Result<(Period, Day), String> {
    let q = &q.joined();
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(CUSTOM) => custom_range(q)?,
        Some(p) => Period::parse(p).map_err(|e| e.to_string())?,
        None => default,
    };
    let as_of = match q.as_of.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            Day::parse(a).ok_or("The as-of date must be a real date, for example, 31 12 2024")?
        }
        None => period.default_as_of(today),
    };
    if as_of < period.start {
        return Err(format!(
            "The as-of date, {}, is before the period starts ({})",
            crate::ui::dates::uk_date(as_of),
            crate::ui::dates::uk_date(period.start)
        ));
    }
    Ok((period, as_of))
}

/// A custom range from the form's `from` and `to` days (T-2: at most five
/// years, the end not before the start).
fn custom_range(q: &PeriodQuery) -> Result<Period, String> {
    let day = |text: &Option<String>, what: &str| {
        let text = text.as_deref().unwrap_or_default().trim();
        if text.is_empty() {
            return Err(format!("Enter the {what} of the custom range"));
        }
        Day::parse(text).ok_or_else(|| {
            format!("The {what} of the custom range must be a real date, for example, 1 4 2024")
        })
    };
    let from = day(&q.from, "first day")?;
    let to = day(&q.to, "last day")?;
    if to < from {
        return Err("The last day of the custom range must be on or after its first day".into());
    }
    Period::parse(&format!("{from}..{to}")).map_err(|e| e.to_string())
}

/// The period form above a report: the report's period chosen in the list
/// (or as a custom range) and its as-of date.
pub(crate) fn period_form(
    action: &str,
    data: &Dataset,
    (period, as_of): (&PeriodOut, Day),
    team: Option<&str>,
) -> Markup {
    let typed = Typed {
        period: period.label.clone(),
        from: period.start.to_string(),
        to: period.end.to_string(),
        as_of: as_of.to_string(),
    };
    period_fields(action, &period_choices(data, as_of), &typed, team, None)
}

/// What a period form holds: the period's label (or `custom`), a custom
/// range's days and the as-of date, as typed.
pub(crate) struct Typed {
    pub period: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
}

/// The period form with the values given, and the problem beside its field
/// (the custom range's first day for a custom range, else the period).
pub(crate) fn period_fields(
    action: &str,
    choices: &[(String, String)],
    typed: &Typed,
    team: Option<&str>,
    problem: Option<&str>,
) -> Markup {
    let (mode, from, to) = period_mode(choices, typed);
    let custom = mode == Mode::Custom;
    let problem_at = if custom { "period-from" } else { "period" };
    let error = |id: &str| problem.filter(|_| problem_at == id);
    let field_class = |id: &str| {
        if error(id).is_some() {
            "field has-error"
        } else {
            "field"
        }
    };
    html! {
        form method="get" action=(action) class="panel filters" {
            @if let Some(t) = team { input type="hidden" name="team" value=(t); }
            div class=(field_class("period")) {
                label for="period" { "Period" }
                @if let Some(p) = error("period") { span class="error" id="period-error" { (p) } }
                select id="period" name="period" {
                    @for (label, words) in choices { option value=(label) selected[mode == Mode::Listed && *label == typed.period] { (words) } }
                    @if mode == Mode::Other { option value=(typed.period) selected { (typed.period) " (as typed)" } }
                    option value=(CUSTOM) selected[custom] { "A custom range: the days below" }
                }
            }
            @let dates = FormState {
                form: "period",
                values: vec![("from".into(), from.to_string()), ("to".into(), to.to_string()), ("as_of".into(), typed.as_of.clone())],
                errors: error("period-from").map(|p| vec![("from", p.to_string())]).unwrap_or_default(),
                ..Default::default()
            };
            (date_input(&dates, "period", "from", "Custom range: first day", None))
            (date_input(&dates, "period", "to", "Custom range: last day", None))
            (date_input(&dates, "period", "as_of", "As of (optional)", None))
            button type="submit" { "Show" }
        }
    }
}

/// How a period form shows what it holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One of the listed periods.
    Listed,
    /// A custom range (the list's last choice, with its days).
    Custom,
    /// A label typed into the address that is not in the list: kept as typed.
    Other,
}

/// Which choice a form shows for `typed`, and the custom range's days
/// (a range label `A..B` is shown as a custom range).
fn period_mode<'a>(choices: &[(String, String)], typed: &'a Typed) -> (Mode, &'a str, &'a str) {
    if typed.period == CUSTOM {
        return (Mode::Custom, &typed.from, &typed.to);
    }
    if typed.period.is_empty() || choices.iter().any(|(label, _)| *label == typed.period) {
        return (Mode::Listed, "", "");
    }
    match typed.period.split_once("..") {
        Some((from, to)) => (Mode::Custom, from, to),
        None => (Mode::Other, "", ""),
    }
}

/// A page whose period or as-of date cannot be shown: the error summary and
/// the form again with what was typed, to correct it.
pub fn period_problem(
    v: &Viewer,
    title: &str,
    action: &str,
    (choices, typed): (&[(String, String)], &Typed),
    team: Option<&str>,
    problem: &str,
) -> Markup {
    let custom = period_mode(choices, typed).0 == Mode::Custom;
    layout(
        v,
        title,
        html! {
            (problem_summary(Some(problem), if custom { "period-from" } else { "period" }))
            (period_fields(action, choices, typed, team, Some(problem)))
        },
    )
}
