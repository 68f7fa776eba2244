//! Per-referral facts kept between versions of the data (issue 25): each
//! counted referral's part of one window's figures — what it credits to
//! whom, the people it counts, its RATE-2 cohort entry — derived once. After
//! a save, the next version's facts share every unchanged referral's with
//! the last and derive the saved referral's only; the report is then added
//! up from the facts, which costs a fraction of deriving them all.

use std::sync::Arc;

use rayon::prelude::*;

use super::figures::ReportError;
use super::ledger::{
    CohortEntry, Credits, Ledger, People, Tallied, Tally, Window, add_referral, settle,
    side_by_side,
};
use super::window;
use crate::jobs::Derivation;
use crate::model::{ClientIdx, Dataset, Referral, StaffIdx};
use crate::time::{Day, Period};

/// One referral's part of a window's figures.
#[derive(Clone, Debug, Default)]
pub(super) struct Facts {
    /// Counts added to (the ES who held it on the day, their team, the
    /// service); `None`: no ES.
    pub(super) credits: Vec<(Option<StaffIdx>, Tally)>,
    /// The person counted in each slot, by the ES who held it.
    pub(super) people: Vec<(People, Option<StaffIdx>)>,
    pub(super) client: ClientIdx,
    /// RATE-2: (first job outcome's start, the ES then, 13 weeks reached).
    pub(super) cohort: Option<(Day, Option<StaffIdx>, bool)>,
}

impl<'a> Credits<'a> for Facts {
    fn credit(&mut self, es: Option<StaffIdx>, add: impl Fn(&mut Tally)) {
        let mut delta = Tally::default();
        add(&mut delta);
        self.credits.push((es, delta));
    }

    /// The person is the referral's client, kept once in `client`.
    fn person(&mut self, what: People, es: Option<StaffIdx>, client: ClientIdx) {
        debug_assert_eq!(client, self.client);
        self.people.push((what, es));
    }

    fn cohort(&mut self, entry: CohortEntry<'a>) {
        debug_assert_eq!(entry.client, self.client);
        self.cohort = Some((entry.start, entry.es, entry.achieved));
    }
}

/// Every counted referral's facts over one period as known on one as-of
/// date, by the referral's position in [`Dataset::referrals`] (a position a
/// new version of the data keeps: a saved referral replaces its own, a new
/// one is added at the end).
#[derive(Clone, Debug)]
pub struct WindowFacts {
    period: Period,
    as_of: Day,
    w: Window,
    by_referral: Vec<Option<Arc<Facts>>>,
}

impl WindowFacts {
    /// Derives every counted referral's facts over `period` as known on
    /// `as_of` (T-3; refused before the period's start, as a report is).
    pub fn new(data: &Dataset, period: &Period, as_of: Day) -> Result<WindowFacts, ReportError> {
        let w = window(period, as_of)?;
        let by_referral = data
            .referrals
            .par_iter()
            .map_init(Derivation::default, |room, r| derive(data, room, r, &w))
            .collect();
        Ok(WindowFacts {
            period: period.clone(),
            as_of,
            w,
            by_referral,
        })
    }

    /// The facts of `data`, a later version of the data these were derived
    /// from in which only the referrals at `changed` differ (or were added):
    /// those are derived again, every other referral's shared.
    pub fn with_changed(&self, data: &Dataset, changed: &[usize]) -> WindowFacts {
        let mut by_referral = self.by_referral.clone();
        by_referral.resize(data.referrals.len(), None);
        for &at in changed {
            by_referral[at] = derive(
                data,
                &mut Derivation::default(),
                &data.referrals[at],
                &self.w,
            );
        }
        WindowFacts {
            period: self.period.clone(),
            as_of: self.as_of,
            w: self.w,
            by_referral,
        }
    }

    /// The period and as-of date these facts are of.
    pub fn window(&self) -> (&Period, Day) {
        (&self.period, self.as_of)
    }

    pub(super) fn days(&self) -> &Window {
        &self.w
    }

    /// The ledger of these facts, its cohort taken together and its people
    /// counted distinct.
    pub(super) fn tallied<'a>(&self, data: &'a Dataset) -> Tallied<'a> {
        let each: Vec<(usize, &Facts)> = self.each().collect();
        let ledger = side_by_side(
            data,
            &each,
            |ledger, _, (at, f)| add_facts(ledger, *at, f),
            |_, _| {},
        );
        settle(ledger, &self.w)
    }

    /// Each counted referral's facts with its position.
    pub(super) fn each(&self) -> impl Iterator<Item = (usize, &Facts)> {
        self.by_referral
            .iter()
            .enumerate()
            .filter_map(|(at, f)| f.as_deref().map(|f| (at, f)))
    }
}

/// One referral's facts, as kept (the referral at `at`), into a ledger:
/// what `add_referral` adds.
fn add_facts<'a>(ledger: &mut Ledger<'a>, at: usize, f: &Facts) {
    let data = ledger.data;
    for (es, delta) in &f.credits {
        ledger.credit(*es, |t| t.add(delta));
    }
    for (what, es) in &f.people {
        ledger.person(*what, *es, f.client);
    }
    if let Some((start, es, achieved)) = f.cohort {
        ledger.cohort(CohortEntry {
            client: f.client,
            start,
            referral: &data.referrals[at].id,
            es,
            achieved,
        });
    }
}

/// One referral's facts, when it counts (ERR-1) and was received by the
/// as-of date.
fn derive<'a>(
    data: &Dataset,
    room: &mut Derivation<'a>,
    r: &'a Referral,
    w: &Window,
) -> Option<Arc<Facts>> {
    if !r.is_counted() || r.received > w.as_of {
        return None;
    }
    let mut facts = Facts {
        client: r.client,
        ..Facts::default()
    };
    add_referral(&mut facts, room, data, r, w);
    Some(Arc::new(facts))
}
