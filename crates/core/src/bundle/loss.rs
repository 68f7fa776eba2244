//! What replacing a stored referral with another form of it would take away
//! (issue 20): an import replaces a referral whole, so every entry the
//! stored form has and the incoming form lacks is lost, and so is every
//! recorded value it changes. Imports refuse a referral changed since their
//! bundle was taken, and previews list what each replacement removes.

use std::fmt;

use serde::Serialize;

use super::document::ReferralDoc;

/// What replacing a stored referral with an incoming form of it removes:
/// per list, the stored entries the incoming form does not hold (an entry
/// changed since counts as removed: its recorded form is lost), and the
/// recorded values it changes or clears.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub contacts: usize,
    pub jobs: usize,
    pub transfers: usize,
    pub holds: usize,
    pub waiting_list: usize,
    pub engagement: usize,
    pub decisions: usize,
    pub plan_reviews: usize,
    /// *(rev. 3)* In-work checks (SUS-6).
    pub in_work_checks: usize,
    /// Recorded values changed or cleared, as people say them ("the access
    /// date", "the discharge").
    pub values: Vec<&'static str>,
}

/// How many entries of `stored` are not in `incoming` (each incoming entry
/// matches one stored entry at most).
fn missing<T: PartialEq>(stored: &[T], incoming: &[T]) -> usize {
    if stored == incoming {
        return 0;
    }
    let mut used = vec![false; incoming.len()];
    stored
        .iter()
        .filter(
            |s| match (0..incoming.len()).find(|&i| !used[i] && incoming[i] == **s) {
                Some(i) => {
                    used[i] = true;
                    false
                }
                None => true,
            },
        )
        .count()
}

fn list<T>(list: &Option<Vec<T>>) -> &[T] {
    list.as_deref().unwrap_or_default()
}

/// What replacing `stored` with `incoming` (the same referral) removes.
pub fn removed(stored: &ReferralDoc, incoming: &ReferralDoc) -> Removed {
    let mut values = Vec::new();
    let mut value = |changed: bool, name: &'static str| {
        if changed {
            values.push(name);
        }
    };
    value(stored.client != incoming.client, "the client");
    value(stored.received != incoming.received, "the referral date");
    value(
        stored.status_at_referral != incoming.status_at_referral,
        "the employment status at referral",
    );
    let recorded = |a: &Option<String>, b: &Option<String>| a.is_some() && a != b;
    value(recorded(&stored.es, &incoming.es), "the ES");
    value(
        recorded(&stored.access, &incoming.access),
        "the access date",
    );
    let plan = |r: &ReferralDoc| {
        r.vocational_plan
            .as_ref()
            .map(|p| (p.start.clone(), p.end.clone(), p.agreed_with_clinical_team))
    };
    let stored_plan = plan(stored);
    value(
        stored_plan.is_some() && stored_plan != plan(incoming),
        "the vocational plan",
    );
    value(
        stored.discharge.is_some() && stored.discharge != incoming.discharge,
        "the discharge",
    );
    let preferences = |r: &ReferralDoc| {
        r.vocational_plan
            .as_ref()
            .and_then(|p| p.job_preferences.clone())
    };
    let stored_preferences = preferences(stored);
    value(
        stored_preferences.is_some() && stored_preferences != preferences(incoming),
        "the job preferences",
    );
    value(
        recorded(
            &stored.better_off_calculation,
            &incoming.better_off_calculation,
        ),
        "the better-off calculation date",
    );
    value(
        stored.disclosure.is_some() && stored.disclosure != incoming.disclosure,
        "the disclosure choice",
    );
    let reviews = |r: &ReferralDoc| {
        r.vocational_plan
            .as_ref()
            .map(|p| p.reviews.clone())
            .unwrap_or_default()
    };
    // A job is compared whole, `retained` absent read as false.
    let jobs = |r: &ReferralDoc| {
        let mut jobs = list(&r.jobs).to_vec();
        for j in &mut jobs {
            j.retained.get_or_insert(false);
        }
        jobs
    };
    Removed {
        contacts: missing(list(&stored.contacts), list(&incoming.contacts)),
        jobs: missing(&jobs(stored), &jobs(incoming)),
        transfers: missing(list(&stored.transfers), list(&incoming.transfers)),
        holds: missing(list(&stored.holds), list(&incoming.holds)),
        waiting_list: missing(list(&stored.waiting_list), list(&incoming.waiting_list)),
        engagement: missing(list(&stored.engagement), list(&incoming.engagement)),
        decisions: missing(list(&stored.decisions), list(&incoming.decisions)),
        plan_reviews: missing(&reviews(stored), &reviews(incoming)),
        in_work_checks: missing(&stored.in_work_checks, &incoming.in_work_checks),
        values,
    }
}

/// Words joined as people list them: `a`, `a and b`, `a, b and c`.
fn joined(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl Removed {
    /// Nothing removed, nothing changed.
    pub fn is_empty(&self) -> bool {
        self.counts().is_empty() && self.values.is_empty()
    }

    /// The entries removed, counted (`2 contacts`, `1 job`).
    fn counts(&self) -> Vec<String> {
        [
            (self.contacts, "contact", "contacts"),
            (self.jobs, "job", "jobs"),
            (self.transfers, "transfer", "transfers"),
            (self.holds, "hold", "holds"),
            (
                self.waiting_list,
                "waiting-list spell",
                "waiting-list spells",
            ),
            (
                self.engagement,
                "engagement status change",
                "engagement status changes",
            ),
            (
                self.decisions,
                "team status decision",
                "team status decisions",
            ),
            (self.plan_reviews, "plan review", "plan reviews"),
            (self.in_work_checks, "in-work check", "in-work checks"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect()
    }

    /// What a replacement does, as words after "importing would": `remove
    /// 2 contacts and 1 job`, `change the access date`, both, or `remove
    /// nothing`.
    pub fn describe(&self) -> String {
        self.phrase("remove", "change")
    }

    fn phrase(&self, remove: &str, change: &str) -> String {
        let counts = self.counts();
        let values: Vec<String> = self.values.iter().map(|v| v.to_string()).collect();
        match (counts.is_empty(), values.is_empty()) {
            (true, true) => format!("{remove} nothing"),
            (false, true) => format!("{remove} {}", joined(&counts)),
            (true, false) => format!("{change} {}", joined(&values)),
            (false, false) => format!(
                "{remove} {}, and {change} {}",
                joined(&counts),
                joined(&values)
            ),
        }
    }
}

impl fmt::Display for Removed {
    /// What a replacement does, after "importing": `removes 2 contacts`,
    /// `changes the discharge`, both, or `removes nothing`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.phrase("removes", "changes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{ContactDoc, JobDoc, PlanDoc};

    fn referral() -> ReferralDoc {
        let mut r = ReferralDoc::new(
            "r1".into(),
            "c1".into(),
            "2024-04-01".into(),
            "unemployed".into(),
        );
        r.fill_absent();
        r
    }

    fn contact(date: &str) -> ContactDoc {
        ContactDoc {
            date: date.into(),
            kind: "remote".into(),
            ..ContactDoc::default()
        }
    }

    #[test]
    fn the_same_referral_removes_nothing() {
        let r = referral();
        assert!(removed(&r, &r).is_empty());
        assert_eq!(removed(&r, &r).to_string(), "removes nothing");
    }

    #[test]
    fn entries_the_incoming_form_lacks_are_counted_once_each() {
        let mut stored = referral();
        stored.contacts = Some(vec![
            contact("2024-05-01"),
            contact("2024-05-01"),
            contact("2024-05-08"),
        ]);
        stored.jobs = Some(vec![JobDoc {
            id: "j1".into(),
            kind: "employee".into(),
            employer: None,
            start: "2024-06-01".into(),
            end: None,
            hours_per_week: None,
            weekly_hours: None,
            four_hours_confirmed: None,
            self_employment_registration: None,
            self_employment_evidence: None,
            retained: Some(false),
            return_to_work: None,
            pays_minimum_wage: None,
            open_to_anyone: None,
            end_reason: None,
        }]);
        let mut incoming = referral();
        incoming.contacts = Some(vec![contact("2024-05-01"), contact("2024-05-15")]);
        let mut job = stored.jobs.as_ref().unwrap()[0].clone();
        job.retained = None;
        incoming.jobs = Some(vec![job]);
        let r = removed(&stored, &incoming);
        assert_eq!((r.contacts, r.jobs), (2, 0), "retained absent is false");
        assert_eq!(r.describe(), "remove 2 contacts");
    }

    #[test]
    fn recorded_values_changed_or_cleared_are_named() {
        let mut stored = referral();
        stored.access = Some("2024-04-10".into());
        stored.vocational_plan = Some(PlanDoc {
            start: "2024-04-10".into(),
            reviews: vec!["2024-07-01".into()],
            ..PlanDoc::default()
        });
        stored.contacts = Some(vec![contact("2024-04-10")]);
        let mut incoming = referral();
        incoming.access = Some("2024-04-10".into());
        incoming.es = Some("es1".into());
        let r = removed(&stored, &incoming);
        assert_eq!(
            r.values,
            vec!["the vocational plan"],
            "an ES given is not a loss"
        );
        assert_eq!(r.plan_reviews, 1);
        assert_eq!(
            r.describe(),
            "remove 1 contact and 1 plan review, and change the vocational plan"
        );
    }
}
