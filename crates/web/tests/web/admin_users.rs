//! What an admin does to a user (issue 23, crates/web/src/admin/user_actions.rs):
//! a password reset to a one-time password shown once, a disabled user
//! enabled again, another role; each a form with the CSRF token, each
//! audited, each refused to anyone else as other admin pages are.

use crate::common::*;
use axum::http::StatusCode;

/// The one-time password a reset page shows.
fn one_time_password(page: &str) -> String {
    let at = page
        .find("id=\"one-time-password\">")
        .expect("a one-time password")
        + "id=\"one-time-password\">".len();
    page[at..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn the_users_page_names_roles_and_staff_in_words() {
    let (_, _, page) = world_with_page("admin", "/admin/users").await;
    shows_all(
        &page,
        &[
            "Employment specialist",
            "Administrator",
            "Specialist 1, South",
        ],
    );
    hides_all(
        &page,
        &[
            "Specialist 1 (es1)",
            "data-label=\"Staff record\">es1<",
            ">team_lead<",
        ],
    );
}

#[tokio::test]
async fn a_reset_password_is_shown_once_ends_every_session_and_signs_in() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let es1 = session_of(&w, "es1").await;
    let form = format!("csrf={csrf}");
    let (status, headers, page) = submit(&w, "/admin/users/es1/password", &admin, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        header_value(&headers, "cache-control").as_deref(),
        Some("no-store")
    );
    shows(&page, "The password of es1 is reset");
    let code = one_time_password(&page);
    assert_eq!(code.len(), 19, "{code}");
    // Their sessions ended; the old password no longer works, the code does.
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(sign_in(&w, "es1", PASSWORD).await.is_none());
    assert!(sign_in(&w, "es1", &code).await.is_some());
    // Shown only then: neither the users page nor the audit log holds it.
    hides(&ok_page(&w, "/admin/users", &admin).await, &code);
    hides(&ok_page(&w, "/audit?record=es1", &admin).await, &code);
    // A second reset gives another password.
    let form = format!("csrf={csrf}");
    let (_, _, page) = submit(&w, "/admin/users/es1/password", &admin, &form).await;
    assert_ne!(one_time_password(&page), code);
}

#[tokio::test]
async fn a_disabled_user_is_enabled_again_and_one_not_disabled_is_told_so() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let token = format!("csrf={csrf}");
    let action = |what: &str| post(&format!("/admin/users/es3/{what}"), &admin, &token);
    let (status, _, page) = send(&w.app, action("enable")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "There is a problem");
    shows(&page, "user es3 is not disabled: they can already sign in");
    let (status, _, _) = send(&w.app, action("disable")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(sign_in(&w, "es3", PASSWORD).await.is_none());
    let page = ok_page(&w, "/admin/users", &admin).await;
    shows(&page, "action=\"/admin/users/es3/enable\"");
    let (status, _, page) = send(&w.app, action("enable")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "es3 can sign in again");
    assert!(sign_in(&w, "es3", PASSWORD).await.is_some());
    let last = last_audit(&w, "es3").await;
    assert_eq!(last.actor, "admin");
    assert!(last.new_value.as_deref().unwrap().contains("enabled"));
}

#[tokio::test]
async fn an_admin_changes_a_role_but_the_last_admin_keeps_theirs() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    let role = |name: &str, role: &str| {
        post(
            &format!("/admin/users/{name}/role"),
            &admin,
            &format!("csrf={csrf}&role={role}"),
        )
    };
    let (status, _, page) = send(&w.app, role("es3", "team_lead")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "es3 is now: Team lead.");
    // A team lead sees the team's pages from their next request.
    let es3 = session_of(&w, "es3").await;
    ok_page(&w, "/team", &es3).await;
    let (status, _, page) = send(&w.app, role("es3", "team_lead")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "already has that role");
    let (status, _, page) = send(&w.app, role("es3", "boss")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "Choose a role");
    // Not themselves; and the last admin cannot stop being one.
    let (status, _, _) = send(&w.app, role("admin", "manager")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&w.app, role("manager", "admin")).await;
    assert_eq!(status, StatusCode::OK);
    let (second, second_csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let form = format!("csrf={second_csrf}");
    let (status, _, _) = submit(&w, "/admin/users/admin/disable", &second, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form = format!("csrf={second_csrf}&role=admin");
    let (status, _, _) = submit(&w, "/admin/users/es3/role", &second, &form).await;
    assert_eq!(status, StatusCode::OK);
    w.store.disable_user("es3", "test").await.unwrap();
    // "manager" is now the only enabled admin: another admin cannot demote it
    // (the store refuses whoever asks).
    assert!(matches!(
        w.store.change_role("manager", ipstrack_store::Role::Es, "test").await,
        Err(ipstrack_store::StoreError::NotAllowed(m)) if m.contains("last enabled admin")
    ));
    let last = last_audit(&w, "manager").await;
    assert_eq!(
        (last.old_value.as_deref(), last.new_value.as_deref()),
        (Some("{\"role\":\"manager\"}"), Some("{\"role\":\"admin\"}"))
    );
}

#[tokio::test]
async fn user_actions_are_refused_to_non_admins_without_the_token_and_for_unknown_users() {
    let (w, admin, csrf) = world_signed_in("admin").await;
    for user in ["es1", "lead1", "manager"] {
        let (session, user_csrf) = sign_in(&w, user, PASSWORD).await.unwrap();
        for what in ["password", "enable", "role"] {
            let form = format!("csrf={user_csrf}&role=admin");
            let (status, _, page) =
                submit(&w, &format!("/admin/users/es3/{what}"), &session, &form).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {what}");
            hides(&page, "one-time-password");
        }
    }
    for what in ["password", "enable", "role"] {
        let path = format!("/admin/users/es3/{what}");
        let (status, _, _) = submit(&w, &path, &admin, "role=admin").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: no CSRF token");
        let path = format!("/admin/users/nobody/{what}");
        let (status, _, _) = submit(&w, &path, &admin, &format!("csrf={csrf}&role=admin")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{what}: unknown user");
    }
    // Nothing changed: es3 signs in with their password as an ES.
    assert!(sign_in(&w, "es3", PASSWORD).await.is_some());
    let users = w.store.users().await.unwrap();
    let es3 = users.iter().find(|u| u.username == "es3").unwrap();
    assert_eq!(es3.role, ipstrack_store::Role::Es);
}
