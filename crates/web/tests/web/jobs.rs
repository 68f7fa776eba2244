//! Changing a job after its start (issue 13): the end, the first month's
//! weekly hours (JOB-2), the day 4 hours were confirmed (offered from the
//! worklist), a self-employment's registration; checked field by field,
//! refused when stale, audited with old and new values.

use crate::common::*;
use axum::http::StatusCode;

/// A new world in which es3 records a zero-hours job on their referral,
/// started 2025-01-06: (the world, es3's session and token, the job's edit
/// path).
async fn world_with_a_job() -> (World, String, String, String) {
    let w = world().await;
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    let form = format!(
        "csrf={csrf}&type=zero_hours&employer=Garden+centre&start=2025-01-06&hours_per_week="
    );
    let (status, _, body) = submit(&w, &format!("{referral}/jobs"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = saved_referral(&w, &w.es3_referral).await;
    let job = stored.referral.jobs.unwrap().last().unwrap().id.clone();
    let edit = format!("{referral}/jobs/{job}/edit");
    (w, es3, csrf, edit)
}

/// The last job of es3's referral as stored.
async fn last_job(w: &World) -> ipstrack_core::bundle::JobDoc {
    let saved = saved_referral(w, &w.es3_referral).await;
    saved.referral.jobs.unwrap().pop().unwrap()
}

#[tokio::test]
async fn job_2_the_first_months_hours_the_end_and_the_4_hours_confirmation_are_recorded() {
    let (w, es3, csrf, edit) = world_with_a_job().await;
    let page = ok_page(&w, &edit, &es3).await;
    shows(&page, "value=\"Garden centre\"");
    let form = format!(
        "csrf={csrf}&version={}&type=zero_hours&registration=&employer=Garden+centre&start=2025-01-06\
         &end=2025-01-14&hours_per_week=&week1=3&week2=5.5&week3=&week4=&four_hours_confirmed=2025-01-13",
        version_of(&page)
    );
    let (status, _, body) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let job = last_job(&w).await;
    assert_eq!(job.end.as_deref(), Some("2025-01-14"));
    assert_eq!(job.four_hours_confirmed.as_deref(), Some("2025-01-13"));
    assert_eq!(serde_json::to_string(&job.weekly_hours).unwrap(), "[3,5.5]");
    let referral = ok_page(&w, &format!("/referrals/{}/timeline", w.es3_referral), &es3).await;
    shows(
        &referral,
        "zero-hours contract at Garden centre; 4 hours confirmed on 13 Jan 2025",
    );
    shows(&referral, "ended");
    let last = last_audit(&w, &w.es3_referral).await;
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("update", "es3")
    );
    assert!(
        last.new_value
            .as_deref()
            .unwrap()
            .contains("\"four_hours_confirmed\":\"2025-01-13\"")
    );
    assert!(
        !last
            .old_value
            .as_deref()
            .unwrap()
            .contains("\"four_hours_confirmed\":\"2025-01-13\"")
    );
}

#[tokio::test]
async fn a_bad_job_form_names_each_field_and_keeps_what_was_typed() {
    let (w, es3, csrf, edit) = world_with_a_job().await;
    let page = ok_page(&w, &edit, &es3).await;
    let form = format!(
        "csrf={csrf}&version={}&type=self_employed&registration=&employer=Garden+centre&start=2025-01-06\
         &end=2025-01-01&hours_per_week=200&week1=&week2=5&four_hours_confirmed=2999-01-01",
        version_of(&page)
    );
    let (status, _, page) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "registration",
        "end",
        "hours_per_week",
        "week1",
        "four_hours_confirmed",
    ] {
        shows(&page, &format!("href=\"#job-{field}\""));
    }
    shows_all(
        &page,
        &[
            "The end date must be on or after the start date",
            "Enter the hours of each week in order, from week 1",
            "value=\"200\"",
        ],
    );
}

#[tokio::test]
async fn a_job_edit_from_an_older_page_is_refused_with_the_form_kept() {
    let (w, es3, csrf, edit) = world_with_a_job().await;
    let page = ok_page(&w, &edit, &es3).await;
    let old = version_of(&page);
    // Someone records an access meanwhile: the referral's version moves on.
    let referral = format!("/referrals/{}", w.es3_referral);
    let now = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    let remove_missing = format!("csrf={csrf}&kind=job&index=99&version={}", version_of(&now));
    let (status, _, _) = submit(&w, &format!("{referral}/remove"), &es3, &remove_missing).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such entry: nothing written"
    );
    let path = format!("{referral}/hold");
    let hold = format!("csrf={csrf}&start=2025-01-07&end=2025-01-08");
    let (status, _, _) = submit(&w, &path, &es3, &hold).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form = format!(
        "csrf={csrf}&version={old}&type=zero_hours&employer=Garden+centre&start=2025-01-06&end=2025-01-14"
    );
    let (status, _, page) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "changed by someone else since you opened this form");
    shows_date(&page, "job-end", "2025-01-14");
    let job = last_job(&w).await;
    assert_eq!(job.end, None, "nothing written");
}

#[tokio::test]
async fn the_worklist_offers_to_confirm_4_hours_and_the_timeline_to_change_the_job() {
    let (w, es3, _, edit) = world_with_a_job().await;
    let caseload = ok_page(&w, "/caseload", &es3).await;
    shows(
        &caseload,
        &format!("href=\"{edit}?task=hours\">Confirm 4 hours</a>"),
    );
    let timeline = ok_page(&w, &format!("/referrals/{}/timeline", w.es3_referral), &es3).await;
    shows(&timeline, &format!("href=\"{edit}\""));
    // The referral's summary offers both tasks on the job, each its own page.
    let summary = ok_page(&w, &format!("/referrals/{}", w.es3_referral), &es3).await;
    shows(
        &summary,
        &format!("href=\"{edit}?task=hours\">Confirm 4 hours of the job at Garden centre</a>"),
    );
    shows(
        &summary,
        &format!("href=\"{edit}?task=end\">End the job at Garden centre</a>"),
    );
}

/// "End the job at …" is a page of one date (today filled in) that carries
/// the rest of the job unseen: saving it ends the job and changes nothing
/// else, and the summary says so by name and date.
#[tokio::test]
async fn ending_a_job_is_a_page_of_its_own_that_changes_only_the_end() {
    let (w, es3, _, edit) = world_with_a_job().await;
    let before = last_job(&w).await;
    let page = ok_page(&w, &format!("{edit}?task=end"), &es3).await;
    shows(&page, "<h1>End the job at Garden centre</h1>");
    shows(&page, "<legend>Last day worked</legend>");
    hides(&page, "Kind of paid work");
    shows(&page, "name=\"employer\" value=\"Garden centre\"");
    // The form as the browser sends it: its hidden fields and the date typed.
    let csrf = hidden_csrf(&page);
    let form = format!(
        "csrf={csrf}&version={}&task=end&type=zero_hours&employer=Garden+centre&start=2025-01-06\
         &end-day=14&end-month=1&end-year=2025",
        version_of(&page)
    );
    let (status, headers, body) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = last_job(&w).await;
    assert_eq!(after.end.as_deref(), Some("2025-01-14"));
    assert_eq!(
        ipstrack_core::bundle::JobDoc {
            end: None,
            ..after.clone()
        },
        before,
        "nothing but the end changed"
    );
    let summary = saved_page(&w, &headers, &es3).await;
    shows(&summary, "Job ended on 14 Jan 2025 for ");
    // A day that is not real comes back to the same one-date page.
    let bad = form.replace("end-day=14", "end-day=41");
    let (status, _, body) = submit(&w, &edit, &es3, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&body, "<h1>End the job at Garden centre</h1>");
    shows(&body, "href=\"#job-end\"");
}

#[tokio::test]
async fn another_teams_job_or_no_such_job_is_not_found() {
    let (w, _, _, edit) = world_with_a_job().await;
    let (es1, csrf1) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let (status, _, _) = send(&w.app, get(&edit, &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = format!("csrf={csrf1}&type=employee&start=2025-01-06");
    let (status, _, _) = submit(&w, &edit, &es1, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let es3 = session_of(&w, "es3").await;
    let missing = format!("/referrals/{}/jobs/j999/edit", w.es3_referral);
    let (status, _, _) = send(&w.app, get(&missing, &es3)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_self_employment_is_recorded_with_its_registration_and_evidence() {
    let (w, es3, csrf, edit) = world_with_a_job().await;
    let page = ok_page(&w, &edit, &es3).await;
    let form = format!(
        "csrf={csrf}&version={}&type=self_employed&registration=company&evidence=UTR+1234567890+seen\
         &employer=Own+gardening+business&start=2025-01-06&hours_per_week=10",
        version_of(&page)
    );
    let (status, _, body) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let job = last_job(&w).await;
    assert_eq!(
        (
            job.kind.as_str(),
            job.self_employment_registration.as_deref(),
            job.self_employment_evidence.as_deref()
        ),
        (
            "self_employed",
            Some("company"),
            Some("UTR 1234567890 seen")
        )
    );
    let again = ok_page(&w, &edit, &es3).await;
    shows(&again, "value=\"UTR 1234567890 seen\"");
}

/// es3's job start form posted with `extra` fields after a self-employment.
async fn self_employment_start(w: &World, extra: &str) -> (StatusCode, String) {
    let (es3, csrf) = sign_in(w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    let form = format!(
        "csrf={csrf}&type=self_employed&employer=Own+business&start=2025-01-06&hours_per_week=10{extra}"
    );
    let (status, _, body) = submit(w, &format!("{referral}/jobs"), &es3, &form).await;
    (status, body)
}

#[tokio::test]
async fn job_1_the_job_start_form_never_takes_a_self_employment_as_registered() {
    let w = world().await;
    // Nothing chosen: asked, nothing saved.
    let before = saved_referral(&w, &w.es3_referral).await;
    let (status, page) = self_employment_start(&w, "&registration=&evidence=").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    shows(
        &page,
        "Select how the self-employed person is registered, or Not yet registered",
    );
    shows(&page, "href=\"#job-registration\"");
    let after = saved_referral(&w, &w.es3_referral).await;
    assert_eq!(after.version, before.version);
    // The form's old fields alone (no registration sent): asked too.
    let (status, _) = self_employment_start(&w, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn job_1_a_self_employment_not_yet_registered_is_saved_and_shown_as_not_counted() {
    let w = world().await;
    let (status, page) = self_employment_start(&w, "&registration=not_registered&evidence=").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let job = last_job(&w).await;
    assert_eq!(job.kind, "self_employed");
    assert_eq!(job.self_employment_registration, None);
    let es3 = session_of(&w, "es3").await;
    let page = ok_page(&w, &format!("/referrals/{}/timeline", w.es3_referral), &es3).await;
    shows(&page, "not counted until registered");
    // Its edit form shows it as not yet registered, not as a choice to make.
    let edit = format!("/referrals/{}/jobs/{}/edit", w.es3_referral, job.id);
    let page = ok_page(&w, &edit, &es3).await;
    shows(&page, "value=\"not_registered\" selected");
}

#[tokio::test]
async fn job_1_a_registered_self_employment_is_saved_with_its_evidence_from_the_start_form() {
    let w = world().await;
    let (status, page) =
        self_employment_start(&w, "&registration=sole_trader&evidence=+UTR+seen+").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let job = last_job(&w).await;
    assert_eq!(
        job.self_employment_registration.as_deref(),
        Some("sole_trader")
    );
    assert_eq!(job.self_employment_evidence.as_deref(), Some("UTR seen"));
    // Evidence over core's limit: refused in core's words.
    let long = "x".repeat(ipstrack_core::bundle::limits::EVIDENCE_CHARS + 1);
    let (status, page) =
        self_employment_start(&w, &format!("&registration=sole_trader&evidence={long}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "The evidence must be 100 characters or fewer");
}

#[tokio::test]
async fn bad_1_a_job_held_at_referral_is_recorded_with_its_real_start_before_the_referral() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    // A new referral of someone in work (job retention), received 10 Jan 2025.
    let (_, _, page) = send(&w.app, get("/referrals/new", &es3)).await;
    let once = hidden_value(&page, "once").unwrap_or_default();
    let form = format!(
        "csrf={csrf}&once={once}&client=&given_name=Sam&family_name=Lee&nhs_number=&received=2025-01-10\
         &status_at_referral=employed&es=es3"
    );
    let (status, headers, body) = submit(&w, "/referrals/new", &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let referral = location(&headers);
    let page = ok_page(&w, &format!("{referral}/record/job"), &es3).await;
    shows(
        &page,
        "This is the job they held when referred (job retention)",
    );
    // Without the tick, a start before the referral is refused.
    let job = |extra: &str| {
        format!(
            "csrf={csrf}&type=employee&employer=Co-op&start=2023-05-01&hours_per_week=30{extra}"
        )
    };
    let path = format!("{referral}/jobs");
    let (status, _, body) = submit(&w, &path, &es3, &job("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&body, "href=\"#job-start\"");
    // Ticked: the real start is kept, with the return to work.
    let (status, _, body) = submit(
        &w,
        &path,
        &es3,
        &job("&retained=yes&return_to_work=2025-01-13"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = referral.trim_start_matches("/referrals/");
    let saved = saved_referral(&w, id).await;
    let j = saved.referral.jobs.unwrap().pop().unwrap();
    assert_eq!((j.start.as_str(), j.retained), ("2023-05-01", Some(true)));
    assert_eq!(j.return_to_work.as_deref(), Some("2025-01-13"));
}

/// Issue 26: what the fidelity review's competitive-jobs item needs (paid
/// at least the minimum wage, open to anyone) asked at the job start and on
/// the job's page; why the job ended asked with its end.
#[tokio::test]
async fn fidelity_a_job_records_the_minimum_wage_open_to_anyone_and_why_it_ended() {
    let w = world().await;
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es3_referral);
    let start_page = ok_page(&w, &format!("{referral}/record/job"), &es3).await;
    shows_all(
        &start_page,
        &[
            "Does it pay at least the minimum wage?",
            "Is it open to anyone, not set aside for disabled people?",
        ],
    );
    let form = format!(
        "csrf={csrf}&type=employee&employer=Library&start=2025-01-06&hours_per_week=16\
         &minimum_wage=yes&open_to_anyone=no"
    );
    let (status, _, body) = submit(&w, &format!("{referral}/jobs"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let job = last_job(&w).await;
    assert_eq!(
        (job.pays_minimum_wage, job.open_to_anyone),
        (Some(true), Some(false))
    );
    // Ended, with why, from the job's "end" task: the rest carried unseen.
    let edit = format!("{referral}/jobs/{}/edit", job.id);
    let page = ok_page(&w, &format!("{edit}?task=end"), &es3).await;
    shows(&page, "Why it ended (optional)");
    let form = format!(
        "csrf={csrf}&version={}&task=end&type=employee&employer=Library&start=2025-01-06\
         &hours_per_week=16&minimum_wage=yes&open_to_anyone=no\
         &end-day=14&end-month=1&end-year=2025&end_reason=temporary_ended",
        version_of(&page)
    );
    let (status, _, body) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let ended = last_job(&w).await;
    assert_eq!(ended.end.as_deref(), Some("2025-01-14"));
    assert_eq!(ended.end_reason.as_deref(), Some("temporary_ended"));
    assert_eq!(
        (ended.pays_minimum_wage, ended.open_to_anyone),
        (Some(true), Some(false))
    );
    let timeline = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows_all(
        &timeline,
        &[
            "at Library, 16 hours a week; not competitive",
            "Job ended: Library (a temporary job came to its end)",
        ],
    );
    // The whole job's page shows the answers chosen.
    let page = ok_page(&w, &edit, &es3).await;
    shows_all(
        &page,
        &[
            "value=\"temporary_ended\" selected",
            "value=\"no\" selected",
        ],
    );
}

#[tokio::test]
async fn fidelity_a_bad_answer_or_a_reason_without_an_end_names_the_field() {
    let (w, es3, csrf, edit) = world_with_a_job().await;
    let page = ok_page(&w, &edit, &es3).await;
    let form = format!(
        "csrf={csrf}&version={}&type=zero_hours&employer=Garden+centre&start=2025-01-06\
         &minimum_wage=maybe&end_reason=resigned",
        version_of(&page)
    );
    let (status, _, page) = submit(&w, &edit, &es3, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["minimum_wage", "end_reason"] {
        shows(&page, &format!("href=\"#job-{field}\""));
    }
    shows_all(
        &page,
        &[
            "Select whether the job pays at least the minimum wage",
            "Enter the last day worked, or leave why the job ended as not recorded",
        ],
    );
    let job = last_job(&w).await;
    assert_eq!(
        (job.pays_minimum_wage, job.end_reason),
        (None, None),
        "nothing written"
    );
}
