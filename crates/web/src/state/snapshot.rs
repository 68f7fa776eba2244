//! A snapshot: one version of the data and what is made from it — the
//! reports (whole, and of each team and ES), the worklists — made once per
//! key and carried into the next snapshot where a write cannot have
//! changed them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ipstrack_core::alert::WorkItem;
use ipstrack_core::equality::{Equality, Whole, equality};
use ipstrack_core::fidelity::{self, Evidence, ReviewScope};
use ipstrack_core::model::TeamIdx;
use ipstrack_core::report::{
    Kpis, Part, PartReferrals, PartReport, PartTrends, Report, ReportError, ReportFacts,
    report_from_facts, report_of_part, trends_of_part, year_to_date_period,
};
use ipstrack_core::{Day, Loaded, Period};

use super::memo::Memo;

/// How many of each a snapshot keeps (see [`Memo`]): whole-service reports
/// are the largest (megabytes at national size), a part's the most asked
/// for (a dashboard reads its period's and the year to date's).
const REPORTS_KEPT: usize = 16;
/// The facts behind whole-service reports are the largest of all (each
/// referral's part of a period's figures: tens of megabytes at national
/// size), kept for the two periods read most recently.
const FACTS_KEPT: usize = 2;
/// Past this many referrals changed since facts were made, a report is
/// made whole rather than from them.
const CHANGES_CARRIED: usize = 10_000;
const PART_REPORTS_KEPT: usize = 4_096;
/// A part's trends are a few figures a month and a quarter: one per
/// dashboard or plan read (part, period, as-of date).
const PART_TRENDS_KEPT: usize = 1_024;
const PARTS_KEPT: usize = 4_096;
const WORKLISTS_KEPT: usize = 8;
/// A fidelity review's evidence: a few dozen lines per (team or service,
/// period, as-of date).
const FIDELITY_KEPT: usize = 64;
/// The equality figures (issue 26) of the service or a team: a few hundred
/// numbers each, one per page read (whose, period, as-of date).
const EQUALITIES_KEPT: usize = 256;

/// The whole service's report and what no ES held (its "not allocated" row).
type ServiceReport = (Arc<Report>, Arc<Kpis>);

/// Facts made by an earlier snapshot and the referrals changed since.
#[derive(Clone)]
struct Inherited {
    facts: Arc<ReportFacts>,
    changed: Vec<usize>,
}

/// One version of the data, with the reports and worklists made from it (by
/// period and as-of date, and by day), each made once ([`Memo`]). A write
/// makes a new snapshot: nothing made from older data is served after it,
/// but what the write cannot have changed — the reports of the teams and ES
/// who never held one of the person's referrals — is carried into it.
pub struct Snapshot {
    loaded: Loaded,
    /// The whole service's report and what no ES held, made together.
    reports: Memo<(String, Day), Result<ServiceReport, ReportError>>,
    /// Each referral's part of a whole-service report (core's
    /// `ReportFacts`), by period and as-of date.
    facts: Memo<(String, Day), Result<Arc<ReportFacts>, ReportError>>,
    /// Facts an earlier snapshot made, with the positions of the referrals
    /// changed since: a report here derives those again only.
    inherited: Mutex<HashMap<(String, Day), Inherited>>,
    parts: Memo<Part, Arc<PartReferrals>>,
    part_reports: Memo<(Part, String, Day), Result<Arc<PartReport>, ReportError>>,
    /// A part's trends (core's `trends_of_part`), kept and carried as its
    /// reports are.
    part_trends: Memo<(Part, String, Day), Result<Arc<PartTrends>, ReportError>>,
    worklists: Memo<Day, Arc<Vec<WorkItem>>>,
    /// The fidelity review's evidence (core's `fidelity::evidence`) by
    /// team (`None`: the service), period and as-of date; made again after
    /// any save (it reads every referral of its scope).
    fidelity: Memo<(Option<TeamIdx>, String, Day), Arc<Vec<Evidence>>>,
    /// The equality figures (issue 26), made again after any write (a
    /// person's details move them between groups).
    equalities: Memo<(Whole, String, Day), Result<Arc<Equality>, ReportError>>,
}

impl Snapshot {
    pub(crate) fn new(loaded: Loaded) -> Snapshot {
        Snapshot {
            loaded,
            reports: Memo::new(REPORTS_KEPT),
            facts: Memo::new(FACTS_KEPT),
            inherited: Mutex::default(),
            parts: Memo::new(PARTS_KEPT),
            part_reports: Memo::new(PART_REPORTS_KEPT),
            part_trends: Memo::new(PART_TRENDS_KEPT),
            worklists: Memo::new(WORKLISTS_KEPT),
            fidelity: Memo::new(FIDELITY_KEPT),
            equalities: Memo::new(EQUALITIES_KEPT),
        }
    }

    /// The next snapshot after a change to the referral at position
    /// `changed` only: it carries the parts' referrals and reports of every
    /// part but `moved` (core's `parts_reading_client` before and after the
    /// change), and the facts of whole-service reports with the changed
    /// referral to derive again.
    pub(super) fn after_referral(
        &self,
        loaded: Loaded,
        moved: &[Part],
        changed: usize,
    ) -> Snapshot {
        let made: Vec<_> = self.facts.made();
        let mut inherited = self.inherited.lock().expect("not poisoned").clone();
        if inherited.len() + made.len() > FACTS_KEPT {
            // The facts made here are the newest; older ones are let go.
            inherited.clear();
        }
        for (key, facts) in made {
            if let Ok(facts) = facts {
                let changed = Vec::new();
                inherited.insert(key, Inherited { facts, changed });
            }
        }
        inherited.retain(|_, i| {
            i.changed.push(changed);
            i.changed.len() <= CHANGES_CARRIED
        });
        Snapshot {
            parts: self.parts.carried(|p| !moved.contains(p)),
            part_reports: self.part_reports.carried(|(p, _, _)| !moved.contains(p)),
            part_trends: self.part_trends.carried(|(p, _, _)| !moved.contains(p)),
            inherited: Mutex::new(inherited),
            ..Snapshot::new(loaded)
        }
    }

    /// The next snapshot after a change to the employer contacts, which no
    /// report or part reads: those are carried. The worklist (ENG-4: a
    /// client with no employer contact 30 days after access) and the
    /// fidelity evidence (rapid search, employer contacts) read them: made
    /// again.
    pub(super) fn after_employer_contacts(&self, loaded: Loaded) -> Snapshot {
        Snapshot {
            reports: self.reports.carried(|_| true),
            facts: self.facts.carried(|_| true),
            inherited: Mutex::new(self.inherited.lock().expect("not poisoned").clone()),
            parts: self.parts.carried(|_| true),
            part_reports: self.part_reports.carried(|_| true),
            part_trends: self.part_trends.carried(|_| true),
            equalities: self.equalities.carried(|_| true),
            ..Snapshot::new(loaded)
        }
    }

    /// The next snapshot after a change to the fidelity reviews (issue 26),
    /// which nothing made here reads: everything is carried.
    pub(super) fn after_fidelity_reviews(&self, loaded: Loaded) -> Snapshot {
        Snapshot {
            worklists: self.worklists.carried(|_| true),
            fidelity: self.fidelity.carried(|_| true),
            ..self.after_employer_contacts(loaded)
        }
    }

    /// The report of a period as of a day, made once per snapshot.
    pub(crate) fn report(&self, period: &Period, as_of: Day) -> Result<Arc<Report>, ReportError> {
        self.report_and_unallocated(period, as_of).map(|(r, _)| r)
    }

    fn report_and_unallocated(
        &self,
        period: &Period,
        as_of: Day,
    ) -> Result<ServiceReport, ReportError> {
        let key = (period.label.clone(), as_of);
        self.reports.get_or_make(&key, || {
            let facts = self.report_facts(&key, period, as_of)?;
            let (r, none) = report_from_facts(&self.loaded.dataset, &self.loaded.warnings, &facts);
            Ok((Arc::new(r), Arc::new(none)))
        })
    }

    /// Whether the report of `period` as of `as_of` will be added up from an
    /// earlier snapshot's facts.
    #[cfg(test)]
    pub(super) fn inherits(&self, period: &Period, as_of: Day) -> bool {
        let key = (period.label.clone(), as_of);
        self.inherited
            .lock()
            .expect("not poisoned")
            .contains_key(&key)
    }

    /// Each referral's part of the whole report of `period` as of `as_of`:
    /// an earlier snapshot's with the referrals changed since derived
    /// again, or every referral's derived.
    fn report_facts(
        &self,
        key: &(String, Day),
        period: &Period,
        as_of: Day,
    ) -> Result<Arc<ReportFacts>, ReportError> {
        self.facts.get_or_make(key, || {
            let inherited = self.inherited.lock().expect("not poisoned").remove(key);
            let data = &self.loaded.dataset;
            match inherited {
                Some(i) => Ok(Arc::new(i.facts.with_changed(data, &i.changed))),
                None => ReportFacts::new(data, period, as_of).map(Arc::new),
            }
        })
    }
    /// The report of a team or an ES for a period as of a day, made from
    /// their referrals alone (core's `report_of_part`), once per snapshot
    /// and kept by the next while no write touches the part.
    pub(crate) fn part_report(
        &self,
        part: Part,
        period: &Period,
        as_of: Day,
    ) -> Result<Arc<PartReport>, ReportError> {
        let key = (part, period.label.clone(), as_of);
        self.part_reports.get_or_make(&key, || {
            let referrals = self.part_referrals(part);
            report_of_part(&self.loaded.dataset, period, as_of, &referrals).map(Arc::new)
        })
    }

    /// The trends of a team or an ES over a period as of a day (each month
    /// as known at its end, each quarter at its end or the as-of date),
    /// made in one pass over their referrals (core's `trends_of_part`), once
    /// per snapshot and kept by the next while no write touches the part.
    pub(crate) fn part_trends(
        &self,
        part: Part,
        period: &Period,
        as_of: Day,
    ) -> Result<Arc<PartTrends>, ReportError> {
        let key = (part, period.label.clone(), as_of);
        self.part_trends.get_or_make(&key, || {
            let referrals = self.part_referrals(part);
            trends_of_part(&self.loaded.dataset, period, as_of, &referrals).map(Arc::new)
        })
    }

    /// The referrals a team's or an ES's figures read (core's
    /// `Part::referrals`), once per snapshot and kept like its reports.
    pub(crate) fn part_referrals(&self, part: Part) -> Arc<PartReferrals> {
        self.parts
            .get_or_make(&part, || Arc::new(part.referrals(&self.loaded.dataset)))
    }

    /// TGT-3 *(rev. 3)*: the report of the financial year to date of
    /// `r`'s period (as of the same day), whose rates a part-year period's
    /// statuses judge; `None` for a whole financial year.
    pub(crate) fn year_to_date(&self, r: &Report) -> Result<Option<Arc<Report>>, ReportError> {
        year_to_date_period(&r.period.period())
            .map(|ytd| self.report(&ytd, r.as_of))
            .transpose()
    }

    /// [`Snapshot::year_to_date`] of a part's report.
    pub(crate) fn part_year_to_date(
        &self,
        r: &PartReport,
    ) -> Result<Option<Arc<PartReport>>, ReportError> {
        year_to_date_period(&r.period.period())
            .map(|ytd| self.part_report(r.part, &ytd, r.as_of))
            .transpose()
    }

    /// What no ES held in a period as of a day (R-2, core's
    /// `report::unallocated`), made with the report of the same period.
    pub(crate) fn unallocated(
        &self,
        period: &Period,
        as_of: Day,
    ) -> Result<Arc<Kpis>, ReportError> {
        self.report_and_unallocated(period, as_of)
            .map(|(_, none)| none)
    }

    /// The equality figures of the service or a team for a period as of a
    /// day (core's `equality`, issue 26), made once per snapshot.
    pub(crate) fn equality(
        &self,
        whole: Whole,
        period: &Period,
        as_of: Day,
    ) -> Result<Arc<Equality>, ReportError> {
        let key = (whole, period.label.clone(), as_of);
        self.equalities.get_or_make(&key, || {
            equality(&self.loaded.dataset, period, as_of, whole).map(Arc::new)
        })
    }

    /// The worklist of a day (CASE-4), made once per snapshot.
    /// The fidelity review's evidence for `scope` over `period` as of
    /// `as_of` (FIDR-3..16), once per snapshot and key.
    pub(crate) fn fidelity_evidence(
        &self,
        scope: ReviewScope,
        period: &Period,
        as_of: Day,
    ) -> Arc<Vec<Evidence>> {
        let team = match scope {
            ReviewScope::Service => None,
            ReviewScope::Team(t) => Some(t),
        };
        self.fidelity
            .get_or_make(&(team, period.label.clone(), as_of), || {
                Arc::new(fidelity::evidence(
                    &self.loaded.dataset,
                    scope,
                    period,
                    as_of,
                ))
            })
    }

    pub(crate) fn worklist(&self, day: Day) -> Arc<Vec<WorkItem>> {
        self.worklists.get_or_make(&day, || {
            Arc::new(ipstrack_core::worklist::worklist(&self.loaded.dataset, day))
        })
    }
}

impl std::ops::Deref for Snapshot {
    type Target = Loaded;
    fn deref(&self) -> &Loaded {
        &self.loaded
    }
}
