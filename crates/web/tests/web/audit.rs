//! The audit log page (issue 23): who changed what from what to what, in
//! words; filtered by who, kind of record, record and days; a page at a
//! time, newest first; bad days told beside their field.

use crate::common::*;
use axum::http::StatusCode;

/// es3 records a contact, then a hold: entries on their referral.
async fn some_changes(w: &World) {
    let (es3, csrf) = sign_in(w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    let form = format!("csrf={csrf}&date=2025-01-13&kind=remote&note=first+call");
    let (status, _, _) = submit(w, &format!("{referral}/contacts"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form = format!("csrf={csrf}&start=2025-01-14&end=2025-01-15");
    let (status, _, _) = submit(w, &format!("{referral}/hold"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_audit_log_says_who_changed_what_from_what_to_what_in_words() {
    let w = world().await;
    some_changes(&w).await;
    let admin = session_of(&w, "admin").await;
    let page = ok_page(&w, "/audit", &admin).await;
    // Newest first: es3's change heads the page, by the person's name.
    let first = &page[page.find("<tbody>").unwrap()..];
    let first = &first[..first.find("</tr>").unwrap()];
    shows(first, "es3");
    shows(first, "Changed ");
    shows(first, "the referral of ");
    // What changed, from what to what, in words (the holds grew).
    shows(first, "Holds: ");
    shows(first, " → ");
    hides(first, "{&quot;");
    // A contact added: its fields in words, its day the UK way.
    shows(&page, "Added <a href=");
    shows(&page, ">a contact on the referral of ");
    shows(
        &page,
        "<li>Date: 13 Jan 2025</li><li>Kind: remote</li><li>Note: first call</li>",
    );
    // Filters: by who and kind; a record's own entries by its link.
    let es3_only = ok_page(&w, "/audit?person=es3&kind=referral", &admin).await;
    assert!(es3_only.matches("<tr>").count() >= 2, "{es3_only}");
    shows(&es3_only, "<option value=\"es3\" selected>es3</option>");
    let nobody = ok_page(&w, "/audit?person=nobody-at-all", &admin).await;
    shows(&nobody, "No entry matches.");
    let record = ok_page(&w, &format!("/audit?record={}", w.es3_referral), &admin).await;
    shows(&record, "Entries of one record: <strong>the referral of ");
    // Days: a future range has nothing; a day that is not real is told.
    let future = ok_page(&w, "/audit?from-day=1&from-month=1&from-year=2099", &admin).await;
    shows(&future, "No entry matches.");
    let bad = ok_page(&w, "/audit?from-day=31&from-month=2&from-year=2025", &admin).await;
    shows(&bad, "href=\"#audit-from\"");
    shows(
        &bad,
        "The first day must be a real date, for example, 6 12 2026",
    );
    // Anyone else: the page does not exist for them.
    let es3 = session_of(&w, "es3").await;
    let (status, _, _) = send(&w.app, get("/audit", &es3)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_is_read_a_page_at_a_time() {
    let (w, admin, _) = world_signed_in("admin").await;
    let all = w
        .store
        .audit(&ipstrack_store::AuditFilter::default())
        .await
        .unwrap();
    let page = ok_page(&w, "/audit", &admin).await;
    let rows = page.matches("<td data-label=\"When\">").count();
    assert_eq!(rows, all.len().min(50));
    if all.len() > 50 {
        // The older page starts below the first page's last entry.
        let next = page
            .split("href=\"/audit?before=")
            .nth(1)
            .expect("an older page");
        let before: i64 = next.split('"').next().unwrap().parse().unwrap();
        assert_eq!(before, all[all.len() - 50].seq);
        let older = ok_page(&w, &format!("/audit?before={before}"), &admin).await;
        assert_eq!(
            older.matches("<td data-label=\"When\">").count(),
            (all.len() - 50).min(50)
        );
        shows(&older, "Newest entries");
    } else {
        hides(&page, "Older entries");
    }
}
