//! The IPS Grow quarterly return: when a quarter's return may be submitted,
//! and what differs between a return as submitted and its figures now.

use crate::time::{Day, Period};

/// Why a quarter's return cannot be submitted yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotYet {
    /// The quarter has not closed: its return can be submitted from `from`,
    /// the day after its end.
    QuarterOpen { from: Day },
    /// The figures would be as known before the quarter's end (`end`).
    FiguresStopEarly { end: Day },
}

/// Whether `period`'s return, as known on `as_of`, may be submitted on
/// `today`: once the quarter has closed, with figures as of its end or later.
pub fn may_submit(period: &Period, as_of: Day, today: Day) -> Result<(), NotYet> {
    if today <= period.end {
        return Err(NotYet::QuarterOpen {
            from: period.end.plus(1),
        });
    }
    if as_of < period.end {
        return Err(NotYet::FiguresStopEarly { end: period.end });
    }
    Ok(())
}

/// What differs between a report as submitted and the same report now, figure
/// by figure (`teams[t1].access.unemployed: 3 → 4`), for explaining a revision.
/// Reports are compared as JSON values; warnings are left out.
pub fn figure_changes(submitted: &serde_json::Value, now: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn walk(path: &str, then: &Value, now: &Value, out: &mut Vec<String>) {
        match (then, now) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in a {
                    if path.is_empty() && k == "warnings" {
                        continue;
                    }
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, v, b.get(k).unwrap_or(&Value::Null), out);
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                for item in a {
                    let id = item.get("id").and_then(Value::as_str).unwrap_or("?");
                    let other = b
                        .iter()
                        .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
                        .unwrap_or(&Value::Null);
                    walk(&format!("{path}[{id}]"), item, other, out);
                }
            }
            _ if then != now => out.push(format!("{path}: {then} → {now}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", submitted, now, &mut out);
    out
}
