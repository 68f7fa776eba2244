//! A referral's corrections and forms: a wrong entry removed (kept in the
//! audit), notes on the timeline, GOV.UK date inputs, a discharge confirmed on
//! its own page (crates/web/src/referrals/).

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn a_wrong_entry_is_corrected_by_removing_it_and_the_audit_keeps_it() {
    let (w, es1, csrf) = world_signed_in("es1").await;
    let contacts = |loaded: &ipstrack_core::Loaded| {
        loaded
            .dataset
            .referrals
            .iter()
            .find(|r| r.id == w.es1_referral)
            .unwrap()
            .contacts
            .len()
    };
    let before = contacts(&w.store.load().await.unwrap());
    let add = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    let (status, _, _) = submit(&w, &path, &es1, &add).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = ok_page(&w, &format!("/referrals/{}/timeline", w.es1_referral), &es1).await;
    assert!(
        page.contains("Remove: Contact: remote on 14 Jan 2025"),
        "each entry has a Remove button"
    );
    let referral = format!("/referrals/{}", w.es1_referral);
    let remove = format!(
        "csrf={csrf}&kind=contact&index={before}&version={}",
        version_now(&w, &referral).await
    );
    let path = format!("/referrals/{}/remove", w.es1_referral);
    let (status, _, _) = submit(&w, &path, &es1, &remove).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(contacts(&w.store.load().await.unwrap()), before);
    let last = last_audit(&w, &w.es1_referral).await;
    assert_eq!(last.action, "update");
    assert!(
        last.old_value.as_deref().unwrap().contains("2025-01-14"),
        "the removed contact is in the old value"
    );
    let wrong = format!(
        "csrf={csrf}&kind=contact&index=9999&version={}",
        version_now(&w, &referral).await
    );
    let (status, _, _) = submit(&w, &path, &es1, &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_contact_keeps_a_short_note_shown_on_the_timeline_and_a_long_one_is_refused() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let form = format!(
        "csrf={csrf}&date=2025-01-14&kind=face_to_face&note=Talked+about+her+CV%3B+next%3A+apply+at+the+Co-op+%3Cb%3E"
    );
    let (status, _, body) = submit(&w, &format!("{referral}/contacts"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let page = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    // Shown as text (escaped), never as markup.
    shows(
        &page,
        "Note: Talked about her CV; next: apply at the Co-op &lt;b&gt;",
    );
    let stored = saved_referral(&w, &w.es3_referral).await;
    let last = stored.referral.contacts.unwrap().pop().unwrap();
    assert_eq!(
        last.note.as_deref(),
        Some("Talked about her CV; next: apply at the Co-op <b>")
    );
    let long = "x".repeat(1_001);
    let form = format!("csrf={csrf}&date=2025-01-14&kind=face_to_face&note={long}");
    let (status, _, page) = submit(&w, &format!("{referral}/contacts"), &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "href=\"#contact-note\"");
}

#[tokio::test]
async fn dates_are_govuk_date_inputs_whose_parts_are_joined_and_checked() {
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    let page = ok_page(&w, &format!("{referral}/record/contact"), &es1).await;
    // Day, month and year, with today filled in for a contact.
    shows(&page, "<legend>Date of contact</legend>");
    shows(
        &page,
        "name=\"date-day\" class=\"width-2\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"15\"",
    );
    shows(&page, "For example, 6 12 2026");
    let path = format!("{referral}/contacts");
    let before = saved_referral(&w, &w.es1_referral).await;
    let count = before.referral.contacts.as_ref().map_or(0, Vec::len);
    // The browser picker's trap: 06122026 typed into one box is not a date.
    let form = format!("csrf={csrf}&date-day=06122026&date-month=&date-year=&kind=remote");
    let (status, _, body) = submit(&w, &path, &es1, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(
        &body,
        "Enter the date of the contact as a real date, for example, 15 1 2025",
    );
    shows(&body, "value=\"06122026\"");
    // 31 February is not a day either; shown again as typed.
    let form = format!("csrf={csrf}&date-day=31&date-month=2&date-year=2024&kind=remote");
    let (status, _, body) = submit(&w, &path, &es1, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&body, "value=\"31\"");
    let after = saved_referral(&w, &w.es1_referral).await;
    assert_eq!(
        after.referral.contacts.as_ref().map_or(0, Vec::len),
        count,
        "nothing saved"
    );
    // 6 1 2025 is the 6th of January.
    let form = format!("csrf={csrf}&date-day=6&date-month=1&date-year=2025&kind=remote");
    let (status, _, body) = submit(&w, &path, &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", error_of(&body));
    let saved = saved_referral(&w, &w.es1_referral).await;
    assert_eq!(
        saved.referral.contacts.unwrap().last().unwrap().date,
        "2025-01-06"
    );
}

/// The first error summary line of a page, to say why a form was refused.
fn error_of(page: &str) -> &str {
    page.split("error-summary-title")
        .nth(2)
        .map_or(page, |s| &s[..s.len().min(900)])
}

#[tokio::test]
async fn a_discharge_is_confirmed_on_a_page_of_its_own_before_it_is_saved() {
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    let version = version_now(&w, &referral).await;
    let form = format!(
        "csrf={csrf}&version={version}&date-day=15&date-month=1&date-year=2025&reason=Moved+away"
    );
    let (status, _, page) = submit(&w, &format!("{referral}/discharge"), &es1, &form).await;
    assert_eq!(status, StatusCode::OK);
    shows_all(
        &page,
        &[
            "The referral closes on <strong>15 Jan 2025</strong>",
            "Reason: Moved away",
            "name=\"confirm\" value=\"yes\"",
            "No, go back",
        ],
    );
    let saved = saved_referral(&w, &w.es1_referral).await;
    assert!(
        saved.referral.discharge.is_none(),
        "not saved before it is confirmed"
    );
    // Confirmed: the page's own form, as sent.
    let confirm =
        format!("csrf={csrf}&version={version}&date=2025-01-15&reason=Moved+away&confirm=yes");
    let (status, _, _) = submit(&w, &format!("{referral}/discharge"), &es1, &confirm).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let saved = saved_referral(&w, &w.es1_referral).await;
    assert_eq!(saved.referral.discharge.unwrap().date, "2025-01-15");
    // Closed: only reopening and the follow-up are offered.
    let page = ok_page(&w, &referral, &es1).await;
    shows(&page, "Discharged on 15 Jan 2025: Moved away.");
    shows(&page, "Reopen the referral");
    hides(&page, "Record a contact");
    hides(&page, "Record a job start");
    // Nor can their pages be opened.
    let (status, _, _) = send(&w.app, get(&format!("{referral}/record/contact"), &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    ok_page(&w, &format!("{referral}/record/person"), &es1).await;
    let reopened = remove_first(&w, (&referral, saved.version), (&es1, &csrf), "discharge").await;
    assert!(reopened.referral.discharge.is_none());
    shows(&ok_page(&w, &referral, &es1).await, "Record a contact");
}

/// Issue 26: where a contact was held (the fidelity scale's community-based
/// services), asked on the contact's page, stored, and refused when it is
/// not one of the places.
#[tokio::test]
async fn fidelity_a_contact_records_where_it_was_held() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let page = ok_page(&w, &format!("{referral}/record/contact"), &es3).await;
    shows_all(&page, &["Where it was held (optional)", "At their home"]);
    let form = format!("csrf={csrf}&date=2025-01-14&kind=face_to_face&location=home");
    let (status, _, body) = submit(&w, &format!("{referral}/contacts"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = saved_referral(&w, &w.es3_referral).await;
    let contacts = stored.referral.contacts.unwrap();
    assert_eq!(contacts.last().unwrap().location.as_deref(), Some("home"));
    let timeline = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(&timeline, "Contact: face to face, at their home");
    let form = format!("csrf={csrf}&date=2025-01-15&kind=face_to_face&location=moon");
    let (status, _, page) = submit(&w, &format!("{referral}/contacts"), &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "Select where the contact was held");
    let after = saved_referral(&w, &w.es3_referral).await;
    assert_eq!(
        after.referral.contacts.unwrap(),
        contacts,
        "nothing written"
    );
}
