//! The staff pages (managers and admins, issue 23): the staff list, and
//! adding an employment specialist. Changing one thing of a staff member is
//! in [`super::staff_change`]. Every write goes through the store's one
//! door for a staff record (the import's checks, an audit row, a change for
//! other servers), then the page says what changed and the figures it
//! changes (core's access target).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ipstrack_core::bundle::StaffDoc;
use ipstrack_core::model::{Dataset, Fte, Role, Staff};
use ipstrack_core::time::{Period, financial_year_range};
use ipstrack_core::{Day, targets};
use ipstrack_store::StoreError;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{Manager, Managers, Posted, SignedIn};
use crate::saved::success_banner;
use crate::ui::dates::{example_date, uk_date};
use crate::ui::form::{FieldErrors, FormState, error_summary, errors_beside, field, select};
use crate::ui::layout::layout;
use crate::viewer::Viewer;
use crate::{AppState, Shared};

/// What may be changed, each on its page (`/admin/staff/{id}/{what}`), as
/// the staff list's links say it.
const CHANGES: [(&str, &str); 4] = [
    ("team", "Team"),
    ("fte", "FTE"),
    ("start", "Start date"),
    ("leaving", "Leaving date"),
];

/// A role in words.
pub(crate) fn role_words(role: Role) -> &'static str {
    match role {
        Role::Es => "Employment specialist",
        Role::TeamLead => "Team lead",
        Role::Manager => "Manager",
        Role::Admin => "Administrator",
    }
}

/// An FTE as people write it: `1`, `0.8`, `0.75`.
pub(crate) fn fte_words(fte: Fte) -> String {
    format!("{}", f64::from(fte.0) / 10_000.0)
}

/// A staff member's team, by name.
pub(crate) fn team_name(d: &Dataset, s: &Staff) -> String {
    d.teams
        .get(s.team.index())
        .map_or_else(String::new, |t| t.name.clone())
}

/// The teams as a select's options (id, name).
pub(crate) fn team_options(d: &Dataset) -> Vec<(String, String)> {
    d.teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect()
}

/// What a staff member's record changes in the figures, as a page says it:
/// an employment specialist's access target for this financial year
/// (core's TGT-1), e.g. "their access target for 2025/26 is now 29".
/// Nothing for other roles, which have no target.
pub(crate) fn target_words(d: &Dataset, s: &Staff, today: Day) -> Option<String> {
    if s.role != Role::Es {
        return None;
    }
    let fy = today.financial_year();
    let target = targets::round_target(targets::access_target(
        s,
        d.service.start_date,
        &d.policy,
        financial_year_range(fy),
    ));
    Some(format!(
        "their access target for {} is now {target}",
        Period::financial_year(fy).label
    ))
}

/// A date typed into a staff form (`what`: "start date"), as the form
/// reader joined it; empty is `Ok(None)`.
pub(crate) fn staff_date(text: &str, what: &str, today: Day) -> Result<Option<Day>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(day) = Day::parse(text) {
        return Ok(Some(day));
    }
    let year = text
        .get(..4)
        .filter(|_| text.len() == 10 && text.as_bytes()[4] == b'-')
        .and_then(|y| y.parse::<i32>().ok());
    Err(match year {
        Some(y) if !(1900..=2099).contains(&y) => {
            format!("The {what} must be between 1900 and 2099")
        }
        _ => format!(
            "Enter the {what} as a real date, for example, {}",
            example_date(today)
        ),
    })
}

/// An FTE typed into a form: a number more than 0 and at most 1.
pub(crate) fn staff_fte(text: &str) -> Result<serde_json::Number, String> {
    let text = text.trim();
    let problem = || "Enter the FTE as a number more than 0 and at most 1, for example, 0.8".into();
    let number: serde_json::Number = serde_json::from_str(text).map_err(|_| problem())?;
    match number.as_f64() {
        Some(v) if v > 0.0 && v <= 1.0 => Ok(number),
        _ => Err(problem()),
    }
}

/// The staff list.
pub(crate) async fn staff_page(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
) -> WebResult<Markup> {
    staff_list(&state, &data.dataset, &v, None).await
}

/// The staff list with, after a change, the message saying what changed.
pub(crate) async fn staff_list(
    state: &AppState,
    d: &Dataset,
    v: &Viewer,
    saved: Option<&str>,
) -> WebResult<Markup> {
    let users = state.store.users().await?;
    let login = |s: &Staff| {
        let mine: Vec<_> = users
            .iter()
            .filter(|u| u.staff_id.as_deref() == Some(s.id.as_str()))
            .collect();
        if mine.iter().any(|u| !u.disabled) {
            "Yes"
        } else if mine.is_empty() {
            "No"
        } else {
            "Disabled"
        }
    };
    Ok(layout(
        v,
        "Staff",
        html! {
            (success_banner(saved))
            p { a href="/admin/staff/new" { "Add an employment specialist" } }
            table class="cards" {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Team" } th scope="col" { "Role" }
                    th scope="col" class="num" { "FTE" } th scope="col" { "Start date" } th scope="col" { "Leaving date" }
                    th scope="col" { "Can sign in" } th scope="col" { "Change" }
                } }
                tbody { @for s in &d.staff {
                    tr {
                        td data-label="Name" { (s.name) }
                        td data-label="Team" { (team_name(d, s)) }
                        td data-label="Role" { (role_words(s.role)) }
                        td data-label="FTE" class="num" { (fte_words(s.fte)) }
                        td data-label="Start date" { (uk_date(s.start_date)) }
                        td data-label="Leaving date" { (s.end_date.map_or("–".to_string(), uk_date)) }
                        td data-label="Can sign in" { (login(s)) }
                        td data-label="Change" {
                            @for (what, words) in CHANGES {
                                a href=(format!("/admin/staff/{}/{what}", s.id)) {
                                    (words) span class="visually-hidden" { " of " (s.name) }
                                }
                                " "
                            }
                        }
                    }
                } }
            }
        },
    ))
}

/// The form adding an employment specialist.
#[derive(Deserialize, Serialize)]
pub(crate) struct NewEs {
    #[serde(default)]
    name: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    fte: String,
    #[serde(default)]
    start_date: String,
}

pub(crate) async fn new_es_page(Manager(SignedIn { v, data }): Manager) -> WebResult<Markup> {
    let form = FormState {
        form: "staff",
        values: vec![("fte".into(), "1".into())],
        ..FormState::default()
    };
    Ok(new_es_html(&v, &data.dataset, &form))
}

fn new_es_html(v: &Viewer, d: &Dataset, form: &FormState) -> Markup {
    let mut teams = vec![(String::new(), "Choose a team".to_string())];
    teams.extend(team_options(d));
    layout(
        v,
        "Add an employment specialist",
        html! {
            (error_summary(form))
            p { a href="/admin/staff" { "Back to staff" } }
            (FormState::post_form(v, "/admin/staff/new", html! {
                (field(form, "staff", "name", "Full name", "text", None))
                (select(form, "staff", "team", "Team", &teams))
                (field(form, "staff", "fte", "FTE (full-time equivalent, for example 0.8 for four days a week)", "text", None))
                (field(form, "staff", "start_date", "Start date in post", "date", None))
                button type="submit" { "Add employment specialist" }
            }))
        },
    )
}

/// Adds an employment specialist: an id is chosen by the store.
pub(crate) async fn add_es(
    State(state): State<Shared>,
    Posted { data, v, form, .. }: Posted<NewEs, Managers>,
) -> WebResult {
    let today = state.today();
    let d = &data.dataset;
    let mut errors: FieldErrors = Vec::new();
    if form.name.trim().is_empty() {
        errors.push(("name", "Enter the employment specialist's full name".into()));
    }
    if !d.teams.iter().any(|t| t.id == form.team) {
        errors.push(("team", "Choose a team".into()));
    }
    let fte = staff_fte(&form.fte)
        .map_err(|e| errors.push(("fte", e)))
        .ok();
    match staff_date(&form.start_date, "start date", today) {
        Ok(Some(_)) => {}
        Ok(None) => errors.push(("start_date", "Enter the start date".into())),
        Err(e) => errors.push(("start_date", e)),
    }
    if let (true, Some(fte)) = (errors.is_empty(), fte) {
        let doc = StaffDoc {
            id: String::new(),
            name: form.name.clone(),
            role: Role::Es.as_str().into(),
            team: form.team.clone(),
            start_date: form.start_date.trim().to_string(),
            end_date: None,
            fte,
        };
        match state.store.add_staff(&doc, &v.session.user.username).await {
            Ok(saved) => {
                let (now, at) = reloaded_staff(&state, &saved.id, "added").await?;
                let d = &now.dataset;
                let s = &d.staff[at];
                let mut message = format!(
                    "{} added as an employment specialist in {}, starting {}",
                    s.name,
                    team_name(d, s),
                    uk_date(s.start_date)
                );
                if let Some(t) = target_words(d, s, today) {
                    message.push_str(&format!(": {t}"));
                }
                message.push('.');
                return Ok(staff_list(&state, d, &v, Some(&message))
                    .await?
                    .into_response());
            }
            Err(StoreError::Invalid(bad)) => errors.extend(errors_beside(
                &bad,
                &["name", "team", "fte", "start_date"],
                "name",
            )),
            Err(e) => return Err(e.into()),
        }
    }
    let again = FormState::again("staff", &form, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, new_es_html(&v, d, &again)).into_response())
}

/// The data reloaded after a save, and the position in it of the staff
/// member `id` the save `did` something to (an internal error if the
/// reloaded data lacks them).
pub(super) async fn reloaded_staff(
    state: &AppState,
    id: &str,
    did: &str,
) -> WebResult<(std::sync::Arc<crate::Snapshot>, usize)> {
    state.refresh().await;
    let now = state.data();
    match now.dataset.staff.iter().position(|s| s.id == id) {
        Some(at) => Ok((now, at)),
        None => Err(WebError::internal(format!(
            "the staff member {did} is not loaded"
        ))),
    }
}
