//! What each key performance indicator means (issue 22: "the definition of
//! each key performance indicator is included"): one page, one entry per
//! KPI in the IPS Grow framework's words with the rule it follows, linked
//! from every figure's heading on the plan, team and service pages. The
//! words and the links to them are `ui::definitions`.

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use crate::Shared;
use crate::extract::SignedIn;
use crate::ui::definitions::DEFINITIONS;
use crate::ui::layout::layout;

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/definitions", get(definitions))
}

async fn definitions(SignedIn { v, .. }: SignedIn) -> Markup {
    layout(
        &v,
        "What the figures mean",
        html! {
            p { "Each figure follows the IPS Grow key performance and outcome framework. "
                "Unemployed people and people in work when referred (job retention) are always counted separately." }
            dl class="definitions" {
                @for d in &DEFINITIONS {
                    dt id=(d.anchor) { (d.name) }
                    dd { (d.words) " " span class="rule" { "(" (d.rules) ")" } }
                }
            }
        },
    )
}
