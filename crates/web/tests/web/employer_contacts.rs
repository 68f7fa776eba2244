//! Employer engagement on the plan page (issue 13, crates/web/src/plan/employer_contacts.rs):
//! recorded, changed and removed by the ES or their team lead only, checked
//! with an error summary, stale edits refused, every write audited, and the
//! weekly count on the plan page.

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_store::AuditFilter;

/// Today in the web tests is Wednesday 15 Jan 2025: its week began on Monday 13 Jan.
const FORM: &str = "date=2025-01-14&employer=Greggs&kind=visit&note=Met+the+manager&client=";

async fn record(
    w: &World,
    cookie: &str,
    csrf: &str,
    es: &str,
    form: &str,
) -> (StatusCode, String, String) {
    let form = format!("{form}&csrf={csrf}");
    let path = format!("/specialists/{es}/employer-contacts");
    let (status, headers, page) = submit(w, &path, cookie, &form).await;
    (status, location(&headers), page)
}

#[tokio::test]
async fn an_es_records_an_employer_contact_and_sees_it_counted_on_their_plan() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let (status, to, _) = record(&w, &es3, &csrf, "es3", FORM).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to, "/specialists/es3/plan#saved");
    let (_, headers, plan) = send(
        &w.app,
        get(
            "/specialists/es3/plan",
            &format!("{es3}; ipstrack_saved=employer-contact"),
        ),
    )
    .await;
    assert!(
        header_value(&headers, "set-cookie").is_some(),
        "the message shows once"
    );
    shows_all(
        &plan,
        &[
            "Employer contact saved.",
            "Employer engagement",
            "Greggs",
            "Met the manager",
            "14 Jan 2025",
        ],
    );
    // The week of Monday 13 Jan has one visit.
    shows(
        &plan,
        "<th scope=\"row\">13 Jan 2025</th><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td>",
    );
    // Audited: who and what.
    let audit = w.store.audit(&AuditFilter::default()).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.record_type == "employer_contact")
        .expect("audited");
    assert_eq!(
        (entry.actor.as_str(), entry.action.as_str()),
        ("es3", "insert")
    );
    // In the bundle the store exports.
    let bundle = w.store.export().await.unwrap();
    assert_eq!(bundle.employer_contacts.len(), 1);
    assert_eq!(bundle.employer_contacts[0].es, "es3");
}

#[tokio::test]
async fn only_the_es_and_their_team_lead_record_employer_contacts() {
    let w = world().await;
    // es1 (team t2), es3 (team t1), lead1 (leads t1).
    let (lead, lead_csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let (status, _, _) = record(&w, &lead, &lead_csrf, "es3", FORM).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the lead of es3's team");
    let (status, _, page) = record(&w, &lead, &lead_csrf, "es1", FORM).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's ES");
    hides(&page, "Greggs");
    let (es1, es1_csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (status, _, _) = record(&w, &es1, &es1_csrf, "es3", FORM).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another ES");
    let (manager, manager_csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let (status, _, _) = record(&w, &manager, &manager_csrf, "es3", FORM).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a manager sees, does not record"
    );
    let plan = ok_page(&w, "/specialists/es3/plan", &manager).await;
    shows(&plan, "Greggs");
    hides(&plan, "Record an employer contact");
    shows(&plan, "or their team lead records their employer contacts");
    assert_eq!(w.store.employer_contacts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_bad_employer_contact_is_named_field_by_field_and_nothing_is_saved() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    // A client of another ES's caseload, a future date, no employer, no kind.
    let other_client = {
        let loaded = w.store.load().await.unwrap();
        let at = loaded.referral_index(&w.es1_referral).unwrap();
        let c = loaded.dataset.referrals[at].client.index();
        loaded.dataset.clients[c].id.clone()
    };
    let form = format!("date=2025-01-16&employer=+&kind=lunch&note=&client={other_client}");
    let (status, _, page) = record(&w, &es3, &csrf, "es3", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "There is a problem");
    for (field, message) in [
        ("date", "must be today or in the past"),
        ("employer", "Enter the employer"),
        ("kind", "Select how the contact was made"),
        ("client", "Select a client of this caseload, or no one"),
    ] {
        shows(&page, &format!("href=\"#employer-contact-{field}\""));
        shows(&page, message);
    }
    hides(&page, &format!("value=\"{other_client}\""));
    // Too long: the employer and the note.
    let long = format!(
        "date=2025-01-14&employer={}&kind=call&note={}&client=",
        "E".repeat(201),
        "n".repeat(1_001)
    );
    let (status, _, page) = record(&w, &es3, &csrf, "es3", &long).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "200 characters or fewer");
    shows(&page, "1000 characters or fewer");
    assert!(w.store.employer_contacts().await.unwrap().is_empty());
}

/// The version (fingerprint) an edit page's form carries.

#[tokio::test]
async fn an_employer_contact_is_changed_and_removed_and_a_stale_page_is_refused() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    record(&w, &es3, &csrf, "es3", FORM).await;
    let id = w.store.employer_contacts().await.unwrap()[0].id.clone();
    let edit = ok_page(
        &w,
        &format!("/specialists/es3/employer-contacts/{id}"),
        &es3,
    )
    .await;
    shows(&edit, "Change the employer contact");
    shows(&edit, "value=\"Greggs\"");
    let version = version_of(&edit);
    let change = |employer: &str, version: &str| {
        post(
            &format!("/specialists/es3/employer-contacts/{id}"),
            &es3,
            &format!(
                "date=2025-01-14&employer={employer}&kind=call&note=&client=&version={version}&csrf={csrf}"
            ),
        )
    };
    let (status, headers, _) = send(&w.app, change("Tesco", &version)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/specialists/es3/plan#saved");
    let plan = ok_page(&w, "/specialists/es3/plan", &es3).await;
    shows(&plan, "Tesco");
    hides(&plan, "Greggs");
    // The same form again: the contact changed since it was opened.
    let (status, _, page) = send(&w.app, change("Aldi", &version)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "changed by someone else");
    shows(&page, "value=\"Aldi\"");
    assert_eq!(
        w.store.employer_contacts().await.unwrap()[0].employer,
        "Tesco"
    );
    // Removing from the page that showed the old version is refused too.
    let remove = |version: &str| {
        post(
            &format!("/specialists/es3/employer-contacts/{id}/remove"),
            &es3,
            &format!("version={version}&csrf={csrf}"),
        )
    };
    let (status, _, _) = send(&w.app, remove(&version)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let current = version_of(
        &ok_page(
            &w,
            &format!("/specialists/es3/employer-contacts/{id}"),
            &es3,
        )
        .await,
    );
    let (status, _, _) = send(&w.app, remove(&current)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(w.store.employer_contacts().await.unwrap().is_empty());
    let plan = ok_page(&w, "/specialists/es3/plan", &es3).await;
    shows(&plan, "No employer contacts recorded in this period.");
    let actions: Vec<String> = w
        .store
        .audit(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.record_type == "employer_contact")
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["insert", "update", "delete"]);
}

#[tokio::test]
async fn another_es_employer_contact_cannot_be_reached_through_an_address_of_ones_own() {
    let (w, es1, es1_csrf) = world_signed_in("es1").await;
    record(&w, &es1, &es1_csrf, "es1", FORM).await;
    let id = w.store.employer_contacts().await.unwrap()[0].id.clone();
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let (status, _, page) = send(
        &w.app,
        get(&format!("/specialists/es3/employer-contacts/{id}"), &es3),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    hides(&page, "Greggs");
    let form = format!("version=x&csrf={csrf}");
    let path = format!("/specialists/es3/employer-contacts/{id}/remove");
    let (status, _, _) = submit(&w, &path, &es3, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(w.store.employer_contacts().await.unwrap().len(), 1);
}
