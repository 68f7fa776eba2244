//! Who a client is (issue 13): a new referral for a new person records their
//! name and details; the name is on the caseload and the referral page; the
//! person's edit form changes them with the old and new values audited,
//! refused when stale, and never says whose NHS number another team holds.

use crate::common::*;
use axum::http::StatusCode;

/// es3 refers a new person with every detail; the referral's page.
async fn new_person(w: &World) -> (String, String, String) {
    let (es3, csrf) = sign_in(w, "es3", PASSWORD).await.unwrap();
    let form = format!(
        "csrf={csrf}&client=&given_name=Amira&family_name=Khan&date_of_birth=1991-03-14\
         &phone=07700+900123&postcode=ls1+4ap&gender=2&ethnic_category=J\
         &nhs_number=943+476+5919&received=2025-01-10&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, body) = submit(w, "/referrals/new", &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let page = saved_page(w, &headers, &es3).await;
    shows(&page, "Referral saved for Amira Khan.");
    (es3, csrf, location(&headers))
}

#[tokio::test]
async fn a_new_person_is_recorded_with_their_name_and_details_and_shown_by_name() {
    let w = world().await;
    let (es3, _, referral) = new_person(&w).await;
    let page = ok_page(&w, &referral, &es3).await;
    shows(&page, "<title>Amira Khan");
    for detail in [
        "14 Mar 1991",
        "07700 900123",
        "LS1 4AP",
        "Female",
        "Asian or Asian British: Pakistani",
        "9434765919",
    ] {
        shows(&page, detail);
    }
    // The save was confirmed (new_person); without the cookie, not again.
    hides(&page, "Referral saved for");
    let caseload = ok_page(&w, "/caseload", &es3).await;
    shows(&caseload, "Amira Khan");
}

#[tokio::test]
async fn a_new_person_needs_a_name_and_real_details_each_error_linked_to_its_field() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let form = format!(
        "csrf={csrf}&client=&given_name=&family_name=&date_of_birth=2999-01-01&phone=call+me\
         &postcode=nowhere&gender=F&ethnic_category=Q&nhs_number=&received=2025-01-10\
         &status_at_referral=unemployed&es=es3"
    );
    let (status, _, page) = submit(&w, "/referrals/new", &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Every field of the person but the NHS number (left empty here).
    for field in ipstrack_core::bundle::ClientDoc::FIELDS.into_iter().skip(1) {
        shows(&page, &format!("href=\"#referral-{field}\""));
    }
    shows(&page, "Enter the person's given name");
    shows(&page, "Enter a real postcode, like LS1 4AP");
    // What was typed is kept.
    shows(&page, "value=\"nowhere\"");
}

#[tokio::test]
async fn the_persons_details_are_changed_audited_and_shown() {
    let w = world().await;
    let (es3, csrf, referral) = new_person(&w).await;
    let page = ok_page(&w, &format!("{referral}/record/person"), &es3).await;
    // One thing on the page: the form itself, not folded away.
    shows(&page, "<h1>Change the person's details</h1>");
    hides(&page, "<details");
    let seen = hidden_value(&page, "seen");
    let form = format!(
        "csrf={csrf}&seen={seen}&given_name=Amira&family_name=Begum&date_of_birth=1991-03-14\
         &phone=&postcode=LS6+2AB&gender=2&ethnic_category=J&nhs_number=9434765919"
    );
    let (status, headers, body) = submit(&w, &format!("{referral}/person"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let saved = saved_cookie(&headers);
    let (_, headers, page) = send(&w.app, get(&referral, &format!("{es3}; {saved}"))).await;
    shows(&page, "<title>Amira Begum");
    shows(&page, "Amira Begum's details are saved.");
    // Shown once: the page clears the message.
    assert!(
        header_value(&headers, "set-cookie")
            .unwrap()
            .contains("Max-Age=0")
    );
    hides(&page, "07700 900123");
    let client = referral_client(&w, &referral).await;
    let last = last_audit(&w, &client).await;
    assert_eq!(
        (
            last.action.as_str(),
            last.record_type.as_str(),
            last.actor.as_str()
        ),
        ("update", "client", "es3")
    );
    assert!(last.old_value.as_deref().unwrap().contains("Khan"));
    assert!(last.new_value.as_deref().unwrap().contains("Begum"));

    // The same form again is stale: the person changed since it was opened.
    let (status, _, page) = submit(&w, &format!("{referral}/person"), &es3, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "Someone else changed this person");
}

#[tokio::test]
async fn another_teams_nhs_number_is_saved_without_saying_whose_it_is() {
    let w = world().await;
    // es1 (another team) records a person with the NHS number first.
    let (es1, csrf1) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let form = format!(
        "csrf={csrf1}&client=&given_name=Ola&family_name=Nowak&nhs_number=9434765919\
         &received=2025-01-10&status_at_referral=unemployed&es=es1"
    );
    let (status, _, _) = submit(&w, "/referrals/new", &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    let page = ok_page(&w, &format!("{referral}/record/person"), &es3).await;
    let seen = hidden_value(&page, "seen");
    let form =
        format!("csrf={csrf}&seen={seen}&given_name=Sam&family_name=Lee&nhs_number=9434765919");
    let (status, _, page) = submit(&w, &format!("{referral}/person"), &es3, &form).await;
    // Saved as any change is (a refusal would tell the number is known);
    // the person is kept as a possible duplicate for a manager (issue 21).
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    hides(&page, "Nowak");
    let page = ok_page(&w, &referral, &es3).await;
    hides(&page, "Nowak");
    let saved = saved_referral(&w, &w.es3_referral).await;
    assert_eq!(saved.client.nhs_number.as_deref(), Some("9434765919"));
    let nowak = w
        .store
        .export()
        .await
        .unwrap()
        .clients
        .into_iter()
        .find(|c| c.given_name.as_deref() == Some("Ola"))
        .unwrap();
    assert_eq!(saved.client.possible_duplicate_of.as_ref(), Some(&nowak.id));
    w.store.load().await.expect("the database loads");
}

#[tokio::test]
async fn another_teams_person_cannot_be_changed() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let form = format!("csrf={csrf}&seen=x&given_name=A&family_name=B");
    let path = format!("/referrals/{}/person", w.es1_referral);
    let (status, _, _) = submit(&w, &path, &es3, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The value of the hidden field `name` of a page.
fn hidden_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).expect("the field") + marker.len();
    page[at..].split('"').next().unwrap().to_string()
}

/// The client of the referral at `path`.
async fn referral_client(w: &World, path: &str) -> String {
    let id = path.rsplit('/').next().unwrap();
    saved_referral(w, id).await.client.id
}

#[tokio::test]
async fn the_data_quality_page_names_the_person_of_each_warning() {
    let w = world().await;
    let (es3, csrf, referral) = new_person(&w).await;
    // A job with no hours: a BAD-2 warning on the referral.
    let form = format!("csrf={csrf}&type=employee&employer=Co-op&start=2025-01-13&hours_per_week=");
    let (status, _, _) = submit(&w, &format!("{referral}/jobs"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let lead = session_of(&w, "lead1").await;
    let page = ok_page(&w, "/data-quality", &lead).await;
    shows(&page, &format!("href=\"{referral}\">Amira Khan</a>"));
    // The record in words (not `r12/r12j1`), days the UK way.
    let id = referral.rsplit('/').next().unwrap();
    let row = &page[page
        .find(&format!("href=\"{referral}\">Amira Khan</a>"))
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    shows(row, "<td>The job at Co-op</td>");
    hides(row, &format!("{id}/"));
    assert!(!row.contains("2025-"), "{row}");
}

#[tokio::test]
async fn someone_already_on_the_caseloads_with_the_name_and_birthday_is_asked_about_first() {
    let w = world().await;
    let (es3, csrf, first) = new_person(&w).await;
    let known = w
        .store
        .referral(first.rsplit('/').next().unwrap())
        .await
        .unwrap()
        .unwrap()
        .client
        .id;
    let again = |extra: &str| {
        format!(
            "csrf={csrf}&client=&given_name=Amira&family_name=KHAN&date_of_birth=1991-03-14\
             &received=2025-01-12&status_at_referral=unemployed&es=es3{extra}"
        )
    };
    let before = w.store.export().await.unwrap().clients.len();
    let (status, _, page) = submit(&w, "/referrals/new", &es3, &again("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(
        &page,
        "Amira Khan (born 14 Mar 1991) is already on your caseloads",
    );
    shows(&page, &format!("enter {known} as the client"));
    assert_eq!(w.store.export().await.unwrap().clients.len(), before);
    // "This is a new person": made.
    let (status, _, _) = submit(&w, "/referrals/new", &es3, &again("&new_person=yes")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(w.store.export().await.unwrap().clients.len(), before + 1);
    // Another team's ES is never told of es3's client.
    let (es1, csrf1) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let form = format!(
        "csrf={csrf1}&client=&given_name=Amira&family_name=Khan&date_of_birth=1991-03-14\
         &received=2025-01-12&status_at_referral=unemployed&es=es1"
    );
    let (status, _, page) = submit(&w, "/referrals/new", &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
}
