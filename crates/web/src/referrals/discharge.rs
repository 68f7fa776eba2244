//! "Discharge this person?": a discharge is confirmed on a page of its own
//! before it is saved (issue 23); the page carries the form as typed.

use std::collections::HashMap;

use crate::Viewer;
use ipstrack_core::Day;

/// "Discharge this person?": the discharge as typed, to confirm or cancel.
pub(crate) fn confirmation(
    v: &Viewer,
    data: &ipstrack_core::Loaded,
    i: usize,
    form: &HashMap<String, String>,
) -> maud::Markup {
    let d = &data.dataset;
    let r = &d.referrals[i];
    let name = d.client(r.client).display_name();
    let day = form
        .get("date")
        .and_then(|t| Day::parse(t))
        .map(crate::ui::dates::uk_date)
        .unwrap_or_default();
    let reason = form
        .get("reason")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty());
    crate::ui::layout::layout(
        v,
        &format!("Discharge {name}?"),
        maud::html! {
            p { "The referral closes on " strong { (day) } ": " (name) " leaves the caseload and no longer counts as active. "
                "In-work checks can still be recorded after discharge, and the referral can be reopened." }
            @if let Some(reason) = reason { p { "Reason: " (reason) } }
            form method="post" action=(format!("/referrals/{}/discharge", r.id)) {
                @for (k, value) in form.iter().filter(|(k, _)| *k != "confirm") {
                    input type="hidden" name=(k) value=(value);
                }
                input type="hidden" name="confirm" value="yes";
                button type="submit" class="warning" { "Yes, discharge " (name) }
                " "
                a href=(format!("/referrals/{}", r.id)) { "No, go back" }
            }
        },
    )
}
