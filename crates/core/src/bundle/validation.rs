//! Validation: every BAD-1 rule checked over a whole bundle (format, service,
//! policy, ids, staff, referrals and their jobs), building the dataset or
//! returning every error found, each naming its record and field.

use std::sync::Arc;

use super::document::{BUNDLE_FORMAT, BundleDoc};
use super::errors::{BundleErrors, Checker, hundredths, index_ids};
use super::limits;
use super::loaded::Loaded;
use super::referral_check::check_referral;
use super::text::TextRule;
use super::vocabulary::ROLES;
use super::warnings::warnings;
use crate::model::*;

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

    let errs = &mut c.errors;
    let teams = index_ids(errs, "team", doc.teams.iter().map(|t| t.id.as_str()));
    let staff_ids = index_ids(errs, "staff", doc.staff.iter().map(|s| s.id.as_str()));
    let clients = index_ids(errs, "client", doc.clients.iter().map(|s| s.id.as_str()));
    let _referral_ids = index_ids(
        errs,
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
                team: TeamIdx(team),
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

    let fidelity_reviews = super::fidelity_review::check_fidelity_review_docs(
        &mut c,
        &doc.fidelity_reviews,
        &teams,
        None,
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
        referral_clients: Arc::new(referrals.iter().map(|r| r.client).collect()),
        referrals,
        employer_contacts: Arc::new(employer_contacts),
        fidelity_reviews: Arc::new(fidelity_reviews),
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
