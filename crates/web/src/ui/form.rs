//! Forms: the state of a form sent back with its errors, the error summary
//! linking to each wrong field, labelled fields and selects, and the small
//! dated forms of a referral's steps.

use maud::{Markup, html};

use crate::Viewer;

/// A form's errors: each wrong field's name and what to change.
pub(crate) type FieldErrors = Vec<(&'static str, String)>;

/// A submitted form's values and errors, to show it again with an error
/// summary that links to each wrong field.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    /// Which form on the page (`contact`, `access`, `job`, `referral`).
    pub form: &'static str,
    pub values: Vec<(String, String)>,
    pub errors: Vec<(&'static str, String)>,
    /// The message of a save just made ("Contact saved."), shown once.
    pub saved: Option<String>,
    /// A warning the save left (a submitted return it changed), shown once
    /// under its message.
    pub warning: Option<maud::Markup>,
}

impl FormState {
    /// The form `form` with no values and no errors.
    pub(crate) fn blank(form: &'static str) -> FormState {
        FormState {
            form,
            ..FormState::default()
        }
    }

    /// A posted form shown again: its values as typed (every field its type
    /// serialises: one-time tokens and passwords are skipped there), with
    /// the errors.
    pub fn again<F: serde::Serialize>(
        form: &'static str,
        posted: &F,
        errors: Vec<(&'static str, String)>,
    ) -> FormState {
        let text = serde_urlencoded::to_string(posted).unwrap_or_default();
        let values = serde_urlencoded::from_str(&text).unwrap_or_default();
        FormState {
            form,
            values,
            errors,
            saved: None,
            warning: None,
        }
    }

    /// A form posted to `action` with the session's CSRF token, checked by
    /// the server (its error summary), not the browser.
    pub fn post_form(v: &Viewer, action: &str, fields: Markup) -> Markup {
        html! {
            form method="post" action=(action) novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                (fields)
            }
        }
    }

    fn error(&self, form: &str, field: &str) -> Option<&str> {
        if self.form != form {
            return None;
        }
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub(crate) fn value(&self, form: &str, field: &str) -> String {
        if self.form != form {
            return String::new();
        }
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

pub(crate) fn error_summary(state: &FormState) -> Markup {
    html! {
        @if !state.errors.is_empty() {
            div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                h2 id="error-summary-title" { "There is a problem" }
                ul { @for (field, message) in &state.errors { li { a href=(format!("#{}-{field}", state.form)) { (message) } } } }
            }
        }
    }
}

/// The error summary of a form with one problem, linking to the field it is about.
pub fn problem_summary(problem: Option<&str>, field_id: &str) -> Markup {
    html! {
        @if let Some(p) = problem {
            div class="error-summary" role="alert" tabindex="-1" {
                h2 { "There is a problem" }
                ul { li { a href=(format!("#{field_id}")) { (p) } } }
            }
        }
    }
}

/// A labelled input with its error message; a date is a GOV.UK date input
/// ([`date_input`]).
pub(crate) fn field(
    state: &FormState,
    form: &str,
    name: &str,
    label: &str,
    kind: &str,
    max: Option<&str>,
) -> Markup {
    if kind == "date" {
        return date_input(state, form, name, label, None);
    }
    let id = format!("{form}-{name}");
    let control =
        html! { input id=(id) name=(name) type=(kind) value=(state.value(form, name)) max=[max]; };
    labelled(state, form, name, label, control)
}

/// The wrapper every single control shares: its label, its error message
/// (if any) and the control itself, whose id is `{form}-{name}`.
fn labelled(state: &FormState, form: &str, name: &str, label: &str, control: Markup) -> Markup {
    let id = format!("{form}-{name}");
    let error = state.error(form, name);
    html! {
        div class=(if error.is_some() { "field has-error" } else { "field" }) {
            label for=(id) { (label) }
            @if let Some(e) = error { span class="error" id=(format!("{id}-error")) { (e) } }
            (control)
        }
    }
}

/// A labelled text area with its error message (at most `max` characters).
pub(crate) fn textarea(
    state: &FormState,
    form: &str,
    name: &str,
    label: &str,
    max: usize,
) -> Markup {
    let id = format!("{form}-{name}");
    let control = html! { textarea id=(id) name=(name) rows="3" maxlength=(max) { (state.value(form, name)) } };
    labelled(state, form, name, label, control)
}

pub(crate) fn select(
    state: &FormState,
    form: &str,
    name: &str,
    label: &str,
    options: &[(String, String)],
) -> Markup {
    let id = format!("{form}-{name}");
    let chosen = state.value(form, name);
    let control = html! {
        select id=(id) name=(name) {
            @for (value, text) in options { option value=(value) selected[chosen == *value] { (text) } }
        }
    };
    labelled(state, form, name, label, control)
}

/// Radios as the GOV.UK design system asks for them: a group named by its
/// legend, one choice a line, the error above; the first radio carries the
/// field's id, so the error summary's link lands on it.
pub(crate) fn radios(
    state: &FormState,
    form: &str,
    name: &str,
    legend: &str,
    choices: &[(&str, &str)],
) -> Markup {
    let id = format!("{form}-{name}");
    let error = state.error(form, name);
    let chosen = state.value(form, name);
    html! {
        div class=(if error.is_some() { "field has-error" } else { "field" }) {
            fieldset class="radios" aria-describedby=[error.map(|_| format!("{id}-error"))] {
                legend { (legend) }
                @if let Some(e) = error { span class="error" id=(format!("{id}-error")) { (e) } }
                @for (n, (value, text)) in choices.iter().enumerate() {
                    @let own = if n == 0 { id.clone() } else { format!("{id}-{value}") };
                    div class="radio" {
                        input type="radio" id=(own) name=(name) value=(value) checked[chosen == *value];
                        label for=(own) { (text) }
                    }
                }
            }
        }
    }
}

pub(crate) fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The three parts of a date as typed: a day written `YYYY-MM-DD` (how
/// forms carry it) or parts joined with `/` (a date that was not real, as
/// typed), else nothing.
fn date_parts(value: &str) -> (String, String, String) {
    let value = value.trim();
    if let Some(day) = ipstrack_core::Day::parse(value) {
        let d = day.date();
        return (
            d.day().to_string(),
            d.month().to_string(),
            d.year().to_string(),
        );
    }
    // A day written YYYY-MM-DD that does not exist (31 February).
    let iso: Vec<&str> = value.split('-').collect();
    if let [y, m, d] = iso[..]
        && y.len() == 4
        && [y, m, d]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        let trim = |p: &str| p.trim_start_matches('0').to_string();
        return (trim(d), trim(m), y.to_string());
    }
    let mut parts = value.splitn(3, '/').map(str::to_string);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// A date as the GOV.UK design system asks for it: a group named by its
/// legend with Day, Month and Year fields (numbers, no picker whose typing
/// can turn 06122026 into 12 June), a UK example, and the error above. The
/// fields post as `{name}-day`, `{name}-month` and `{name}-year`; the form
/// reader joins them into `{name}` ([`crate::extract`]). `today` fills in
/// today when the form is new and the date is usually today.
pub(crate) fn date_input(
    state: &FormState,
    form: &str,
    name: &str,
    label: &str,
    today: Option<ipstrack_core::Day>,
) -> Markup {
    let id = format!("{form}-{name}");
    let error = state.error(form, name);
    let value = match (state.form == form, today) {
        (false, Some(day)) => day.to_string(),
        _ => state.value(form, name),
    };
    let (d, m, y) = date_parts(&value);
    let hint = format!("{id}-hint");
    let described = match error {
        Some(_) => format!("{hint} {id}-error"),
        None => hint.clone(),
    };
    html! {
        div class=(if error.is_some() { "field has-error" } else { "field" }) {
            fieldset class="date-input" role="group" aria-describedby=(described) {
                legend { (label) }
                span class="hint" id=(hint) { "For example, 6 12 2026" }
                @if let Some(e) = error { span class="error" id=(format!("{id}-error")) { (e) } }
                div class="date-input-items" {
                    div class="date-input-item" {
                        label for=(id) { "Day" }
                        input id=(id) name=(format!("{name}-day")) class="width-2" type="text" inputmode="numeric" autocomplete="off" value=(d);
                    }
                    div class="date-input-item" {
                        label for=(format!("{id}-month")) { "Month" }
                        input id=(format!("{id}-month")) name=(format!("{name}-month")) class="width-2" type="text" inputmode="numeric" autocomplete="off" value=(m);
                    }
                    div class="date-input-item" {
                        label for=(format!("{id}-year")) { "Year" }
                        input id=(format!("{id}-year")) name=(format!("{name}-year")) class="width-4" type="text" inputmode="numeric" autocomplete="off" value=(y);
                    }
                }
            }
        }
    }
}

/// A value for a query string, percent-encoded (a filter kept in a link).
pub(crate) fn query_value(v: &str) -> String {
    serde_urlencoded::to_string([("v", v)])
        .map(|s| s[2..].to_string())
        .unwrap_or_default()
}

/// Core's errors beside a form's `fields` (by the field's own name), else
/// beside `fallback`, each in its plain words.
pub(crate) fn errors_beside(
    bad: &ipstrack_core::BundleErrors,
    fields: &[&'static str],
    fallback: &'static str,
) -> FieldErrors {
    bad.0
        .iter()
        .map(|e| {
            let field = fields
                .iter()
                .find(|f| **f == e.field_name())
                .copied()
                .unwrap_or(fallback);
            (field, e.plain())
        })
        .collect()
}
