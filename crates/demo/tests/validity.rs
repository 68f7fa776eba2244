//! Generated bundles are valid input: they pass BAD-1 validation, nothing is
//! dated after `until`, and ids, NHS numbers and teams follow the brief.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use ipstrack_core::Day;
use ipstrack_core::bundle::BundleDoc;
use ipstrack_demo::{DemoOptions, data_start, generate};

const SIZES: [(u32, u32); 5] = [(1, 1), (5, 1), (12, 2), (25, 2), (40, 3)];
const SEEDS: [u64; 3] = [1, 2, 3];
const UNTILS: [&str; 2] = ["2025-03-31", "2024-10-15"];

/// The bundles every test here looks at, made once.
fn bundles() -> impl Iterator<Item = &'static (DemoOptions, BundleDoc)> {
    static BUNDLES: OnceLock<Vec<(DemoOptions, BundleDoc)>> = OnceLock::new();
    BUNDLES
        .get_or_init(|| {
            let mut out = Vec::new();
            for (specialists, years) in SIZES {
                for seed in SEEDS {
                    for until in UNTILS {
                        let options = DemoOptions {
                            specialists,
                            years,
                            seed,
                            until: Day::parse(until).unwrap(),
                        };
                        let doc = generate(&options);
                        out.push((options, doc));
                    }
                }
            }
            out
        })
        .iter()
}

#[test]
fn bundles_pass_bad1_validation_for_several_seeds_and_sizes() {
    for (options, doc) in bundles() {
        let text = serde_json::to_string(doc).unwrap();
        let loaded = ipstrack_core::read_bundle(&text)
            .unwrap_or_else(|e| panic!("{options:?} is not a valid bundle:\n{e}"));
        assert_eq!(loaded.dataset.referrals.len(), doc.referrals.len());
        // A few BAD-2 warnings are fine; a flood would mean a generator bug.
        assert!(
            loaded.warnings.len() <= 5 + doc.referrals.len() / 50,
            "{options:?}: {} warnings for {} referrals",
            loaded.warnings.len(),
            doc.referrals.len()
        );
    }
}

/// Every date in the referrals, with what it is.
fn referral_dates(doc: &BundleDoc) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in &doc.referrals {
        let mut add = |what: &str, d: Option<&String>| {
            if let Some(d) = d {
                out.push((format!("{} {what}", r.id), d.clone()));
            }
        };
        add("received", Some(&r.received));
        add("access", r.access.as_ref());
        add("discharge", r.discharge.as_ref().map(|d| &d.date));
        if let Some(p) = &r.vocational_plan {
            add("plan start", Some(&p.start));
            add("plan end", p.end.as_ref());
        }
        for t in r.transfers.iter().flatten() {
            add("transfer", Some(&t.date));
        }
        for k in r.contacts.iter().flatten() {
            add("contact", Some(&k.date));
        }
        for h in r.holds.iter().flatten() {
            add("hold start", Some(&h.start));
            add("hold end", h.end.as_ref());
        }
        for w in r.waiting_list.iter().flatten() {
            add("waiting start", Some(&w.start));
            add("waiting end", w.end.as_ref());
            add("expected return", w.expected_return.as_ref());
        }
        for e in r.engagement.iter().flatten() {
            add("engagement", Some(&e.date));
        }
        for d in r.decisions.iter().flatten() {
            add("decision start", Some(&d.start));
            add("decision end", d.end.as_ref());
        }
        for k in &r.in_work_checks {
            add("in-work check", Some(&k.date));
        }
        for j in r.jobs.iter().flatten() {
            add("job start", Some(&j.start));
            add("job end", j.end.as_ref());
            add("four hours", j.four_hours_confirmed.as_ref());
            add("return to work", j.return_to_work.as_ref());
        }
    }
    out
}

#[test]
fn nothing_is_dated_after_until() {
    for (options, doc) in bundles() {
        for (what, date) in referral_dates(doc) {
            let day = Day::parse(&date).unwrap();
            assert!(day <= options.until, "{options:?}: {what} {date}");
        }
        for s in &doc.staff {
            assert!(Day::parse(&s.start_date).unwrap() <= options.until);
            if let Some(e) = &s.end_date {
                assert!(Day::parse(e).unwrap() <= options.until);
            }
        }
    }
}

#[test]
fn referrals_are_received_within_the_covered_years_after_the_service_started() {
    for (options, doc) in bundles() {
        let first = data_start(options.years, options.until);
        let service = Day::parse(&doc.service.start_date).unwrap();
        assert!(service.plus(365 * 3) < first, "service starts well before");
        for r in &doc.referrals {
            let day = Day::parse(&r.received).unwrap();
            assert!(
                first <= day && day <= options.until,
                "{options:?}: {}",
                r.id
            );
        }
    }
}

fn nhs_valid(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if number.len() != 10 || digits.len() != 10 {
        return false;
    }
    let sum: u32 = (0..9).map(|i| digits[i] * (10 - i as u32)).sum();
    let check = 11 - sum % 11;
    let check = if check == 11 { 0 } else { check };
    check != 10 && check == digits[9]
}

#[test]
fn nhs_numbers_are_null_or_valid_10_digit_mod_11_numbers() {
    assert!(nhs_valid("9434765919"));
    assert!(!nhs_valid("9434765918"));
    for (_, doc) in bundles() {
        let mut seen = HashSet::new();
        for c in &doc.clients {
            if let Some(n) = &c.nhs_number {
                assert!(nhs_valid(n), "client {}: {n}", c.id);
                assert!(seen.insert(n.clone()), "NHS number {n} used twice");
            }
        }
    }
}

#[test]
fn ids_follow_the_naming_scheme() {
    let numbered = |id: &str, prefix: &str| {
        id.strip_prefix(prefix)
            .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n >= 1))
    };
    for (_, doc) in bundles() {
        for t in &doc.teams {
            assert!(numbered(&t.id, "t"), "{}", t.id);
        }
        for s in &doc.staff {
            match s.role.as_str() {
                "es" => {
                    assert!(numbered(&s.id, "es"), "{}", s.id);
                    assert_eq!(s.name, format!("Specialist {}", &s.id[2..]));
                }
                "team_lead" => assert!(numbered(&s.id, "lead"), "{}", s.id),
                other => panic!("unexpected role {other}"),
            }
        }
        for c in &doc.clients {
            assert!(numbered(&c.id, "c"), "{}", c.id);
        }
        for r in &doc.referrals {
            assert!(numbered(&r.id, "r"), "{}", r.id);
            let mut ids = HashSet::new();
            for j in r.jobs.iter().flatten() {
                assert!(numbered(&j.id, &format!("{}j", r.id)), "{}", j.id);
                assert!(ids.insert(j.id.clone()), "{} twice", j.id);
            }
        }
    }
}

#[test]
fn teams_have_six_to_ten_specialists_and_one_team_lead_without_referrals() {
    for (options, doc) in bundles() {
        let mut es = HashMap::<&str, u32>::new();
        let mut leads = HashMap::<&str, u32>::new();
        for s in &doc.staff {
            match s.role.as_str() {
                "es" => *es.entry(&s.team).or_default() += 1,
                _ => *leads.entry(&s.team).or_default() += 1,
            }
        }
        assert_eq!(es.values().sum::<u32>(), options.specialists);
        for t in &doc.teams {
            assert_eq!(leads.get(t.id.as_str()), Some(&1), "{options:?}");
            let n = es[t.id.as_str()];
            assert!(
                (6..=10).contains(&n) || options.specialists < 12,
                "{options:?}: team {} has {n}",
                t.id
            );
        }
        let roles: HashMap<&str, &str> = doc
            .staff
            .iter()
            .map(|s| (s.id.as_str(), s.role.as_str()))
            .collect();
        for r in &doc.referrals {
            let holders =
                r.es.iter()
                    .chain(r.transfers.iter().flatten().map(|t| &t.es));
            for id in holders {
                assert_eq!(roles[id.as_str()], "es", "{} points at {id}", r.id);
            }
        }
    }
}

/// ENG-3: each team decision names the ES assigned on its first day (by
/// name) and one or two others; an unallocated referral's, two others.
#[test]
fn team_decisions_name_the_es_assigned_that_day_and_others_who_agreed() {
    let mut decisions = 0;
    for (options, doc) in bundles() {
        let names: HashMap<&str, &str> = doc
            .staff
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str()))
            .collect();
        for r in &doc.referrals {
            for d in r.decisions.iter().flatten() {
                decisions += 1;
                let mut es = r.es.as_deref();
                for t in r.transfers.iter().flatten() {
                    if t.date <= d.start {
                        es = Some(t.es.as_str());
                    }
                }
                let others = match es {
                    Some(es) => {
                        assert_eq!(
                            d.agreed_by.first().map(String::as_str),
                            Some(names[es]),
                            "{options:?} {}: {:?}",
                            r.id,
                            d.agreed_by
                        );
                        &d.agreed_by[1..]
                    }
                    None => &d.agreed_by[..],
                };
                assert!(
                    (1..=2).contains(&others.len()) || (es.is_none() && others.len() == 3),
                    "{options:?} {}: {:?}",
                    r.id,
                    d.agreed_by
                );
                assert!(others.iter().all(|o| !o.starts_with("Specialist")));
            }
        }
    }
    assert!(decisions > 0, "some team decisions were checked");
}

/// JOB-1: registered self-employment states its evidence; the rest has
/// neither.
#[test]
fn self_employment_states_its_registration_and_evidence_or_neither() {
    let (mut registered, mut not) = (0, 0);
    for (_, doc) in bundles() {
        for j in doc.referrals.iter().flat_map(|r| r.jobs.iter().flatten()) {
            if j.kind != "self_employed" {
                assert!(j.self_employment_registration.is_none(), "{}", j.id);
                continue;
            }
            match j.self_employment_registration.as_deref() {
                Some("sole_trader" | "company") => {
                    registered += 1;
                    let evidence = j.self_employment_evidence.as_deref().unwrap_or_default();
                    assert!(evidence.contains("UTR"), "{}: {evidence:?}", j.id);
                }
                None => {
                    not += 1;
                    assert!(j.self_employment_evidence.is_none(), "{}", j.id);
                }
                Some(other) => panic!("{}: {other}", j.id),
            }
        }
    }
    assert!(
        registered > 0 && not > 0,
        "{registered} registered, {not} not"
    );
}

/// In-work checks are dated from the received day on, one a day at most,
/// in date order, with a known source.
#[test]
fn in_work_checks_are_ordered_and_of_known_sources() {
    for (options, doc) in bundles() {
        for r in &doc.referrals {
            let dates: Vec<&str> = r.in_work_checks.iter().map(|k| k.date.as_str()).collect();
            assert!(
                dates.windows(2).all(|w| w[0] < w[1]),
                "{options:?} {}: {dates:?}",
                r.id
            );
            assert!(dates.iter().all(|d| *d >= r.received.as_str()));
            for k in &r.in_work_checks {
                assert!(
                    ["payslip", "employer", "client", "other"].contains(&k.source.as_str()),
                    "{}",
                    k.source
                );
            }
        }
    }
}
