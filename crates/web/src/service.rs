//! The service page (managers, admins): every team's KPIs for a period.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;

use crate::Shared;
use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{Manager, SignedIn};
use crate::period::{PeriodQuery, bad_period, period_form, period_of};
use crate::ui::dates::uk_date;
use crate::ui::figures::{figures_head, figures_row};
use crate::ui::layout::layout;
use ipstrack_core::Loaded;
use ipstrack_core::report::Report;
use maud::{Markup, html};

/// The service page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/service", get(service))
}

pub(crate) async fn service(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Markup> {
    let (period, as_of) = period_of(&q, state.today()).map_err(|e| {
        bad_period(
            &v,
            ("Service", "/service"),
            (&data.dataset, state.today()),
            &q,
            None,
            &e,
        )
    })?;
    let r = data.report(&period, as_of)?;
    let ytd = data.year_to_date(&r)?;
    // What no ES held, shown when there is any.
    let none = data.unallocated(&period, as_of)?;
    let held = none.referrals.unemployed
        + none.referrals.employed
        + none.caseload.open
        + none.job_starts.unemployed
        + none.job_starts.employed;
    let unallocated = (held > 0).then_some(&*none);
    Ok(service_html(&v, &data, (&r, unallocated), ytd.as_deref()))
}

/// The service view: every team and the service, any period or as-of date.
pub fn service_html(
    v: &Viewer,
    data: &Loaded,
    (r, unallocated): (&Report, Option<&ipstrack_core::report::Kpis>),
    ytd: Option<&Report>,
) -> Markup {
    let d = &data.dataset;
    layout(
        v,
        &format!("{} – service", d.service.name),
        html! {
            p { (r.period.label) " (" (uk_date(r.period.start)) " to " (uk_date(r.period.end)) "), as of " (uk_date(r.as_of)) ". Each pair of figures is unemployed / in work (job retention) at referral, always counted apart." }
            (period_form("/service", &data.dataset, (&r.period, r.as_of), None))
            // Wide figures scroll in their own box, never the page.
            div class="table-scroll" {
                table {
                    caption { "Teams and service" }
                    (figures_head())
                    tbody {
                        @for t in &r.teams {
                            @let name = d.teams.iter().find(|x| x.id == t.id).map_or(t.id.clone(), |x| x.name.clone());
                            @let year = ytd.and_then(|y| y.teams.iter().find(|x| x.id == t.id)).map(|x| &x.kpis);
                            (figures_row(html! { a href=(format!("/team?team={}&period={}&as_of={}", t.id, r.period.label, r.as_of)) { (name) } }, &t.kpis, year))
                        }
                        // What no ES held counts in the service and no team.
                        @if let Some(none) = unallocated {
                            (figures_row(html! { span class="narrow-heading" { "Not allocated to a team" } }, none, None))
                        }
                        (figures_row(html! { "Service" }, &r.service, ytd.map(|y| &y.service)))
                    }
                }
            }
        },
    )
}
