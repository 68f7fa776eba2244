//! A referral's page and its forms: new referral, contacts, jobs, each step, corrections; the error summary and the audit (crates/web/src/referrals/).

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::Day;

#[tokio::test]
async fn recording_a_contact_needs_the_csrf_token_and_is_audited() {
    let (w, es1, csrf) = world_signed_in("es1").await;
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    let (status, _, _) = submit(&w, &path, &es1, "csrf=wrong&date=2025-01-14&kind=remote").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, headers, _) = submit(&w, &path, &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{headers:?}");
    // The summary names what was recorded, for whom and when.
    let saved = saved_cookie(&headers);
    let (_, _, page) = send(
        &w.app,
        get(
            &format!("/referrals/{}", w.es1_referral),
            &format!("{es1}; {saved}"),
        ),
    )
    .await;
    shows(&page, "Contact on 14 Jan 2025 recorded for ");
    let (_, _, page) = send(
        &w.app,
        get(&format!("/referrals/{}/timeline", w.es1_referral), &es1),
    )
    .await;
    assert!(
        page.contains("<td>14 Jan 2025</td>"),
        "the new contact is on the timeline"
    );
    let last = last_audit(&w, &w.es1_referral).await;
    assert_eq!(
        (last.actor.as_str(), last.record_type.as_str()),
        ("es1", "contact")
    );
    // Another team's referral: 404, nothing written.
    let other = format!("/referrals/{}/contacts", w.es3_referral);
    let form = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, _, _) = submit(&w, &other, &es1, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_date_shows_the_error_summary_linked_to_the_field() {
    let (w, es1, csrf) = world_signed_in("es1").await;
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    for (date, message) in [
        ("2025-02-30", "Enter the date of the contact as a real date"),
        ("2025-01-16", "must be today or in the past"),
        ("2001-01-01", "must be on or after the referral"),
    ] {
        let form = format!("csrf={csrf}&date={date}&kind=remote");
        let (status, _, body) = submit(&w, &path, &es1, &form).await;
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
    let (w, es1, csrf) = world_signed_in("es1").await;
    let (_, _, page) = send(
        &w.app,
        get(
            &format!("/referrals/{}/record/contact", w.es1_referral),
            &es1,
        ),
    )
    .await;
    assert!(
        page.contains("name=\"mechanism\"") && page.contains("value=\"video\""),
        "the form offers the mechanism"
    );
    let path = format!("/referrals/{}/contacts", w.es1_referral);
    let last_contact = |loaded: ipstrack_core::Loaded| {
        let referrals = &loaded.dataset.referrals;
        let r = referrals.iter().find(|r| r.id == w.es1_referral).unwrap();
        (r.contacts.len(), r.contacts.last().cloned())
    };
    for (mechanism, expected) in [
        ("video", Some(Mechanism::Video)),
        ("", None),
        ("telephone", Some(Mechanism::Telephone)),
    ] {
        let contact = format!("csrf={csrf}&date=2025-01-14&kind=remote&mechanism={mechanism}");
        let (status, headers, _) = submit(&w, &path, &es1, &contact).await;
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
        let form = format!("csrf={csrf}&date=2025-01-14&kind={kind}&mechanism={mechanism}");
        let (status, _, body) = submit(&w, &path, &es1, &form).await;
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
async fn an_es_adds_a_referral_records_access_a_contact_and_a_job_and_the_figures_change() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let lead = session_of(&w, "lead1").await;
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

    let page = ok_page(&w, "/referrals/new", &es3).await;
    assert!(
        page.contains("value=\"es3\"") && !page.contains("value=\"es1\""),
        "an ES refers only to themselves"
    );
    let form = format!(
        "csrf={csrf}&client=&given_name=Amira&family_name=Khan&nhs_number=&received=2025-01-10&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, body) = submit(&w, "/referrals/new", &es3, &form).await;
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
        let form = format!("{form}&version={}", version_now(&w, &referral).await);
        let (status, _, body) = submit(&w, &format!("{referral}/{path}"), &es3, &form).await;
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
    let (w, es1, csrf) = world_signed_in("es1").await;
    let path = format!("/referrals/{}/jobs", w.es1_referral);
    let bad_job =
        format!("csrf={csrf}&type=volunteering&employer=&start=2030-01-01&hours_per_week=lots");
    let (status, _, body) = submit(&w, &path, &es1, &bad_job).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#job-type", "#job-start", "#job-hours_per_week"] {
        assert!(
            body.contains(&format!("href=\"{anchor}\"")),
            "{anchor}: {body}"
        );
    }
    let form =
        format!("csrf={csrf}&client=nobody&nhs_number=12&received=&status_at_referral=x&es=es3");
    let (status, _, body) = submit(&w, "/referrals/new", &es1, &form).await;
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

#[tokio::test]
async fn starting_the_plan_makes_the_client_active_and_discharge_closes_the_referral() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let referral = es3_refers_amira(&w, &es3, &csrf, "2025-01-02").await;
    let id = referral.rsplit('/').next().unwrap().to_string();
    let status_of = |loaded: &ipstrack_core::Loaded| {
        let referrals = &loaded.dataset.referrals;
        let r = referrals.iter().find(|r| r.id == id).unwrap();
        ipstrack_core::caseload::status_on(r, today(), &loaded.dataset.policy)
    };
    for (step, form) in [
        ("access", format!("csrf={csrf}&date=2025-01-03")),
        (
            "contacts",
            format!("csrf={csrf}&date=2025-01-10&kind=remote"),
        ),
    ] {
        let form = format!("{form}&version={}", version_now(&w, &referral).await);
        let (status, _, body) = submit(&w, &format!("{referral}/{step}"), &es3, &form).await;
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
    let too_early = format!(
        "csrf={csrf}&version={}&date=2025-01-01",
        version_now(&w, &referral).await
    );
    let (status, _, body) = submit(&w, &format!("{referral}/plan"), &es3, &too_early).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a plan cannot start before the referral"
    );
    assert!(body.contains("href=\"#plan-date\""));
    let form = format!(
        "csrf={csrf}&version={}&date=2025-01-03",
        version_now(&w, &referral).await
    );
    let (status, _, _) = submit(&w, &format!("{referral}/plan"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        status_of(&w.store.load().await.unwrap()).active,
        "active once the plan has started"
    );
    let form = format!(
        "csrf={csrf}&version={}&date=2025-01-15&reason=moved+away&confirm=yes",
        version_now(&w, &referral).await
    );
    let (status, _, _) = submit(&w, &format!("{referral}/discharge"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = status_of(&w.store.load().await.unwrap());
    assert!(!after.open && !after.active, "closed on its discharge date");
    let (_, _, caseload) = send(&w.app, get("/caseload", &es3)).await;
    assert!(
        !caseload.contains(&format!("href=\"{referral}\"")),
        "no longer on the open caseload"
    );
    let form = format!("csrf={csrf}&date=2025-01-15");
    let (status, _, _) = submit(&w, &format!("{referral}/nonsense"), &es3, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn holds_waiting_list_engagement_decisions_and_transfers_are_recorded_and_checked() {
    let (w, lead, csrf) = world_signed_in("lead1").await;
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
            "start=2025-01-05&end=&status=active&reason=in+hospital&agreed_by=es3%2C+Care+coordinator",
        ),
    ] {
        let (status, _, body) =
            submit(&w, &path(step), &lead, &format!("csrf={csrf}&{form}")).await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{step}: {}",
            &body[..body.len().min(300)]
        );
    }
    let loaded = w.store.load().await.unwrap();
    let referrals = &loaded.dataset.referrals;
    let r = referrals.iter().find(|r| r.id == w.es3_referral).unwrap();
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
    assert_eq!(
        r.decisions.last().unwrap().agreed_by,
        ["es3", "Care coordinator"]
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
        // ENG-3: a decision by one person alone is refused with the reason.
        (
            "decision",
            "start=2025-01-05&status=active&reason=in+hospital&agreed_by=es3",
            "#decision-agreed_by",
        ),
        (
            "engagement",
            "date=2025-01-04&status=happy",
            "#engagement-status",
        ),
        ("transfer", "date=2025-01-10&es=es1", "#transfer-es"),
    ] {
        let (status, _, body) =
            submit(&w, &path(step), &lead, &format!("csrf={csrf}&{form}")).await;
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
        .filter(|s| {
            s.role == ipstrack_core::model::Role::Es
                && s.team == ipstrack_core::model::TeamIdx(0)
                && s.id != "es3"
        })
        .map(|s| s.id.clone())
        .collect();
    if let Some(other) = t1_es.first() {
        let form = format!("csrf={csrf}&date=2025-01-10&es={other}");
        let (status, _, body) = submit(&w, &path("transfer"), &lead, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
}
