//! When a quarter's IPS Grow return may be submitted (core's `returns`):
//! once the quarter has closed, with figures as of its end or later.

use ipstrack_core::returns::{NotYet, may_submit};
use ipstrack_core::{Day, Period};

fn d(s: &str) -> Day {
    Day::parse(s).unwrap()
}

#[test]
fn a_quarters_return_may_be_submitted_from_the_day_after_its_end_with_figures_to_its_end() {
    let q3 = Period::parse("2024/25-Q3").unwrap();
    // The quarter's last day: still open, submittable from the next day.
    assert_eq!(
        may_submit(&q3, d("2024-12-31"), d("2024-12-31")),
        Err(NotYet::QuarterOpen {
            from: d("2025-01-01")
        })
    );
    // Closed, but figures as known the day before its end leave it out.
    assert_eq!(
        may_submit(&q3, d("2024-12-30"), d("2025-01-01")),
        Err(NotYet::FiguresStopEarly {
            end: d("2024-12-31")
        })
    );
    // Closed, figures as of its last day or later.
    assert_eq!(may_submit(&q3, d("2024-12-31"), d("2025-01-01")), Ok(()));
    assert_eq!(may_submit(&q3, d("2025-01-15"), d("2025-01-15")), Ok(()));
}
