//! The staff pages (issue 23, crates/web/src/admin/staff*.rs): managers and
//! admins list the staff, add an employment specialist and change one thing
//! of a staff member per page; each change is audited, the page says what
//! changed and the access target it gives, and what is stored is what the
//! loader reads.

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::bundle::canonical;
use ipstrack_core::targets::{access_target, round_target};
use ipstrack_core::time::financial_year_range;

/// The access target of staff member `id` for this financial year, as core
/// gives it from what is stored now.
async fn stored_target(w: &World, id: &str) -> f64 {
    let d = w.store.load().await.unwrap().dataset;
    let s = d.staff.iter().find(|s| s.id == id).unwrap();
    round_target(access_target(
        s,
        d.service.start_date,
        &d.policy,
        financial_year_range(today().financial_year()),
    ))
}

/// A date input's three boxes as a form posts them.
fn date(name: &str, d: &str, m: &str, y: &str) -> String {
    format!("{name}-day={d}&{name}-month={m}&{name}-year={y}")
}

#[tokio::test]
async fn the_staff_list_shows_each_member_in_words_and_who_can_sign_in() {
    let (_, _, page) = world_with_page("admin", "/admin/staff").await;
    for text in [
        "Specialist 4",
        "South",
        "Employment specialist",
        "Team lead",
        "0.8",
        "23 Apr 2024",
        "href=\"/admin/staff/es4/fte\"",
        "Add an employment specialist",
    ] {
        shows(&page, text);
    }
    // es1 has a login, es2 none.
    let row = |id: &str| {
        page.split("<tr>")
            .find(|r| r.contains(&format!("/admin/staff/{id}/team")))
            .unwrap()
            .to_string()
    };
    shows(&row("es1"), "Yes");
    shows(&row("es2"), "No");
    hides(&row("es2"), ">es2<");
}

#[tokio::test]
async fn an_admin_adds_an_es_who_is_stored_as_the_loader_reads_and_exports_unchanged() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let page = ok_page(&w, "/admin/staff/new", &admin).await;
    shows(&page, "id=\"staff-start_date\" name=\"start_date-day\"");
    let form = format!(
        "csrf={csrf}&name=++Ann+Smith+&team=t1&fte=0.6&{}",
        date("start_date", "1", "4", "2024")
    );
    let (status, _, page) = submit(&w, "/admin/staff/new", &admin, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let target = stored_target(&w, "es5").await;
    assert_eq!(target, 21.0, "35 a year from 1 Jul 2024, at 0.6");
    shows(
        &page,
        "Ann Smith added as an employment specialist in North, starting 1 Apr 2024: their access target for 2024/25 is now 21.",
    );
    // On the list at once (a new snapshot), and in the audit log.
    shows(&ok_page(&w, "/admin/staff", &admin).await, "Ann Smith");
    let audit = audit_of(&w, "es5").await;
    assert_eq!(
        (audit[0].actor.as_str(), audit[0].action.as_str()),
        ("admin", "insert")
    );
    // One door: what is stored is what the loader reads, and it exports
    // and loads back unchanged.
    let stored = w.store.export().await.unwrap();
    assert_eq!(canonical(&stored).unwrap(), stored);
    let ann = stored.staff.iter().find(|s| s.name == "Ann Smith").unwrap();
    assert_eq!((ann.id.as_str(), ann.team.as_str()), ("es5", "t1"));
    let dir = tempfile::tempdir().unwrap();
    let other = ipstrack_store::Store::open(dir.path().join("other.sqlite").to_str().unwrap())
        .await
        .unwrap();
    other.import(&stored, "test").await.unwrap();
    assert_eq!(other.export().await.unwrap().staff, stored.staff);
}

#[tokio::test]
async fn a_new_es_with_missing_or_bad_fields_is_refused_beside_each_field() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let form = format!(
        "csrf={csrf}&name=&team=nowhere&fte=1.5&{}",
        date("start_date", "31", "2", "2025")
    );
    let (status, _, page) = submit(&w, "/admin/staff/new", &admin, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "There is a problem");
    for anchor in ["name", "team", "fte", "start_date"] {
        shows(&page, &format!("href=\"#staff-{anchor}\""));
    }
    shows(&page, "Enter the start date as a real date");
    // The date as typed is kept in its boxes.
    shows(
        &page,
        "id=\"staff-start_date\" name=\"start_date-day\" class=\"width-2\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"31\"",
    );
    assert_eq!(w.store.export().await.unwrap().staff.len(), 5);
}

#[tokio::test]
async fn changing_fte_start_and_leaving_date_says_what_changed_and_the_target() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let page = ok_page(&w, "/admin/staff/es3/start", &admin).await;
    shows(&page, "Change the start date of Specialist 3");
    shows_date(&page, "staff-start_date", "2024-06-24");

    let form = format!("csrf={csrf}&{}", date("start_date", "1", "4", "2024"));
    let (status, _, page) = submit(&w, "/admin/staff/es3/start", &admin, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(
        &page,
        "Start date of Specialist 3 changed from 24 Jun 2024 to 1 Apr 2024: their access target for 2024/25 is now 35.",
    );

    let form = format!("csrf={csrf}&fte=0.5");
    let (status, _, page) = submit(&w, "/admin/staff/es4/fte", &admin, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let target = stored_target(&w, "es4").await;
    shows(
        &page,
        &format!(
            "FTE of Specialist 4 changed from 0.8 to 0.5: their access target for 2024/25 is now {target}."
        ),
    );

    let form = format!("csrf={csrf}&{}", date("end_date", "31", "12", "2024"));
    let (status, _, page) = submit(&w, "/admin/staff/es2/leaving", &admin, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let target = stored_target(&w, "es2").await;
    assert!(target < 40.0, "{target}");
    shows(
        &page,
        &format!(
            "Leaving date of Specialist 2 changed from none to 31 Dec 2024: their access target for 2024/25 is now {target}."
        ),
    );

    let form = format!("csrf={csrf}&team=t1");
    let (status, _, page) = submit(&w, "/admin/staff/es2/team", &admin, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "Specialist 2 moved from South to North");

    let d = w.store.load().await.unwrap().dataset;
    let es2 = d.staff.iter().find(|s| s.id == "es2").unwrap();
    assert_eq!(es2.end_date.unwrap().to_string(), "2024-12-31");
    assert_eq!(d.team(es2.team).id, "t1");
    // Each change audited with the old and the new record.
    let last = last_audit(&w, "es4").await;
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("admin", "update")
    );
    assert!(last.old_value.as_deref().unwrap().contains("0.8"));
    assert!(last.new_value.as_deref().unwrap().contains("0.5"));
    let stored = w.store.export().await.unwrap();
    assert_eq!(canonical(&stored).unwrap(), stored);
}

#[tokio::test]
async fn bad_dates_are_refused_beside_the_field_with_the_error_summary() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let before = w.store.export().await.unwrap();
    for (path, form, message) in [
        (
            "/admin/staff/es3/start",
            date("start_date", "30", "2", "2024"),
            "Enter the start date as a real date, for example, 15 1 2025",
        ),
        (
            "/admin/staff/es3/start",
            date("start_date", "1", "1", "2100"),
            "The start date must be between 1900 and 2099",
        ),
        (
            "/admin/staff/es3/start",
            date("start_date", "", "", ""),
            "Enter the start date",
        ),
        (
            "/admin/staff/es3/leaving",
            date("end_date", "1", "1", "2024"),
            "The leaving date must be on or after the start date (24 Jun 2024)",
        ),
        (
            "/admin/staff/es3/leaving",
            date("end_date", "x", "1", "2025"),
            "Enter the leaving date as a real date",
        ),
        (
            "/admin/staff/es3/fte",
            "fte=0".to_string(),
            "Enter the FTE as a number more than 0 and at most 1",
        ),
    ] {
        let (status, _, page) = submit(&w, path, &admin, &format!("csrf={csrf}&{form}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {form}");
        shows(&page, "There is a problem");
        shows(&page, message);
        // Beside the field, and linked from the summary.
        let field = if path.ends_with("fte") {
            "fte"
        } else if path.ends_with("start") {
            "start_date"
        } else {
            "end_date"
        };
        shows(&page, &format!("href=\"#staff-{field}\""));
        shows(&page, &format!("id=\"staff-{field}-error\""));
    }
    assert_eq!(w.store.export().await.unwrap(), before, "nothing written");
}

#[tokio::test]
async fn only_managers_and_admins_reach_the_staff_pages_and_forms_need_the_token() {
    let (w, manager, manager_csrf) = world_signed_in("manager").await;
    for user in ["es1", "lead1"] {
        let (session, csrf) = sign_in(&w, user, PASSWORD).await.unwrap();
        for path in ["/admin/staff", "/admin/staff/new", "/admin/staff/es1/fte"] {
            let (status, _, _) = send(&w.app, get(path, &session)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {path}");
        }
        let form = format!("csrf={csrf}&fte=0.5");
        let (status, _, _) = submit(&w, "/admin/staff/es1/fte", &session, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
    }
    // A manager manages the service's staff (docs/decisions.md).
    ok_page(&w, "/admin/staff", &manager).await;
    let (status, _, _) = submit(&w, "/admin/staff/es1/fte", &manager, "fte=0.5").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    for path in ["/admin/staff/nobody/fte", "/admin/staff/es1/name"] {
        let (status, _, _) = send(&w.app, get(path, &manager)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let (status, _, _) =
            submit(&w, path, &manager, &format!("csrf={manager_csrf}&fte=0.5")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let form = format!("csrf={manager_csrf}&fte=0.5");
    let (status, _, page) = submit(&w, "/admin/staff/es1/fte", &manager, &form).await;
    assert_eq!(status, StatusCode::OK);
    shows(&page, "FTE of Specialist 1 changed from 1 to 0.5");
    let (status, _, _) = send(&w.app, get("/admin/staff", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out: to sign in");
}
