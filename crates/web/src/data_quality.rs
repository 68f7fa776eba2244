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
    data_quality_html(&v, &warnings)
}

pub fn data_quality_html(v: &Viewer, warnings: &[&Warning]) -> Markup {
    layout(
        v,
        "Data quality",
        html! {
            p { (warnings.len()) " warnings. The data is kept; fix each record where it is wrong." }
            table {
                thead { tr { th scope="col" { "Record" } th scope="col" { "Warning" } } }
                tbody {
                    @for w in warnings {
                        @let referral = w.record.split('/').next().unwrap_or_default();
                        tr { td { a href=(format!("/referrals/{referral}")) { (w.record) } } td { (w.message) } }
                    }
                }
            }
        },
    )
}
