//! Validation: every BAD-1 rule checked over a whole bundle (format, service,
//! policy, ids, staff, referrals and their jobs), building the dataset or
//! returning every error found, each naming its record and field.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Number;

use super::document::{BUNDLE_FORMAT, BundleDoc, JobDoc, PolicyDoc, ReferralDoc};
use super::fields::{Checker, TextRule, hundredths, index_ids, share};
use super::limits;
use super::loaded::Loaded;
use super::vocabulary::{DECISIONS, ENGAGEMENTS, GROUPS, JOB_TYPES, REGISTRATIONS, ROLES};
use super::warnings::warnings;
use crate::model::*;
use crate::policy::Policy;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// One BAD-1 error: the record, the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    /// The record, e.g. `referral rA` or `referral rA job j1`; empty for the document.
    pub record: String,
    /// The field, e.g. `access` or `contacts[2].date`.
    pub field: String,
    pub message: String,
}

impl BundleError {
    /// The field's own name, without the record's lists around it:
    /// `transfers[1].date` → `date`, `discharge.reason` → `reason`.
    pub fn field_name(&self) -> &str {
        let last = self.field.rsplit('.').next().unwrap_or(&self.field);
        last.split('[').next().unwrap_or(last)
    }

    /// The message as a form shows it beside its field, and the API gives
    /// it for that field: the field named in words (`Reason must be 500
    /// characters or fewer`), the same whichever door the record came by.
    pub fn plain(&self) -> String {
        let rest = self
            .message
            .strip_prefix(self.field.as_str())
            .filter(|r| r.starts_with(' '));
        let text = match rest {
            Some(rest) => format!("{}{rest}", self.field_name().replace('_', " ")),
            None => self.message.clone(),
        };
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.record.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.record, self.message)
        }
    }
}

/// Every BAD-1 error found in a bundle. The bundle is refused whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct BundleErrors(pub Vec<BundleError>);

impl fmt::Display for BundleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Checks every BAD-1 rule and builds the dataset, or returns every error found.
pub fn validate(doc: &BundleDoc) -> Result<Loaded, BundleErrors> {
    let mut c = Checker {
        errors: Vec::new(),
        record: String::new(),
    };
    if doc.format != BUNDLE_FORMAT {
        c.error(
            "format",
            format!("format `{}` is not {BUNDLE_FORMAT}", doc.format),
        );
    }
    c.record = "service".into();
    let service_start = c.date("start_date", &doc.service.start_date);
    let service_name = c
        .text(
            "name",
            Some(&doc.service.name),
            TextRule::line(limits::SERVICE_NAME_CHARS),
        )
        .ok()
        .map(Option::unwrap_or_default);
    let policy = c_policy(&mut c, doc.policy.as_ref());

    let teams = index_ids(
        &mut c.errors,
        "team",
        doc.teams.iter().map(|t| t.id.as_str()),
    );
    let staff_ids = index_ids(
        &mut c.errors,
        "staff",
        doc.staff.iter().map(|s| s.id.as_str()),
    );
    let clients = index_ids(
        &mut c.errors,
        "client",
        doc.clients.iter().map(|s| s.id.as_str()),
    );
    let _referral_ids = index_ids(
        &mut c.errors,
        "referral",
        doc.referrals.iter().map(|r| r.id.as_str()),
    );

    let mut staff = Vec::with_capacity(doc.staff.len());
    for s in &doc.staff {
        c.record = format!("staff {}", s.id.trim());
        let role = c.enumeration("role", &s.role, &ROLES);
        let team = teams.get(s.team.trim()).copied();
        if team.is_none() {
            c.error(
                "team",
                format!("team {} is not a team of this bundle", s.team),
            );
        }
        let start = c.date("start_date", &s.start_date);
        let end = c.opt_date("end_date", &s.end_date);
        if let (Some(st), Some(e)) = (start, end)
            && e < st
        {
            c.error(
                "end_date",
                format!("end_date {e} is before start_date {st}"),
            );
        }
        let fte = match hundredths(&s.fte, 4) {
            Some(v) if v > 0 && v <= 10_000 => Some(Fte(v as u32)),
            _ => {
                c.error("fte", format!("fte {} is outside (0, 1]", s.fte));
                None
            }
        };
        let name = c.required_text("name", &s.name, TextRule::line(limits::STAFF_NAME_CHARS));
        if let (Some(role), Some(team), Some(start_date), Some(fte), Some(name)) =
            (role, team, start, fte, name)
        {
            staff.push(Staff {
                id: s.id.trim().to_string(),
                name,
                role,
                team,
                start_date,
                end_date: end,
                fte,
            });
        }
    }
    let is_es = |idx: u32| doc.staff[idx as usize].role.trim() == "es";
    // The clients in the bundle's order (the referrals' index into them).
    let clients_checked = super::person::check_clients(&mut c, &doc.clients);

    let mut referrals = Vec::with_capacity(doc.referrals.len());
    for r in &doc.referrals {
        c.record = format!("referral {}", r.id.trim());
        if let Some(referral) = check_referral(&mut c, r, &clients, &staff_ids, &is_es) {
            referrals.push(Arc::new(referral));
        }
    }

    let employer_contacts = super::employer_contacts::check_employer_contact_docs(
        &mut c,
        &doc.employer_contacts,
        &staff_ids,
        &clients,
        &is_es,
    );

    let mut team_names = Vec::with_capacity(doc.teams.len());
    for t in &doc.teams {
        c.record = format!("team {}", t.id.trim());
        team_names.push(c.required_text("name", &t.name, TextRule::line(limits::STAFF_NAME_CHARS)));
    }

    if !c.errors.is_empty() {
        return Err(BundleErrors(c.errors));
    }
    let dataset = Dataset {
        service: Service {
            name: service_name.expect("checked"),
            start_date: service_start.expect("checked"),
        },
        policy: policy.expect("checked"),
        teams: doc
            .teams
            .iter()
            .zip(team_names)
            .map(|(t, name)| Team {
                id: t.id.trim().to_string(),
                name: name.expect("checked"),
            })
            .collect(),
        staff,
        clients: Arc::new(clients_checked),
        referrals,
        employer_contacts: Arc::new(employer_contacts),
    };
    let warnings = warnings(&dataset);
    Ok(Loaded::new(dataset, warnings))
}

/// A bundle as it is stored (BAD-1, revision 3): checked, then written back
/// from the checked records — text trimmed, codes and numbers as the bundle
/// writes them, absent lists empty. Reading the result again gives the same
/// dataset and the same document, so what a store keeps is exactly what its
/// loader accepts. The referrals' versions (`referral_versions`, not
/// records) are kept as given.
pub fn canonical(doc: &BundleDoc) -> Result<BundleDoc, BundleErrors> {
    validate(doc).map(|loaded| BundleDoc {
        referral_versions: doc.referral_versions.clone(),
        ..super::writing::to_document(&loaded.dataset)
    })
}

fn c_policy(c: &mut Checker, doc: Option<&PolicyDoc>) -> Option<Policy> {
    let mut p = Policy::default();
    let Some(doc) = doc else { return Some(p) };
    c.record = "policy".into();
    let before = c.errors.len();
    let days = |c: &mut Checker, field: &str, v: Option<i32>, target: &mut i32| {
        if let Some(v) = v {
            if v < 0 {
                c.error(field, format!("{field} {v} must not be negative"));
            } else {
                *target = v;
            }
        }
    };
    days(
        c,
        "contact_window_days",
        doc.contact_window_days,
        &mut p.contact_window_days,
    );
    days(
        c,
        "assertive_engagement_extra_days",
        doc.assertive_engagement_extra_days,
        &mut p.assertive_engagement_extra_days,
    );
    days(
        c,
        "hold_limit_days",
        doc.hold_limit_days,
        &mut p.hold_limit_days,
    );
    days(
        c,
        "sustainment_gap_days",
        doc.sustainment_gap_days,
        &mut p.sustainment_gap_days,
    );
    if let Some(n) = &doc.job_hours_threshold
        && let Some(h) = c.hours("job_hours_threshold", n)
    {
        p.job_hours_threshold = h.0;
    }
    if let Some(v) = doc.access_target_year1 {
        p.access_target_year1 = v;
    }
    if let Some(v) = doc.access_target_year2 {
        p.access_target_year2 = v;
    }
    if let Some(v) = doc.training_months {
        if v > 12 {
            c.error(
                "training_months",
                format!("training_months {v} is more than 12"),
            );
        } else {
            p.training_months = v;
        }
    }
    for (field, value, target) in [
        (
            "job_outcome_rate_target",
            &doc.job_outcome_rate_target,
            &mut p.job_outcome_rate_target,
        ),
        (
            "sustainment_rate_target",
            &doc.sustainment_rate_target,
            &mut p.sustainment_rate_target,
        ),
        (
            "retention_share_max",
            &doc.retention_share_max,
            &mut p.retention_share_max,
        ),
    ] {
        if let Some(n) = value {
            match share(n) {
                Some(v) => *target = v,
                None => c.error(field, format!("{field} {n} is not a share between 0 and 1 with at most four decimal places")),
            }
        }
    }
    if let Some(v) = doc.fidelity_caseload {
        p.fidelity_caseload = v;
    }
    if let Some([lo, hi]) = doc.caseload_band {
        if hi < lo {
            c.error(
                "caseload_band",
                format!("caseload_band [{lo}, {hi}] ends before it starts"),
            );
        } else {
            p.caseload_band = (lo, hi);
        }
    }
    (c.errors.len() == before).then_some(p)
}

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
            Some(idx) => Some(idx),
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
    let contacts: Vec<Contact> = r
        .contacts
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, k)| c.contact(|| format!("contacts[{i}]"), k))
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
        if let (Some(spell), Some(active), Ok(reason)) = (spell, active, reason) {
            decisions.push(Decision {
                spell,
                active,
                reason,
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
    let mut jobs = Vec::new();
    let mut job_ids: HashMap<&str, ()> = HashMap::new();
    for (i, j) in r.jobs.iter().flatten().enumerate() {
        let record = c.record.clone();
        let job_id = j.id.trim();
        c.record = format!("referral {} job {}", r.id.trim(), job_id);
        if job_id.is_empty() {
            c.record = format!("referral {} job #{}", r.id.trim(), i + 1);
            c.error("id", "missing required field id");
        } else if let Err(problem) =
            super::fields::read_text(job_id, TextRule::line(limits::ID_CHARS))
        {
            c.error("id", format!("id {}", problem.words()));
        } else if job_ids.insert(job_id, ()).is_some() {
            c.error("id", format!("duplicate id {job_id}"));
        }
        if let Some(job) = check_job(c, j) {
            jobs.push(job);
        }
        c.record = record;
    }
    if c.errors.len() != before {
        return None;
    }
    Some(Referral {
        id: r.id.trim().to_string(),
        client: client?,
        received: received?,
        status_at_referral: status?,
        es,
        transfers,
        access,
        vocational_plan,
        plan_reviews,
        plan_agreed,
        contacts,
        holds,
        waiting_list,
        engagement,
        decisions,
        discharge,
        jobs,
        version: 0,
    })
}

fn check_job(c: &mut Checker, j: &JobDoc) -> Option<Job> {
    let before = c.errors.len();
    let kind = if matches!(
        j.kind.trim(),
        "volunteering" | "volunteer" | "unpaid_placement"
    ) {
        c.error(
            "type",
            format!(
                "type `{}` is not paid work and is not a job (JOB-1)",
                j.kind
            ),
        );
        None
    } else {
        c.enumeration("type", &j.kind, &JOB_TYPES)
    };
    let start = c.date("start", &j.start);
    let end = c.opt_date("end", &j.end);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        c.error("end", format!("end {e} is before start {s}"));
    }
    let hours_per_week = j
        .hours_per_week
        .as_ref()
        .and_then(|n| c.hours("hours_per_week", n));
    let employer = c.text(
        "employer",
        j.employer.as_deref(),
        TextRule::line(limits::EMPLOYER_CHARS),
    );
    let weekly: &[Number] = j.weekly_hours.as_deref().unwrap_or_default();
    if weekly.len() > 4 {
        c.error(
            "weekly_hours",
            format!(
                "weekly_hours has {} weeks; at most 4 (the first month) are recorded",
                weekly.len()
            ),
        );
    }
    let weekly_hours: Vec<Hours> = weekly
        .iter()
        .enumerate()
        .filter_map(|(i, n)| c.hours(&format!("weekly_hours[{i}]"), n))
        .collect();
    let four_hours_confirmed = c.opt_date("four_hours_confirmed", &j.four_hours_confirmed);
    if let (Some(s), Some(f)) = (start, four_hours_confirmed)
        && f < s
    {
        c.error(
            "four_hours_confirmed",
            format!("four_hours_confirmed {f} is before start {s}"),
        );
    }
    let registration = j
        .self_employment_registration
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| c.enumeration("self_employment_registration", t, &REGISTRATIONS));
    let return_to_work = c.opt_date("return_to_work", &j.return_to_work);
    let evidence = c.text(
        "self_employment_evidence",
        j.self_employment_evidence.as_deref(),
        TextRule::line(limits::EVIDENCE_CHARS),
    );
    if c.errors.len() != before {
        return None;
    }
    Some(Job {
        id: j.id.trim().to_string(),
        kind: kind?,
        employer: employer.ok()?,
        start: start?,
        end,
        hours_per_week,
        weekly_hours,
        four_hours_confirmed,
        self_employment_registration: registration,
        self_employment_evidence: evidence.ok()?.map(Box::from),
        retained: j.retained.unwrap_or(false),
        return_to_work,
    })
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
