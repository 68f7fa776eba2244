//! The period a page shows (a financial year, a quarter or a custom range)
//! and the day its figures are as of, read from the query; a bad one answers
//! 400 with the period form kept.

use axum::http::StatusCode;
use ipstrack_core::{Day, Period};
use serde::Deserialize;

use crate::error::WebError;
use crate::extract::Viewer;

/// A period or as-of date that cannot be shown: 400 with the form kept.
pub(crate) fn bad_period(
    v: &Viewer,
    title: &str,
    action: &str,
    q: &PeriodQuery,
    team: Option<&str>,
    message: &str,
) -> WebError {
    let typed = (
        q.period.as_deref().unwrap_or_default(),
        q.as_of.as_deref().unwrap_or_default(),
    );
    WebError::Page(
        StatusCode::BAD_REQUEST,
        crate::ui::figures::period_problem(v, title, action, typed, team, message),
    )
}

#[derive(Default, Deserialize)]
pub(crate) struct PeriodQuery {
    pub(crate) period: Option<String>,
    pub(crate) as_of: Option<String>,
    pub(crate) team: Option<String>,
}

/// The period and as-of date asked for (default: this financial year, today).
pub(crate) fn period_of(q: &PeriodQuery, today: Day) -> Result<(Period, Day), String> {
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).map_err(|e| e.to_string())?,
        None => Period::financial_year(today.financial_year()),
    };
    let as_of = match q.as_of.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            Day::parse(a).ok_or_else(|| format!("as-of date `{a}` is not a date (YYYY-MM-DD)"))?
        }
        None => period.default_as_of(today),
    };
    if as_of < period.start {
        return Err(format!(
            "the as-of date {as_of} is before the period starts ({})",
            period.start
        ));
    }
    Ok((period, as_of))
}
