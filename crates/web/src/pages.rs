//! The pages, as server-rendered HTML (maud): labelled fields, an error
//! summary linking to each wrong field, plain links and forms that work
//! without JavaScript.

use ipstrack_core::bundle::Warning;
use ipstrack_core::caseload::{DayStatus, es_caseload, status_on};
use ipstrack_core::jobs::{MILESTONE_WEEKS, milestone_day, outcomes, runs};
use ipstrack_core::model::{ContactKind, Role as StaffRole};
use ipstrack_core::report::{ByGroup, Report, SpecialistKpis, assigned_on};
use ipstrack_core::targets::{BandPosition, CaseloadStanding, Status};
use ipstrack_core::worklist::{Alert, WorkItem};
use ipstrack_core::{Day, Loaded};
use ipstrack_store::AuditEntry;
use maud::{Markup, html};

use crate::Viewer;
use crate::ui::chart::{Trends, access_chart, both, employed, line_chart, unemployed};
use crate::ui::figures::{
    band_words, figures_head, figures_row, percent, period_form, plan_link, tag,
};
use crate::ui::form::{
    FormState, dated_form, error_summary, field, options, problem_summary, select, step_form,
};
use crate::ui::layout::once;
use crate::ui::layout::{bare, layout, plural};

pub fn no_caseload() -> Markup {
    html! { p { "Your account is not linked to an employment specialist's caseload." } }
}

pub fn sign_in(csrf: &str, error: Option<&str>) -> Markup {
    bare(
        "Sign in",
        html! {
            (problem_summary(error, "username"))
            form method="post" action="/sign-in" {
                input type="hidden" name="csrf" value=(csrf);
                div class="field" {
                    label for="username" { "Username" }
                    input id="username" name="username" type="text" autocomplete="username" required;
                }
                div class="field" {
                    label for="password" { "Password" }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                button type="submit" { "Sign in" }
            }
        },
    )
}

fn criterion_words(failed: ipstrack_core::caseload::Failed) -> String {
    failed
        .iter()
        .map(|c| c.failure())
        .collect::<Vec<_>>()
        .join("; ")
}

fn alert_words(alert: &Alert) -> String {
    match alert {
        Alert::ContactDue { last_contact } => {
            format!(
                "No two-way contact since {last_contact}: becomes inactive on this day without one"
            )
        }
        Alert::HoldReachingLimit { hold_start } => {
            format!("On hold since {hold_start}: reaching 4 weeks")
        }
        Alert::WaitingListOverdue { .. } => {
            "Waiting list overdue: close and invite a re-referral".into()
        }
        Alert::MilestoneDue { weeks } => format!("{weeks}-week sustainment due: gather evidence"),
        Alert::AwaitingFourHours { job } => {
            format!("Job {job} awaiting confirmation of 4 hours worked")
        }
        Alert::CaseloadPerFte { standing } => caseload_standing_words(standing),
        Alert::RetentionShareHigh {
            employed,
            open,
            max_share,
        } => {
            format!(
                "{employed} of {open} open referrals are job retention (over {})",
                share_words(*max_share)
            )
        }
    }
}

/// A policy share in ten-thousandths as a percentage: 1500 → "15%", 1250 → "12.5%".
fn share_words(share: ipstrack_core::policy::Basis) -> String {
    let (whole, part) = (share / 100, share % 100);
    match part {
        0 => format!("{whole}%"),
        p if p % 10 == 0 => format!("{whole}.{}%", p / 10),
        p => format!("{whole}.{p:02}%"),
    }
}

/// CASE-4: an ES's caseload per FTE against the policy, in words.
fn caseload_standing_words(s: &CaseloadStanding) -> String {
    let open = match s.band_position {
        BandPosition::Below => "below",
        BandPosition::Within => "within",
        BandPosition::Above => "above",
    };
    let mut words = format!(
        "Open caseload {} per FTE ({} open), {open} the recommended {}–{}",
        s.open_per_fte, s.open, s.band.0, s.band.1
    );
    if s.above_fidelity_limit {
        words.push_str(&format!(
            "; active caseload {} per FTE ({} active), above the fidelity limit of {}",
            s.active_per_fte, s.active, s.fidelity_limit
        ));
    } else {
        words.push_str(&format!(
            "; active caseload {} per FTE ({} active), within the fidelity limit of {}",
            s.active_per_fte, s.active, s.fidelity_limit
        ));
    }
    words
}

/// A referral's caseload status in words: active (and why, when a team
/// decision keeps it so), not yet seen, or inactive with the reasons.
fn status_tag(s: &DayStatus) -> Markup {
    html! {
        @if s.active_by_decision() { span class="tag active" { "Active" } " kept active by a team decision" }
        @else if s.active { span class="tag active" { "Active" } }
        @else if s.received && !s.open { span class="tag inactive" { "Not yet seen" } " referred, no access yet" }
        @else { span class="tag inactive" { "Inactive" } " " (criterion_words(s.failed)) }
    }
}

/// CASE-1..4 for one ES: the worklist, then each referral they hold, with
/// every figure from core (`es_caseload`).
pub fn caseload(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    today: Day,
    all_items: &[WorkItem],
) -> Markup {
    let d = &data.dataset;
    let items: Vec<&WorkItem> = all_items
        .iter()
        .filter(|i| i.es == Some(es as u32))
        .collect();
    let c = es_caseload(d, es as u32, today);
    let title = if v.staff == Some(es) {
        "My caseload".to_string()
    } else {
        format!("Caseload of {}", d.staff[es].name)
    };
    layout(
        v,
        &title,
        html! {
            p id="caseload-summary" {
                "On " (today) ": "
                strong id="caseload-active" { (c.active) } " active"
                @if c.active_by_decision > 0 { " (" span id="caseload-by-decision" { (c.active_by_decision) } " kept active by a team decision)" }
                " of " strong id="caseload-open" { (c.open) } " open (seen); "
                strong id="caseload-not-yet-seen" { (c.not_yet_seen) } " referred, not yet seen; "
                strong id="caseload-waiting" { (c.waiting_list) } " on the waiting list. "
                a href=(format!("/specialists/{}/plan", d.staff[es].id)) { "Performance plan" }
            }
            @if let Some(standing) = &c.standing { p id="caseload-standing" { (caseload_standing_words(standing)) "." } }
            section class="panel" aria-labelledby="worklist" {
                h2 id="worklist" { "To do" }
                @if items.is_empty() { p { "Nothing due." } }
                ul class="worklist" {
                    @for item in &items {
                        li {
                            strong { (item.date) } " – "
                            @if let Some(i) = item.referral {
                                a href=(format!("/referrals/{}", d.referrals[i].id)) { "Referral " (d.referrals[i].id) } ": "
                            }
                            (alert_words(&item.alert))
                        }
                    }
                }
            }
            table id="caseload-table" {
                caption { "Referrals held: open (seen) and referred, not yet seen" }
                thead { tr {
                    th scope="col" { "Referral" } th scope="col" { "Client" } th scope="col" { "Status" }
                    th scope="col" class="num" { "Days since contact" } th scope="col" class="num" { "Days until inactive" }
                    th scope="col" { "Next sustainment milestone" }
                } }
                tbody {
                    @for e in &c.entries {
                        @let r = &d.referrals[e.referral];
                        tr id=(format!("referral-{}", r.id)) {
                            td { a href=(format!("/referrals/{}", r.id)) { (r.id) } }
                            td { (d.clients[r.client as usize].id) }
                            td { (status_tag(&e.status)) }
                            td class="num" { (e.days_since_contact.map_or("–".to_string(), |n| n.to_string())) }
                            td class="num" data-days-until-inactive { (e.days_until_inactive.map_or("–".to_string(), |n| n.to_string())) }
                            td { (e.next_milestone.map_or("–".to_string(), |(weeks, due)| format!("{weeks} weeks on {due}"))) }
                        }
                    }
                }
            }
        },
    )
}

/// Submitted returns, what changed since each, and the submit form.
pub fn returns(
    v: &Viewer,
    rows: &[(ipstrack_store::Submission, Vec<String>)],
    problem: Option<&str>,
    period: &str,
) -> Markup {
    layout(
        v,
        "Quarterly returns",
        html! {
            (problem_summary(problem, "return-period"))
            form method="post" action="/returns" class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                p { "A submitted return is frozen: later corrections change the current figures, never the return." }
                div class="field" { label for="return-period" { "Period" } input id="return-period" name="period" value=(period); }
                div class="field" { label for="return-as_of" { "As of (empty: the period's end or today)" } input id="return-as_of" name="as_of" type="date"; }
                button type="submit" { "Submit the return" }
            }
            form method="get" action="/returns/grow-return.xlsx" class="panel" {
                h2 { "Download the IPS Grow return" }
                p { "The current figures of a period, per ES, team and service: a workbook with one sheet per level, or CSV." }
                div class="field" { label for="download-period" { "Period" } input id="download-period" name="period" value=(period); }
                div class="field" { label for="download-as_of" { "As of (empty: the period's end or today)" } input id="download-as_of" name="as_of" type="date"; }
                button type="submit" { "Download xlsx" } " "
                button type="submit" class="secondary" formaction="/returns/grow-return.csv" { "Download CSV" }
            }
            @for (s, changes) in rows {
                section class="panel" {
                    h2 { (s.period_label) }
                    p { "As of " (s.as_of) ", submitted by " (s.submitted_by) " at " (s.submitted_at) "." }
                    @if changes.is_empty() { p { "No change since it was submitted." } }
                    @else {
                        p { (changes.len()) " figures have changed since:" }
                        ul { @for c in changes.iter().take(50) { li { code { (c) } } } }
                    }
                }
            }
        },
    )
}

/// An admin's notice of an account's failed sign-ins: "12 failed sign-ins
/// in the last hour, from 3 addresses; 1 address slowed until 14:32".
pub fn sign_in_notice(f: &ipstrack_store::SignInFailures) -> String {
    let mut text = format!(
        "{} in the last hour, from {}",
        plural(f.failures, "failed sign-in", "failed sign-ins"),
        plural(f.addresses, "address", "addresses")
    );
    if let Some(until) = f.slowed_until {
        let at = until
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%H:%M")
            .to_string();
        let who = if f.account_slowed {
            "every address".to_string()
        } else {
            plural(f.slowed_addresses, "address", "addresses")
        };
        text.push_str(&format!("; {who} slowed until {at}"));
    }
    text
}

pub fn users(
    v: &Viewer,
    users: &[ipstrack_store::User],
    failures: &[ipstrack_store::SignInFailures],
    staff: &[(String, String)],
    state: &FormState,
) -> Markup {
    let notice = |name: &str| {
        failures
            .iter()
            .find(|f| f.username == name)
            .map(sign_in_notice)
    };
    let unknown: i64 = failures
        .iter()
        .filter(|f| !users.iter().any(|u| u.username == f.username))
        .map(|f| f.failures)
        .sum();
    layout(
        v,
        "Users",
        html! {
            (error_summary(state))
            @if unknown > 0 {
                p { (plural(unknown, "failed sign-in", "failed sign-ins")) " in the last hour named no user." }
            }
            table {
                thead { tr { th scope="col" { "Username" } th scope="col" { "Role" } th scope="col" { "Staff record" } th scope="col" { "State" } th scope="col" { "Failed sign-ins" } th scope="col" { "" } } }
                tbody { @for u in users {
                    tr {
                        td { (u.username) } td { (u.role.as_str()) } td { (u.staff_id.as_deref().unwrap_or("–")) }
                        td { @if u.disabled { "disabled" } @else { "active" } }
                        td { (notice(&u.username).unwrap_or_else(|| "–".to_string())) }
                        td { @if !u.disabled && u.username != v.session.user.username {
                            form method="post" action=(format!("/admin/users/{}/disable", u.username)) {
                                input type="hidden" name="csrf" value=(v.session.csrf);
                                button type="submit" class="secondary" { "Disable" }
                            }
                        } }
                    }
                } }
            }
            form method="post" action="/admin/users" novalidate class="panel" {
                h2 { "Add a user" }
                input type="hidden" name="csrf" value=(v.session.csrf);
                (field(state, "user", "username", "Username", "text", None))
                (select(state, "user", "role", "Role", &options(&[("es", "Employment specialist"), ("team_lead", "Team lead"), ("manager", "Manager"), ("admin", "Administrator")])))
                (select(state, "user", "staff", "Staff record (an ES's caseload, a team lead's team)", staff))
                (field(state, "user", "password", "First password (at least 10 characters; they can change it)", "password", None))
                button type="submit" { "Add user" }
            }
        },
    )
}

/// The service's policy: every threshold and target rules.md marks *(policy)*.
pub fn policy(v: &Viewer, fields: &[(&str, &str)], state: &FormState) -> Markup {
    layout(
        v,
        "Policy",
        html! {
            (error_summary(state))
            p { "Thresholds and targets from the service's contract. Changing them changes every report from now on, past periods included; submitted returns stay as they were." }
            form method="post" action="/admin/policy" novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                @for (name, label) in fields { (field(state, "policy", name, label, "text", None)) }
                button type="submit" { "Save policy" }
            }
        },
    )
}

/// Changing one's own password.
pub fn password(v: &Viewer, state: &FormState) -> Markup {
    layout(
        v,
        "Change your password",
        html! {
            (error_summary(state))
            form method="post" action="/account/password" novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                (field(state, "password", "current", "Current password", "password", None))
                (field(state, "password", "new", "New password (at least 10 characters)", "password", None))
                (field(state, "password", "confirm", "New password again", "password", None))
                button type="submit" { "Change password" }
            }
        },
    )
}

/// The form for a new referral.
pub fn new_referral(
    v: &Viewer,
    specialists: &[(String, String)],
    state: &FormState,
    today: Day,
) -> Markup {
    let max = today.to_string();
    layout(
        v,
        "New referral",
        html! {
            (error_summary(state))
            form method="post" action="/referrals/new" novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                (once())
                (field(state, "referral", "client", "Client id (leave empty for a new person)", "text", None))
                (field(state, "referral", "nhs_number", "NHS number (new person, optional)", "text", None))
                (field(state, "referral", "received", "Date the referral was received", "date", Some(&max)))
                (select(state, "referral", "status_at_referral", "Employment status at referral",
                    &options(&[("unemployed", "Unemployed or economically inactive"), ("employed", "In work (job retention)")])))
                (select(state, "referral", "es", "Employment specialist", specialists))
                button type="submit" { "Save referral" }
            }
        },
    )
}

/// One line of a referral's timeline: the day, what happened, and what its
/// "Remove" button takes out (kind and position), if it can be removed.
type TimelineEntry = (Day, String, Option<(&'static str, usize)>);

/// A referral: its timeline, sustainment clock and the add-contact form.
pub fn referral(
    v: &Viewer,
    data: &Loaded,
    index: usize,
    today: Day,
    form: &FormState,
    specialists: &[(String, String)],
) -> Markup {
    let d = &data.dataset;
    let r = &d.referrals[index];
    let policy = &d.policy;
    let status = status_on(r, today, policy);
    // (day, what happened, what a "Remove" button would remove: kind and position)
    let mut events: Vec<TimelineEntry> = vec![(r.received, "Referral received".into(), None)];
    if let Some(a) = r.access {
        events.push((
            a,
            "Access: first meaningful contact".into(),
            Some(("access", 0)),
        ));
    }
    for (i, k) in r.contacts.iter().enumerate() {
        let kind = match k.kind {
            ContactKind::FaceToFace => "face to face",
            ContactKind::Remote => "remote",
            ContactKind::InWorkSupport => "in-work support",
            ContactKind::AssertiveEngagement => "attempt, no reply (assertive engagement)",
        };
        events.push((k.date, format!("Contact: {kind}"), Some(("contact", i))));
    }
    if let Some(p) = &r.vocational_plan {
        events.push((p.start, "Vocational plan started".into(), Some(("plan", 0))));
    }
    let until = |end: Option<Day>| end.map(|e| format!(" until {e}")).unwrap_or_default();
    for (i, h) in r.holds.iter().enumerate() {
        events.push((
            h.start,
            format!("On hold{}", until(h.end)),
            Some(("hold", i)),
        ));
    }
    for (i, w) in r.waiting_list.iter().enumerate() {
        events.push((
            w.spell.start,
            format!("Waiting list{}", until(w.spell.end)),
            Some(("waiting", i)),
        ));
    }
    for (i, e) in r.engagement.iter().enumerate() {
        events.push((
            e.date,
            format!("Engagement: {:?}", e.status),
            Some(("engagement", i)),
        ));
    }
    for (i, x) in r.decisions.iter().enumerate() {
        let status = if x.active { "active" } else { "inactive" };
        let reason = x.reason.as_deref().unwrap_or("no reason given");
        events.push((
            x.spell.start,
            format!("Team decision: {status}{} ({reason})", until(x.spell.end)),
            Some(("decision", i)),
        ));
    }
    for (i, t) in r.transfers.iter().enumerate() {
        events.push((
            t.date,
            format!("Transferred to {}", d.staff[t.es as usize].name),
            Some(("transfer", i)),
        ));
    }
    for (i, j) in r.jobs.iter().enumerate() {
        events.push((
            j.start,
            format!("Job {} started ({:?})", j.id, j.kind),
            Some(("job", i)),
        ));
        if let Some(e) = j.end {
            events.push((e, format!("Job {} ended", j.id), None));
        }
    }
    if let Some(x) = &r.discharge {
        events.push((x.date, "Discharged".into(), Some(("discharge", 0))));
    }
    events.sort_by_key(|(day, _, _)| std::cmp::Reverse(*day));
    let outcomes = outcomes(r, today, policy);
    let runs = runs(r, &outcomes, today, policy);
    let es = assigned_on(r, today, today)
        .map(|e| d.staff[e as usize].name.clone())
        .unwrap_or_else(|| "unallocated".into());
    layout(
        v,
        &format!("Referral {}", r.id),
        html! {
            (error_summary(form))
            div class="panel" {
                p { "Client " (d.clients[r.client as usize].id) ", " (format!("{:?}", r.status_at_referral).to_lowercase())
                    " at referral, with " (es) "." }
                p id="referral-status" { (status_tag(&status))
                    @if let Some(n) = status.days_until_inactive(today) { " – inactive in " (n) " days without a two-way contact." } }
            }
            section aria-labelledby="sustainment" {
                h2 id="sustainment" { "Sustainment" }
                @if runs.is_empty() { p { "No job outcome yet." } }
                @for run in &runs {
                    p { "In work since " (run.start) ": " (run.weeks_in_work()) " weeks. "
                        @for n in MILESTONE_WEEKS {
                            (n) " weeks: " @if run.first_worked_on_or_after(milestone_day(run.start, n)).is_some() { "reached" } @else { (milestone_day(run.start, n)) } ". "
                        }
                    }
                }
            }
            @let max = today.to_string();
            @if r.access.is_none() {
                (dated_form(v, r, form, "access", "Record access", "Access is the first meaningful contact after the person agreed to take part.", "Date of access", "Save access", &max))
            }
            @if r.access.is_some() && r.vocational_plan.is_none() {
                (dated_form(v, r, form, "plan", "Start the vocational plan", "A client is active only with a vocational plan.", "Start of the vocational plan", "Save plan", &max))
            }
            section aria-labelledby="add-contact" class="panel" {
                h2 id="add-contact" { "Record a contact" }
                form method="post" action=(format!("/referrals/{}/contacts", r.id)) novalidate {
                    input type="hidden" name="csrf" value=(v.session.csrf);
                    (once())
                    (field(form, "contact", "date", "Date of contact", "date", Some(&max)))
                    (select(form, "contact", "kind", "Kind of contact", &options(&[
                        ("face_to_face", "Face to face"), ("remote", "Remote (phone or video)"),
                        ("in_work_support", "In-work support"), ("assertive_engagement", "Attempt, no reply (assertive engagement)")])))
                    (select(form, "contact", "mechanism", "How it was held (optional)", &options(&[
                        ("", "Not recorded"), ("face_to_face", "Face to face"), ("telephone", "Telephone"), ("video", "Video"),
                        ("email", "Email"), ("text_message", "Text message"), ("other", "Other")])))
                    button type="submit" { "Save contact" }
                }
            }
            section aria-labelledby="add-job" class="panel" {
                h2 id="add-job" { "Record a job start" }
                form method="post" action=(format!("/referrals/{}/jobs", r.id)) novalidate {
                    input type="hidden" name="csrf" value=(v.session.csrf);
                    (once())
                    (select(form, "job", "type", "Kind of paid work", &options(&[
                        ("employee", "Employee"), ("zero_hours", "Zero-hours contract"), ("self_employed", "Self-employed (registered)"),
                        ("apprenticeship", "Apprenticeship"), ("paid_placement", "Paid placement")])))
                    (field(form, "job", "employer", "Employer", "text", None))
                    (field(form, "job", "start", "Start date", "date", Some(&max)))
                    (field(form, "job", "hours_per_week", "Hours per week", "text", None))
                    button type="submit" { "Save job" }
                }
            }
            details class="panel" open[matches!(form.form, "hold" | "waiting" | "engagement" | "decision" | "transfer")] {
                summary { strong { "More: hold, waiting list, engagement, team decision, transfer" } }
                (step_form(v, r, "hold", "Put on hold", html! {
                    (field(form, "hold", "start", "Start of the hold", "date", Some(&max)))
                    (field(form, "hold", "end", "Last day of the hold (empty: still on hold)", "date", None))
                }))
                (step_form(v, r, "waiting", "Waiting list", html! {
                    (field(form, "waiting", "start", "Start on the waiting list", "date", Some(&max)))
                    (field(form, "waiting", "end", "Last day on the waiting list (empty: still waiting)", "date", None))
                    (field(form, "waiting", "expected_return", "Expected return", "date", None))
                }))
                (step_form(v, r, "engagement", "Engagement change", html! {
                    (field(form, "engagement", "date", "From", "date", Some(&max)))
                    (select(form, "engagement", "status", "Engagement status", &options(&[
                        ("seeking_work", "Seeking work"), ("in_work_support", "In-work support"),
                        ("not_seeking_work", "Receiving support but not seeking work")])))
                }))
                (step_form(v, r, "decision", "Team status decision", html! {
                    (field(form, "decision", "start", "From", "date", Some(&max)))
                    (field(form, "decision", "end", "Until (optional)", "date", None))
                    (select(form, "decision", "status", "The team decided the client is", &options(&[("active", "Active"), ("inactive", "Inactive")])))
                    (field(form, "decision", "reason", "Reason", "text", None))
                }))
                (step_form(v, r, "transfer", "Transfer to another specialist", html! {
                    (field(form, "transfer", "date", "From", "date", Some(&max)))
                    (select(form, "transfer", "es", "Employment specialist", specialists))
                }))
            }
            @if r.discharge.is_none() {
                (dated_form(v, r, form, "discharge", "Discharge", "The discharge date is the first day the referral is closed.", "Date of discharge", "Discharge", &max))
            }
            table {
                caption { "Timeline" }
                thead { tr { th scope="col" { "Date" } th scope="col" { "Event" } th scope="col" { span class="visually-hidden" { "Correct" } } } }
                tbody { @for (day, what, remove) in &events { tr {
                    td { (day) } td { (what) }
                    td { @if let Some((kind, index)) = remove {
                        form method="post" action=(format!("/referrals/{}/remove", r.id)) {
                            input type="hidden" name="csrf" value=(v.session.csrf);
                            (once())
                            input type="hidden" name="kind" value=(kind);
                            input type="hidden" name="index" value=(index);
                            input type="hidden" name="version" value=(r.version);
                            button type="submit" class="secondary" aria-label=(format!("Remove: {what} on {day}")) { "Remove" }
                        }
                    } }
                } } }
            }
        },
    )
}

/// One count of the plan: unemployed and employed apart, with the target and
/// status where the plan has one (TGT-1..3 apply to the unemployed).
fn plan_count_row(
    id: &str,
    name: &str,
    figures: ByGroup,
    target: Option<(f64, f64, Option<Status>)>,
) -> Markup {
    html! {
        tr {
            th scope="row" { (name) }
            td class="num" id=(format!("{id}-unemployed")) { (figures.unemployed) }
            td class="num" id=(format!("{id}-employed")) { (figures.employed) }
            @if let Some((to_date, period, status)) = target {
                td class="num" id=(format!("{id}-target-to-date")) { (format!("{to_date:.1}")) }
                td class="num" id=(format!("{id}-target")) { (format!("{period:.1}")) }
                td id=(format!("{id}-status")) { (tag(status)) }
            } @else {
                td class="num" { "–" } td class="num" { "–" } td { "–" }
            }
        }
    }
}

/// One rate of the plan (unemployed people only), with its target and status.
fn plan_rate_row(
    id: &str,
    name: &str,
    figure: Markup,
    target: f64,
    status: Option<Status>,
) -> Markup {
    html! {
        tr {
            th scope="row" { (name) }
            td class="num" id=(id) { (figure) }
            td class="num" { "–" }
            td class="num" { (percent(Some(target))) }
            td class="num" id=(format!("{id}-target")) { (percent(Some(target))) }
            td id=(format!("{id}-status")) { (tag(status)) }
        }
    }
}

/// The performance plan of one ES, laid out to print on one A4 page.
pub fn plan(v: &Viewer, data: &Loaded, es: usize, r: &Report, trends: &Trends) -> Markup {
    let d = &data.dataset;
    let staff = &d.staff[es];
    let team = &d.teams[staff.team as usize];
    let figures: Option<&SpecialistKpis> = r.specialists.iter().find(|s| s.id == staff.id);
    let band = d.policy.caseload_band;
    let standing = figures.and_then(|s| s.kpis.caseload.standing(staff, &d.policy));
    layout(
        v,
        &format!("Performance plan: {}", staff.name),
        html! {
            div class="plan" {
                dl class="plan-facts" {
                    div { dt { "Employment specialist" } dd id="plan-es" { (staff.name) " (" (staff.id) ")" } }
                    div { dt { "Team" } dd id="plan-team" { (team.name) } }
                    div { dt { "Start in post" } dd id="plan-start" { (staff.start_date) } }
                    @if let Some(end) = staff.end_date { div { dt { "Left post" } dd { (end) } } }
                    div { dt { "FTE" } dd id="plan-fte" { (f64::from(staff.fte.0) / 10_000.0) } }
                    div { dt { "Plan year" } dd id="plan-year" { @match figures {
                        Some(s) if s.targets.year == 1 => "Year 1",
                        Some(_) => "Year 2 on",
                        None => "–",
                    } } }
                    div { dt { "Period" } dd id="plan-period" { (r.period.label) " (" (r.period.start) " to " (r.period.end) ")" } }
                    div { dt { "As of" } dd id="plan-as-of" { (r.as_of) } }
                }
                div class="no-print" {
                    p {
                        button type="button" class="secondary" data-print hidden { "Print" } " "
                        "This page is laid out for one A4 sheet: print it with your browser's Print command."
                    }
                    (period_form(&format!("/specialists/{}/plan", staff.id), r, None))
                }
                @match figures {
                    None => { p { (staff.name) " was not in post during " (r.period.label) ": there is no plan for this period." } }
                    Some(s) => {
                        @let t = &s.targets;
                        @let k = &s.kpis;
                        table class="plan-kpis" {
                            caption { "The plan to " (r.as_of) ". Targets apply to people unemployed at referral; people already in work (job retention) are counted apart." }
                            thead { tr {
                                th scope="col" { "Measure" } th scope="col" class="num" { "Unemployed" }
                                th scope="col" class="num" { "Employed (job retention)" } th scope="col" class="num" { "Target to date" }
                                th scope="col" class="num" { "Target for the period" } th scope="col" { "Status" }
                            } }
                            tbody {
                                (plan_count_row("access", "Access (vocational profiles started)", k.access,
                                    Some((t.access_to_date, t.access, t.status.access))))
                                (plan_count_row("into-work", "People into work", k.people_into_work,
                                    Some((t.people_into_work_to_date, t.people_into_work, t.status.people_into_work))))
                                (plan_count_row("job-starts", "Job starts", k.job_starts, None))
                                (plan_count_row("sustained-13", "Sustained 13 weeks (people)", k.sustained.w13, None))
                                (plan_count_row("sustained-26", "Sustained 26 weeks (people)", k.sustained.w26, None))
                                (plan_count_row("sustained-52", "Sustained 52 weeks (people)", k.sustained.w52, None))
                                (plan_rate_row("job-outcome-rate", "Job outcome rate",
                                    html! { (percent(k.job_outcome_rate.value)) " (" (k.job_outcome_rate.numerator) " of " (k.job_outcome_rate.denominator) " seeking work)" },
                                    t.job_outcome_rate, t.status.job_outcome_rate))
                                (plan_rate_row("sustainment-rate", "13-week sustainment rate",
                                    html! { (percent(k.sustainment_rate_13w.value)) " (" (k.sustainment_rate_13w.numerator) " of " (k.sustainment_rate_13w.denominator) " people; " (k.sustainment_rate_13w.pending) " pending)" },
                                    t.sustainment_rate_13w, t.status.sustainment_rate_13w))
                            }
                        }
                        table class="plan-caseload" {
                            caption { "Caseload on " (k.caseload.date) " (recommended " (band.0) "–" (band.1) " open per FTE, so that about " (d.policy.fidelity_caseload) " per FTE are active)" }
                            thead { tr {
                                th scope="col" class="num" { "Active" } th scope="col" class="num" { "Open (seen)" }
                                th scope="col" { "Open per FTE against the band" }
                                th scope="col" class="num" { "On hold" } th scope="col" class="num" { "Waiting list" }
                                th scope="col" class="num" { "Carried over" }
                                th scope="col" class="num" { "Active per FTE" }
                                th scope="col" class="num" { "Fidelity caseload score" }
                            } }
                            tbody { tr {
                                td class="num" id="caseload-active" { (k.caseload.active) }
                                td class="num" id="caseload-open" { (k.caseload.open) }
                                td id="caseload-band" { @match &standing {
                                    Some(st) => { (st.open_per_fte) " – " (band_words(st.band_position)) },
                                    None => "– (not in post)",
                                } }
                                td class="num" id="caseload-on-hold" { (k.caseload.on_hold) }
                                td class="num" id="caseload-waiting" { (k.caseload.waiting_list) }
                                td class="num" id="caseload-carried-over" { (k.caseload.carried_over) }
                                td class="num" id="caseload-per-fte" { (k.caseload.active_per_fte.map_or("–".into(), |f| format!("{f:.2}"))) }
                                td class="num" id="fidelity-score" { (k.fidelity_caseload_score.map_or("–".into(), |f| format!("{f} of 5"))) }
                            } }
                        }
                        div class="plan-charts" {
                            (access_chart(trends, true))
                            (line_chart("Job starts and 13-week outcomes by quarter", &trends.quarters, &[
                                ("Job starts (unemployed)", "#005eb8", &unemployed(&trends.job_starts)),
                                ("Job starts (employed)", "#41b6e6", &employed(&trends.job_starts)),
                                ("13 weeks (unemployed)", "#007f3b", &unemployed(&trends.sustained)),
                                ("13 weeks (employed)", "#78be20", &employed(&trends.sustained)),
                            ], None, true))
                        }
                    }
                }
            }
        },
    )
}

/// The team dashboard: each ES against their performance plan.
pub fn team(v: &Viewer, data: &Loaded, team: u32, r: &Report, trends: &Trends) -> Markup {
    let d = &data.dataset;
    let t = &d.teams[team as usize];
    let members: Vec<_> = r.specialists.iter().filter(|s| s.team == t.id).collect();
    let block = r.teams.iter().find(|b| b.id == t.id);
    layout(
        v,
        &format!("Team {}", t.name),
        html! {
            p { (r.period.label) " (" (r.period.start) " to " (r.period.end) "), as of " (r.as_of) ". U/E: unemployed / employed at referral." }
            (period_form("/team", r, Some(&t.id)))
            table {
                caption { "Performance plans" }
                thead { tr {
                    th scope="col" { "Employment specialist" } th scope="col" class="num" { "Access" }
                    th scope="col" class="num" { "Target to date / year" } th scope="col" { "Status" }
                    th scope="col" class="num" { "Into work" } th scope="col" class="num" { "Target" } th scope="col" { "Status" }
                    th scope="col" class="num" { "Job outcome rate" } th scope="col" { "Status" }
                    th scope="col" class="num" { "13-week sustainment" } th scope="col" { "Status" }
                    th scope="col" class="num" { "Active / open (seen)" } th scope="col" class="num" { "Carried over" }
                    th scope="col" class="num" { "Fidelity score" }
                } }
                tbody {
                    @for s in &members {
                        @let name = d.staff.iter().find(|x| x.id == s.id && x.role == StaffRole::Es).map_or(s.id.clone(), |x| x.name.clone());
                        tr {
                            th scope="row" {
                                a href=(format!("/caseload?es={}", s.id)) { (name) } " (year " (s.targets.year) ") "
                                a href=(plan_link(&s.id, r)) aria-label=(format!("Performance plan of {name}")) { "Plan" }
                            }
                            td class="num" { (s.kpis.access.unemployed) }
                            td class="num" { (format!("{:.1} / {:.1}", s.targets.access_to_date, s.targets.access)) }
                            td { (tag(s.targets.status.access)) }
                            td class="num" { (s.kpis.people_into_work.unemployed) }
                            td class="num" { (format!("{:.1}", s.targets.people_into_work)) }
                            td { (tag(s.targets.status.people_into_work)) }
                            td class="num" { (percent(s.kpis.job_outcome_rate.value)) }
                            td { (tag(s.targets.status.job_outcome_rate)) }
                            td class="num" { (percent(s.kpis.sustainment_rate_13w.value)) }
                            td { (tag(s.targets.status.sustainment_rate_13w)) }
                            td class="num" { (s.kpis.caseload.active) " / " (s.kpis.caseload.open) }
                            td class="num" { (s.kpis.caseload.carried_over) }
                            td class="num" { (s.kpis.fidelity_caseload_score.map_or("–".into(), |f| f.to_string())) }
                        }
                    }
                }
            }
            @if let Some(b) = block {
                table { caption { "Team figures" } (figures_head()) tbody { (figures_row(html! { (t.name) }, &b.kpis)) } }
            }
            (access_chart(trends, false))
            (line_chart("Active caseload per FTE in post, against the fidelity limit", &trends.months,
                &[("Active per FTE", "#007f3b", &trends.active_per_fte)],
                Some((0.0, f64::from(trends.fidelity_limit))), false))
            (line_chart("Job starts and 13-week sustainment outcomes by quarter", &trends.quarters,
                &[("Job starts", "#005eb8", &both(&trends.job_starts)), ("Sustained 13 weeks", "#007f3b", &both(&trends.sustained))], None, false))
        },
    )
}

/// The service view: every team and the service, any period or as-of date.
pub fn service(v: &Viewer, data: &Loaded, r: &Report) -> Markup {
    let d = &data.dataset;
    layout(
        v,
        &format!("{} – service", d.service.name),
        html! {
            p { (r.period.label) " (" (r.period.start) " to " (r.period.end) "), as of " (r.as_of) ". U/E: unemployed / employed at referral." }
            (period_form("/service", r, None))
            table {
                caption { "Teams and service" }
                (figures_head())
                tbody {
                    @for t in &r.teams {
                        @let name = d.teams.iter().find(|x| x.id == t.id).map_or(t.id.clone(), |x| x.name.clone());
                        (figures_row(html! { a href=(format!("/team?team={}&period={}&as_of={}", t.id, r.period.label, r.as_of)) { (name) } }, &t.kpis))
                    }
                    (figures_row(html! { "Service" }, &r.service))
                }
            }
        },
    )
}

pub fn data_quality(v: &Viewer, warnings: &[&Warning]) -> Markup {
    layout(
        v,
        "Data quality",
        html! {
            p { (warnings.len()) " warnings. The data is kept; fix each record where it is wrong." }
            table {
                thead { tr { th scope="col" { "Record" } th scope="col" { "Warning" } } }
                tbody {
                    @for w in warnings {
                        @let referral = w.record.split('/').next().unwrap_or_default();
                        tr { td { a href=(format!("/referrals/{referral}")) { (w.record) } } td { (w.message) } }
                    }
                }
            }
        },
    )
}

pub fn audit(v: &Viewer, entries: &[AuditEntry], record: Option<&str>) -> Markup {
    layout(
        v,
        "Audit log",
        html! {
            form method="get" action="/audit" class="panel" {
                div class="field" { label for="record" { "Record id" } input id="record" name="record" value=(record.unwrap_or_default()); }
                button type="submit" { "Search" }
            }
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Record" } } }
                tbody { @for e in entries.iter().rev().take(500) {
                    tr { td { (e.at) } td { (e.actor) } td { (e.action) } td { (e.record_type) " " (e.record_id) } }
                } }
            }
        },
    )
}
