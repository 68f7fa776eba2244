//! The data quality page (managers, admins): the warnings the bundle rules
//! find in the records, by referral.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::Shared;
use crate::Viewer;
use crate::extract::in_scope;
use crate::extract::{Lead, SignedIn};
use crate::ui::layout::layout;
use ipstrack_core::bundle::Warning;
use maud::{Markup, html};

/// The data quality page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/data-quality", get(data_quality))
}

pub(crate) async fn data_quality(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
) -> Markup {
    let today = state.today();
    let d = &data.dataset;
    let warnings: Vec<_> = data
        .warnings
        .iter()
        .filter(|w| {
            let referral = w.record.split('/').next().unwrap_or_default();
            data.referral_index(referral)
                .is_some_and(|i| in_scope(&v, d, i, today))
        })
        .collect();
    data_quality_html(&v, &data, &warnings)
}

pub fn data_quality_html(
    v: &Viewer,
    data: &ipstrack_core::Loaded,
    warnings: &[&Warning],
) -> Markup {
    layout(
        v,
        "Data quality",
        html! {
            @let twice = crate::duplicates::possible_duplicates(v, &data.dataset).len();
            @if twice > 0 {
                p { a href="/data-quality/people-entered-twice" { (twice) @if twice == 1 { " person" } @else { " people" } " may have been entered twice: check them" } }
            }
            p { (crate::ui::layout::plural(warnings.len() as i64, "warning", "warnings")) ". The data is kept; fix each record where it is wrong." }
            table {
                thead { tr { th scope="col" { "Person" } th scope="col" { "Record" } th scope="col" { "Warning" } } }
                tbody {
                    @for w in warnings {
                        @let referral = w.record.split('/').next().unwrap_or_default();
                        @let name = data.referral_index(referral).map(|i| {
                            let d = &data.dataset;
                            d.client(d.referrals[i].client).display_name()
                        });
                        @let what = match w.record.split_once('/') {
                            Some((_, job)) => data
                                .referral_index(referral)
                                .and_then(|i| data.dataset.referrals[i].jobs.iter().find(|j| j.id == job))
                                .map_or("A job".to_string(), |j| {
                                    let the = crate::referrals::timeline::the_job(j);
                                    format!("{}{}", the[..1].to_uppercase(), &the[1..])
                                }),
                            None => "The referral".to_string(),
                        };
                        tr {
                            td { a href=(format!("/referrals/{referral}")) { (name.unwrap_or_default()) } }
                            td { (what) } td { (crate::ui::dates::uk_dates_in(&w.message)) }
                        }
                    }
                }
            }
        },
    )
}
