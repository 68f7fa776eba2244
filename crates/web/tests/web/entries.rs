//! Correcting an entry in place (issue 13): "Change" beside each entry of the
//! timeline opens the entry's own form filled with it; saving replaces it
//! (audited), a stale form is refused with the form kept, a bad value brings
//! the edit form back.

use crate::common::*;
use axum::http::StatusCode;

/// es3's referral with one more contact and an open hold; (session, token, path).
async fn with_entries(w: &World) -> (String, String, String) {
    let (es3, csrf) = sign_in(w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    for (path, form) in [
        ("contacts", "date=2025-01-13&kind=remote&note=phone+call"),
        ("hold", "start=2025-01-10&end="),
    ] {
        let form = format!("csrf={csrf}&{form}");
        let (status, _, body) = submit(w, &format!("{referral}/{path}"), &es3, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
    }
    (es3, csrf, referral)
}

/// es3's referral with a vocational plan: (session, token, path, the plan's start).
async fn with_plan(w: &World) -> (String, String, String, String) {
    let (es3, csrf) = sign_in(w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    if stored(w).await.vocational_plan.is_none() {
        let page = ok_page(w, &format!("{referral}/record/plan"), &es3).await;
        let form = format!("csrf={csrf}&version={}&date=2025-01-02", version_of(&page));
        let (status, _, body) = submit(w, &format!("{referral}/plan"), &es3, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let start = stored(w).await.vocational_plan.unwrap().start;
    (es3, csrf, referral, start)
}

async fn stored(w: &World) -> ipstrack_core::bundle::ReferralDoc {
    saved_referral(w, &w.es3_referral).await.referral
}

/// The vocational plan's edit form of `referral`, opened by `es3` and sent
/// with `fields` at the version it showed: the answer's status and page.
async fn edit_plan(
    w: &World,
    es3: &str,
    csrf: &str,
    referral: &str,
    fields: &str,
) -> (StatusCode, String) {
    let edit = ok_page(w, &format!("{referral}/edit/plan/0"), es3).await;
    let form = format!("csrf={csrf}&edit=0&version={}&{fields}", version_of(&edit));
    let (status, _, body) = submit(w, &format!("{referral}/plan"), es3, &form).await;
    (status, body)
}

#[tokio::test]
async fn a_contact_and_a_hold_are_corrected_in_place() {
    let w = world().await;
    let (es3, csrf, referral) = with_entries(&w).await;
    let contacts = stored(&w).await.contacts.unwrap();
    let last = contacts.len() - 1;
    let page = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(&page, &format!("href=\"{referral}/edit/contact/{last}\""));
    let edit = ok_page(&w, &format!("{referral}/edit/contact/{last}"), &es3).await;
    shows(&edit, "phone call");
    let form = format!(
        "csrf={csrf}&edit={last}&version={}&date=2025-01-13&kind=face_to_face&mechanism=face_to_face&note=met+at+the+library",
        version_of(&edit)
    );
    let (status, _, body) = submit(&w, &format!("{referral}/contacts"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let now = stored(&w).await.contacts.unwrap();
    assert_eq!(now.len(), contacts.len(), "replaced, not added");
    assert_eq!(
        (now[last].kind.as_str(), now[last].note.as_deref()),
        ("face_to_face", Some("met at the library"))
    );

    let holds = stored(&w).await.holds.unwrap();
    let h = holds.len() - 1;
    let edit = ok_page(&w, &format!("{referral}/edit/hold/{h}"), &es3).await;
    let form = format!(
        "csrf={csrf}&edit={h}&version={}&start=2025-01-10&end=2025-01-12",
        version_of(&edit)
    );
    let (status, _, body) = submit(&w, &format!("{referral}/hold"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        stored(&w).await.holds.unwrap()[h].end.as_deref(),
        Some("2025-01-12")
    );
}

#[tokio::test]
async fn a_bad_or_stale_correction_brings_the_edit_form_back() {
    let w = world().await;
    let (es3, csrf, referral) = with_entries(&w).await;
    let h = stored(&w).await.holds.unwrap().len() - 1;
    let edit = ok_page(&w, &format!("{referral}/edit/hold/{h}"), &es3).await;
    let version = version_of(&edit);
    let form = format!("csrf={csrf}&edit={h}&version={version}&start=2025-01-10&end=2025-01-01");
    let (status, _, page) = submit(&w, &format!("{referral}/hold"), &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "Save the change");
    shows(&page, "href=\"#hold-end\"");
    // Someone adds a contact meanwhile: the form's version is stale.
    let contact = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, _, _) = submit(&w, &format!("{referral}/contacts"), &es3, &contact).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form = format!("csrf={csrf}&edit={h}&version={version}&start=2025-01-10&end=2025-01-12");
    let (status, _, page) = submit(&w, &format!("{referral}/hold"), &es3, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "changed by someone else");
    shows_date(&page, "hold-end", "2025-01-12");
    assert_eq!(
        stored(&w).await.holds.unwrap()[h].end,
        None,
        "nothing written"
    );
}

#[tokio::test]
async fn the_vocational_plan_can_be_ended_by_its_edit_form() {
    let w = world().await;
    let (es3, csrf, referral, start) = with_plan(&w).await;
    let (status, body) = edit_plan(
        &w,
        &es3,
        &csrf,
        &referral,
        &format!("date={start}&end=2025-01-14"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        stored(&w).await.vocational_plan.unwrap().end.as_deref(),
        Some("2025-01-14")
    );
}

#[tokio::test]
async fn no_such_entry_or_another_teams_is_not_found() {
    let (w, es3, _) = world_signed_in("es3").await;
    for path in [
        format!("/referrals/{}/edit/contact/999", w.es3_referral),
        format!("/referrals/{}/edit/nonsense/0", w.es3_referral),
        format!("/referrals/{}/edit/contact/0", w.es1_referral),
    ] {
        let (status, _, _) = send(&w.app, get(&path, &es3)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_vocational_plan_keeps_its_reviews_and_the_clinical_teams_agreement() {
    let w = world().await;
    let (es3, csrf, referral, start) = with_plan(&w).await;
    let fields = format!("date={start}&end=&review1=2025-01-10&review2=2025-01-14&agreed=yes");
    let (status, body) = edit_plan(&w, &es3, &csrf, &referral, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let plan = stored(&w).await.vocational_plan.unwrap();
    assert_eq!(plan.reviews, ["2025-01-10", "2025-01-14"]);
    assert_eq!(plan.agreed_with_clinical_team, Some(true));
    let page = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(
        &page,
        "agreed with the clinical team; reviewed 10 Jan 2025, 14 Jan 2025",
    );
    // A review before the plan started is refused, the form kept.
    let edit = ok_page(&w, &format!("{referral}/edit/plan/0"), &es3).await;
    shows_date(&edit, "plan-review2", "2025-01-14");
    let form = format!(
        "csrf={csrf}&edit=0&version={}&date={start}&review1=1999-01-01",
        version_of(&edit)
    );
    let (status, _, page) = submit(&w, &format!("{referral}/plan"), &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "href=\"#plan-review1\"");
}

/// An edit names the version its page showed (issue 20): without one — the
/// field missing, empty or not a number — it is refused as a page out of
/// date (409, the form kept) and nothing is written, whichever edit it is.
#[tokio::test]
async fn an_edit_without_a_version_is_refused_as_out_of_date_and_writes_nothing() {
    let w = world().await;
    let (es3, csrf, referral) = with_entries(&w).await;
    let (_, _, _, start) = with_plan(&w).await;
    let new_job =
        format!("csrf={csrf}&type=employee&employer=Co-op&start=2025-01-06&hours_per_week=16");
    let (status, _, _) = submit(&w, &format!("{referral}/jobs"), &es3, &new_job).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let doc = stored(&w).await;
    let last = doc.contacts.as_ref().unwrap().len() - 1;
    let h = doc.holds.as_ref().unwrap().len() - 1;
    let job = doc.jobs.as_ref().unwrap().last().unwrap().id.clone();
    let cases = [
        (
            format!("{referral}/contacts"),
            format!("edit={last}&date=2025-01-13&kind=face_to_face&note=overwritten"),
        ),
        (
            format!("{referral}/hold"),
            format!("edit={h}&version=&start=2025-01-10&end=2025-01-12"),
        ),
        (
            format!("{referral}/plan"),
            format!("edit=0&version=seven&date={start}&end=2025-01-14"),
        ),
        (format!("{referral}/access"), "date=2025-01-03".to_string()),
        (
            format!("{referral}/discharge"),
            "version=+&date=2025-01-15&reason=moved+away&confirm=yes".to_string(),
        ),
        (
            format!("{referral}/remove"),
            "kind=contact&index=0".to_string(),
        ),
        (
            format!("{referral}/jobs/{job}/edit"),
            "type=employee&employer=Co-op&start=2025-01-06&end=2025-01-10&hours_per_week=16"
                .to_string(),
        ),
    ];
    let version = saved_referral(&w, &w.es3_referral).await.version;
    for (path, form) in cases {
        let (status, _, page) = submit(&w, &path, &es3, &format!("csrf={csrf}&{form}")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path} {form}: {page}");
        shows(
            &page,
            "This page is out of date: reload it and make your change again.",
        );
        let now = saved_referral(&w, &w.es3_referral).await;
        assert_eq!(now.version, version, "{path} {form}: nothing written");
        assert_eq!(now.referral, doc, "{path} {form}: nothing written");
    }
}
