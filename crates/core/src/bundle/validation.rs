//! Validation: every BAD-1 rule checked over a whole bundle (format, service,
//! policy, ids, staff, referrals and their jobs), building the dataset or
//! returning every error found, each naming its record and field.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::document::{BUNDLE_FORMAT, BundleDoc, ReferralDoc};
use super::fields::{Checker, TextRule, hundredths, index_ids};
use super::limits;
use super::loaded::Loaded;
use super::vocabulary::{CHECK_SOURCES, DECISIONS, ENGAGEMENTS, GROUPS, ROLES};
use super::warnings::warnings;
use crate::model::*;
use crate::time::Day;

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
    let policy = super::policy_check::check_policy(&mut c, doc.policy.as_ref());

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
        } else if let Err(problem) =
            super::fields::read_text(job_id, TextRule::line(limits::ID_CHARS))
        {
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
        in_work_checks,
        entered_in_error,
        version: 0,
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
