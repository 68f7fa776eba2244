//! What every write on a referral shares, below the pages that show one:
//! what a step's form asks for (an addition, or an edit at the version its
//! page showed), the referral as stored now, and the answer to a saved
//! change (the referral published, back to its page with a message, and a
//! warning when it changed a submitted return).

use ipstrack_core::Day;
use ipstrack_store::{Edit, Step};

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::saved::saved_redirect_on;

/// What a step's form asks for: an addition, or an edit (which is made only
/// at the version its page showed).
pub(crate) enum Asked {
    Add(Step),
    Edit(Edit),
}

/// The answer to an edit whose form names no version (none, empty, or not a
/// number): whether its page showed the referral as it is cannot be told.
pub(crate) const OUT_OF_DATE: &str =
    "This page is out of date: reload it and make your change again.";

/// The version of the referral a form's page showed, if it names one.
pub(crate) fn seen_version(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// The referral as stored now, put into the snapshot (after an edit was
/// refused as stale, to show it as it is): the snapshot and its index.
pub(crate) async fn as_stored(
    state: &AppState,
    id: &str,
) -> WebResult<(std::sync::Arc<crate::Snapshot>, usize)> {
    let saved = state.store.referral(id).await?.ok_or(WebError::NotFound)?;
    state.publish(&saved).await;
    let data = state.data();
    let i = data.referral_index(id).ok_or(WebError::NotFound)?;
    Ok((data, i))
}

/// After a write on a referral: the new data published, and the redirect to
/// the referral saying what was saved — and, when the write changed a figure
/// of a submitted return (dated on or before its as-of date), which return
/// and figures (issue 22).
pub(crate) async fn saved_and_told(
    state: &AppState,
    before: &crate::Snapshot,
    step: &Step,
    saved: &ipstrack_store::Saved,
    what: &str,
) -> axum::response::Response {
    state.publish(saved).await;
    let id = &saved.referral.id;
    let mut response =
        saved_redirect_on(state, &format!("/referrals/{id}"), what, earliest_day(step));
    let received = Day::parse(&saved.referral.received);
    if let Some(earliest) = earliest_day(step).or(received) {
        let after = state.data();
        let changed =
            crate::returns::affected::changed_returns(state, before, &after, earliest).await;
        if let Some((name, value)) = crate::returns::affected::warning_cookie(state, &changed)
            && let Ok(value) = value.parse()
        {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// The earliest day a step writes (its figures can change from that day
/// on); `None` for a correction or removal, which may touch any day of the
/// referral.
fn earliest_day(step: &Step) -> Option<Day> {
    let days: Vec<&str> = match step {
        Step::Contact(c) => vec![&c.date],
        Step::Hold(h) => vec![&h.start],
        Step::Waiting(w) => vec![&w.start],
        Step::Engagement(e) => vec![&e.date],
        Step::Decision(x) => vec![&x.start],
        Step::Transfer(t) => vec![&t.date],
        Step::InWorkCheck(c) => vec![&c.date],
        Step::Job(j) => vec![&j.start],
        Step::Edit {
            edit: Edit::Access(a),
            ..
        } => vec![a],
        Step::Edit {
            edit: Edit::Discharge(x),
            ..
        } => vec![&x.date],
        Step::Edit { .. } => return None,
    };
    days.into_iter().filter_map(Day::parse).min()
}

/// Writes `step` to referral `id` in the store as the viewer (once only for
/// a retried form's key).
pub(crate) async fn change_as(
    state: &crate::AppState,
    v: &crate::viewer::Viewer,
    id: &str,
    step: &ipstrack_store::Step,
    once: Option<&ipstrack_store::RequestKey>,
) -> Result<ipstrack_store::Saved, ipstrack_store::StoreError> {
    let user = &v.session.user.username;
    state.store.change_referral_once(id, step, once, user).await
}
