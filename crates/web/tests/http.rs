//! The web application over HTTP: sign-in, sessions, CSRF, the authorisation
//! matrix (role × route), data entry with its error summary, security headers.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use ipstrack_core::Day;

#[tokio::test]
async fn pages_need_a_session_and_the_api_answers_401() {
    let w = world().await;
    let (status, headers, _) = send(&w.app, get("/caseload", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        header_value(&headers, "location").as_deref(),
        Some("/sign-in")
    );
    let (status, _, _) = send(&w.app, get("/api/v1/report", "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(&w.app, get("/caseload", "ipstrack_session=forged")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_an_error_summary() {
    let w = world().await;
    assert!(sign_in(&w, "es1", "not the password").await.is_none());
    let (_, headers, body) = send(&w.app, get("/sign-in", "")).await;
    let pre = header_value(&headers, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let form = format!("username=es1&password=wrong&csrf={}", hidden_csrf(&body));
    let (status, _, body) = send(&w.app, post("/sign-in", &pre, &form)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body.contains("There is a problem") && body.contains("href=\"#username\""),
        "{body}"
    );
    // Without the sign-in form's token: refused (CSRF).
    let (status, _, _) = send(
        &w.app,
        post("/sign-in", "", "username=es1&password=x&csrf=abc"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = world().await;
    let (_, headers, _) = send(&w.app, get("/sign-in", "")).await;
    let csp = header_value(&headers, "content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"));
    assert_eq!(
        header_value(&headers, "x-frame-options").as_deref(),
        Some("DENY")
    );
    assert_eq!(
        header_value(&headers, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

#[tokio::test]
async fn an_es_sees_their_own_caseload_and_not_another_teams_client() {
    let w = world().await;
    let (es1, _) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (status, _, body) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(&format!("/referrals/{}\"", w.es1_referral)),
        "{body}"
    );
    assert!(body.contains("To do"));
    let (status, _, _) = send(&w.app, get(&format!("/referrals/{}", w.es1_referral), &es1)).await;
    assert_eq!(status, StatusCode::OK);
    // Another team's client, by URL: 404.
    let (status, _, body) =
        send(&w.app, get(&format!("/referrals/{}", w.es3_referral), &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains(&w.es3_referral));
}

#[tokio::test]
async fn authorisation_matrix_of_roles_and_routes() {
    let w = world().await;
    let routes = |es1: &str, es3: &str| {
        vec![
            ("/caseload".to_string(), [200, 200, 200, 200]),
            (format!("/referrals/{es1}"), [200, 404, 200, 200]),
            (format!("/referrals/{es3}"), [404, 200, 200, 200]),
            ("/team".to_string(), [404, 200, 200, 200]),
            ("/team?team=t2".to_string(), [404, 404, 200, 200]),
            ("/caseload?es=es1".to_string(), [200, 404, 200, 200]),
            ("/service".to_string(), [404, 404, 200, 200]),
            ("/data-quality".to_string(), [404, 200, 200, 200]),
            ("/audit".to_string(), [404, 404, 404, 200]),
            (
                "/api/v1/report?period=2024/25".to_string(),
                [404, 404, 200, 200],
            ),
        ]
    };
    // Users: es1 (ES, team t2), lead1 (team lead of t1), manager, admin.
    let users = ["es1", "lead1", "manager", "admin"];
    let mut sessions = Vec::new();
    for u in users {
        sessions.push(sign_in(&w, u, PASSWORD).await.unwrap().0);
    }
    for (route, expected) in routes(&w.es1_referral, &w.es3_referral) {
        for (i, user) in users.iter().enumerate() {
            let (status, _, _) = send(&w.app, get(&route, &sessions[i])).await;
            assert_eq!(status.as_u16(), expected[i], "{user} GET {route}");
        }
    }
}

#[tokio::test]
async fn recording_a_contact_needs_the_csrf_token_and_is_audited() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    let (status, _, _) = send(
        &w.app,
        post(&path, &es1, "csrf=wrong&date=2025-01-14&kind=remote"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) = send(
        &w.app,
        post(
            &path,
            &es1,
            &format!("csrf={csrf}&date=2025-01-14&kind=remote"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{headers:?}");
    let (_, _, page) = send(&w.app, get(&format!("/referrals/{}", w.es1_referral), &es1)).await;
    assert!(
        page.contains("2025-01-14"),
        "the new contact is on the timeline"
    );
    let audit = w
        .store
        .audit(&ipstrack_store::AuditFilter {
            record: Some(w.es1_referral.clone()),
            since: None,
        })
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.record_type.as_str()),
        ("es1", "contact")
    );
    // Another team's referral: 404, nothing written.
    let other = format!("/referrals/{}/contacts", w.es3_referral);
    let (status, _, _) = send(
        &w.app,
        post(
            &other,
            &es1,
            &format!("csrf={csrf}&date=2025-01-14&kind=remote"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_date_shows_the_error_summary_linked_to_the_field() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    for (date, message) in [
        ("2025-02-30", "Enter the date of the contact as a real date"),
        ("2025-01-16", "must be today or in the past"),
        ("2001-01-01", "must be on or after the referral"),
    ] {
        let (status, _, body) = send(
            &w.app,
            post(&path, &es1, &format!("csrf={csrf}&date={date}&kind=remote")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(
            body.contains("There is a problem") && body.contains("href=\"#contact-date\""),
            "{date}: {body}"
        );
        assert!(body.contains(message), "{date}: {body}");
    }
}

#[tokio::test]
async fn the_contact_form_records_how_the_contact_was_held() {
    use ipstrack_core::model::Mechanism;
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (_, _, page) = send(&w.app, get(&format!("/referrals/{}", w.es1_referral), &es1)).await;
    assert!(
        page.contains("name=\"mechanism\"") && page.contains("value=\"video\""),
        "the form offers the mechanism"
    );
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    let last_contact = |loaded: ipstrack_core::Loaded| {
        let r = loaded
            .dataset
            .referrals
            .iter()
            .find(|r| r.id == w.es1_referral)
            .unwrap();
        (r.contacts.len(), r.contacts.last().cloned())
    };
    for (mechanism, expected) in [
        ("video", Some(Mechanism::Video)),
        ("", None),
        ("telephone", Some(Mechanism::Telephone)),
    ] {
        let (status, headers, _) = send(
            &w.app,
            post(
                &path,
                &es1,
                &format!("csrf={csrf}&date=2025-01-14&kind=remote&mechanism={mechanism}"),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{mechanism}: {headers:?}");
        let (_, last) = last_contact(w.store.load().await.unwrap());
        assert_eq!(last.unwrap().mechanism, expected, "{mechanism}");
    }
    // Refused with the error linked to the field; nothing written.
    let (before, _) = last_contact(w.store.load().await.unwrap());
    for (kind, mechanism, message) in [
        ("face_to_face", "telephone", "does not fit its kind"),
        ("remote", "face_to_face", "does not fit its kind"),
        ("remote", "fax", "Select how the contact was held"),
    ] {
        let (status, _, body) = send(
            &w.app,
            post(
                &path,
                &es1,
                &format!("csrf={csrf}&date=2025-01-14&kind={kind}&mechanism={mechanism}"),
            ),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind} {mechanism}"
        );
        assert!(
            body.contains("href=\"#contact-mechanism\"") && body.contains(message),
            "{kind} {mechanism}: {body}"
        );
    }
    assert_eq!(last_contact(w.store.load().await.unwrap()).0, before);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (status, _, _) = send(&w.app, post("/sign-out", &es1, "csrf=wrong")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&w.app, post("/sign-out", &es1, &format!("csrf={csrf}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn the_team_dashboard_and_the_api_report_agree_with_the_engine() {
    let w = world().await;
    let (manager, _) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let (status, _, body) = send(
        &w.app,
        get(
            "/api/v1/report?period=2024/25-Q3&as_of=2024-12-31",
            &manager,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    let loaded = w.store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25-Q3").unwrap();
    let engine =
        ipstrack_core::report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
    assert_eq!(api, serde_json::to_value(&engine).unwrap());
    let (status, _, page) = send(
        &w.app,
        get("/team?team=t1&period=2024/25-Q3&as_of=2024-12-31", &manager),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let es3 = engine.specialists.iter().find(|s| s.id == "es3").unwrap();
    assert!(
        page.contains(&format!(
            "{:.1} / {:.1}",
            es3.targets.access_to_date, es3.targets.access
        )),
        "{page}"
    );
    let (status, _, _) = send(&w.app, get("/api/v1/report?period=2024/26", &manager)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_es_adds_a_referral_records_access_a_contact_and_a_job_and_the_figures_change() {
    let w = world().await;
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let (lead, _) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let before = w.store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let figures = |loaded: &ipstrack_core::Loaded| {
        let r = ipstrack_core::report(&loaded.dataset, &[], &period, today()).unwrap();
        let s = r
            .specialists
            .iter()
            .find(|s| s.id == "es3")
            .unwrap()
            .kpis
            .clone();
        (
            s.referrals.unemployed,
            s.access.unemployed,
            s.job_starts.unemployed,
            s.caseload.open,
        )
    };
    let (_, _, team_before) = send(&w.app, get("/team", &lead)).await;

    let (status, _, page) = send(&w.app, get("/referrals/new", &es3)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("value=\"es3\"") && !page.contains("value=\"es1\""),
        "an ES refers only to themselves"
    );
    let form = format!(
        "csrf={csrf}&client=&nhs_number=&received=2025-01-10&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, body) = send(&w.app, post("/referrals/new", &es3, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let referral = location(&headers);
    assert!(referral.starts_with("/referrals/r"), "{referral}");

    for (path, form) in [
        ("access", format!("csrf={csrf}&date=2025-01-12")),
        (
            "contacts",
            format!("csrf={csrf}&date=2025-01-13&kind=face_to_face"),
        ),
        (
            "jobs",
            format!("csrf={csrf}&type=employee&employer=Co-op&start=2025-01-14&hours_per_week=16"),
        ),
    ] {
        let (status, _, body) =
            send(&w.app, post(&format!("{referral}/{path}"), &es3, &form)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
    }
    let (_, _, caseload) = send(&w.app, get("/caseload", &es3)).await;
    assert!(
        caseload.contains(&format!("href=\"{referral}\"")),
        "the new referral is on the caseload"
    );

    let after = w.store.load().await.unwrap();
    let (r0, a0, j0, o0) = figures(&before);
    assert_eq!(figures(&after), (r0 + 1, a0 + 1, j0 + 1, o0 + 1));
    let (_, _, team_after) = send(&w.app, get("/team", &lead)).await;
    assert_ne!(team_before, team_after, "the team dashboard changed");
    let audit = w
        .store
        .audit(&ipstrack_store::AuditFilter::default())
        .await
        .unwrap();
    assert!(audit.iter().rev().take(5).all(|e| e.actor == "es3"));
}

#[tokio::test]
async fn bad_job_and_referral_forms_are_refused_field_by_field() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let path = format!("/referrals/{}/jobs", w.es1_referral);
    let (status, _, body) = send(
        &w.app,
        post(
            &path,
            &es1,
            &format!(
                "csrf={csrf}&type=volunteering&employer=&start=2030-01-01&hours_per_week=lots"
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#job-type", "#job-start", "#job-hours_per_week"] {
        assert!(
            body.contains(&format!("href=\"{anchor}\"")),
            "{anchor}: {body}"
        );
    }
    let form =
        format!("csrf={csrf}&client=nobody&nhs_number=12&received=&status_at_referral=x&es=es3");
    let (status, _, body) = send(&w.app, post("/referrals/new", &es1, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in [
        "#referral-client",
        "#referral-nhs_number",
        "#referral-received",
        "#referral-status_at_referral",
        "#referral-es",
    ] {
        assert!(
            body.contains(&format!("href=\"{anchor}\"")),
            "{anchor}: {body}"
        );
    }
}

/// Issue 11: the session that changes the password goes on (it used to end
/// too); every other session of the user ends.
#[tokio::test]
async fn changing_ones_password_ends_the_other_sessions() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (elsewhere, _) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (status, _, body) = send(
        &w.app,
        post(
            "/account/password",
            &es1,
            &format!(
                "csrf={csrf}&current=wrong&new=another+long+secret&confirm=another+long+secret"
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("href=\"#password-current\""), "{body}");
    let (status, _, body) = send(
        &w.app,
        post(
            "/account/password",
            &es1,
            &format!(
                "csrf={csrf}&current={}&new=short&confirm=short",
                PASSWORD.replace(' ', "+")
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("href=\"#password-new\""), "{body}");
    let form = format!(
        "csrf={csrf}&current={}&new=another+long+secret&confirm=another+long+secret",
        PASSWORD.replace(' ', "+")
    );
    let (status, _, _) = send(&w.app, post("/account/password", &es1, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::OK, "this session goes on");
    let (status, _, _) = send(&w.app, get("/caseload", &elsewhere)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the other session has ended");
    assert!(sign_in(&w, "es1", PASSWORD).await.is_none());
    assert!(sign_in(&w, "es1", "another long secret").await.is_some());
}

#[tokio::test]
async fn the_team_dashboard_charts_cumulative_access_and_caseload_by_month() {
    let w = world().await;
    let (lead, _) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let (status, _, page) = send(&w.app, get("/team?period=2024/25&as_of=2024-12-31", &lead)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.matches("<svg viewBox=\"0 0 640 240\"").count(),
        3,
        "three charts"
    );
    assert!(
        page.contains("<th scope=\"row\">Q3</th>") && !page.contains("<th scope=\"row\">Q4</th>")
    );
    assert!(page.contains("Cumulative access (unemployed) against the target to date"));
    // Nine months, April to December, each in the numbers table.
    for month in ["Apr 24", "Sep 24", "Dec 24"] {
        assert!(
            page.contains(&format!("<th scope=\"row\">{month}</th>")),
            "{month}"
        );
    }
    assert!(!page.contains("Jan 25"));
    // The last cumulative access is the team's access for the period so far.
    let loaded = w.store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let r = ipstrack_core::report(
        &loaded.dataset,
        &[],
        &period,
        Day::parse("2024-12-31").unwrap(),
    )
    .unwrap();
    let access = r
        .teams
        .iter()
        .find(|t| t.id == "t1")
        .unwrap()
        .kpis
        .access
        .unemployed;
    let last_row = &page[page.find("<th scope=\"row\">Dec 24</th>").unwrap()..];
    assert!(
        last_row.contains(&format!("<td class=\"num\">{access}.0</td>")),
        "{access}"
    );
}

fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_string());
                }
                refs(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_is_complete_and_every_reference_resolves() {
    let w = world().await;
    let (status, _, body) = send(&w.app, get("/api/v1/openapi.json", "")).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/report"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/referrals/{id}"]["get"].is_object());
    // It parses as an OpenAPI document, and every $ref points at a schema it defines.
    let _: utoipa::openapi::OpenApi = serde_json::from_str(&body).unwrap();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 10, "{all:?}");
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
    for field in [
        "referrals",
        "access",
        "caseload",
        "job_outcome_rate",
        "fidelity_caseload_score",
    ] {
        assert!(
            doc["components"]["schemas"]["Kpis"]["properties"][field].is_object(),
            "{field}"
        );
    }
}

#[tokio::test]
async fn scripts_use_bearer_tokens_within_the_same_scope() {
    let w = world().await;
    let manager = w.store.issue_token("manager", 30, "admin").await.unwrap();
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let bearer = |path: &str, token: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, body) =
        send(&w.app, bearer("/api/v1/report?period=2024/25-Q3", &manager)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ipstrack-report/1"));
    let (status, _, _) = send(&w.app, bearer("/api/v1/report", &es1)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the service report is for managers"
    );
    let (status, _, body) = send(
        &w.app,
        bearer(&format!("/api/v1/referrals/{}", w.es1_referral), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let doc: ipstrack_core::bundle::ReferralDoc = serde_json::from_str(&body).unwrap();
    assert_eq!(doc.id, w.es1_referral);
    let (status, _, _) = send(
        &w.app,
        bearer(&format!("/api/v1/referrals/{}", w.es3_referral), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&w.app, bearer("/api/v1/report", "forged")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn starting_the_plan_makes_the_client_active_and_discharge_closes_the_referral() {
    let w = world().await;
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let form = format!(
        "csrf={csrf}&client=&nhs_number=9434765919&received=2025-01-02&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, _) = send(&w.app, post("/referrals/new", &es3, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let referral = location(&headers);
    let id = referral.rsplit('/').next().unwrap().to_string();
    let status_of = |loaded: &ipstrack_core::Loaded| {
        let r = loaded
            .dataset
            .referrals
            .iter()
            .find(|r| r.id == id)
            .unwrap();
        ipstrack_core::caseload::status_on(r, today(), &loaded.dataset.policy)
    };
    for (step, form) in [
        ("access", format!("csrf={csrf}&date=2025-01-03")),
        (
            "contacts",
            format!("csrf={csrf}&date=2025-01-10&kind=remote"),
        ),
    ] {
        let (status, _, body) =
            send(&w.app, post(&format!("{referral}/{step}"), &es3, &form)).await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{step}: {}",
            &body[..body.len().min(300)]
        );
    }
    let before = status_of(&w.store.load().await.unwrap());
    assert!(
        !before.active
            && before
                .failed
                .contains(ipstrack_core::caseload::Criterion::VocationalPlan)
    );
    let (status, _, body) = send(
        &w.app,
        post(
            &format!("{referral}/plan"),
            &es3,
            &format!("csrf={csrf}&date=2025-01-01"),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a plan cannot start before the referral"
    );
    assert!(body.contains("href=\"#plan-date\""));
    let (status, _, _) = send(
        &w.app,
        post(
            &format!("{referral}/plan"),
            &es3,
            &format!("csrf={csrf}&date=2025-01-03"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        status_of(&w.store.load().await.unwrap()).active,
        "active once the plan has started"
    );
    let (status, _, _) = send(
        &w.app,
        post(
            &format!("{referral}/discharge"),
            &es3,
            &format!("csrf={csrf}&date=2025-01-15&reason=moved+away"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = status_of(&w.store.load().await.unwrap());
    assert!(!after.open && !after.active, "closed on its discharge date");
    let (_, _, caseload) = send(&w.app, get("/caseload", &es3)).await;
    assert!(
        !caseload.contains(&format!("href=\"{referral}\"")),
        "no longer on the open caseload"
    );
    let (status, _, _) = send(
        &w.app,
        post(
            &format!("{referral}/nonsense"),
            &es3,
            &format!("csrf={csrf}&date=2025-01-15"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_manager_submits_a_return_and_sees_what_changed_since() {
    let w = world().await;
    let (manager, csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let (lead, _) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let (status, _, _) = send(&w.app, get("/returns", &lead)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "returns are for managers");
    let form = format!("csrf={csrf}&period=2024/25-Q3&as_of=2024-12-31");
    let (status, _, body) = send(&w.app, post("/returns", &manager, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = send(&w.app, get("/returns", &manager)).await;
    assert!(
        page.contains("2024/25-Q3") && page.contains("No change since it was submitted"),
        "{page}"
    );
    let (status, _, page) = send(&w.app, post("/returns", &manager, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("already been submitted"));
    // A correction inside the quarter: the return stays, the change is listed.
    let (es3, es3_csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let new = format!(
        "csrf={es3_csrf}&client=&nhs_number=&received=2024-11-05&status_at_referral=unemployed&es=es3"
    );
    let (status, _, _) = send(&w.app, post("/referrals/new", &es3, &new)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get("/returns", &manager)).await;
    assert!(page.contains("service.referrals.unemployed:"), "{page}");
    let bad = format!("csrf={csrf}&period=2024/26&as_of=");
    let (status, _, page) = send(&w.app, post("/returns", &manager, &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#return-period\""));
}

#[tokio::test]
async fn an_admin_adds_and_disables_users_and_nobody_else_can() {
    let w = world().await;
    let (admin, csrf) = sign_in(&w, "admin", PASSWORD).await.unwrap();
    let (manager, manager_csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let (status, _, _) = send(&w.app, get("/admin/users", &manager)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = "username=es2&role=es&staff=es2&password=a+first+password";
    let (status, _, _) = send(
        &w.app,
        post(
            "/admin/users",
            &manager,
            &format!("csrf={manager_csrf}&{form}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = send(
        &w.app,
        post("/admin/users", &admin, &format!("csrf={csrf}&{form}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(sign_in(&w, "es2", "a first password").await.is_some());
    let (status, _, body) = send(
        &w.app,
        post(
            "/admin/users",
            &admin,
            &format!("csrf={csrf}&username=bad+name&role=x&staff=&password=short"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#user-username", "#user-role", "#user-password"] {
        assert!(body.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }
    let (status, _, _) = send(
        &w.app,
        post("/admin/users/es2/disable", &admin, &format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        sign_in(&w, "es2", "a first password").await.is_none(),
        "disabled"
    );
    let (status, _, _) = send(
        &w.app,
        post(
            "/admin/users/admin/disable",
            &admin,
            &format!("csrf={csrf}"),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an admin cannot lock themselves out"
    );
}

#[tokio::test]
async fn disabling_an_unknown_user_is_404_an_already_disabled_one_409_and_a_taken_username_409() {
    let w = world().await;
    let (admin, csrf) = sign_in(&w, "admin", PASSWORD).await.unwrap();
    let disable = |name: &str| {
        post(
            &format!("/admin/users/{name}/disable"),
            &admin,
            &format!("csrf={csrf}"),
        )
    };
    let (status, _, _) = send(&w.app, disable("nobody")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&w.app, disable("es3")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, body) = send(&w.app, disable("es3")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("user es3 is already disabled"), "{body}");
    let form = format!("csrf={csrf}&username=es3&role=es&staff=&password=a+long+password");
    let (status, _, body) = send(&w.app, post("/admin/users", &admin, &form)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("user es3 already exists"), "{body}");
    assert!(body.contains("href=\"#user-username\""), "{body}");
}

#[tokio::test]
async fn holds_waiting_list_engagement_decisions_and_transfers_are_recorded_and_checked() {
    let w = world().await;
    let (lead, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let path = |step: &str| format!("/referrals/{}/{step}", w.es3_referral);
    for (step, form) in [
        ("hold", "start=2025-01-02&end=2025-01-09"),
        (
            "waiting",
            "start=2025-01-03&end=&expected_return=2025-02-01",
        ),
        ("engagement", "date=2025-01-04&status=not_seeking_work"),
        (
            "decision",
            "start=2025-01-05&end=&status=active&reason=in+hospital",
        ),
    ] {
        let (status, _, body) = send(
            &w.app,
            post(&path(step), &lead, &format!("csrf={csrf}&{form}")),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{step}: {}",
            &body[..body.len().min(300)]
        );
    }
    let loaded = w.store.load().await.unwrap();
    let r = loaded
        .dataset
        .referrals
        .iter()
        .find(|r| r.id == w.es3_referral)
        .unwrap();
    assert_eq!(r.holds.last().unwrap().end, Day::parse("2025-01-09"));
    assert_eq!(
        r.waiting_list.last().unwrap().expected_return,
        Day::parse("2025-02-01")
    );
    assert_eq!(
        r.engagement.last().unwrap().status,
        ipstrack_core::model::Engagement::NotSeekingWork
    );
    assert_eq!(
        r.decisions.last().unwrap().reason.as_deref(),
        Some("in hospital")
    );
    // The team decision keeps the client active despite the waiting list and the engagement change.
    assert!(ipstrack_core::caseload::status_on(r, today(), &loaded.dataset.policy).active);

    for (step, form, anchor) in [
        ("hold", "start=2025-01-09&end=2025-01-02", "#hold-end"),
        (
            "decision",
            "start=2025-01-05&status=maybe&reason=",
            "#decision-status",
        ),
        (
            "decision",
            "start=2025-01-05&status=active&reason=",
            "#decision-reason",
        ),
        (
            "engagement",
            "date=2025-01-04&status=happy",
            "#engagement-status",
        ),
        ("transfer", "date=2025-01-10&es=es1", "#transfer-es"),
    ] {
        let (status, _, body) = send(
            &w.app,
            post(&path(step), &lead, &format!("csrf={csrf}&{form}")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{step} {form}");
        assert!(
            body.contains(&format!("href=\"{anchor}\"")),
            "{step} {form}: {anchor}"
        );
    }
    // es1 is in another team: a team lead cannot transfer to them; nor see the referral afterwards if moved.
    let loaded = w.store.load().await.unwrap();
    let t1_es: Vec<String> = loaded
        .dataset
        .staff
        .iter()
        .filter(|s| s.role == ipstrack_core::model::Role::Es && s.team == 0 && s.id != "es3")
        .map(|s| s.id.clone())
        .collect();
    if let Some(other) = t1_es.first() {
        let (status, _, body) = send(
            &w.app,
            post(
                &path("transfer"),
                &lead,
                &format!("csrf={csrf}&date=2025-01-10&es={other}"),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
}

#[tokio::test]
async fn a_wrong_entry_is_corrected_by_removing_it_and_the_audit_keeps_it() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
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
    let (status, _, _) = send(
        &w.app,
        post(
            &format!("/referrals/{}/contacts", w.es1_referral),
            &es1,
            &add,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get(&format!("/referrals/{}", w.es1_referral), &es1)).await;
    assert!(
        page.contains("Remove: Contact: remote on 2025-01-14"),
        "each entry has a Remove button"
    );
    let remove = format!("csrf={csrf}&kind=contact&index={before}");
    let (status, _, _) = send(
        &w.app,
        post(
            &format!("/referrals/{}/remove", w.es1_referral),
            &es1,
            &remove,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(contacts(&w.store.load().await.unwrap()), before);
    let audit = w
        .store
        .audit(&ipstrack_store::AuditFilter {
            record: Some(w.es1_referral.clone()),
            since: None,
        })
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "update");
    assert!(
        last.old_value.as_deref().unwrap().contains("2025-01-14"),
        "the removed contact is in the old value"
    );
    let wrong = format!("csrf={csrf}&kind=contact&index=9999");
    let (status, _, _) = send(
        &w.app,
        post(
            &format!("/referrals/{}/remove", w.es1_referral),
            &es1,
            &wrong,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_admin_changes_the_policy_and_bad_values_are_refused_by_field() {
    let w = world().await;
    let (admin, csrf) = sign_in(&w, "admin", PASSWORD).await.unwrap();
    let (manager, _) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let (status, _, _) = send(&w.app, get("/admin/policy", &manager)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, page) = send(&w.app, get("/admin/policy", &admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"policy-contact_window_days\" name=\"contact_window_days\" type=\"text\" value=\"28\""), "{page}");
    let form_with = |window: &str, rate: &str, fidelity: &str, band: (&str, &str)| {
        format!(
            "csrf={csrf}&contact_window_days={window}&assertive_engagement_extra_days=28&hold_limit_days=28&job_hours_threshold=4\
             &sustainment_gap_days=42&access_target_year1=35&access_target_year2=40&training_months=3\
             &job_outcome_rate_target={rate}&sustainment_rate_target=0.65&fidelity_caseload={fidelity}&retention_share_max=0.15\
             &caseload_band_low={}&caseload_band_high={}",
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
    let (status, _, page) = send(
        &w.app,
        post(
            "/admin/policy",
            &admin,
            &form_with("28", "0.4", "20", ("26", "22")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#policy-caseload_band_low\""));
    assert!(page.contains("must not be below the lowest"));
    let (status, _, _) = send(
        &w.app,
        post(
            "/admin/policy",
            &admin,
            &form_with("28", "0.4", "18", ("18", "24")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let policy = w.store.load().await.unwrap().dataset.policy;
    assert_eq!(
        (policy.caseload_band, policy.fidelity_caseload),
        ((18, 24), 18)
    );
    let (status, _, page) = send(&w.app, post("/admin/policy", &admin, &form("28", "1.5"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#policy-job_outcome_rate_target\""),
        "{}",
        &page[..page.len().min(500)]
    );
    let (status, _, _) = send(&w.app, post("/admin/policy", &admin, &form("35", "0.45"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let policy = w.store.load().await.unwrap().dataset.policy;
    assert_eq!(
        (policy.contact_window_days, policy.job_outcome_rate_target),
        (35, 4500)
    );
    let audit = w
        .store
        .audit(&ipstrack_store::AuditFilter {
            record: Some("service".into()),
            since: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (
            audit.last().unwrap().actor.as_str(),
            audit.last().unwrap().action.as_str()
        ),
        ("admin", "update")
    );
}

#[tokio::test]
async fn authorisation_matrix_of_roles_and_form_posts() {
    let w = world().await;
    let users = ["es1", "lead1", "manager", "admin"];
    let mut sessions = Vec::new();
    for u in users {
        sessions.push(sign_in(&w, u, PASSWORD).await.unwrap());
    }
    // (route, form without csrf, expected status for es1, lead1 (team t1), manager, admin).
    let cases = [
        (
            format!("/referrals/{}/contacts", w.es1_referral),
            "date=2025-01-14&kind=remote",
            [303, 404, 303, 303],
        ),
        (
            format!("/referrals/{}/contacts", w.es3_referral),
            "date=2025-01-14&kind=remote",
            [404, 303, 303, 303],
        ),
        (
            format!("/referrals/{}/hold", w.es3_referral),
            "start=2025-01-14&end=",
            [404, 303, 303, 303],
        ),
        (
            "/returns".to_string(),
            "period=2024/25-Q1&as_of=",
            [404, 404, 303, 422],
        ),
        (
            "/admin/users".to_string(),
            "username=x1&role=es&staff=&password=long+enough+pw",
            [404, 404, 404, 303],
        ),
        (
            "/admin/users/es3/disable".to_string(),
            "",
            [404, 404, 404, 303],
        ),
    ];
    for (route, form, expected) in cases {
        for (i, user) in users.iter().enumerate() {
            let (cookie, csrf) = &sessions[i];
            let body = format!("csrf={csrf}&{form}");
            let (status, _, _) = send(&w.app, post(&route, cookie, &body)).await;
            assert_eq!(status.as_u16(), expected[i], "{user} POST {route}");
        }
    }
}

#[tokio::test]
async fn an_expired_session_or_token_is_no_longer_accepted() {
    let w = world().await;
    // A session of no hours (a token is at least a day: sessions and tokens
    // are one table).
    let ipstrack_store::SignIn::Ok { token: expired, .. } = w
        .store
        .sign_in("manager", PASSWORD, "192.0.2.1", 0)
        .await
        .unwrap()
    else {
        panic!("signed in")
    };
    let (status, _, _) = send(
        &w.app,
        Request::get("/api/v1/report")
            .header(header::AUTHORIZATION, format!("Bearer {expired}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = send(
        &w.app,
        get("/service", &format!("ipstrack_session={expired}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/sign-in");
}

/// The text of the element with `id` on a page, without inner tags.
fn text_of(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let rest = &page[at..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    let end = ["</td>", "</dd>"]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn status_words(status: Option<ipstrack_core::targets::Status>) -> &'static str {
    use ipstrack_core::targets::Status;
    match status {
        Some(Status::Met) => "Met",
        Some(Status::OnTrack) => "On track",
        Some(Status::Behind) => "Behind",
        None => "–",
    }
}

fn percent_text(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:.1}%", v * 100.0))
}

#[tokio::test]
async fn the_performance_plan_is_shown_to_the_es_their_team_lead_and_managers_only() {
    let w = world().await;
    // es1 and es2 are in team t2, es3 in t1; lead1 leads t1; lead1 is no ES.
    let users = ["es1", "es3", "lead1", "manager", "admin"];
    let mut sessions = Vec::new();
    for u in users {
        sessions.push(sign_in(&w, u, PASSWORD).await.unwrap().0);
    }
    let matrix = [
        ("es1", [200, 404, 404, 200, 200]),
        ("es2", [404, 404, 404, 200, 200]),
        ("es3", [404, 200, 200, 200, 200]),
        ("es4", [404, 404, 404, 200, 200]),
        ("lead1", [404, 404, 404, 404, 404]),
        ("nobody", [404, 404, 404, 404, 404]),
    ];
    for (es, expected) in matrix {
        let route = format!("/specialists/{es}/plan?period=2024/25&as_of=2024-12-31");
        for (i, user) in users.iter().enumerate() {
            let (status, _, body) = send(&w.app, get(&route, &sessions[i])).await;
            assert_eq!(status.as_u16(), expected[i], "{user} GET {route}");
            if status == StatusCode::NOT_FOUND {
                assert!(!body.contains("Performance plan"), "{user} {es}");
            }
        }
    }
    let (status, headers, _) = send(&w.app, get("/specialists/es1/plan", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/sign-in");
}

#[tokio::test]
async fn the_performance_plan_shows_the_core_reports_figures_for_that_es() {
    let w = world().await;
    let (manager, _) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let as_of = Day::parse("2024-12-31").unwrap();
    let engine = ipstrack_core::report(d, &loaded.warnings, &period, as_of).unwrap();
    let q3 = ipstrack_core::Period::parse("2024/25-Q3").unwrap();
    let q3_report = ipstrack_core::report(d, &loaded.warnings, &q3, as_of).unwrap();
    assert!(engine.specialists.len() >= 3);
    for s in &engine.specialists {
        let (status, _, page) = send(
            &w.app,
            get(
                &format!("/specialists/{}/plan?period=2024/25&as_of=2024-12-31", s.id),
                &manager,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", s.id);
        let staff = d.staff.iter().find(|x| x.id == s.id).unwrap();
        let (k, t) = (&s.kpis, &s.targets);
        let expect = |id: &str, value: String| {
            assert_eq!(text_of(&page, id), value, "{} {id}", s.id);
        };
        expect("plan-es", format!("{} ({})", staff.name, staff.id));
        expect("plan-team", d.teams[staff.team as usize].name.clone());
        expect("plan-start", staff.start_date.to_string());
        expect("plan-fte", format!("{}", f64::from(staff.fte.0) / 10_000.0));
        expect(
            "plan-year",
            if t.year == 1 { "Year 1" } else { "Year 2 on" }.into(),
        );
        expect("plan-period", "2024/25 (2024-04-01 to 2025-03-31)".into());
        expect("plan-as-of", "2024-12-31".into());
        for (id, figures) in [
            ("access", k.access),
            ("into-work", k.people_into_work),
            ("job-starts", k.job_starts),
            ("sustained-13", k.sustained.w13),
            ("sustained-26", k.sustained.w26),
            ("sustained-52", k.sustained.w52),
        ] {
            expect(&format!("{id}-unemployed"), figures.unemployed.to_string());
            expect(&format!("{id}-employed"), figures.employed.to_string());
        }
        expect("access-target-to-date", format!("{:.1}", t.access_to_date));
        expect("access-target", format!("{:.1}", t.access));
        expect("access-status", status_words(t.status.access).into());
        expect(
            "into-work-target-to-date",
            format!("{:.1}", t.people_into_work_to_date),
        );
        expect("into-work-target", format!("{:.1}", t.people_into_work));
        expect(
            "into-work-status",
            status_words(t.status.people_into_work).into(),
        );
        let rate = &k.job_outcome_rate;
        expect(
            "job-outcome-rate",
            format!(
                "{} ({} of {} seeking work)",
                percent_text(rate.value),
                rate.numerator,
                rate.denominator
            ),
        );
        expect("job-outcome-rate-target", "40.0%".into());
        expect(
            "job-outcome-rate-status",
            status_words(t.status.job_outcome_rate).into(),
        );
        let sus = &k.sustainment_rate_13w;
        expect(
            "sustainment-rate",
            format!(
                "{} ({} of {} people; {} pending)",
                percent_text(sus.value),
                sus.numerator,
                sus.denominator,
                sus.pending
            ),
        );
        expect("sustainment-rate-target", "65.0%".into());
        expect(
            "sustainment-rate-status",
            status_words(t.status.sustainment_rate_13w).into(),
        );
        expect("caseload-active", k.caseload.active.to_string());
        expect("caseload-open", k.caseload.open.to_string());
        expect("caseload-on-hold", k.caseload.on_hold.to_string());
        expect("caseload-waiting", k.caseload.waiting_list.to_string());
        expect("caseload-carried-over", k.caseload.carried_over.to_string());
        // CASE-4 (rev. 2): open caseload per FTE against the band, from core.
        let band = match k.caseload.standing(staff, &d.policy) {
            Some(st) => format!(
                "{} – {}",
                st.open_per_fte,
                match st.band_position {
                    ipstrack_core::targets::BandPosition::Below => "Below the band",
                    ipstrack_core::targets::BandPosition::Within => "Within the band",
                    ipstrack_core::targets::BandPosition::Above => "Above the band",
                }
            ),
            None => "– (not in post)".into(),
        };
        expect("caseload-band", band);
        expect(
            "fidelity-score",
            k.fidelity_caseload_score
                .map_or("–".into(), |f| format!("{f} of 5")),
        );
        // The charts: cumulative access in December is the plan's access and
        // its target to date; the third quarter's job starts and 13-week
        // outcomes are those of the quarter's report, each group apart.
        assert_eq!(
            page.matches("<svg viewBox=\"0 0 640 240\"").count(),
            2,
            "two charts"
        );
        let december = &page[page.find("<th scope=\"row\">Dec 24</th>").unwrap()..];
        assert!(
            december.starts_with(&format!(
                "<th scope=\"row\">Dec 24</th><td class=\"num\">{}.0</td><td class=\"num\">{:.1}</td>",
                k.access.unemployed, t.access_to_date
            )),
            "{}: {}",
            s.id,
            &december[..200]
        );
        let quarter = &q3_report
            .specialists
            .iter()
            .find(|x| x.id == s.id)
            .unwrap()
            .kpis;
        let row = &page[page.find("<th scope=\"row\">Q3</th>").unwrap()..];
        assert!(
            row.starts_with(&format!(
                "<th scope=\"row\">Q3</th><td class=\"num\">{}.0</td><td class=\"num\">{}.0</td><td class=\"num\">{}.0</td><td class=\"num\">{}.0</td>",
                quarter.job_starts.unemployed,
                quarter.job_starts.employed,
                quarter.sustained.w13.unemployed,
                quarter.sustained.w13.employed
            )),
            "{}: {}",
            s.id,
            &row[..200]
        );
        assert!(!page.contains("<th scope=\"row\">Q4</th>"));
    }
    // Without a period: this financial year as of the application's today.
    let (status, _, page) = send(&w.app, get("/specialists/es3/plan", &manager)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&page, "plan-as-of"), "2025-01-15");
    assert!(text_of(&page, "plan-period").starts_with("2024/25 "));
    // Reachable from the team dashboard and from the ES's caseload page.
    let (_, _, team) = send(
        &w.app,
        get("/team?team=t1&period=2024/25&as_of=2024-12-31", &manager),
    )
    .await;
    assert!(
        team.contains("href=\"/specialists/es3/plan?period=2024/25&amp;as_of=2024-12-31\""),
        "{team}"
    );
    let (_, _, caseload) = send(&w.app, get("/caseload?es=es3", &manager)).await;
    assert!(caseload.contains("href=\"/specialists/es3/plan\""));
}

#[tokio::test]
async fn the_performance_plan_prints_on_one_a4_page_with_a_print_button() {
    let w = world().await;
    let (es3, _) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let (status, _, page) = send(&w.app, get("/specialists/es3/plan", &es3)).await;
    assert_eq!(status, StatusCode::OK);
    // The stylesheet, by a URL that carries its content's hash (issue 11).
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/static/style.css?v="));
    assert!(page.contains("data-print"), "a Print button");
    assert!(page.contains("class=\"no-print\""));
    // The numbers of the charts are open, so that they print.
    assert_eq!(page.matches("<details open>").count(), 2);
    // Unemployed and employed are separate lines, each in the key; the key's
    // colours are SVG, not inline styles (the content security policy).
    for line in [
        "Job starts (unemployed)",
        "Job starts (employed)",
        "13 weeks (unemployed)",
        "13 weeks (employed)",
    ] {
        assert!(page.contains(&format!("</svg> {line}</span>")), "{line}");
    }
    assert!(!page.contains(" style=\""), "no inline styles");
    let (status, headers, css) = send(&w.app, get("/static/style.css", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        header_value(&headers, "content-type")
            .unwrap()
            .starts_with("text/css")
    );
    let print = &css[css.find("@media print").expect("a print section")..];
    assert!(print.contains("@page { size: A4"), "{print}");
    for rule in [
        "header, nav, form, button, .no-print",
        "break-inside: avoid",
    ] {
        assert!(print.contains(rule), "{rule}");
    }
    let (_, _, js) = send(&w.app, get("/static/app.js", "")).await;
    assert!(js.contains("button[data-print]") && js.contains("window.print()"));
}

#[tokio::test]
async fn a_bad_period_on_the_plan_page_is_explained() {
    let w = world().await;
    let (lead, _) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    for (query, words) in [
        ("period=2024/26", "period `2024/26` is not valid"),
        ("period=2024/25&as_of=2024-02-30", "is not a date"),
        (
            "period=2024/25&as_of=2024-01-01",
            "is before the period starts",
        ),
    ] {
        let (status, _, page) = send(
            &w.app,
            get(&format!("/specialists/es3/plan?{query}"), &lead),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.contains("class=\"error-summary\"") && page.contains(words),
            "{query}: {page}"
        );
    }
}

/// The figures of the IPS Grow return, by heading, and where the JSON report
/// holds each (in a KPI block): the interop tests' fixture.
fn grow_figures() -> Vec<(String, String)> {
    let text = include_str!("../../interop/tests/fixtures/grow-return-figures.csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let (h, p) = l.split_once(',').expect("heading,pointer");
            (h.to_string(), p.to_string())
        })
        .collect()
}

/// The KPI block of a return row in the JSON report, by level and id.
fn block<'a>(report: &'a serde_json::Value, level: &str, id: &str) -> &'a serde_json::Value {
    let list = match level {
        "service" => return &report["service"],
        "team" => &report["teams"],
        "es" => &report["specialists"],
        other => panic!("level {other}"),
    };
    list.as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("{level} {id}"))
}

/// Checks one figure of a return against the report: a number equal to the
/// report's, or empty where the report has null.
fn check_figure(block: &serde_json::Value, heading: &str, cell: Option<f64>) {
    let (_, pointer) = grow_figures()
        .into_iter()
        .find(|(h, _)| h == heading)
        .unwrap_or_else(|| panic!("a figure the test does not know: {heading}"));
    let expected = block.pointer(&pointer).unwrap();
    match expected.as_f64() {
        Some(v) => assert_eq!(cell, Some(v), "{heading}"),
        None => assert!(expected.is_null() && cell.is_none(), "{heading}: {cell:?}"),
    }
}

#[tokio::test]
async fn the_grow_return_downloads_as_xlsx_and_csv_with_the_json_reports_figures() {
    use calamine::{Data, Reader, Xlsx};
    let w = world().await;
    let query = "period=2024/25-Q3&as_of=2024-12-31";
    for user in ["manager", "admin"] {
        let (session, _) = sign_in(&w, user, PASSWORD).await.unwrap();
        let (_, _, json) = send(&w.app, get(&format!("/api/v1/report?{query}"), &session)).await;
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let rows_expected = 1
            + report["teams"].as_array().unwrap().len()
            + report["specialists"].as_array().unwrap().len();

        let (status, headers, bytes) = send_bytes(
            &w.app,
            get(&format!("/returns/grow-return.xlsx?{query}"), &session),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(
            header_value(&headers, "content-type").as_deref(),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        assert_eq!(
            header_value(&headers, "content-disposition").as_deref(),
            Some("attachment; filename=\"ips-grow-return-2024-25-Q3-as-of-2024-12-31.xlsx\"")
        );
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let mut checked = 0;
        for (sheet, level) in [
            ("Service", "service"),
            ("Teams", "team"),
            ("Specialists", "es"),
        ] {
            let range = book.worksheet_range(sheet).unwrap();
            let headings: Vec<String> = (0..range.width())
                .map(|c| range.get((0, c)).unwrap().to_string())
                .collect();
            assert_eq!(headings.len(), 7 + grow_figures().len());
            for row in 1..range.height() {
                let id = range.get((row, 0)).unwrap().to_string();
                let b = block(&report, level, &id);
                assert_eq!(
                    range.get((row, 3)),
                    Some(&Data::String("2024/25-Q3".into()))
                );
                for (c, heading) in headings.iter().enumerate().skip(7) {
                    let cell = match range.get((row, c)) {
                        Some(Data::Float(v)) => Some(*v),
                        Some(Data::Int(v)) => Some(*v as f64),
                        None | Some(Data::Empty) => None,
                        other => panic!("{sheet} {id} {heading}: {other:?}"),
                    };
                    check_figure(b, heading, cell);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, rows_expected, "every row of the report");

        let (status, headers, text) = send(
            &w.app,
            get(&format!("/returns/grow-return.csv?{query}"), &session),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header_value(&headers, "content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert_eq!(
            header_value(&headers, "content-disposition").as_deref(),
            Some("attachment; filename=\"ips-grow-return-2024-25-Q3-as-of-2024-12-31.csv\"")
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headings: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            &headings[..8],
            [
                "Level",
                "Id",
                "Name",
                "Team",
                "Period",
                "Period start",
                "Period end",
                "As of"
            ]
        );
        let mut rows = 0;
        for record in reader.records() {
            let record = record.unwrap();
            let b = block(&report, &record[0], &record[1]);
            assert_eq!(&record[4], "2024/25-Q3");
            assert_eq!(&record[7], "2024-12-31");
            for (c, heading) in headings.iter().enumerate().skip(8) {
                let cell = (!record[c].is_empty()).then(|| record[c].parse::<f64>().unwrap());
                check_figure(b, heading, cell);
            }
            rows += 1;
        }
        assert_eq!(rows, rows_expected);
    }
    // Other roles: 404, as for the returns page.
    for user in ["es1", "lead1"] {
        let (session, _) = sign_in(&w, user, PASSWORD).await.unwrap();
        for file in ["xlsx", "csv"] {
            let (status, headers, _) = send(
                &w.app,
                get(&format!("/returns/grow-return.{file}?{query}"), &session),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {file}");
            assert!(header_value(&headers, "content-disposition").is_none());
        }
    }
    let (status, _, _) = send(
        &w.app,
        get(&format!("/returns/grow-return.csv?{query}"), ""),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A bad or missing period: 400 with a message, no file.
    let (manager, _) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    for (query, words) in [
        ("period=2024/25-Q5", "is not valid"),
        ("period=", "Choose the period of the return"),
        ("", "Choose the period of the return"),
        ("period=2024/25-Q3&as_of=31/12/2024", "is not a date"),
    ] {
        for file in ["xlsx", "csv"] {
            let (status, headers, page) = send(
                &w.app,
                get(&format!("/returns/grow-return.{file}?{query}"), &manager),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert!(page.contains(words), "{query}: {page}");
            assert!(header_value(&headers, "content-disposition").is_none());
        }
    }
    // The returns page offers both downloads.
    let (_, _, page) = send(&w.app, get("/returns", &manager)).await;
    assert!(page.contains("action=\"/returns/grow-return.xlsx\""));
    assert!(page.contains("formaction=\"/returns/grow-return.csv\""));
}

/// The number in the caseload row of `referral` (its "Days until inactive" cell).
fn days_until_inactive_cell(page: &str, referral: &str) -> String {
    let row = &page[page
        .find(&format!("id=\"referral-{referral}\""))
        .unwrap_or_else(|| panic!("no row for {referral}"))..];
    let cell = &row[row.find("data-days-until-inactive").unwrap()..];
    let cell = &cell[cell.find('>').unwrap() + 1..];
    cell[..cell.find('<').unwrap()].to_string()
}

#[tokio::test]
async fn case_4_the_caseload_page_shows_cores_days_until_inactive_in_assertive_engagement() {
    let w = world().await;
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let form = format!(
        "csrf={csrf}&client=&nhs_number=9434765919&received=2024-11-18&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, _) = send(&w.app, post("/referrals/new", &es3, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let referral = location(&headers);
    let id = referral.rsplit('/').next().unwrap().to_string();
    // Access (a two-way contact) 51 days before today, an attempt 5 days before.
    for (step, form) in [
        ("access", format!("csrf={csrf}&date=2024-11-25")),
        ("plan", format!("csrf={csrf}&date=2024-11-25")),
        (
            "contacts",
            format!("csrf={csrf}&date=2025-01-10&kind=assertive_engagement"),
        ),
    ] {
        let (status, _, _) = send(&w.app, post(&format!("{referral}/{step}"), &es3, &form)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{step}");
    }
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let es = d.staff.iter().position(|s| s.id == "es3").unwrap() as u32;
    let core = ipstrack_core::caseload::es_caseload(d, es, today());
    let entry = core
        .entries
        .iter()
        .find(|e| d.referrals[e.referral].id == id)
        .unwrap();
    // Kept active by the attempt until 2024-11-25 + 56 days = 2025-01-20.
    assert!(entry.status.active);
    assert_eq!(entry.days_until_inactive, Some(5));
    let (status, _, page) = send(&w.app, get("/caseload", &es3)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(days_until_inactive_cell(&page, &id), "5");
    // Every row's figure is core's, never negative.
    for e in &core.entries {
        let r = &d.referrals[e.referral].id;
        let shown = days_until_inactive_cell(&page, r);
        assert_eq!(
            shown,
            e.days_until_inactive.map_or("–".into(), |n| n.to_string()),
            "{r}"
        );
        assert!(!shown.starts_with('-'), "{r}: {shown}");
    }
    // The counts are the report's CASE-2 figures, named apart.
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let report = ipstrack_core::report(d, &loaded.warnings, &period, today()).unwrap();
    let figures = &report
        .specialists
        .iter()
        .find(|s| s.id == "es3")
        .unwrap()
        .kpis
        .caseload;
    let strong = |id: &str| {
        let at = &page[page.find(&format!("id=\"{id}\"")).unwrap()..];
        at[at.find('>').unwrap() + 1..at.find('<').unwrap()].to_string()
    };
    assert_eq!(strong("caseload-open"), figures.open.to_string());
    assert_eq!(strong("caseload-active"), figures.active.to_string());
    assert_eq!(strong("caseload-waiting"), figures.waiting_list.to_string());
    assert_eq!(
        strong("caseload-not-yet-seen"),
        core.not_yet_seen.to_string()
    );
    assert!(page.contains("open (seen)") && page.contains("referred, not yet seen"));
}

#[tokio::test]
async fn case_1_a_client_kept_active_by_a_team_decision_is_shown_as_such() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es1_referral);
    let form = format!("csrf={csrf}&start=2025-01-01&end=&status=active&reason=in+hospital");
    let (status, _, _) = send(&w.app, post(&format!("{referral}/decision"), &es1, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get(&referral, &es1)).await;
    assert!(
        page.contains("kept active by a team decision"),
        "referral page"
    );
    let (_, _, page) = send(&w.app, get("/caseload", &es1)).await;
    assert!(
        page.contains("kept active by a team decision"),
        "caseload page"
    );
    assert_eq!(
        days_until_inactive_cell(&page, &w.es1_referral),
        "–",
        "no countdown while the decision keeps the client active"
    );
}

#[tokio::test]
async fn a_period_too_long_or_past_2099_gets_a_400_with_the_form_kept() {
    let w = world().await;
    let (manager, _) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    for (path, typed) in [
        (
            "/service?period=2024-04-21..2524-03-31",
            "2024-04-21..2524-03-31",
        ),
        (
            "/team?team=t1&period=2024-04-01..9999-03-31",
            "2024-04-01..9999-03-31",
        ),
        ("/specialists/es1/plan?period=9998/99-Q4", "9998/99-Q4"),
        ("/service?period=2024/25&as_of=9999-12-31", "2024/25"),
    ] {
        let started = std::time::Instant::now();
        let (status, _, page) = send(&w.app, get(path, &manager)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{path}"
        );
        assert!(page.contains("There is a problem"), "{path}: error summary");
        assert!(
            page.contains(&format!("name=\"period\" value=\"{typed}\"")),
            "{path}: the form keeps what was typed"
        );
        assert!(page.contains("href=\"#period\""), "{path}");
    }
    let (_, _, page) = send(
        &w.app,
        get("/service?period=2024-04-21..2524-03-31", &manager),
    )
    .await;
    assert!(page.contains("at most 5 years"));
}
