//! The policy page (admins): the service's targets and thresholds, each
//! checked before it is saved.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use ipstrack_store::StoreError;

use crate::Shared;
use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{Admin, Admins, Posted, SignedIn};
use crate::referrals::FieldErrors;
use crate::ui::form::{FormState, error_summary, field};
use crate::ui::layout::layout;
use maud::{Markup, html};

/// The policy fields an admin edits, as (form name, label).
pub(crate) const POLICY_FIELDS: [(&str, &str); 14] = [
    (
        "contact_window_days",
        "Days a two-way contact keeps a client active (CASE-1)",
    ),
    (
        "assertive_engagement_extra_days",
        "Extra days assertive engagement keeps a client active",
    ),
    (
        "hold_limit_days",
        "Days on hold before a client is inactive",
    ),
    (
        "job_hours_threshold",
        "Hours of paid work that make a job start an outcome (JOB-3)",
    ),
    (
        "sustainment_gap_days",
        "Days out of work that end a run (SUS-1)",
    ),
    ("access_target_year1", "Access target in year 1 (TGT-1)"),
    (
        "access_target_year2",
        "Access target per financial year from year 2",
    ),
    ("training_months", "Months of training with no target"),
    (
        "job_outcome_rate_target",
        "Job outcome rate target (0 to 1)",
    ),
    (
        "sustainment_rate_target",
        "13-week sustainment rate target (0 to 1)",
    ),
    (
        "fidelity_caseload",
        "Fidelity limit: largest active caseload per FTE scoring 5 (FID-1, CASE-4)",
    ),
    (
        "caseload_band_low",
        "Recommended open caseload per FTE: lowest (CASE-4)",
    ),
    (
        "caseload_band_high",
        "Recommended open caseload per FTE: highest (CASE-4)",
    ),
    (
        "retention_share_max",
        "Largest share of job-retention referrals (0 to 1)",
    ),
];

pub(crate) fn policy_values(p: &ipstrack_core::Policy) -> Vec<(String, String)> {
    let share = |b: u32| format!("{}", f64::from(b) / 10_000.0);
    vec![
        (
            "contact_window_days".into(),
            p.contact_window_days.to_string(),
        ),
        (
            "assertive_engagement_extra_days".into(),
            p.assertive_engagement_extra_days.to_string(),
        ),
        ("hold_limit_days".into(), p.hold_limit_days.to_string()),
        (
            "job_hours_threshold".into(),
            format!("{}", f64::from(p.job_hours_threshold) / 100.0),
        ),
        (
            "sustainment_gap_days".into(),
            p.sustainment_gap_days.to_string(),
        ),
        (
            "access_target_year1".into(),
            p.access_target_year1.to_string(),
        ),
        (
            "access_target_year2".into(),
            p.access_target_year2.to_string(),
        ),
        ("training_months".into(), p.training_months.to_string()),
        (
            "job_outcome_rate_target".into(),
            share(p.job_outcome_rate_target),
        ),
        (
            "sustainment_rate_target".into(),
            share(p.sustainment_rate_target),
        ),
        ("fidelity_caseload".into(), p.fidelity_caseload.to_string()),
        ("caseload_band_low".into(), p.caseload_band.0.to_string()),
        ("caseload_band_high".into(), p.caseload_band.1.to_string()),
        ("retention_share_max".into(), share(p.retention_share_max)),
    ]
}

pub(crate) async fn policy_page(
    State(_state): State<Shared>,
    Admin(SignedIn { v, data }): Admin,
) -> Markup {
    let form = crate::ui::form::FormState {
        form: "policy",
        values: policy_values(&data.dataset.policy),
        errors: Vec::new(),
        saved: None,
        warning: None,
    };
    policy_html(&v, &POLICY_FIELDS, &form)
}

/// Admins change the service's policy; the bundle's checks refuse bad values.
pub(crate) async fn save_policy(
    State(state): State<Shared>,
    Posted { v, form, .. }: Posted<HashMap<String, String>, Admins>,
) -> WebResult {
    // The values become the bundle's policy object, read as JSON numbers, so
    // one set of checks (BAD-1) applies to a bundle and to this form.
    // The band's two ends are two fields of the form and one array of the bundle.
    let mut errors: FieldErrors = Vec::new();
    let mut object = serde_json::Map::new();
    let mut band = Vec::new();
    for (name, label) in POLICY_FIELDS {
        let text = form.get(name).map(|t| t.trim()).unwrap_or_default();
        match serde_json::from_str::<serde_json::Number>(text) {
            Ok(n) if name.starts_with("caseload_band_") => band.push(serde_json::Value::Number(n)),
            Ok(n) => {
                object.insert(name.to_string(), serde_json::Value::Number(n));
            }
            Err(_) => errors.push((name, format!("Enter a number for: {label}"))),
        }
    }
    if band.len() == 2 {
        object.insert("caseload_band".into(), serde_json::Value::Array(band));
    }
    let policy: Option<ipstrack_core::bundle::PolicyDoc> = if errors.is_empty() {
        match serde_json::from_value(serde_json::Value::Object(object)) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push((
                    "contact_window_days",
                    format!("These values cannot be used: {e}"),
                ));
                None
            }
        }
    } else {
        None
    };
    if let Some(policy) = policy {
        match state
            .store
            .save_policy(Some(policy), &v.session.user.username)
            .await
        {
            Ok(_) => {
                state.refresh().await;
                return Ok(Redirect::to("/admin/policy").into_response());
            }
            Err(StoreError::Invalid(bad)) => {
                for e in bad.0 {
                    let field = POLICY_FIELDS.iter().find(|(n, _)| *n == e.field).map_or(
                        if e.field == "caseload_band" {
                            "caseload_band_low"
                        } else {
                            "contact_window_days"
                        },
                        |(n, _)| *n,
                    );
                    let message = if e.field == "caseload_band" {
                        "The highest recommended open caseload per FTE must not be below the lowest"
                            .to_string()
                    } else {
                        e.message
                    };
                    errors.push((field, message));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let values = form
        .iter()
        .filter(|(k, _)| *k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let state_form = crate::ui::form::FormState {
        form: "policy",
        values,
        errors,
        saved: None,
        warning: None,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        policy_html(&v, &POLICY_FIELDS, &state_form),
    )
        .into_response())
}

/// The service's policy: every threshold and target rules.md marks *(policy)*.
pub fn policy_html(v: &Viewer, fields: &[(&str, &str)], state: &FormState) -> Markup {
    layout(
        v,
        "Policy",
        html! {
            (error_summary(state))
            p { "Thresholds and targets from the service's contract. Changing them changes every report from now on, past periods included; submitted returns stay as they were." }
            (FormState::post_form(v, "/admin/policy", html! {
                @for (name, label) in fields { (field(state, "policy", name, label, "text", None)) }
                button type="submit" { "Save policy" }
            }))
        },
    )
}
