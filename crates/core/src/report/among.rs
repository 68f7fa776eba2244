//! The figures of a chosen set of referrals (issue 26): the service's block,
//! or one team's, tallied from those referrals alone. Equality of access
//! tallies each group's referrals this way; the figures are the report's own,
//! so a group of clients gets exactly what the report would give them.

use super::figures::{Kpis, ReportError};
use super::ledger::{Among, kpis, tally};
use super::window;
use crate::model::{Dataset, TeamIdx};
use crate::time::{Day, Period};

/// The block of the service (`team` `None`) or of team `team` over `period`
/// as known on `as_of`, from the referrals at positions `at` of
/// [`Dataset::referrals`] only (ascending or not; those not counted or not
/// yet received are left out as the report leaves them). No FTE is counted
/// (the caseload per FTE and the fidelity score are empty).
pub fn kpis_among(
    data: &Dataset,
    period: &Period,
    as_of: Day,
    at: &[usize],
    team: Option<TeamIdx>,
) -> Result<Kpis, ReportError> {
    let w = window(period, as_of)?;
    let (ledger, _, team_people, service_people) = tally(data, Among::Positions(at), &w);
    Ok(match team {
        None => kpis(&ledger.service, &service_people, w.point, 0, None),
        Some(t) => kpis(
            &ledger.teams[t.index()],
            &team_people[t.index()],
            w.point,
            0,
            None,
        ),
    })
}
