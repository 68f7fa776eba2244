//! Equality of access (issue 26, crates/web/src/equality.rs): whose figures
//! each role sees, no count of 1 to 7 on the page or in the CSV, and the
//! numbers are core's.

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::equality::{Whole, equality};
use ipstrack_core::model::TeamIdx;
use ipstrack_core::{Day, Period};

const ASKED: &str = "period=2024/25&as_of=2025-03-31";

/// Every number standing alone in a table cell of `page` (a count; rates
/// and differences have a decimal point).
fn cell_numbers(page: &str) -> Vec<u32> {
    let mut numbers = Vec::new();
    for cell in page.split("<td").skip(1) {
        let cell = cell.split("</td>").next().unwrap_or_default();
        let cell = cell.split_once('>').map_or("", |(_, rest)| rest);
        let text: String = cell
            .replace("<br>", " ")
            .split('<')
            .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
            .collect::<Vec<_>>()
            .join(" ");
        numbers.extend(
            text.split_whitespace()
                .filter_map(|t| t.parse::<u32>().ok()),
        );
    }
    numbers
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let head: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut rows = vec![head];
    for r in reader.records() {
        rows.push(r.unwrap().iter().map(String::from).collect());
    }
    rows
}

#[tokio::test]
async fn a_lead_sees_only_their_team_and_an_es_is_refused() {
    let w = world().await;
    let lead = sign_in(&w, "lead1", PASSWORD).await.unwrap().0;
    let es = sign_in(&w, "es1", PASSWORD).await.unwrap().0;
    let (status, _, page) = send(&w.app, get(&format!("/equality?{ASKED}"), &lead)).await;
    assert_eq!(status, StatusCode::OK);
    let loaded = w.store.load().await.unwrap();
    let t1 = loaded.dataset.teams.iter().find(|t| t.id == "t1").unwrap();
    shows(&page, &format!("Team {}", t1.name));
    shows(&page, "counts from 1 to 7 are not shown");
    assert!(!page.contains("id=\"equality-team\""), "no choice of team");
    for path in [
        format!("/equality?team=t2&{ASKED}"),
        format!("/equality.csv?team=t2&{ASKED}"),
        format!("/equality?team=nowhere&{ASKED}"),
    ] {
        let (status, _, _) = send(&w.app, get(&path, &lead)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in ["/equality", "/equality.csv"] {
        let (status, _, _) = send(&w.app, get(path, &es)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "es1 {path}");
    }
    let (status, _, _) = send(&w.app, get("/equality?team=t1&period=2024/26", &lead)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let long = "t".repeat(5_000);
    let (status, _, _) = send(&w.app, get(&format!("/equality?team={long}"), &lead)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_page_and_the_csv_show_no_count_of_1_to_7_and_core_s_numbers() {
    let w = world().await;
    let manager = sign_in(&w, "manager", PASSWORD).await.unwrap().0;
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let period = Period::parse("2024/25").unwrap();
    let as_of = Day::parse("2025-03-31").unwrap();
    let t2 = TeamIdx::at(d.teams.iter().position(|t| t.id == "t2").unwrap());
    for (query, whole) in [("", Whole::Service), ("team=t2&", Whole::Team(t2))] {
        let (status, _, page) =
            send(&w.app, get(&format!("/equality?{query}{ASKED}"), &manager)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.matches("<svg class=\"chart-bars\"").count(),
            9,
            "three rates × three dimensions"
        );
        for h in ["Ethnic group", "Gender", "Age at referral"] {
            shows(&page, &format!("<h2>{h}</h2>"));
        }
        for n in cell_numbers(&page) {
            assert!(!(1..=7).contains(&n), "{query}: a cell of {n}");
        }
        let (status, headers, body) = send(
            &w.app,
            get(&format!("/equality.csv?{query}{ASKED}"), &manager),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            header_value(&headers, "content-type")
                .unwrap()
                .starts_with("text/csv")
        );
        let rows = csv_rows(&body);
        for row in &rows[1..] {
            for cell in row {
                if let Ok(n) = cell.parse::<u32>() {
                    assert!(!(1..=7).contains(&n), "{query}: a CSV cell of {n}: {row:?}");
                }
            }
        }
        // Core's figures, through EQ-5, row by row.
        let e = equality(d, &period, as_of, whole).unwrap();
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let mut at = 1;
        for dim in e.shown() {
            for r in dim.groups.iter().chain([&dim.whole]) {
                let row = &rows[at];
                assert_eq!(row[col("dimension")], dim.dimension.key());
                for (key, shown) in r.counts() {
                    assert_eq!(row[col(key)], shown.csv(), "{key} {row:?}");
                }
                let p = r.rates[0]
                    .percent
                    .map_or(String::new(), |p| format!("{p:.1}"));
                assert_eq!(row[col("access_rate_percent")], p);
                at += 1;
            }
        }
        assert_eq!(at, rows.len());
        let whole_referrals = e.shown()[0].whole.referrals.words();
        shows(&page, &format!("<td class=\"num\">{whole_referrals}</td>"));
    }
}

/// Gives every client of the example service an ethnic category, a gender
/// and a date of birth (in turn over a few of each), through the person's
/// edit as the web saves it; the app over the changed store.
async fn with_people(w: &World) -> axum::Router {
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let ethnic = ["A", "H", "M", "Z", "C", "K"];
    let genders = ["1", "2", "X"];
    let born = ["1990-05-01", "2001-07-20", "1968-01-31", "1979-11-11"];
    let mut done = std::collections::HashSet::new();
    for r in d.referrals.iter() {
        if !done.insert(r.client) {
            continue;
        }
        let i = r.client.index();
        let saved = saved_referral(w, &r.id).await;
        let mut client = saved.client.clone();
        client.ethnic_category = Some(ethnic[i % ethnic.len()].into());
        client.gender = Some(genders[i % genders.len()].into());
        client.date_of_birth = Some(born[i % born.len()].into());
        let seen = ipstrack_store::client_fingerprint(&saved.client);
        w.store
            .update_client(&r.id, &client, &seen, "setup")
            .await
            .unwrap();
    }
    app_on(&w.store).await
}

#[tokio::test]
async fn with_people_of_every_group_the_csv_is_core_s_and_a_lead_gets_their_team_s() {
    let w = world().await;
    let app = with_people(&w).await;
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let period = Period::parse("2024/25").unwrap();
    let as_of = Day::parse("2025-03-31").unwrap();
    let t1 = TeamIdx::at(d.teams.iter().position(|t| t.id == "t1").unwrap());
    for (user, whole) in [("manager", Whole::Service), ("lead1", Whole::Team(t1))] {
        let session = sign_in(&w, user, PASSWORD).await.unwrap().0;
        let (status, _, body) = send(&app, get(&format!("/equality.csv?{ASKED}"), &session)).await;
        assert_eq!(status, StatusCode::OK);
        let rows = csv_rows(&body);
        let e = equality(d, &period, as_of, whole).unwrap();
        let shown: Vec<_> = e.shown();
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let mut at = 1;
        let mut some_group_counted = false;
        for dim in &shown {
            for r in dim.groups.iter().chain([&dim.whole]) {
                let row = &rows[at];
                for (key, c) in r.counts() {
                    assert_eq!(row[col(key)], c.csv(), "{user} {key} {row:?}");
                    if let Ok(n) = row[col(key)].parse::<u32>() {
                        assert!(!(1..=7).contains(&n));
                    }
                }
                some_group_counted |=
                    r.compared && r.referrals != ipstrack_core::equality::Shown::Count(0);
                at += 1;
            }
        }
        assert!(some_group_counted, "{user}: people in the groups");
        let (_, _, page) = send(&app, get(&format!("/equality?{ASKED}"), &session)).await;
        for n in cell_numbers(&page) {
            assert!(!(1..=7).contains(&n), "{user}: a cell of {n}");
        }
        let expect = match whole {
            Whole::Service => "Service".to_string(),
            Whole::Team(t) => format!("Team {}", d.team(t).name),
        };
        assert!(rows[1..].iter().all(|r| r[0] == expect), "{user}");
    }
}
