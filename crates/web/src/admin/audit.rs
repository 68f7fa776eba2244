//! The audit log page (admins): every change, who made it and when, what it
//! changed from what to what in words, and the lookups refused as outside a
//! user's scope; filtered by person, record, kind of record and days, a page
//! at a time, newest first.

use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::Value;

use crate::Shared;
use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{Admin, SignedIn};
use crate::period::DateParts;
use crate::ui::dates::{uk_date, uk_timestamp};
use crate::ui::form::{FormState, date_input};
use crate::ui::layout::layout;
use ipstrack_core::Day;
use ipstrack_core::model::Dataset;
use ipstrack_store::{AuditEntry, AuditSearch};
use maud::{Markup, html};

/// Entries on one page.
const PAGE: u32 = 50;

/// The longest text a filter box keeps: the search's bound.
const FILTER_CHARS: usize = crate::state::searches::MAX_QUERY_CHARS;

/// The kinds of record the log holds: (kind, words).
const KINDS: [(&str, &str); 11] = [
    ("", "Any kind"),
    ("referral", "Referrals"),
    ("contact", "Contacts"),
    ("api_token", "API tokens"),
    ("client", "People"),
    ("staff", "Staff"),
    ("team", "Teams"),
    ("user", "Users"),
    ("service", "The service and its policy"),
    ("submission", "Submitted returns"),
    ("employer_contact", "Employer contacts"),
];

#[derive(Default, Deserialize)]
pub(crate) struct AuditQuery {
    /// Who made the changes (a username).
    #[serde(default)]
    person: String,
    /// A record's id (from a link on this page).
    #[serde(default)]
    record: String,
    #[serde(default)]
    kind: String,
    /// The days of the range, as the date inputs send them.
    #[serde(flatten)]
    days: DateParts,
    /// Entries older than this position (the next page).
    before: Option<i64>,
}

/// The filters as asked, each cut to its bound, with the days read.
struct Asked {
    person: String,
    record: String,
    kind: &'static str,
    from: Option<String>,
    to: Option<String>,
    /// A day that could not be read: (field, message).
    problem: Option<(&'static str, String)>,
}

impl AuditQuery {
    fn asked(&self) -> Asked {
        let cut = |t: &str| t.trim().chars().take(FILTER_CHARS).collect::<String>();
        let kind = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind.trim())
            .map_or("", |(k, _)| k);
        let (from, to) = (self.days.from(), self.days.to());
        let mut problem = None;
        for (field, what, text) in [("from", "first day", &from), ("to", "last day", &to)] {
            if let Some(t) = text
                && Day::parse(t).is_none()
            {
                problem = Some((
                    field,
                    format!("The {what} must be a real date, for example, 6 12 2026"),
                ));
            }
        }
        Asked {
            person: cut(&self.person),
            record: cut(&self.record),
            kind,
            from,
            to,
            problem,
        }
    }
}

/// The start of a UK day as a UTC timestamp (the log's times are UTC).
fn start_of(day: Day) -> String {
    let date = day.date();
    match jiff::tz::TimeZone::get("Europe/London") {
        Ok(london) => date
            .to_zoned(london)
            .map(|z| z.timestamp().to_string())
            .unwrap_or_else(|_| format!("{day}T00:00:00Z")),
        Err(_) => format!("{day}T00:00:00Z"),
    }
}

pub(crate) async fn audit(
    State(state): State<Shared>,
    Admin(SignedIn { v, data }): Admin,
    Query(q): Query<AuditQuery>,
) -> WebResult<Markup> {
    let asked = q.asked();
    let some = |t: &str| Some(t.to_string()).filter(|t| !t.is_empty());
    let day = |t: &Option<String>| t.as_deref().and_then(Day::parse);
    let search = AuditSearch {
        actor: some(&asked.person),
        record: some(&asked.record),
        record_type: some(asked.kind),
        from: day(&asked.from).map(start_of),
        until: day(&asked.to).map(|d| start_of(d.plus(1))),
        before: q.before,
        // One more than a page: whether there is an older page.
        limit: PAGE + 1,
    };
    let mut entries = if asked.problem.is_some() {
        Vec::new()
    } else {
        state.store.audit_search(&search).await?
    };
    let older = entries.len() > PAGE as usize;
    entries.truncate(PAGE as usize);
    let users: Vec<String> = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| u.username)
        .collect();
    Ok(audit_html(
        &v,
        &data.dataset,
        (&entries, older),
        &asked,
        &users,
        q.before.is_some(),
    ))
}

fn audit_html(
    v: &Viewer,
    d: &Dataset,
    (entries, older): (&[AuditEntry], bool),
    asked: &Asked,
    users: &[String],
    paged: bool,
) -> Markup {
    let dates = FormState {
        form: "audit",
        values: vec![
            ("from".into(), asked.from.clone().unwrap_or_default()),
            ("to".into(), asked.to.clone().unwrap_or_default()),
        ],
        errors: asked.problem.iter().map(|(f, m)| (*f, m.clone())).collect(),
        ..Default::default()
    };
    let filter_query = {
        let mut parts: Vec<(String, String)> = vec![
            ("person".into(), asked.person.clone()),
            ("record".into(), asked.record.clone()),
            ("kind".into(), asked.kind.to_string()),
        ];
        for (name, day) in [("from", &asked.from), ("to", &asked.to)] {
            if let Some(d) = day.as_deref().and_then(Day::parse) {
                let date = d.date();
                parts.push((format!("{name}-day"), date.day().to_string()));
                parts.push((format!("{name}-month"), date.month().to_string()));
                parts.push((format!("{name}-year"), date.year().to_string()));
            }
        }
        parts.retain(|(_, v)| !v.is_empty());
        serde_urlencoded::to_string(&parts).unwrap_or_default()
    };
    let filtered = !filter_query.is_empty();
    layout(
        v,
        "Audit log",
        html! {
            @if let Some((field, message)) = &asked.problem {
                div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                    h2 id="error-summary-title" { "There is a problem" }
                    ul { li { a href=(format!("#audit-{field}")) { (message) } } }
                }
            }
            p { "Every change to the records, newest first: who made it, when (UK time), and what it changed from what to what. "
                "It also lists the lookups refused because the record was outside the person's scope." }
            form method="get" action="/audit" class="panel filters" id="audit-filter" {
                div class="field" {
                    label for="audit-person" { "Who" }
                    select id="audit-person" name="person" {
                        option value="" { "Anyone" }
                        @for u in users { option value=(u) selected[asked.person == *u] { (u) } }
                        @if !asked.person.is_empty() && !users.contains(&asked.person) {
                            option value=(asked.person) selected { (asked.person) }
                        }
                    }
                }
                div class="field" {
                    label for="audit-kind" { "Kind of record" }
                    select id="audit-kind" name="kind" {
                        @for (k, words) in KINDS { option value=(k) selected[asked.kind == k] { (words) } }
                    }
                }
                @if !asked.record.is_empty() { input type="hidden" name="record" value=(asked.record); }
                (date_input(&dates, "audit", "from", "From (optional)", None))
                (date_input(&dates, "audit", "to", "To (optional)", None))
                button type="submit" class="secondary" { "Show" }
                @if filtered { " " a href="/audit" { "Show every entry" } }
            }
            @if !asked.record.is_empty() {
                p id="audit-record" { "Entries of one record: " strong { (record_words(d, "", &asked.record)) } "." }
            }
            @if entries.is_empty() { p id="audit-none" { "No entry matches." } }
            @else {
                table id="audit-entries" class="cards" {
                    caption { "Entries, newest first" }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Changes" } } }
                    tbody { @for e in entries {
                        tr {
                            td data-label="When" { (uk_timestamp(&e.at)) }
                            td data-label="Who" { (e.actor) }
                            td data-label="What" {
                                (action_words(&e.action)) " "
                                a href=(format!("/audit?record={}", crate::ui::form::query_value(&e.record_id))) { (record_words(d, &e.record_type, &e.record_id)) }
                            }
                            td data-label="Changes" { (changes_html(e)) }
                        }
                    } }
                }
            }
            nav class="pages" aria-label="Pages of the audit log" {
                @if paged { a href=(format!("/audit?{filter_query}")) { "Newest entries" } " " }
                @if let Some(last) = entries.last().filter(|_| older) {
                    @let sep = if filter_query.is_empty() { "" } else { "&" };
                    a href=(format!("/audit?{filter_query}{sep}before={}", last.seq)) { "Older entries" }
                }
            }
        },
    )
}

/// What an entry did, in words.
fn action_words(action: &str) -> &str {
    match action {
        "insert" => "Added",
        "update" => "Changed",
        "delete" => "Removed",
        "out-of-scope" => "Refused a lookup of",
        other => other,
    }
}

/// A record as a person reads it: a referral by its person's name, a person,
/// a staff member or a team by name, else its kind and id.
fn record_words(d: &Dataset, kind: &str, id: &str) -> String {
    if let Some(r) = d.referrals.iter().find(|r| r.id == id)
        && matches!(kind, "referral" | "contact" | "")
    {
        let of = format!(
            "the referral of {} (referred on {})",
            d.client(r.client).display_name(),
            uk_date(r.received)
        );
        return match kind {
            "contact" => format!("a contact on {of}"),
            _ => of,
        };
    }
    if let Some(c) = d.clients.iter().find(|c| c.id == id)
        && matches!(kind, "client" | "")
    {
        return format!("the person {}", c.display_name());
    }
    if let Some(s) = d.staff.iter().find(|s| s.id == id)
        && matches!(kind, "staff" | "")
    {
        return format!("the staff member {}", s.name);
    }
    if let Some(t) = d.teams.iter().find(|t| t.id == id)
        && matches!(kind, "team" | "")
    {
        return format!("the team {}", t.name);
    }
    let kind = KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, w)| w);
    format!("{kind}: {id}")
}

/// The most changed fields an entry lists.
const CHANGES_SHOWN: usize = 12;

/// What an entry changed, field by field: "Start date: 1 Apr 2024 → 1 May
/// 2024"; a new record's fields; what a refused lookup matched.
fn changes_html(e: &AuditEntry) -> Markup {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let (old, new) = (parse(&e.old_value), parse(&e.new_value));
    let lines: Vec<String> = match (&old, &new) {
        (Some(Value::Object(o)), Some(Value::Object(n))) => {
            let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| o.get(*k) != n.get(*k))
                .map(|k| {
                    format!(
                        "{}: {} → {}",
                        field_words(k),
                        value_words(o.get(k)),
                        value_words(n.get(k))
                    )
                })
                .collect()
        }
        (None, Some(Value::Object(n))) => n
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}: {}", field_words(k), value_words(Some(v))))
            .collect(),
        (Some(Value::Object(o)), None) => o
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}: was {}", field_words(k), value_words(Some(v))))
            .collect(),
        (o, n) => match (o.as_ref().map(short), n.as_ref().map(short)) {
            (Some(o), Some(n)) => vec![format!("{o} → {n}")],
            (None, Some(n)) => vec![n],
            (Some(o), None) => vec![format!("was {o}")],
            (None, None) => vec![],
        },
    };
    let more = lines.len().saturating_sub(CHANGES_SHOWN);
    html! {
        @if lines.is_empty() { "–" }
        ul class="audit-changes" {
            @for l in lines.iter().take(CHANGES_SHOWN) { li { (l) } }
            @if more > 0 { li { "and " (more) " more" } }
        }
    }
}

/// A field's name in words: `start_date` → "Start date".
fn field_words(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// A value in words: a day the UK way, a list by its length, nothing as
/// "none", long text cut.
fn value_words(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "none".into(),
        Some(Value::String(s)) => match Day::parse(s) {
            Some(day) => uk_date(day),
            None => cut(s),
        },
        Some(Value::Bool(true)) => "yes".into(),
        Some(Value::Bool(false)) => "no".into(),
        Some(Value::Array(a)) => crate::ui::layout::plural(a.len() as i64, "entry", "entries"),
        Some(other @ Value::Object(_)) => short(other),
        Some(other) => other.to_string(),
    }
}

/// A value shown in a line: at most 80 characters.
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => cut(s),
        other => cut(&other.to_string()),
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query as a browser sends it: the days in boxes, the page's
    /// position as a number (read through the flattened days).
    #[test]
    fn the_audit_query_reads_its_days_and_page() {
        let q: AuditQuery = serde_urlencoded::from_str(
            "person=es3&kind=referral&from-day=1&from-month=2&from-year=2025&to-day=&to-month=&to-year=&before=12",
        )
        .unwrap();
        assert_eq!(q.before, Some(12));
        let asked = q.asked();
        assert_eq!(asked.from.as_deref(), Some("2025-02-01"));
        assert_eq!(asked.to, None);
        assert_eq!((asked.person.as_str(), asked.kind), ("es3", "referral"));
    }
}
