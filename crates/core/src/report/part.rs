//! A report of part of the service — one team, or one ES — made from that
//! part's referrals only (issue 25): the figures the whole service's report
//! gives that team and its ES, at the cost of their referrals rather than
//! the service's. A team lead's dashboard and an ES's plan read these.

use super::figures::{PeriodOut, ReportError, SpecialistKpis, TeamKpis};
use super::ledger::Among;
use super::{Figures, figures, period_out};
use crate::model::{ClientIdx, Dataset, Referral, StaffIdx, TeamIdx};
use crate::time::{Day, Period};

/// Part of the service whose figures a report may hold alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// A team: its block and each of its ES's.
    Team(TeamIdx),
    /// One ES: their block only.
    Specialist(StaffIdx),
}

impl Part {
    /// Whether the ES `es` is part of this.
    pub fn covers(self, data: &Dataset, es: StaffIdx) -> bool {
        match self {
            Part::Team(team) => data.staff_member(es).team == team,
            Part::Specialist(s) => s == es,
        }
    }

    /// Whether the team `team`'s block is part of this.
    pub fn covers_team(self, team: TeamIdx) -> bool {
        self == Part::Team(team)
    }

    /// The referrals this part's figures can read, of those counted
    /// (ERR-1): every referral one of its ES ever held — at receipt or by a
    /// transfer, whatever the as-of date, a superset of R-2's on any day —
    /// and every other referral of those referrals' clients (RATE-2 takes a
    /// client's referrals together, whoever holds them). Read once per
    /// version of the data and used for any period.
    pub fn referrals(self, data: &Dataset) -> PartReferrals {
        let held = |r: &Referral| {
            r.es.into_iter()
                .chain(r.transfers.iter().map(|t| t.es))
                .any(|es| self.covers(data, es))
        };
        let mut clients: Vec<ClientIdx> = data
            .counted_referrals()
            .filter(|(_, r)| held(r))
            .map(|(_, r)| r.client)
            .collect();
        clients.sort_unstable();
        clients.dedup();
        // Their other referrals: found by the clients kept beside the
        // referrals, each record read only when its client is one of them.
        let at = data
            .referral_clients
            .iter()
            .enumerate()
            .filter(|(at, c)| clients.binary_search(c).is_ok() && data.referrals[*at].is_counted())
            .map(|(at, _)| at)
            .collect();
        PartReferrals { part: self, at }
    }
}

/// A part's referrals in one version of the data ([`Part::referrals`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PartReferrals {
    part: Part,
    /// Positions in [`Dataset::referrals`], ascending.
    pub(super) at: Vec<usize>,
}

impl PartReferrals {
    pub fn part(&self) -> Part {
        self.part
    }

    /// The part's referrals as positions in [`Dataset::referrals`], ascending.
    pub fn positions(&self) -> &[usize] {
        &self.at
    }

    /// How many referrals the part's figures read.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The part's referrals in `data` (the version they were read from).
    pub fn iter<'a>(&'a self, data: &'a Dataset) -> impl Iterator<Item = &'a Referral> + Clone {
        self.at.iter().map(|&at| data.referrals[at].as_ref())
    }
}

/// The report of a part: the blocks the whole report gives its team (for a
/// team) and its ES, equal to them field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct PartReport {
    pub part: Part,
    pub period: PeriodOut,
    pub as_of: Day,
    /// The team's block (none for one ES).
    pub teams: Vec<TeamKpis>,
    /// The part's ES in post in the period, by id.
    pub specialists: Vec<SpecialistKpis>,
}

/// Makes the report of `period` as known on `as_of` (T-3) for the part whose
/// referrals are `referrals` (read from this same `data`).
pub fn report_of_part(
    data: &Dataset,
    period: &Period,
    as_of: Day,
    referrals: &PartReferrals,
) -> Result<PartReport, ReportError> {
    let part = referrals.part;
    let Figures {
        teams,
        specialists,
        service: _,
    } = figures(
        data,
        period,
        as_of,
        Among::Positions(&referrals.at),
        Some(part),
    )?;
    Ok(PartReport {
        part,
        period: period_out(period),
        as_of,
        teams,
        specialists,
    })
}

/// The parts whose figures a change to one of `client`'s referrals can move
/// in `data`: each ES who ever held one of the client's counted referrals,
/// and their team. A part's referrals are its ES's and their clients'
/// ([`Part::referrals`]), so no other part reads the client: a change is
/// judged by calling this on the data before it and on the data after it.
pub fn parts_reading_client(data: &Dataset, client: ClientIdx) -> Vec<Part> {
    let mut parts: Vec<Part> = data
        .client_referrals(client)
        .filter(|(_, r)| r.is_counted())
        .flat_map(|(_, r)| r.es.into_iter().chain(r.transfers.iter().map(|t| t.es)))
        .flat_map(|es| [Part::Specialist(es), Part::Team(data.staff_member(es).team)])
        .collect();
    parts.sort_unstable_by_key(|p| match p {
        Part::Team(t) => (0, t.0),
        Part::Specialist(s) => (1, s.0),
    });
    parts.dedup();
    parts
}
