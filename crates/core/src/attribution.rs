//! who a referral is credited to on a day — the ES it was assigned to,
//! after the transfers known on the as-of date. Every figure, the caseload,
//! the worklist and the scope of a user follow this one rule.

use crate::model::{Referral, StaffIdx};
use crate::time::Day;

/// the ES assigned to the referral on `day` (transfers known on `as_of`).
pub fn assigned_on(r: &Referral, day: Day, as_of: Day) -> Option<StaffIdx> {
    holder_on(r.es, r.transfers.iter().map(|t| (t.date, t.es)), day, as_of)
}

/// R-2 over any way of naming an ES: who holds a referral on `day`, given
/// the ES at receipt (`first`) and its transfers (day, to whom) in any
/// order — the latest transfer on or before `day` and known on `as_of`,
/// else `first`. A referral still being written (the demo's stories) uses
/// this directly.
pub fn holder_on<E: Copy>(
    first: Option<E>,
    transfers: impl IntoIterator<Item = (Day, E)>,
    day: Day,
    as_of: Day,
) -> Option<E> {
    let mut es = first;
    let mut latest: Option<Day> = None;
    for (date, to) in transfers {
        if date <= day && date <= as_of && latest.is_none_or(|d| date >= d) {
            es = Some(to);
            latest = Some(date);
        }
    }
    es
}
