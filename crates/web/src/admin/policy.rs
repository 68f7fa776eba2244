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
use crate::ui::form::{FieldErrors, FormState, error_summary, field, options, select};
use crate::ui::layout::layout;
use maud::{Markup, html};

/// The policy fields an admin edits, as (form name, label), in the
/// service's words (no rule codes). The three shares are entered and shown
/// as percentages ([`PERCENTAGES`]); `sustainment_after_discharge` is a
/// choice ([`AFTER_DISCHARGE_CHOICES`]).
pub(crate) const POLICY_FIELDS: [(&str, &str); 18] = [
    (
        "contact_window_days",
        "Days a two-way contact keeps a client active",
    ),
    (
        "assertive_engagement_extra_days",
        "Extra days an attempt at contact with no reply (assertive engagement) keeps a client active",
    ),
    (
        "hold_limit_days",
        "Days on hold before a client is inactive",
    ),
    (
        "job_hours_threshold",
        "Hours of paid work that make a job start count",
    ),
    (
        "sustainment_gap_days",
        "Days out of work that end a spell of work for sustainment",
    ),
    (
        "sustainment_after_discharge",
        "After discharge, sustainment counts",
    ),
    (
        "access_target_year1",
        "Access target in an employment specialist's first year",
    ),
    (
        "access_target_year2",
        "Access target per financial year from the second year",
    ),
    ("training_months", "Months of training with no target"),
    ("job_outcome_rate_target", "Job outcome rate target (%)"),
    (
        "sustainment_rate_target",
        "13-week sustainment rate target (%)",
    ),
    (
        "fidelity_caseload",
        "Largest active caseload per full-time specialist that scores full fidelity",
    ),
    (
        "caseload_band_low",
        "Recommended open caseload per full-time specialist: lowest",
    ),
    (
        "caseload_band_high",
        "Recommended open caseload per full-time specialist: highest",
    ),
    (
        "retention_share_max",
        "Largest share of an open caseload in work when referred (job retention) (%)",
    ),
    (
        "contact_due_days",
        "Days since the last two-way contact when the next is due (fortnightly contact)",
    ),
    (
        "plan_review_days",
        "Days after which a vocational plan review is due",
    ),
    (
        "rapid_search_days",
        "Days after access by which the first employer contact is due",
    ),
];

/// The fields entered and shown as percentages (the bundle keeps shares
/// from 0 to 1).
const PERCENTAGES: [&str; 3] = [
    "job_outcome_rate_target",
    "sustainment_rate_target",
    "retention_share_max",
];

/// What sustainment after discharge rests on (SUS-6), as the form offers it.
const AFTER_DISCHARGE_CHOICES: [(&str, &str); 2] = [
    (
        "evidenced",
        "as far as an in-work check or a recorded end shows",
    ),
    ("not_counted", "not at all (only work before discharge)"),
];

pub(crate) fn policy_values(p: &ipstrack_core::Policy) -> Vec<(String, String)> {
    let share = |b: u32| format!("{}", f64::from(b) / 100.0);
    let after_discharge = match p.sustainment_after_discharge {
        ipstrack_core::policy::AfterDischarge::Evidenced => "evidenced",
        ipstrack_core::policy::AfterDischarge::NotCounted => "not_counted",
    };
    [
        ("contact_window_days", p.contact_window_days.to_string()),
        (
            "assertive_engagement_extra_days",
            p.assertive_engagement_extra_days.to_string(),
        ),
        ("hold_limit_days", p.hold_limit_days.to_string()),
        (
            "job_hours_threshold",
            format!("{}", f64::from(p.job_hours_threshold) / 100.0),
        ),
        ("sustainment_gap_days", p.sustainment_gap_days.to_string()),
        ("access_target_year1", p.access_target_year1.to_string()),
        ("access_target_year2", p.access_target_year2.to_string()),
        ("training_months", p.training_months.to_string()),
        ("job_outcome_rate_target", share(p.job_outcome_rate_target)),
        ("sustainment_rate_target", share(p.sustainment_rate_target)),
        ("fidelity_caseload", p.fidelity_caseload.to_string()),
        ("caseload_band_low", p.caseload_band.0.to_string()),
        ("caseload_band_high", p.caseload_band.1.to_string()),
        ("retention_share_max", share(p.retention_share_max)),
        ("sustainment_after_discharge", after_discharge.to_string()),
        ("contact_due_days", p.contact_due_days.to_string()),
        ("plan_review_days", p.plan_review_days.to_string()),
        ("rapid_search_days", p.rapid_search_days.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect()
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
        if name == "sustainment_after_discharge" {
            if AFTER_DISCHARGE_CHOICES.iter().any(|(k, _)| *k == text) {
                object.insert(name.to_string(), serde_json::Value::String(text.into()));
            } else {
                errors.push((name, "Choose how sustainment after discharge counts".into()));
            }
            continue;
        }
        // A percentage typed (40) is the bundle's share (0.4).
        let text = if PERCENTAGES.contains(&name) {
            match text.parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => {
                    let share = (p * 100.0).round() / 10_000.0;
                    share.to_string()
                }
                _ => {
                    errors.push((
                        name,
                        format!("Enter a percentage from 0 to 100 for: {label}"),
                    ));
                    continue;
                }
            }
        } else {
            text.to_string()
        };
        match serde_json::from_str::<serde_json::Number>(&text) {
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
                @let defaults = policy_values(&ipstrack_core::Policy::default());
                @for (name, label) in fields {
                    @let default = defaults.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone()).unwrap_or_default();
                    @if *name == "sustainment_after_discharge" {
                        (select(state, "policy", name, label, &options(&AFTER_DISCHARGE_CHOICES)))
                        p class="hint" { "Default: " (AFTER_DISCHARGE_CHOICES[0].1) "." }
                    } @else {
                        (field(state, "policy", name, label, "text", None))
                        p class="hint" { "Default: " (default) @if PERCENTAGES.contains(name) { "%" } "." }
                    }
                }
                button type="submit" { "Save policy" }
            }))
        },
    )
}
