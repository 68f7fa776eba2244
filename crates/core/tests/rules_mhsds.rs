//! What the MHSDS-aligned extract takes from the rules engine: MHS116 (referrals
//! with a first direct contact with IPS in the rolling 12 months, and the
//! people among them), its window, and employment status with weekly hours at
//! referral and at discharge.

mod common;

use common::*;
use ipstrack_core::mhsds::{
    ContactSource, Employment, HoursBand, direct_contacts, employment_at_discharge,
    employment_at_referral, hours_band, job_hours_on, mhs116, rolling_year,
};
use ipstrack_core::targets::Exact;
use serde_json::{Value, json};

/// A referral received 2023-01-10 with no access, whose contacts are
/// `(date, kind)` pairs.
fn with_contacts(id: &str, contacts: &[(&str, &str)]) -> Value {
    let contacts: Vec<Value> = contacts
        .iter()
        .map(|(date, kind)| json!({"date": date, "kind": kind}))
        .collect();
    referral(
        id,
        json!({"received": "2023-01-10", "access": null, "vocational_plan": null,
               "contacts": contacts}),
    )
}

/// The ids of the referrals MHS116 counts for the 12 months ending on `end`.
fn counted(referrals: Vec<Value>, end: &str, as_of: &str) -> Vec<String> {
    let loaded = bundle(referrals);
    let m = mhs116(&loaded.dataset, d(end), d(as_of));
    m.counted
        .iter()
        .map(|(i, _)| loaded.dataset.referrals[*i].id.clone())
        .collect()
}

#[test]
fn mhs116_window_is_the_rolling_12_months_ending_on_the_period_end() {
    for (end, start) in [
        ("2025-03-31", "2024-04-01"),
        ("2024-12-31", "2024-01-01"),
        ("2024-06-15", "2023-06-16"),
        ("2024-09-30", "2023-10-01"),
    ] {
        let w = rolling_year(d(end));
        assert_eq!((w.start, w.end), (d(start), d(end)), "{end}");
    }
}

#[test]
fn mhs116_window_in_leap_years() {
    // Twelve whole months that hold 29 February have 366 days.
    let w = rolling_year(d("2024-02-29"));
    assert_eq!((w.start, w.len()), (d("2023-03-01"), 366));
    let w = rolling_year(d("2025-03-31"));
    assert_eq!((w.start, w.len()), (d("2024-04-01"), 365));
    let w = rolling_year(d("2024-03-31"));
    assert_eq!((w.start, w.len()), (d("2023-04-01"), 366));
    // 28 February 2025 ends a month: March 2024 to February 2025, which
    // leaves 29 February 2024 out.
    let w = rolling_year(d("2025-02-28"));
    assert_eq!((w.start, w.len()), (d("2024-03-01"), 365));
    // 28 February 2024 is not a month's end: the day after a year before.
    let w = rolling_year(d("2024-02-28"));
    assert_eq!((w.start, w.len()), (d("2023-03-01"), 365));
}

#[test]
fn mhs116_first_contact_on_the_first_and_last_day_of_the_window() {
    let referrals = vec![
        with_contacts("first-day", &[("2024-04-01", "face_to_face")]),
        with_contacts("day-before", &[("2024-03-31", "remote")]),
        with_contacts("last-day", &[("2025-03-31", "in_work_support")]),
        with_contacts("day-after", &[("2025-04-01", "face_to_face")]),
    ];
    assert_eq!(
        counted(referrals, "2025-03-31", "2025-06-30"),
        ["first-day", "last-day"]
    );
}

#[test]
fn mhs116_first_contact_before_the_window_is_not_counted_though_later_ones_are_in_it() {
    let referrals = vec![with_contacts(
        "r1",
        &[("2024-05-01", "remote"), ("2024-03-20", "face_to_face")],
    )];
    assert!(counted(referrals, "2025-03-31", "2025-03-31").is_empty());
}

#[test]
fn mhs116_assertive_engagement_attempts_are_not_direct_contacts() {
    let referrals = vec![
        with_contacts("attempts-only", &[("2024-05-01", "assertive_engagement")]),
        // An attempt before the window does not make the first contact early.
        with_contacts(
            "attempt-then-contact",
            &[
                ("2024-03-01", "assertive_engagement"),
                ("2024-05-02", "remote"),
            ],
        ),
    ];
    assert_eq!(
        counted(referrals, "2025-03-31", "2025-03-31"),
        ["attempt-then-contact"]
    );
}

#[test]
fn mhs116_access_is_a_direct_contact() {
    // ACC-1 access is the first meaningful contact; CASE-1 counts it as a
    // two-way contact even when no contact is recorded that day.
    let mut before = with_contacts("access-before", &[("2024-05-01", "remote")]);
    merge(&mut before, json!({"access": "2024-03-15"}));
    let mut inside = with_contacts("access-only", &[]);
    merge(&mut inside, json!({"access": "2024-04-01"}));
    assert_eq!(
        counted(vec![before, inside], "2025-03-31", "2025-03-31"),
        ["access-only"]
    );
    // A contact recorded on the access day stands for the access meeting.
    let mut same_day = with_contacts("same-day", &[("2024-04-01", "face_to_face")]);
    merge(&mut same_day, json!({"access": "2024-04-01"}));
    let loaded = bundle(vec![same_day]);
    let contacts = direct_contacts(&loaded.dataset.referrals[0], d("2025-03-31"));
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].source, ContactSource::Contact(0));
}

#[test]
fn mhs116_ignores_records_after_the_as_of_day() {
    let referrals = vec![
        with_contacts("contact-later", &[("2024-06-01", "remote")]),
        with_contacts("known", &[("2024-05-01", "remote")]),
        {
            let mut r = with_contacts("received-later", &[("2024-05-20", "remote")]);
            merge(&mut r, json!({"received": "2024-05-20"}));
            r
        },
    ];
    assert_eq!(
        counted(referrals.clone(), "2025-03-31", "2024-05-15"),
        ["known"]
    );
    assert_eq!(
        counted(referrals, "2025-03-31", "2025-03-31"),
        ["contact-later", "known", "received-later"]
    );
}

#[test]
fn mhs116_people_are_distinct_clients() {
    let mut second = with_contacts("r2", &[("2024-09-01", "remote")]);
    merge(
        &mut second,
        json!({"client": "c-r1", "received": "2024-08-01"}),
    );
    let loaded = bundle(vec![
        with_contacts("r1", &[("2024-05-01", "remote")]),
        second,
        with_contacts("r3", &[("2024-06-01", "face_to_face")]),
    ]);
    let m = mhs116(&loaded.dataset, d("2025-03-31"), d("2025-03-31"));
    assert_eq!((m.referrals, m.people), (3, 2));
}

fn exact(hours: f64) -> Exact {
    Exact::from_integer((hours * 100.0).round() as i128)
}

#[test]
fn weekly_hours_bands_at_their_boundaries() {
    use HoursBand::*;
    for (hours, band) in [
        (0.0, None),
        (0.5, Some(From1To4)),
        (1.0, Some(From1To4)),
        (4.0, Some(From1To4)),
        (4.99, Some(From1To4)),
        (5.0, Some(From5To15)),
        (15.0, Some(From5To15)),
        (15.99, Some(From5To15)),
        (16.0, Some(From16To29)),
        (29.0, Some(From16To29)),
        (29.99, Some(From16To29)),
        (30.0, Some(From30)),
        (37.5, Some(From30)),
    ] {
        assert_eq!(hours_band(exact(hours)), band, "{hours} hours");
    }
    // Averages are compared exactly: 4, 5 and 5.99 hours average 4.9967.
    let avg = Exact::new(400 + 500 + 599, 3);
    assert_eq!(hours_band(avg), Some(From1To4));
    let avg = Exact::new(400 + 500 + 600, 3);
    assert_eq!(hours_band(avg), Some(From5To15));
}

#[test]
fn job_hours_are_the_first_months_average_of_the_weeks_ended() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", json!({"type": "zero_hours",
                     "hours_per_week": null, "weekly_hours": [10, 20, 3]}))]}),
    )]);
    let j = &loaded.dataset.referrals[0].jobs[0];
    assert_eq!(job_hours_on(j, d("2024-05-06")), None, "no week ended yet");
    let h = job_hours_on(j, d("2024-05-07")).unwrap();
    assert_eq!(h, Exact::new(1000, 1));
    let h = job_hours_on(j, d("2024-06-30")).unwrap();
    assert_eq!(h, Exact::new(3300, 3));
    assert_eq!(hours_band(h), Some(HoursBand::From5To15));
}

#[test]
fn employment_at_referral_follows_status_at_referral() {
    let retained = job(
        "j0",
        "2020-01-01",
        json!({"retained": true, "hours_per_week": 30}),
    );
    let loaded = bundle(vec![
        referral(
            "employed",
            json!({"status_at_referral": "employed", "jobs": [retained]}),
        ),
        referral("employed-no-job", json!({"status_at_referral": "employed"})),
        referral("seeking", json!({})),
        referral(
            "not-seeking",
            json!({"engagement": [{"date": "2024-04-02", "status": "not_seeking_work"}]}),
        ),
    ]);
    let at = |i: usize| employment_at_referral(&loaded.dataset.referrals[i], d("2025-03-31"));
    assert_eq!(at(0), Employment::Employed(Some(HoursBand::From30)));
    assert_eq!(at(1), Employment::Employed(None));
    assert_eq!(at(2), Employment::SeekingWork);
    assert_eq!(at(3), Employment::NotSeekingWork);
}

#[test]
fn employment_at_discharge_is_employed_when_a_job_is_in_progress_that_day() {
    let discharged = |id: &str, jobs: Value, extra: Value| {
        let mut r = referral(
            id,
            json!({"discharge": {"date": "2024-10-01", "reason": "done"}, "jobs": jobs}),
        );
        merge(&mut r, extra);
        r
    };
    let loaded = bundle(vec![
        discharged(
            "working",
            json!([job("j1", "2024-06-01", json!({"hours_per_week": 16}))]),
            json!({}),
        ),
        discharged(
            "ended-the-day-before",
            json!([job("j1", "2024-06-01", json!({"end": "2024-09-30"}))]),
            json!({}),
        ),
        discharged(
            "ends-on-the-day",
            json!([job(
                "j1",
                "2024-06-01",
                json!({"end": "2024-10-01", "hours_per_week": 4.99})
            )]),
            json!({}),
        ),
        discharged(
            "two-jobs",
            json!([
                job("j1", "2024-06-01", json!({"hours_per_week": 10})),
                job("j2", "2024-07-01", json!({"hours_per_week": 6}))
            ]),
            json!({}),
        ),
        discharged(
            "hours-unknown",
            json!([job("j1", "2024-06-01", json!({"hours_per_week": null}))]),
            json!({}),
        ),
        discharged(
            "not-seeking",
            json!([]),
            json!({"engagement": [{"date": "2024-09-01", "status": "not_seeking_work"}]}),
        ),
        discharged(
            "unregistered-self-employment",
            json!([job("j1", "2024-06-01", json!({"type": "self_employed"}))]),
            json!({}),
        ),
    ]);
    let at =
        |i: usize, as_of: &str| employment_at_discharge(&loaded.dataset.referrals[i], d(as_of));
    let day = d("2024-10-01");
    assert_eq!(
        at(0, "2024-12-31"),
        Some((day, Employment::Employed(Some(HoursBand::From16To29))))
    );
    assert_eq!(at(1, "2024-12-31"), Some((day, Employment::SeekingWork)));
    assert_eq!(
        at(2, "2024-12-31"),
        Some((day, Employment::Employed(Some(HoursBand::From1To4))))
    );
    assert_eq!(
        at(3, "2024-12-31"),
        Some((day, Employment::Employed(Some(HoursBand::From16To29))))
    );
    assert_eq!(at(4, "2024-12-31"), Some((day, Employment::Employed(None))));
    assert_eq!(at(5, "2024-12-31"), Some((day, Employment::NotSeekingWork)));
    assert_eq!(
        at(6, "2024-12-31"),
        Some((day, Employment::SeekingWork)),
        "JOB-1"
    );
    // Not discharged yet as known on the day before (T-3).
    assert_eq!(at(0, "2024-09-30"), None);
}
