//! The admin pages: users (adding, disabling, failed sign-ins) and the policy (crates/web/src/admin/).

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn an_admin_adds_and_disables_users_and_nobody_else_can() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let (manager, manager_csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let (status, _, _) = send(&w.app, get("/admin/users", &manager)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = "username=es2&role=es&staff=es2&password=a+first+password";
    let by_manager = format!("csrf={manager_csrf}&{form}");
    let (status, _, _) = submit(&w, "/admin/users", &manager, &by_manager).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) =
        submit(&w, "/admin/users", &admin, &format!("csrf={csrf}&{form}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(sign_in(&w, "es2", "a first password").await.is_some());
    let form = format!("csrf={csrf}&username=bad+name&role=x&staff=&password=short");
    let (status, _, body) = submit(&w, "/admin/users", &admin, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#user-username", "#user-role", "#user-password"] {
        assert!(body.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }
    let form = format!("csrf={csrf}");
    let (status, _, _) = submit(&w, "/admin/users/es2/disable", &admin, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        sign_in(&w, "es2", "a first password").await.is_none(),
        "disabled"
    );
    let form = format!("csrf={csrf}");
    let (status, _, _) = submit(&w, "/admin/users/admin/disable", &admin, &form).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an admin cannot lock themselves out"
    );
}

#[tokio::test]
async fn disabling_an_unknown_user_is_404_an_already_disabled_one_409_and_a_taken_username_409() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let token = format!("csrf={csrf}");
    let disable = |name: &str| post(&format!("/admin/users/{name}/disable"), &admin, &token);
    let (status, _, _) = send(&w.app, disable("nobody")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&w.app, disable("es3")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, body) = send(&w.app, disable("es3")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&body, "user es3 is already disabled");
    let form = format!("csrf={csrf}&username=es3&role=es&staff=&password=a+long+password");
    let (status, _, body) = submit(&w, "/admin/users", &admin, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&body, "user es3 already exists");
    shows(&body, "href=\"#user-username\"");
}

#[tokio::test]
async fn an_admin_changes_the_policy_and_bad_values_are_refused_by_field() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let manager = session_of(&w, "manager").await;
    let (status, _, _) = send(&w.app, get("/admin/policy", &manager)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = ok_page(&w, "/admin/policy", &admin).await;
    shows(
        &page,
        "id=\"policy-contact_window_days\" name=\"contact_window_days\" type=\"text\" value=\"28\"",
    );
    let form_with = |window: &str, rate: &str, fidelity: &str, band: (&str, &str)| {
        format!(
            "csrf={csrf}&contact_window_days={window}&assertive_engagement_extra_days=28&hold_limit_days=28&job_hours_threshold=4\
             &sustainment_gap_days=42&access_target_year1=35&access_target_year2=40&training_months=3\
             &job_outcome_rate_target={rate}&sustainment_rate_target=65&fidelity_caseload={fidelity}&retention_share_max=15\
             &caseload_band_low={}&caseload_band_high={}&sustainment_after_discharge=not_counted\
             &contact_due_days=14&plan_review_days=91&rapid_search_days=30",
            band.0, band.1
        )
    };
    let form = |window: &str, rate: &str| form_with(window, rate, "20", ("20", "25"));
    assert!(page.contains(
        "id=\"policy-caseload_band_low\" name=\"caseload_band_low\" type=\"text\" value=\"20\""
    ));
    assert!(page.contains(
        "id=\"policy-caseload_band_high\" name=\"caseload_band_high\" type=\"text\" value=\"25\""
    ));
    // CASE-4 (rev. 2): the band and the fidelity limit are the service's to set.
    let refused_band = form_with("28", "40", "20", ("26", "22"));
    let (status, _, page) = submit(&w, "/admin/policy", &admin, &refused_band).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#policy-caseload_band_low\""));
    assert!(page.contains("must not be below the lowest"));
    let new_band = form_with("28", "40", "18", ("18", "24"));
    let (status, _, _) = submit(&w, "/admin/policy", &admin, &new_band).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let policy = w.store.load().await.unwrap().dataset.policy;
    assert_eq!(
        (policy.caseload_band, policy.fidelity_caseload),
        ((18, 24), 18)
    );
    // Revision 3's setting is kept by the form, and shown as chosen.
    assert_eq!(
        policy.sustainment_after_discharge,
        ipstrack_core::policy::AfterDischarge::NotCounted
    );
    let page = ok_page(&w, "/admin/policy", &admin).await;
    shows(&page, "<option value=\"not_counted\" selected>");
    // Percentages as percentages, the default beside each.
    shows(
        &page,
        "name=\"job_outcome_rate_target\" type=\"text\" value=\"40\"",
    );
    shows(&page, "Default: 40%.");
    let (status, _, page) = submit(&w, "/admin/policy", &admin, &form("28", "150")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#policy-job_outcome_rate_target\""),
        "{}",
        &page[..page.len().min(500)]
    );
    let (status, _, _) = submit(&w, "/admin/policy", &admin, &form("35", "45")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let policy = w.store.load().await.unwrap().dataset.policy;
    assert_eq!(
        (policy.contact_window_days, policy.job_outcome_rate_target),
        (35, 4500)
    );
    let last = last_audit(&w, "service").await;
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("admin", "update")
    );
}

#[tokio::test]
async fn the_users_page_tells_the_admin_of_failed_sign_ins_and_waits() {
    let (w, admin, _) = world_signed_in("admin").await;
    let (_, _, page) = send(&w.app, get("/admin/users", &admin)).await;
    hides(&page, "failed sign-in");
    for _ in 0..5 {
        sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await;
    }
    sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await; // slowed, not counted
    sign_in_from(&w, "es1", "wrong password", "2001:db8::1").await;
    sign_in_from(&w, "somebody", "wrong password", "2001:db8::1").await;
    let page = ok_page(&w, "/admin/users", &admin).await;
    shows(
        &page,
        "6 failed sign-ins in the last hour, from 2 addresses; 1 address slowed until ",
    );
    shows(&page, "1 failed sign-in in the last hour named no user.");
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let es1 = session_of(&w, "es1").await;
    let token = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let form = format!("csrf={csrf}");
    let (status, _, _) = submit(&w, "/admin/users/es1/disable", &admin, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(w.store.session(&token).await.unwrap(), None);
}
