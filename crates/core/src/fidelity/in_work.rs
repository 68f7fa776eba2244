//! FIDR-6..9: diversity of employers (and why not of job types), follow-
//! along after job starts, and outreach before discharge.

use std::collections::HashSet;

use super::evidence::{
    Evidence, ReviewScope, Source, diversity_score, in_scope, individualised_follow_along_score,
    job_starts, time_unlimited_follow_along_score,
};
use super::scale::ItemId;
use crate::attribution::assigned_on;
use crate::model::{ContactKind, Dataset};
use crate::time::{Day, DayRange};

/// FIDR-6: job starts on the days (not jobs held at referral) credited to
/// an ES of the scope on the start; different employers (trimmed, without
/// case) over jobs naming one. Job types: the kind of work is not recorded.
pub(super) fn diversity(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
    item: ItemId,
) -> Evidence {
    let mut employers = Vec::new();
    let mut contracts = HashSet::new();
    let mut jobs = 0u32;
    for job in job_starts(data, scope, days, as_of) {
        jobs += 1;
        contracts.insert(format!("{:?}", job.kind));
        if let Some(name) = job
            .employer
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            employers.push(name.to_lowercase());
        }
    }
    if item == ItemId::DiversityOfJobTypes {
        return Evidence {
            records: jobs,
            figure: None,
            ..Evidence::without(
                item,
                Source::NotRecordedYet,
                &format!(
                    "Not recorded yet: the kind of work (occupation) of each job. {jobs} job starts in the period, on {n} kinds of contract (employee, zero hours, self-employed…), which are not job types.",
                    n = contracts.len()
                ),
            )
        };
    }
    let named = employers.len() as u32;
    let distinct = employers.iter().collect::<HashSet<_>>().len() as u32;
    let suggested = diversity_score(distinct, named);
    Evidence {
        item,
        source: Source::Records,
        words: if named == 0 {
            format!("No job start in the period names its employer ({jobs} job starts).")
        } else {
            format!(
                "{distinct} different employers across {named} job starts naming one ({share:.0}% different; {unnamed} without an employer left out).",
                share = f64::from(distinct) * 100.0 / f64::from(named),
                unnamed = jobs - named
            )
        },
        figure: (named > 0).then(|| f64::from(distinct) / f64::from(named)),
        records: named,
        suggested,
    }
}

/// People in work on the days and the in-work support they had (FIDR-7, 8).
pub(super) struct FollowAlong {
    working: u32,
    supported: u32,
    /// Days from the job start to the last in-work support contact, for
    /// each person supported.
    lasted: Vec<u32>,
    contacts: u32,
}

/// A referral with a job (not held at referral) worked on some day of the
/// days, credited to an ES of the scope on the later of its first such
/// job's start and the period's start; in-work support contacts from that
/// start to the last of the days.
pub(super) fn follow_along(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> FollowAlong {
    let mut out = FollowAlong {
        working: 0,
        supported: 0,
        lasted: Vec::new(),
        contacts: 0,
    };
    for (_, r) in data.counted_referrals() {
        let start = r
            .jobs
            .iter()
            .filter(|j| !j.retained && j.start <= days.end && j.end.is_none_or(|e| e >= days.start))
            .map(|j| j.start)
            .min();
        let Some(start) = start else { continue };
        if !in_scope(data, scope, assigned_on(r, start.max(days.start), as_of)) {
            continue;
        }
        out.working += 1;
        let support: Vec<Day> = r
            .contacts
            .iter()
            .filter(|c| {
                c.kind == ContactKind::InWorkSupport && start <= c.date && c.date <= days.end
            })
            .map(|c| c.date)
            .collect();
        if let Some(last) = support.iter().max() {
            out.supported += 1;
            out.contacts += support.len() as u32;
            out.lasted.push(last.since(start) as u32);
        }
    }
    out.lasted.sort_unstable();
    out
}

impl FollowAlong {
    pub(super) fn evidence(&self, item: ItemId) -> Evidence {
        if self.working == 0 {
            return Evidence::without(
                item,
                Source::Records,
                "Nobody of the scope was in work in the period.",
            );
        }
        let median = match self.lasted.len() {
            0 => "none".to_string(),
            n if n % 2 == 1 => format!("{} days", self.lasted[n / 2]),
            n => format!(
                "{} days",
                f64::from(self.lasted[n / 2 - 1] + self.lasted[n / 2]) / 2.0
            ),
        };
        let words = format!(
            "{s} of {w} people in work ({share:.0}%) had in-work support after their job start ({c} contacts); the last came a median {median} after the start.",
            s = self.supported,
            w = self.working,
            share = f64::from(self.supported) * 100.0 / f64::from(self.working),
            c = self.contacts,
        );
        let suggested = if item == ItemId::IndividualisedFollowAlong {
            individualised_follow_along_score(self.supported, self.working)
        } else {
            time_unlimited_follow_along_score(self.supported, self.working)
        };
        Evidence {
            item,
            source: Source::Records,
            words,
            figure: Some(f64::from(self.supported) / f64::from(self.working)),
            records: self.working,
            suggested,
        }
    }
}

/// FIDR-9: referrals discharged on the days (by an ES of the scope on the
/// day before discharge) with no two-way contact in the contact window
/// before discharge (disengaged), and the attempts recorded since their
/// last two-way contact. A figure only: the anchors count strategies.
pub(super) fn assertive_engagement(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> Evidence {
    let window = data.policy.contact_window_days;
    let (mut disengaged, mut with_attempts, mut attempts) = (0u32, 0u32, 0u32);
    for (_, r) in data.counted_referrals() {
        let Some(discharge) = r
            .discharge
            .as_ref()
            .map(|d| d.date)
            .filter(|d| days.contains(*d))
        else {
            continue;
        };
        if !in_scope(data, scope, assigned_on(r, discharge.plus(-1), as_of)) {
            continue;
        }
        let last_two_way = r
            .contacts
            .iter()
            .filter(|c| c.kind.is_two_way() && c.date <= discharge)
            .map(|c| c.date)
            .chain(r.access)
            .filter(|d| *d <= discharge)
            .max();
        let Some(last) = last_two_way else { continue };
        if discharge.since(last) <= window {
            continue;
        }
        disengaged += 1;
        let n = r
            .contacts
            .iter()
            .filter(|c| {
                c.kind == ContactKind::AssertiveEngagement && last < c.date && c.date <= discharge
            })
            .count() as u32;
        attempts += n;
        with_attempts += u32::from(n > 0);
    }
    let item = ItemId::AssertiveEngagement;
    Evidence {
        item,
        source: Source::Records,
        words: if disengaged == 0 {
            format!(
                "No client was discharged in the period after more than {window} days without contact."
            )
        } else {
            format!(
                "{with_attempts} of {disengaged} clients discharged after more than {window} days without contact had outreach attempts recorded ({attempts} attempts). The anchors count engagement strategies: the reviewers score it."
            )
        },
        figure: (disengaged > 0).then(|| f64::from(with_attempts) / f64::from(disengaged)),
        records: disengaged,
        suggested: None,
    }
}
