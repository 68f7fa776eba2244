//! who a referral is credited to on a day — the ES it was assigned to,
//! after the transfers known on the as-of date. Every figure, the caseload,
//! the worklist and the scope of a user follow this one rule.

use crate::model::{Referral, StaffIdx};
use crate::time::Day;

/// the ES assigned to the referral on `day` (transfers known on `as_of`).
pub fn assigned_on(r: &Referral, day: Day, as_of: Day) -> Option<StaffIdx> {
    let mut es = r.es;
    let mut latest: Option<Day> = None;
    for t in &r.transfers {
        if t.date <= day && t.date <= as_of && latest.is_none_or(|d| t.date >= d) {
            es = Some(t.es);
            latest = Some(t.date);
        }
    }
    es
}
