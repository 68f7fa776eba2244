//! A referral's full timeline, newest first: every entry with its date, in
//! words, and "Change" and "Remove" for what can be corrected; and the words
//! the referral pages use for jobs, engagement, checks and milestones.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::Shared;
use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{SignedIn, referral_in_scope};
use crate::ui::dates::uk_date;
use crate::ui::layout::{layout, once_field};
use ipstrack_core::model::{ContactKind, Referral};
use ipstrack_core::{Day, Loaded};

/// One line of a referral's timeline: the day, what happened, and what its
/// "Remove" button takes out (kind and position), if it can be removed.
pub(crate) type TimelineEntry = (Day, String, Option<(&'static str, usize)>);

/// The timeline page: `/referrals/{id}/timeline`.
pub(crate) async fn timeline_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Path(id): Path<String>,
) -> WebResult<Markup> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    let r = &data.dataset.referrals[i];
    let name = data.dataset.client(r.client).display_name();
    Ok(layout(
        &v,
        &format!("Timeline of {name}"),
        html! {
            a class="back-link" href=(format!("/referrals/{}", r.id)) { "Back to " (name) }
            p { "Everything recorded on this referral, the newest first. "
                "Change corrects an entry; Remove takes it out (the audit log keeps a copy)." }
            (timeline_table(&v, &data, i))
        },
    ))
}

/// The referral's entries, newest first.
pub(crate) fn timeline_entries(data: &Loaded, index: usize) -> Vec<TimelineEntry> {
    let d = &data.dataset;
    let r = &d.referrals[index];
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
        let kind = contact_words(k.kind);
        let place = k
            .location
            .map(|l| format!(", {}", location_words(l)))
            .unwrap_or_default();
        let note = note_after(". Note: ", k.note.as_deref());
        events.push((
            k.date,
            format!("Contact: {kind}{place}{note}"),
            Some(("contact", i)),
        ));
    }
    if let Some(p) = &r.vocational_plan {
        let mut text = "Vocational plan started".to_string();
        match r.plan_agreed {
            Some(true) => text.push_str(", agreed with the clinical team"),
            Some(false) => text.push_str(", not agreed with the clinical team"),
            None => {}
        }
        if !r.plan_reviews.is_empty() {
            let days: Vec<String> = r.plan_reviews.iter().map(|d| uk_date(*d)).collect();
            text.push_str(&format!("; reviewed {}", days.join(", ")));
        }
        if let Some(end) = p.end {
            text.push_str(&format!("; ended {}", uk_date(end)));
        }
        if let Some(wants) = &r.job_preferences {
            text.push_str(&format!("; job preferences: {wants}"));
        }
        events.push((p.start, text, Some(("plan", 0))));
    }
    if let Some(day) = r.better_off_calculation {
        events.push((
            day,
            "Better-off calculation offered (benefits and work-incentive advice)".into(),
            Some(("better_off", 0)),
        ));
    }
    if let Some(x) = r.disclosure {
        events.push((
            x.on,
            format!(
                "Disclosure talked through: they chose {}",
                crate::referrals::preparation::choice_words(x.choice)
            ),
            Some(("disclosure", 0)),
        ));
    }
    let until = |end: Option<Day>| {
        end.map(|e| format!(" until {}", uk_date(e)))
            .unwrap_or_default()
    };
    // An entry the page can remove: its kind and its position.
    let mut removable = |day: Day, what: String, kind: &'static str, i: usize| {
        events.push((day, what, Some((kind, i))));
    };
    for (i, h) in r.holds.iter().enumerate() {
        removable(h.start, format!("On hold{}", until(h.end)), "hold", i);
    }
    for (i, w) in r.waiting_list.iter().enumerate() {
        let what = format!("Waiting list{}", until(w.spell.end));
        removable(w.spell.start, what, "waiting", i);
    }
    for (i, e) in r.engagement.iter().enumerate() {
        let what = format!("Engagement: {}", engagement_words(e.status));
        removable(e.date, what, "engagement", i);
    }
    for (i, x) in r.decisions.iter().enumerate() {
        let status = if x.active { "active" } else { "inactive" };
        let reason = x.reason.as_deref().unwrap_or("no reason given");
        let agreed = if x.agreed_by.is_empty() {
            "; who agreed it not recorded".to_string()
        } else {
            format!("; agreed by {}", x.agreed_by.join(", "))
        };
        events.push((
            x.spell.start,
            format!(
                "Team decision: {status}{} ({reason}){agreed}",
                until(x.spell.end)
            ),
            Some(("decision", i)),
        ));
    }
    for (i, c) in r.in_work_checks.iter().enumerate() {
        let note = note_after(": ", c.note.as_deref());
        events.push((
            c.date,
            format!(
                "Still in work, confirmed by {}{note}",
                check_source_words(c.source)
            ),
            Some(("in_work_check", i)),
        ));
    }
    for (i, t) in r.transfers.iter().enumerate() {
        events.push((
            t.date,
            format!("Transferred to {}", d.staff_member(t.es).name),
            Some(("transfer", i)),
        ));
    }
    for (i, j) in r.jobs.iter().enumerate() {
        events.push((j.start, job_words(j), Some(("job", i))));
        if let Some(e) = j.end {
            let why = j
                .end_reason
                .map(|r| format!(" ({})", end_reason_words(r)))
                .unwrap_or_default();
            events.push((e, format!("Job ended: {}{why}", job_title(j)), None));
        }
    }
    if let Some(x) = &r.discharge {
        events.push((x.date, "Discharged".into(), Some(("discharge", 0))));
    }
    events.sort_by_key(|(day, _, _)| std::cmp::Reverse(*day));
    events
}

/// The timeline as a table with its "Change" and "Remove" buttons.
pub(crate) fn timeline_table(v: &Viewer, data: &Loaded, index: usize) -> Markup {
    let r: &Referral = &data.dataset.referrals[index];
    let events = timeline_entries(data, index);
    html! {
            table {
                caption { "Timeline" }
                thead { tr { th scope="col" { "Date" } th scope="col" { "Event" } th scope="col" { span class="visually-hidden" { "Change or remove" } } } }
                tbody { @for (day, what, remove) in &events { tr {
                    td { (uk_date(*day)) } td { (what) }
                    td class="actions" { @if let Some((kind, index)) = remove {
                        @let change = if *kind == "job" {
                            format!("/referrals/{}/jobs/{}/edit", r.id, r.jobs[*index].id)
                        } else {
                            format!("/referrals/{}/edit/{kind}/{index}", r.id)
                        };
                        a class="button secondary" href=(change) aria-label=(format!("Change: {what}")) { "Change" } " "
                        form method="post" action=(format!("/referrals/{}/remove", r.id)) data-confirm="Remove this entry? The audit log keeps a copy." {
                            input type="hidden" name="csrf" value=(v.session.csrf);
                            (once_field())
                            input type="hidden" name="kind" value=(kind);
                            input type="hidden" name="index" value=(index);
                            input type="hidden" name="version" value=(r.version);
                            button type="submit" class="secondary" aria-label=(format!("Remove: {what} on {}", uk_date(*day))) { "Remove" }
                        }
                    } }
                } } }
            }
    }
}

/// A kind of contact in words.
pub(crate) fn contact_words(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::FaceToFace => "face to face",
        ContactKind::Remote => "remote",
        ContactKind::InWorkSupport => "in-work support",
        ContactKind::AssertiveEngagement => "attempt, no reply (assertive engagement)",
    }
}

/// A job as a sentence names it: "the job at Co-op", "the self-employed work".
pub(crate) fn the_job(j: &ipstrack_core::model::Job) -> String {
    match &j.employer {
        Some(e) => format!("the job at {e}"),
        None => format!("the {} work", job_title(j)),
    }
}

/// A job by its employer, else its kind ("Co-op", "self-employed").
pub(crate) fn job_title(j: &ipstrack_core::model::Job) -> String {
    match &j.employer {
        Some(e) => e.clone(),
        None => kind_words(j.kind).to_string(),
    }
}

/// A kind of paid work in words ("zero-hours contract").
fn kind_words(kind: ipstrack_core::model::JobType) -> &'static str {
    use ipstrack_core::model::JobType;
    match kind {
        JobType::Employee => "employee",
        JobType::ZeroHours => "zero-hours contract",
        JobType::SelfEmployed => "self-employed",
        JobType::Apprenticeship => "apprenticeship",
        JobType::PaidPlacement => "paid placement",
    }
}

/// A job start on the timeline: "Job started: employee at Co-op, 16 hours a week".
pub(crate) fn job_words(j: &ipstrack_core::model::Job) -> String {
    use ipstrack_core::model::JobType;
    let mut text = format!("Job started: {}", kind_words(j.kind));
    if let Some(e) = &j.employer {
        text.push_str(&format!(" at {e}"));
    }
    if let Some(h) = j.hours_per_week {
        text.push_str(&format!(
            ", {} hours a week",
            ipstrack_core::bundle::hours_number(h)
        ));
    }
    if let Some(c) = j.four_hours_confirmed {
        text.push_str(&format!("; 4 hours confirmed on {}", uk_date(c)));
    }
    if j.kind == JobType::SelfEmployed && j.self_employment_registration.is_none() {
        text.push_str("; not counted until registered");
    }
    match j.competitive() {
        Some(true) => text.push_str("; competitive (at least the minimum wage, open to anyone)"),
        Some(false) => text.push_str("; not competitive"),
        None => {}
    }
    text
}

/// Where a contact was held, in words (issue 26).
pub(crate) fn location_words(l: ipstrack_core::model::ContactLocation) -> &'static str {
    use ipstrack_core::model::ContactLocation;
    match l {
        ContactLocation::Community => "in the community",
        ContactLocation::Home => "at their home",
        ContactLocation::Workplace => "at their workplace",
        ContactLocation::Office => "at the office",
        ContactLocation::Remote => "not in person",
    }
}

/// Why a job ended, in words (issue 26).
pub(crate) fn end_reason_words(r: ipstrack_core::model::JobEndReason) -> &'static str {
    use ipstrack_core::model::JobEndReason;
    match r {
        JobEndReason::Resigned => "they chose to leave",
        JobEndReason::Dismissed => "dismissed",
        JobEndReason::LaidOff => "redundancy, or the business closed",
        JobEndReason::TemporaryEnded => "a temporary job came to its end",
        JobEndReason::Health => "they left because of their health",
        JobEndReason::Other => "another reason",
    }
}

/// An engagement status in words.
pub(crate) fn engagement_words(e: ipstrack_core::model::Engagement) -> &'static str {
    use ipstrack_core::model::Engagement;
    match e {
        Engagement::SeekingWork => "seeking work",
        Engagement::InWorkSupport => "in-work support",
        Engagement::NotSeekingWork => "receiving support but not seeking work",
    }
}

/// Who confirmed a person is still in work, in words.
pub(crate) fn check_source_words(source: ipstrack_core::model::CheckSource) -> &'static str {
    use ipstrack_core::model::CheckSource;
    match source {
        CheckSource::Payslip => "a payslip",
        CheckSource::Employer => "the employer",
        CheckSource::Client => "the person",
        CheckSource::Other => "another way",
    }
}

/// A milestone and what it rests on (SUS-6), in words: "13 weeks: counted
/// on 3 Feb 2025, resting on an in-work check of 10 Feb 2025".
pub(crate) fn milestone_words(m: &ipstrack_core::evidence::MilestoneEvidence) -> String {
    use ipstrack_core::jobs::WorkedTo;
    let (weeks, last) = (m.weeks, uk_date(m.last_worked));
    match (m.achieved, m.evidence) {
        (Some(day), why) => {
            let why = match why {
                WorkedTo::StillInWork => "work while in touch".to_string(),
                WorkedTo::RecordedEnd => format!("the job's recorded end on {last}"),
                WorkedTo::InWorkCheck(check) => format!("an in-work check of {}", uk_date(check)),
                WorkedTo::Discharge => format!("work up to discharge ({last})"),
            };
            format!(
                "{weeks} weeks: counted on {}, resting on {why}",
                uk_date(day)
            )
        }
        (None, WorkedTo::StillInWork) => {
            format!("{weeks} weeks: due {}, still in work", uk_date(m.due))
        }
        (None, WorkedTo::RecordedEnd) => {
            format!("{weeks} weeks: not reached, the job ended on {last}")
        }
        (None, WorkedTo::InWorkCheck(check)) => format!(
            "{weeks} weeks: not counted yet (due {}), work confirmed up to an in-work check of {}",
            uk_date(m.due),
            uk_date(check)
        ),
        (None, WorkedTo::Discharge) => format!(
            "{weeks} weeks: not counted (due {}), discharged and nobody has confirmed work after {last}",
            uk_date(m.due)
        ),
    }
}

/// A note after `before` (". Note: ", ": "); nothing without a note.
fn note_after(before: &str, note: Option<&str>) -> String {
    note.map(|n| format!("{before}{n}")).unwrap_or_default()
}
