//! The audit log page (admins): every change, who made it and when, with old
//! and new values, and the lookups refused as outside a user's scope.

use axum::extract::{Query, State};
use serde::Deserialize;

use crate::Shared;
use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{Admin, SignedIn};
use crate::ui::layout::layout;
use ipstrack_store::AuditEntry;
use maud::{Markup, html};

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    record: Option<String>,
}

pub(crate) async fn audit(
    State(state): State<Shared>,
    Admin(SignedIn { v, data: _ }): Admin,
    Query(q): Query<AuditQuery>,
) -> WebResult<Markup> {
    let filter = ipstrack_store::AuditFilter {
        record: q.record.clone().filter(|r| !r.is_empty()),
        since: None,
    };
    let entries = state.store.audit(&filter).await?;
    Ok(audit_html(&v, &entries, q.record.as_deref()))
}

pub fn audit_html(v: &Viewer, entries: &[AuditEntry], record: Option<&str>) -> Markup {
    layout(
        v,
        "Audit log",
        html! {
            form method="get" action="/audit" class="panel" {
                div class="field" { label for="record" { "Record id" } input id="record" name="record" value=(record.unwrap_or_default()); }
                button type="submit" { "Search" }
            }
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Record" } } }
                tbody { @for e in entries.iter().rev().take(500) {
                    tr { td { (crate::ui::dates::uk_timestamp(&e.at)) } td { (e.actor) } td { (e.action) } td { (e.record_type) " " (e.record_id) } }
                } }
            }
        },
    )
}
