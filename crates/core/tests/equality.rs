//! Issue 26, equality of access (EQ-1..EQ-7): each group's figures are the
//! report's over its referrals; a hand-built population whose group rates
//! are known; the groups of the service add up to the service's report; a
//! team's view holds its referrals only; and no count shown is 1 to 7.

use ipstrack_core::equality::{
    Dimension, Equality, RateKind, Shown, ShownDimension, Whole, age_band, age_on, equality,
    ethnic_group, gender_group, shown, shown_rate, wilson_95,
};
use ipstrack_core::model::TeamIdx;
use ipstrack_core::report::Kpis;
use ipstrack_core::{Dataset, Day, Period, read_bundle, report};
use proptest::prelude::*;
use serde_json::{Value, json};

mod common;
mod example_bundles;
mod random_service;

use common::{d, job, referral, staff};

/// `n` unemployed referrals of clients of one kind (ethnic category,
/// gender, date of birth) held by `es`, the first `accessed` accessed on
/// the day received and the first `into_work` of those starting a job.
fn people(
    tag: &str,
    (ethnic, gender, born): (Option<&str>, Option<&str>, Option<&str>),
    es: &str,
    (n, accessed, into_work): (usize, usize, usize),
) -> (Vec<Value>, Vec<Value>) {
    let mut referrals = Vec::new();
    let mut clients = Vec::new();
    for i in 0..n {
        let id = format!("{tag}{i}");
        let mut r = referral(&id, json!({"es": es}));
        if i >= accessed {
            r["access"] = Value::Null;
            r["vocational_plan"] = Value::Null;
        } else if i < into_work {
            r["jobs"] = json!([job("j1", "2024-05-01", json!({}))]);
        }
        referrals.push(r);
        clients.push(json!({"id": format!("c-{id}"), "ethnic_category": ethnic,
                            "gender": gender, "date_of_birth": born}));
    }
    (clients, referrals)
}

fn population(groups: Vec<(Vec<Value>, Vec<Value>)>) -> Dataset {
    let (mut clients, mut referrals) = (Vec::new(), Vec::new());
    for (c, r) in groups {
        clients.extend(c);
        referrals.extend(r);
    }
    let doc = json!({
        "format": "ipstrack-bundle/1",
        "service": {"name": "Test IPS", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}, {"id": "t2", "name": "South"}],
        "staff": [staff("es1", json!({})), staff("es2", json!({"team": "t2"}))],
        "clients": clients,
        "referrals": referrals,
    });
    read_bundle(&doc.to_string())
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset
}

/// White men born 1990 (34 at referral): 30 referrals, 20 accessed, 10 into
/// work; Asian women born 2000 (23): 20, 10, none; ethnic group not stated,
/// gender and age not known: 8, all accessed, none into work.
fn known_population() -> Dataset {
    population(vec![
        people(
            "w",
            (Some("A"), Some("1"), Some("1990-01-01")),
            "es1",
            (30, 20, 10),
        ),
        people(
            "a",
            (Some("H"), Some("2"), Some("2000-06-15")),
            "es2",
            (20, 10, 0),
        ),
        people("z", (Some("Z"), Some("X"), None), "es1", (8, 8, 0)),
    ])
}

fn q1() -> (Period, Day) {
    (Period::parse("2024/25-Q1").unwrap(), d("2024-06-30"))
}

fn row<'a>(
    dims: &'a [ShownDimension],
    dim: Dimension,
    label: &str,
) -> &'a ipstrack_core::equality::ShownRow {
    dims.iter()
        .find(|x| x.dimension == dim)
        .unwrap()
        .groups
        .iter()
        .find(|g| g.label == label)
        .unwrap_or_else(|| panic!("{label}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn eq_1_to_7_a_population_whose_group_rates_are_known() {
    let data = known_population();
    let (period, as_of) = q1();
    let e = equality(&data, &period, as_of, Whole::Service).unwrap();
    assert_eq!(e.whole.referrals, 58);
    assert_eq!(e.whole.referrals_accessed, 38);
    assert_eq!(e.whole.seeking_work, 38);
    assert_eq!(e.whole.moved_into_work, 10);
    let dims = e.shown();
    let white = row(&dims, Dimension::Ethnicity, "White");
    assert_eq!(white.referrals, Shown::Count(30));
    assert_eq!(white.people_accessed, Shown::Count(20));
    assert_eq!(white.people_into_work, Shown::Count(10));
    let [access, work, _] = white.rates;
    assert!(close(access.percent, 200.0 / 3.0));
    assert!(close(access.difference, 200.0 / 3.0 - 3800.0 / 58.0));
    assert_eq!(access.beyond_chance, Some(false));
    assert!(close(work.percent, 50.0));
    assert!(close(work.difference, 50.0 - 1000.0 / 38.0));
    assert_eq!(
        work.beyond_chance,
        Some(true),
        "26.3% is below 10/20's interval"
    );
    let asian = row(&dims, Dimension::Ethnicity, "Asian or Asian British");
    assert!(close(asian.rates[0].percent, 50.0));
    assert!(close(asian.rates[1].percent, 0.0));
    assert_eq!(
        asian.rates[1].beyond_chance,
        Some(false),
        "0/10's interval reaches 27.8%"
    );
    assert_eq!(asian.people_into_work, Shown::Count(0));
    // Not stated: shown (8 rounds to 10), kept apart from the comparison.
    let z = row(&dims, Dimension::Ethnicity, "Not stated");
    assert_eq!(z.referrals, Shown::Count(10));
    assert!(close(z.rates[0].percent, 100.0));
    assert_eq!(z.rates[0].difference, None);
    assert_eq!(z.rates[0].beyond_chance, None);
    assert_eq!(
        row(&dims, Dimension::Ethnicity, "Mixed").referrals,
        Shown::Count(0)
    );
    // The same people by gender and age band.
    assert!(close(
        row(&dims, Dimension::Gender, "Male").rates[1].percent,
        50.0
    ));
    assert!(close(
        row(&dims, Dimension::Gender, "Female").rates[0].percent,
        50.0
    ));
    assert_eq!(
        row(&dims, Dimension::Gender, "Not known").referrals,
        Shown::Count(10)
    );
    assert_eq!(
        row(&dims, Dimension::Age, "25 to 34").referrals,
        Shown::Count(30)
    );
    assert_eq!(
        row(&dims, Dimension::Age, "16 to 24").referrals,
        Shown::Count(20)
    );
    assert_eq!(
        row(&dims, Dimension::Age, "Not known").referrals,
        Shown::Count(10)
    );
    // The whole's row: its own rates, no difference.
    let whole = &dims[0].whole;
    assert!(close(whole.rates[0].percent, 3800.0 / 58.0));
    assert_eq!(whole.rates[0].difference, None);
}

/// EQ-6: the access rate is of the referrals received in the period, those
/// with an access dated by the as-of date: an access the day after it is
/// not known yet.
#[test]
fn eq_6_access_rate_counts_accesses_dated_by_the_as_of_date() {
    let (clients, mut referrals) = people(
        "w",
        (Some("A"), Some("1"), Some("1990-01-01")),
        "es1",
        (30, 20, 0),
    );
    for r in referrals.iter_mut().skip(20) {
        r["access"] = json!("2024-06-15");
    }
    let data = population(vec![(clients, referrals)]);
    let period = Period::parse("2024/25-Q1").unwrap();
    let rate = |as_of: &str| {
        let e = equality(&data, &period, d(as_of), Whole::Service).unwrap();
        (e.whole.referrals, e.whole.referrals_accessed)
    };
    assert_eq!(rate("2024-06-14"), (30, 20));
    assert_eq!(rate("2024-06-15"), (30, 30));
    let e = equality(&data, &period, d("2024-06-14"), Whole::Service).unwrap();
    let dims = e.shown();
    let white = row(&dims, Dimension::Ethnicity, "White");
    assert!(close(white.rates[0].percent, 200.0 / 3.0));
}

#[test]
fn eq_1_broad_ethnic_groups() {
    let group = |c: &str| ethnic_group(Some(c));
    for (codes, want) in [
        (&["A", "B", "C"][..], 0),
        (&["D", "E", "F", "G"], 1),
        (&["H", "J", "K", "L"], 2),
        (&["M", "N", "P"], 3),
        (&["R", "S"], 4),
        (&["Z"], 5),
        (&["99"], 6),
    ] {
        for c in codes {
            assert_eq!(group(c), want, "{c}");
        }
    }
    assert_eq!(ethnic_group(None), 6);
}

#[test]
fn eq_2_person_stated_gender() {
    assert_eq!(gender_group(Some("1")), 0);
    assert_eq!(gender_group(Some("2")), 1);
    assert_eq!(gender_group(Some("9")), 2);
    assert_eq!(gender_group(Some("X")), 3);
    assert_eq!(gender_group(None), 3);
}

#[test]
fn eq_3_age_band_edges() {
    let band = |born: &str, on: &str| {
        ipstrack_core::equality::AGE_BANDS[age_band(Some(d(born)), d(on))].label
    };
    assert_eq!(
        band("2000-04-02", "2024-04-02"),
        "16 to 24",
        "24th birthday that day"
    );
    assert_eq!(
        band("1999-04-02", "2024-04-02"),
        "25 to 34",
        "25th birthday that day"
    );
    assert_eq!(
        band("1999-04-03", "2024-04-02"),
        "16 to 24",
        "25 the next day"
    );
    assert_eq!(
        band("2008-04-02", "2024-04-02"),
        "16 to 24",
        "16th birthday that day"
    );
    assert_eq!(band("2008-04-03", "2024-04-02"), "Under 16");
    assert_eq!(band("1959-04-02", "2024-04-02"), "65 and over");
    assert_eq!(band("1959-04-03", "2024-04-02"), "55 to 64");
    assert_eq!(band("1979-04-02", "2024-04-02"), "45 to 54");
    assert_eq!(age_on(d("2004-02-29"), d("2021-02-28")), Some(16));
    assert_eq!(age_on(d("2004-02-29"), d("2021-03-01")), Some(17));
    assert_eq!(age_band(None, d("2024-04-02")), 7);
    assert_eq!(
        age_band(Some(d("2025-01-01")), d("2024-04-02")),
        7,
        "born after"
    );
}

#[test]
fn eq_4_a_teams_view_holds_its_referrals_only() {
    let data = known_population();
    let (period, as_of) = q1();
    let t1 = equality(&data, &period, as_of, Whole::Team(TeamIdx(0))).unwrap();
    let t2 = equality(&data, &period, as_of, Whole::Team(TeamIdx(1))).unwrap();
    assert_eq!(t1.whole.referrals, 38, "es1's white and not stated");
    assert_eq!(t2.whole.referrals, 20, "es2's Asian");
    let by = |e: &Equality, label: &str| {
        e.dimensions[0]
            .groups
            .iter()
            .find(|g| g.group.label == label)
            .unwrap()
            .counts
    };
    assert_eq!(by(&t1, "Asian or Asian British").referrals, 0);
    assert_eq!(by(&t2, "White").referrals, 0);
    assert_eq!(by(&t2, "Asian or Asian British").referrals_accessed, 10);
    let r = report(&data, &[], &period, as_of).unwrap();
    for (i, e) in [t1, t2].iter().enumerate() {
        sums_match(e, &r.teams[i].kpis, "team");
    }
}

/// The groups of each dimension add up to the whole's report block (before
/// rounding): every figure by ethnic group and gender (people are in one
/// group each); by age band, referrals exactly, people (13-week outcomes
/// among them) at least (a person referred in two bands counts in each).
fn sums_match(e: &Equality, k: &Kpis, name: &str) {
    let total = |k: &ipstrack_core::report::ByGroup| k.unemployed + k.employed;
    assert_eq!(e.whole.referrals, total(&k.referrals), "{name}");
    assert_eq!(e.whole.people_accessed, total(&k.access), "{name}");
    assert_eq!(
        e.whole.people_into_work,
        total(&k.people_into_work),
        "{name}"
    );
    assert_eq!(e.whole.sustained_13w, total(&k.sustained.w13), "{name}");
    assert_eq!(
        e.whole.seeking_work, k.job_outcome_rate.denominator,
        "{name}"
    );
    assert_eq!(
        e.whole.moved_into_work, k.job_outcome_rate.numerator,
        "{name}"
    );
    assert_eq!(
        e.whole.judged_13w, k.sustainment_rate_13w.denominator,
        "{name}"
    );
    assert_eq!(
        e.whole.achieved_13w, k.sustainment_rate_13w.numerator,
        "{name}"
    );
    for dim in &e.dimensions {
        let sum = |f: fn(&ipstrack_core::equality::Counts) -> u32| -> u32 {
            dim.groups.iter().map(|g| f(&g.counts)).sum()
        };
        let w = &e.whole;
        assert_eq!(
            sum(|c| c.referrals),
            w.referrals,
            "{name} {:?}",
            dim.dimension
        );
        assert_eq!(
            sum(|c| c.referrals_accessed),
            w.referrals_accessed,
            "{name}"
        );
        // SUS-3 counts people too: a person reaching 13 weeks on referrals
        // in two age bands is one in each.
        let people = [
            (sum(|c| c.sustained_13w), w.sustained_13w),
            (sum(|c| c.people_accessed), w.people_accessed),
            (sum(|c| c.people_into_work), w.people_into_work),
            (sum(|c| c.seeking_work), w.seeking_work),
            (sum(|c| c.moved_into_work), w.moved_into_work),
            (sum(|c| c.judged_13w), w.judged_13w),
            (sum(|c| c.achieved_13w), w.achieved_13w),
        ];
        for (i, (groups, whole)) in people.into_iter().enumerate() {
            // RATE-2 (rev. 2) takes a client's cohort referrals together:
            // 13 weeks reached on any of them counts. Split by age band, a
            // band holds only some of them, so its achieved count may be
            // smaller than the whole's; the other counts hold.
            if dim.dimension == Dimension::Age && i == 6 {
                continue;
            }
            if dim.dimension == Dimension::Age {
                assert!(groups >= whole, "{name}: {groups} < {whole}");
            } else {
                assert_eq!(groups, whole, "{name} {:?}", dim.dimension);
            }
        }
    }
}

fn each_window(data: &Dataset, name: &str) {
    for (period, as_of) in example_bundles::windows() {
        let e = equality(data, &period, as_of, Whole::Service).unwrap();
        let r = report(data, &[], &period, as_of).unwrap();
        sums_match(&e, &r.service, name);
        no_small_cell(&e);
    }
}

#[test]
fn eq_4_the_services_groups_add_up_to_its_report_on_every_example() {
    for (name, data) in example_bundles::bundles() {
        each_window(&data, &name);
    }
    let data = known_population();
    let (period, as_of) = q1();
    let e = equality(&data, &period, as_of, Whole::Service).unwrap();
    sums_match(
        &e,
        &report(&data, &[], &period, as_of).unwrap().service,
        "known",
    );
}

/// EQ-5: no count shown is 1 to 7, and every one is a multiple of 5; no
/// rate is shown over a small numerator, denominator or remainder.
fn no_small_cell(e: &Equality) {
    for d in e.shown() {
        for row in d.groups.iter().chain([&d.whole]) {
            for (key, c) in row.counts() {
                if let Shown::Count(n) = c {
                    assert!(n.is_multiple_of(5) && !(1..=7).contains(&n), "{key} {n}");
                }
            }
        }
    }
    for d in &e.dimensions {
        for (g, shown_row) in d.groups.iter().zip(
            e.shown()
                .into_iter()
                .find(|s| s.dimension == d.dimension)
                .unwrap()
                .groups,
        ) {
            for (k, rate) in RateKind::ALL.iter().zip(shown_row.rates) {
                let (x, n) = g.counts.fraction(*k);
                if rate.percent.is_some() {
                    for part in [x, n, n - x] {
                        assert!(!(1..=7).contains(&part), "{k:?} {x}/{n}");
                    }
                }
            }
        }
    }
}

/// A random service whose clients have random ethnic categories, genders
/// and dates of birth.
fn random_people(seed: u64) -> Dataset {
    let mut doc = random_service::service(seed, seed.is_multiple_of(2));
    let ethnic = ["A", "B", "D", "H", "K", "M", "R", "S", "Z", "99"];
    let genders = ["1", "2", "9", "X"];
    let mut s = seed;
    let mut next = |n: u64| {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((s >> 33) % n) as usize
    };
    for c in doc["clients"].as_array_mut().unwrap() {
        if next(5) > 0 {
            c["ethnic_category"] = json!(ethnic[next(ethnic.len() as u64)]);
        }
        if next(5) > 0 {
            c["gender"] = json!(genders[next(4)]);
        }
        if next(5) > 0 {
            let born = Day::parse("1955-01-01").unwrap().plus(next(20_000) as i32);
            c["date_of_birth"] = json!(born.to_string());
        }
    }
    read_bundle(&doc.to_string())
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn eq_5_no_count_of_1_to_7_for_random_populations(seed in any::<u64>(), label in proptest::sample::select(vec!["2024/25", "2023/24-Q4", "2024-02-10..2024-08-31"]), offset in 0..420_i32) {
        let data = random_people(seed);
        let period = Period::parse(label).unwrap();
        let as_of = period.start.plus(offset);
        let e = equality(&data, &period, as_of, Whole::Service).unwrap();
        no_small_cell(&e);
        sums_match(&e, &report(&data, &[], &period, as_of).unwrap().service, "random");
        let r = report(&data, &[], &period, as_of).unwrap();
        for t in 0..data.teams.len() {
            let e = equality(&data, &period, as_of, Whole::Team(TeamIdx::at(t))).unwrap();
            no_small_cell(&e);
            let block = r.teams.iter().find(|b| b.id == data.teams[t].id).unwrap();
            sums_match(&e, &block.kpis, "random team");
        }
    }

    #[test]
    fn eq_5_every_count_is_0_or_a_multiple_of_5_from_8(n in 0..100_000_u32) {
        match shown(n) {
            Shown::Suppressed => prop_assert!((1..=7).contains(&n)),
            Shown::Count(c) => {
                prop_assert!(c.is_multiple_of(5) && !(1..=7).contains(&c));
                prop_assert!(c.abs_diff(n) <= 2);
            }
        }
    }
}

#[test]
fn eq_5_boundary_counts() {
    for (n, want) in [
        (0, Shown::Count(0)),
        (1, Shown::Suppressed),
        (7, Shown::Suppressed),
        (8, Shown::Count(10)),
        (12, Shown::Count(10)),
        (13, Shown::Count(15)),
        (15, Shown::Count(15)),
        (17, Shown::Count(15)),
        (18, Shown::Count(20)),
    ] {
        assert_eq!(shown(n), want, "{n}");
    }
    assert_eq!(shown(7).words(), "fewer than 8");
    assert_eq!(shown(7).csv(), "*");
}

#[test]
fn eq_5_rates_hidden_on_small_numbers() {
    assert_eq!(shown_rate(0, 0), None);
    assert_eq!(shown_rate(3, 20), None);
    assert_eq!(shown_rate(8, 12), None, "4 not reaching it");
    assert_eq!(shown_rate(0, 5), None);
    assert_eq!(shown_rate(0, 10), Some(0.0));
    assert_eq!(shown_rate(10, 10), Some(100.0));
    assert_eq!(shown_rate(10, 20), Some(50.0));
}

#[test]
fn eq_7_wilson_interval() {
    let (lo, hi) = wilson_95(10, 20).unwrap();
    assert!(
        (lo - 0.2993).abs() < 1e-3 && (hi - 0.7007).abs() < 1e-3,
        "{lo} {hi}"
    );
    let (lo, hi) = wilson_95(0, 10).unwrap();
    assert!(lo == 0.0 && (hi - 0.2775).abs() < 1e-3, "{hi}");
}
