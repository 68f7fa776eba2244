//! Changing one thing of a staff member (managers and admins, issue 23),
//! each on its own short page (GOV.UK: one thing per page): their team,
//! FTE, start date or leaving date. The record is saved through the
//! store's one door for a staff record (the one field applied to the
//! record as stored); the staff list then says what
//! changed, from what, and the access target it gives this year.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ipstrack_core::Day;
use ipstrack_core::model::{Dataset, Staff};
use ipstrack_store::{StaffChange, StoreError};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::staff::{
    fte_words, staff_date, staff_fte, staff_list, target_words, team_name, team_options,
};
use crate::error::{WebError, WebResult};
use crate::extract::{Manager, Managers, Posted, SignedIn};
use crate::ui::dates::uk_date;
use crate::ui::form::{FieldErrors, FormState, error_summary, errors_beside, field, select};
use crate::ui::layout::layout;
use crate::viewer::Viewer;
use crate::{Shared, Snapshot};

/// The one field of a change's form.
#[derive(Deserialize, Serialize, Default)]
pub(crate) struct Change {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fte: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
}

/// The field of a change (`start` → `start_date`), or none: no such page.
fn field_of(what: &str) -> Option<&'static str> {
    match what {
        "team" => Some("team"),
        "fte" => Some("fte"),
        "start" => Some("start_date"),
        "leaving" => Some("end_date"),
        _ => None,
    }
}

/// The staff member of the path and the change's field, else 404.
fn find<'a>(
    data: &'a Snapshot,
    id: &str,
    what: &str,
) -> Result<(&'a Staff, &'static str), WebError> {
    let s = data
        .dataset
        .staff
        .iter()
        .find(|s| s.id == id)
        .ok_or(WebError::NotFound)?;
    Ok((s, field_of(what).ok_or(WebError::NotFound)?))
}

/// A change's page, its field showing the value as it is.
pub(crate) async fn change_page(
    Path((id, what)): Path<(String, String)>,
    Manager(SignedIn { v, data }): Manager,
) -> WebResult<Markup> {
    let (s, name) = find(&data, &id, &what)?;
    let d = &data.dataset;
    let value = match name {
        "team" => d.team(s.team).id.clone(),
        "fte" => fte_words(s.fte),
        "start_date" => s.start_date.to_string(),
        _ => s.end_date.map(|e| e.to_string()).unwrap_or_default(),
    };
    let form = FormState {
        form: "staff",
        values: vec![(name.to_string(), value)],
        ..FormState::default()
    };
    Ok(change_html(&v, d, s, &what, name, &form))
}

fn change_html(
    v: &Viewer,
    d: &Dataset,
    s: &Staff,
    what: &str,
    name: &str,
    form: &FormState,
) -> Markup {
    let title = match name {
        "team" => format!("Change the team of {}", s.name),
        "fte" => format!("Change the FTE of {}", s.name),
        "start_date" => format!("Change the start date of {}", s.name),
        _ => format!("Change the leaving date of {}", s.name),
    };
    let input = match name {
        "team" => select(form, "staff", "team", "Team", &team_options(d)),
        "fte" => field(
            form,
            "staff",
            "fte",
            "FTE (full-time equivalent, for example 0.8 for four days a week)",
            "text",
            None,
        ),
        "start_date" => field(
            form,
            "staff",
            "start_date",
            "Start date in post",
            "date",
            None,
        ),
        _ => field(
            form,
            "staff",
            "end_date",
            "Last day in post (leave empty if they have not left)",
            "date",
            None,
        ),
    };
    layout(
        v,
        &title,
        html! {
            (error_summary(form))
            p { a href="/admin/staff" { "Back to staff" } }
            p { (s.name) ", " (team_name(d, s)) ": FTE " (fte_words(s.fte)) ", in post from " (uk_date(s.start_date))
                @if let Some(end) = s.end_date { " to " (uk_date(end)) } "." }
            (FormState::post_form(v, &format!("/admin/staff/{}/{what}", s.id), html! {
                (input)
                button type="submit" { "Save" }
            }))
        },
    )
}

/// Saves a change of one thing of a staff member, then shows the staff list
/// saying what changed and the figure it changes.
pub(crate) async fn save_change(
    State(state): State<Shared>,
    Path((id, what)): Path<(String, String)>,
    Posted { data, v, form, .. }: Posted<Change, Managers>,
) -> WebResult {
    let (s, name) = find(&data, &id, &what)?;
    let d = &data.dataset;
    let today = state.today();
    let mut change = None;
    let mut errors: FieldErrors = Vec::new();
    let typed = |v: &Option<String>| v.clone().unwrap_or_default();
    match name {
        "team" => {
            let team = typed(&form.team);
            if d.teams.iter().any(|t| t.id == team) {
                change = Some(StaffChange::Team(team));
            } else {
                errors.push(("team", "Choose a team".into()));
            }
        }
        "fte" => match staff_fte(&typed(&form.fte)) {
            Ok(fte) => change = Some(StaffChange::Fte(fte)),
            Err(e) => errors.push(("fte", e)),
        },
        "start_date" => match staff_date(&typed(&form.start_date), "start date", today) {
            Ok(Some(day)) if s.end_date.is_some_and(|end| day > end) => errors.push((
                "start_date",
                format!(
                    "The start date must be on or before the leaving date ({})",
                    uk_date(s.end_date.expect("some"))
                ),
            )),
            Ok(Some(day)) => change = Some(StaffChange::StartDate(day.to_string())),
            Ok(None) => errors.push(("start_date", "Enter the start date".into())),
            Err(e) => errors.push(("start_date", e)),
        },
        _ => match staff_date(&typed(&form.end_date), "leaving date", today) {
            Ok(Some(day)) if day < s.start_date => errors.push((
                "end_date",
                format!(
                    "The leaving date must be on or after the start date ({})",
                    uk_date(s.start_date)
                ),
            )),
            Ok(day) => change = Some(StaffChange::EndDate(day.map(|d| d.to_string()))),
            Err(e) => errors.push(("end_date", e)),
        },
    }
    if let (true, Some(change)) = (errors.is_empty(), change) {
        match state
            .store
            .change_staff(&s.id, change, &v.session.user.username)
            .await
        {
            Ok(_) => {
                let (now, at) = super::staff::reloaded_staff(&state, &s.id, "saved").await?;
                let after = &now.dataset;
                let new = &after.staff[at];
                let message = changed(d, s, after, new, today);
                return Ok(staff_list(&state, after, &v, Some(&message))
                    .await?
                    .into_response());
            }
            Err(StoreError::Invalid(bad)) => errors.extend(errors_beside(&bad, &[name], name)),
            Err(e) => return Err(e.into()),
        }
    }
    let again = FormState::again("staff", &form, errors);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        change_html(&v, d, s, &what, name, &again),
    )
        .into_response())
}

/// What a change did, in words: "Start date of Ann Smith changed from 1 Jul
/// 2024 to 1 May 2025: their access target for 2025/26 is now 29."
fn changed(before: &Dataset, old: &Staff, after: &Dataset, new: &Staff, today: Day) -> String {
    let who = &new.name;
    let date = |d: Option<Day>| d.map_or("none".to_string(), uk_date);
    let mut text = if old.team != new.team || team_name(before, old) != team_name(after, new) {
        format!(
            "{who} moved from {} to {}",
            team_name(before, old),
            team_name(after, new)
        )
    } else if old.fte != new.fte {
        format!(
            "FTE of {who} changed from {} to {}",
            fte_words(old.fte),
            fte_words(new.fte)
        )
    } else if old.start_date != new.start_date {
        format!(
            "Start date of {who} changed from {} to {}",
            uk_date(old.start_date),
            uk_date(new.start_date)
        )
    } else if old.end_date != new.end_date {
        match new.end_date {
            Some(end) => format!(
                "Leaving date of {who} changed from {} to {}",
                date(old.end_date),
                uk_date(end)
            ),
            None => format!("Leaving date of {who} removed (in post)"),
        }
    } else {
        format!("Nothing of {who} changed")
    };
    if let Some(t) = target_words(after, new, today) {
        text.push_str(&format!(": {t}"));
    }
    text.push('.');
    text
}
