//! A referral's BAD-1 checks: its client, dates, holders, spells, contacts,
//! jobs and in-work checks, team decisions and the entered-in-error mark.

use std::collections::HashMap;

use super::contact_check::check_contact_doc;
use super::document::ReferralDoc;
use super::errors::Checker;
use super::limits;
use super::text::{TextRule, read_text};
use super::vocabulary::{CHECK_SOURCES, DECISIONS, DISCLOSURE_CHOICES, ENGAGEMENTS, GROUPS};
use crate::model::*;
use crate::time::Day;

pub(super) fn check_referral(
    c: &mut Checker,
    r: &ReferralDoc,
    clients: &HashMap<&str, u32>,
    staff: &HashMap<&str, u32>,
    is_es: &dyn Fn(u32) -> bool,
) -> Option<Referral> {
    let before = c.errors.len();
    let client = clients.get(r.client.trim()).copied();
    if client.is_none() {
        c.error(
            "client",
            format!("client {} is not a client of this bundle", r.client),
        );
    }
    let received = c.date("received", &r.received);
    let status = c.enumeration("status_at_referral", &r.status_at_referral, &GROUPS);
    let es_ref = |c: &mut Checker, field: &str, id: &str| -> Option<StaffIdx> {
        match staff.get(id.trim()).copied() {
            None => {
                c.error(
                    field,
                    format!("{field} {id} is not a staff member of this bundle"),
                );
                None
            }
            Some(idx) if !is_es(idx) => {
                c.error(
                    field,
                    format!("{field} {id} is not an employment specialist (role es)"),
                );
                None
            }
            Some(idx) => Some(StaffIdx(idx)),
        }
    };
    let es = r.es.as_deref().and_then(|id| es_ref(c, "es", id));
    fn count<T>(list: &Option<Vec<T>>) -> usize {
        list.as_ref().map_or(0, Vec::len)
    }
    let reviews = r.vocational_plan.as_ref().map_or(0, |p| p.reviews.len());
    for (field, max, len) in [
        ("transfers", limits::SPELLS, count(&r.transfers)),
        ("contacts", limits::CONTACTS, count(&r.contacts)),
        ("holds", limits::SPELLS, count(&r.holds)),
        ("waiting_list", limits::SPELLS, count(&r.waiting_list)),
        ("engagement", limits::SPELLS, count(&r.engagement)),
        ("decisions", limits::SPELLS, count(&r.decisions)),
        ("jobs", limits::JOBS, count(&r.jobs)),
        (
            "in_work_checks",
            limits::IN_WORK_CHECKS,
            r.in_work_checks.len(),
        ),
        ("vocational_plan.reviews", limits::PLAN_REVIEWS, reviews),
    ] {
        if len > max {
            c.error(
                field,
                format!("{field} has {len} entries; at most {max} are kept"),
            );
        }
    }
    if c.errors.len() != before {
        // Too many entries: each is not checked one by one.
        return None;
    }
    let mut transfers = Vec::new();
    for (i, t) in r.transfers.iter().flatten().enumerate() {
        let date = c.date(&format!("transfers[{i}].date"), &t.date);
        let to = es_ref(c, &format!("transfers[{i}].es"), &t.es);
        if let (Some(date), Some(es)) = (date, to) {
            transfers.push(Transfer { date, es });
        }
    }
    let access = c.opt_date("access", &r.access);
    if let (Some(a), Some(rec)) = (access, received)
        && a < rec
    {
        c.error("access", format!("access {a} is before received {rec}"));
    }
    let vocational_plan = r
        .vocational_plan
        .as_ref()
        .and_then(|p| c.spell("vocational_plan", &p.start, &p.end));
    let mut plan_reviews = Vec::new();
    for (i, text) in r
        .vocational_plan
        .iter()
        .flat_map(|p| &p.reviews)
        .enumerate()
    {
        let field = format!("vocational_plan.reviews[{i}]");
        if let Some(day) = c.date(&field, text) {
            if vocational_plan.as_ref().is_some_and(|p| day < p.start) {
                c.error(
                    field.as_str(),
                    format!("{field} {day} is before the plan's start"),
                );
            }
            plan_reviews.push(day);
        }
    }
    plan_reviews.sort();
    let plan_agreed = r
        .vocational_plan
        .as_ref()
        .and_then(|p| p.agreed_with_clinical_team);
    let job_preferences = c.text(
        "vocational_plan.job_preferences",
        r.vocational_plan
            .as_ref()
            .and_then(|p| p.job_preferences.as_deref()),
        TextRule::lines(limits::JOB_PREFERENCES_CHARS),
    );
    let better_off_calculation = not_before_received(
        c,
        "better_off_calculation",
        &r.better_off_calculation,
        received,
    );
    let disclosure = check_disclosure(c, r, received);
    let contacts: Vec<Contact> = r
        .contacts
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, k)| check_contact_doc(c, || format!("contacts[{i}]"), k))
        .collect();
    let holds: Vec<Spell> = r
        .holds
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, h)| c.spell(&format!("holds[{i}]"), &h.start, &h.end))
        .collect();
    let mut waiting_list = Vec::new();
    for (i, w) in r.waiting_list.iter().flatten().enumerate() {
        let spell = c.spell(&format!("waiting_list[{i}]"), &w.start, &w.end);
        let expected_return = c.opt_date(
            &format!("waiting_list[{i}].expected_return"),
            &w.expected_return,
        );
        if let Some(spell) = spell {
            waiting_list.push(WaitingSpell {
                spell,
                expected_return,
            });
        }
    }
    let mut engagement = Vec::new();
    for (i, e) in r.engagement.iter().flatten().enumerate() {
        let date = c.date(&format!("engagement[{i}].date"), &e.date);
        let status = c.enumeration(&format!("engagement[{i}].status"), &e.status, &ENGAGEMENTS);
        if let (Some(date), Some(status)) = (date, status) {
            engagement.push(EngagementChange { date, status });
        }
    }
    let mut decisions = Vec::new();
    for (i, d) in r.decisions.iter().flatten().enumerate() {
        let spell = c.spell(&format!("decisions[{i}]"), &d.start, &d.end);
        let active = c.enumeration(&format!("decisions[{i}].status"), &d.status, &DECISIONS);
        let reason = c.text(
            &format!("decisions[{i}].reason"),
            d.reason.as_deref(),
            TextRule::line(limits::REASON_CHARS),
        );
        let agreed_by = check_agreed_by(c, i, &d.agreed_by);
        if let (Some(spell), Some(active), Ok(reason), Some(agreed_by)) =
            (spell, active, reason, agreed_by)
        {
            decisions.push(Decision {
                spell,
                active,
                reason,
                agreed_by,
            });
        }
    }
    let discharge = r.discharge.as_ref().and_then(|d| {
        let date = c.date("discharge.date", &d.date)?;
        if let Some(rec) = received
            && date < rec
        {
            c.error(
                "discharge.date",
                format!("discharge {date} is before received {rec}"),
            );
        }
        let reason = c
            .text(
                "discharge.reason",
                d.reason.as_deref(),
                TextRule::line(limits::REASON_CHARS),
            )
            .ok()?;
        Some(Discharge { date, reason })
    });
    let in_work_checks = check_in_work_checks(c, r, received);
    let entered_in_error = check_entered_in_error(c, r, received);
    let mut jobs = Vec::new();
    let mut job_ids: HashMap<&str, ()> = HashMap::new();
    for (i, j) in r.jobs.iter().flatten().enumerate() {
        let record = c.record.clone();
        let job_id = j.id.trim();
        c.record = format!("referral {} job {}", r.id.trim(), job_id);
        if job_id.is_empty() {
            c.record = format!("referral {} job #{}", r.id.trim(), i + 1);
            c.error("id", "missing required field id");
        } else if let Err(problem) = read_text(job_id, TextRule::line(limits::ID_CHARS)) {
            c.error("id", format!("id {}", problem.words()));
        } else if job_ids.insert(job_id, ()).is_some() {
            c.error("id", format!("duplicate id {job_id}"));
        }
        if let Some(job) = super::job_check::check_job(c, j) {
            jobs.push(job);
        }
        c.record = record;
    }
    if c.errors.len() != before {
        return None;
    }
    Some(Referral {
        id: r.id.trim().to_string(),
        client: ClientIdx(client?),
        received: received?,
        status_at_referral: status?,
        es,
        transfers,
        access,
        vocational_plan,
        plan_reviews,
        plan_agreed,
        job_preferences: job_preferences.ok()?.map(Box::from),
        better_off_calculation,
        disclosure,
        contacts,
        holds,
        waiting_list,
        engagement,
        decisions,
        discharge,
        jobs,
        in_work_checks,
        entered_in_error,
        version: 0,
    })
}

/// Issue 26 (BAD-1): an optional date that is real (1900–2099) and not
/// before the referral was received.
fn not_before_received(
    c: &mut Checker,
    field: &str,
    text: &Option<String>,
    received: Option<Day>,
) -> Option<Day> {
    let day = c.opt_date(field, text);
    if let (Some(d), Some(rec)) = (day, received)
        && d < rec
    {
        c.error(field, format!("{field} {d} is before received {rec}"));
    }
    day
}

/// Issue 26 (BAD-1): a disclosure choice, one of the words, discussed on a
/// real day not before the referral was received.
fn check_disclosure(c: &mut Checker, r: &ReferralDoc, received: Option<Day>) -> Option<Disclosure> {
    let d = r.disclosure.as_ref()?;
    let choice = c.enumeration("disclosure.choice", &d.choice, &DISCLOSURE_CHOICES);
    let on = not_before_received(c, "disclosure.date", &Some(d.date.clone()), received);
    Some(Disclosure {
        choice: choice?,
        on: on?,
    })
}

/// ERR-1 (issue 23, BAD-1): the mark of a referral entered in error: a real
/// date (1900–2099) not before the received date, a reason and who marked
/// it, both required and within their limits.
fn check_entered_in_error(
    c: &mut Checker,
    r: &ReferralDoc,
    received: Option<Day>,
) -> Option<EnteredInError> {
    let e = r.entered_in_error.as_ref()?;
    let on = c.date("entered_in_error.date", &e.date);
    if let (Some(d), Some(rec)) = (on, received)
        && d < rec
    {
        c.error(
            "entered_in_error.date",
            format!("entered_in_error.date {d} is before received {rec}"),
        );
    }
    let reason = c.required_text(
        "entered_in_error.reason",
        &e.reason,
        TextRule::lines(limits::ERROR_REASON_CHARS),
    );
    let by = c.required_text(
        "entered_in_error.recorded_by",
        &e.recorded_by,
        TextRule::line(limits::RECORDED_BY_CHARS),
    );
    Some(EnteredInError {
        on: on?,
        reason: reason?,
        by: by?,
    })
}

/// *(rev. 3, ENG-3)* Who agreed team decision `i`: each name trimmed and
/// required, within its limit; at most [`limits::AGREED_BY`] names.
fn check_agreed_by(c: &mut Checker, i: usize, names: &[String]) -> Option<Vec<String>> {
    let field = format!("decisions[{i}].agreed_by");
    if names.len() > limits::AGREED_BY {
        c.error(
            field.as_str(),
            format!(
                "{field} has {} entries; at most {} are kept",
                names.len(),
                limits::AGREED_BY
            ),
        );
        return None;
    }
    let mut out = Vec::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let name = c.required_text(
            &format!("{field}[{k}]"),
            name,
            TextRule::line(limits::AGREED_BY_CHARS),
        )?;
        out.push(name);
    }
    Some(out)
}

/// *(rev. 3, SUS-6, BAD-1)* A referral's in-work checks: a real date not
/// before the received date, a known source, an optional note.
fn check_in_work_checks(
    c: &mut Checker,
    r: &ReferralDoc,
    received: Option<Day>,
) -> Vec<InWorkCheck> {
    let mut out = Vec::with_capacity(r.in_work_checks.len());
    for (i, k) in r.in_work_checks.iter().enumerate() {
        let field = format!("in_work_checks[{i}]");
        let date = c.date(&format!("{field}.date"), &k.date);
        if let (Some(d), Some(rec)) = (date, received)
            && d < rec
        {
            c.error(
                format!("{field}.date"),
                format!("{field}.date {d} is before received {rec}"),
            );
        }
        let source = c.enumeration(&format!("{field}.source"), &k.source, &CHECK_SOURCES);
        let note = c.note(&format!("{field}.note"), &k.note);
        if let (Some(date), Some(source), Ok(note)) = (date, source, note) {
            out.push(InWorkCheck { date, source, note });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{MINIMAL, read_bundle};

    #[test]
    fn bad_1_minimal_bundle_is_valid() {
        let loaded = read_bundle(MINIMAL).expect("valid");
        assert_eq!(
            loaded.dataset.referrals[0].jobs[0].hours_per_week,
            Some(Hours(1600))
        );
    }
}
