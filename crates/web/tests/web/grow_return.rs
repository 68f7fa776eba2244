//! The IPS Grow return's downloads (xlsx and CSV): every figure as the JSON
//! report gives it (crates/web/src/returns/files.rs).

use crate::common::*;
use axum::http::StatusCode;

// The figures of the IPS Grow return, by heading, and where the JSON report
// holds each (in a KPI block): the interop tests' fixture.
#[path = "../../../interop/tests/fixtures/grow_return_figures.rs"]
mod grow_return_figures;
use grow_return_figures::figures as grow_figures;

/// The KPI block of a return row in the JSON report, by level and id.
pub(crate) fn block<'a>(
    report: &'a serde_json::Value,
    level: &str,
    id: &str,
) -> &'a serde_json::Value {
    let list = match level {
        "service" => return &report["service"],
        "team" => &report["teams"],
        "es" => &report["specialists"],
        other => panic!("level {other}"),
    };
    list.as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("{level} {id}"))
}

/// Checks one figure of a return of a quarter against the report: a number
/// equal to the report's, or empty where the report has null (or, for the
/// year to date's rate, nothing: teams and the service).
fn check_figure(block: &serde_json::Value, heading: &str, cell: Option<f64>) {
    let (_, pointer) = grow_figures()
        .into_iter()
        .find(|(h, _)| h == heading)
        .unwrap_or_else(|| panic!("a figure the test does not know: {heading}"));
    let expected = &grow_return_figures::expected(block, &pointer, false);
    match expected.as_f64() {
        Some(v) => assert_eq!(cell, Some(v), "{heading}"),
        None => assert!(expected.is_null() && cell.is_none(), "{heading}: {cell:?}"),
    }
}

#[tokio::test]
async fn the_grow_return_downloads_as_xlsx_and_csv_with_the_json_reports_figures() {
    use calamine::{Data, Reader, Xlsx};
    let w = world().await;
    let query = "period=2024/25-Q3&as_of=2024-12-31";
    for user in ["manager", "admin"] {
        let (session, _) = sign_in(&w, user, PASSWORD).await.unwrap();
        let (_, _, json) = send(&w.app, get(&format!("/api/v1/report?{query}"), &session)).await;
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let rows_expected = 1
            + report["teams"].as_array().unwrap().len()
            + report["specialists"].as_array().unwrap().len();

        let (status, headers, bytes) = send_bytes(
            &w.app,
            get(&format!("/returns/grow-return.xlsx?{query}"), &session),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(
            header_value(&headers, "content-type").as_deref(),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        downloads_as(&headers, "ips-grow-return-2024-25-Q3-as-of-2024-12-31.xlsx");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let mut checked = 0;
        for (sheet, level) in [
            ("Service", "service"),
            ("Teams", "team"),
            ("Specialists", "es"),
        ] {
            let range = book.worksheet_range(sheet).unwrap();
            let headings: Vec<String> = (0..range.width())
                .map(|c| range.get((0, c)).unwrap().to_string())
                .collect();
            assert_eq!(headings.len(), 7 + grow_figures().len());
            for row in 1..range.height() {
                let id = range.get((row, 0)).unwrap().to_string();
                let b = block(&report, level, &id);
                assert_eq!(
                    range.get((row, 3)),
                    Some(&Data::String("2024/25-Q3".into()))
                );
                for (c, heading) in headings.iter().enumerate().skip(7) {
                    let cell = match range.get((row, c)) {
                        Some(Data::Float(v)) => Some(*v),
                        Some(Data::Int(v)) => Some(*v as f64),
                        None | Some(Data::Empty) => None,
                        other => panic!("{sheet} {id} {heading}: {other:?}"),
                    };
                    check_figure(b, heading, cell);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, rows_expected, "every row of the report");

        let (status, headers, text) = send(
            &w.app,
            get(&format!("/returns/grow-return.csv?{query}"), &session),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header_value(&headers, "content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        downloads_as(&headers, "ips-grow-return-2024-25-Q3-as-of-2024-12-31.csv");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headings: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            headings[..8].join(","),
            "Level,Id,Name,Team,Period,Period start,Period end,As of"
        );
        let mut rows = 0;
        for record in reader.records() {
            let record = record.unwrap();
            let b = block(&report, &record[0], &record[1]);
            assert_eq!(&record[4], "2024/25-Q3");
            assert_eq!(&record[7], "2024-12-31");
            for (c, heading) in headings.iter().enumerate().skip(8) {
                let cell = (!record[c].is_empty()).then(|| record[c].parse::<f64>().unwrap());
                check_figure(b, heading, cell);
            }
            rows += 1;
        }
        assert_eq!(rows, rows_expected);
    }
    // Other roles: 404, as for the returns page.
    for user in ["es1", "lead1"] {
        let (session, _) = sign_in(&w, user, PASSWORD).await.unwrap();
        for file in ["xlsx", "csv"] {
            let (status, headers, _) = send(
                &w.app,
                get(&format!("/returns/grow-return.{file}?{query}"), &session),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {file}");
            assert!(header_value(&headers, "content-disposition").is_none());
        }
    }
    let (status, _, _) = send(
        &w.app,
        get(&format!("/returns/grow-return.csv?{query}"), ""),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A bad or missing period: 400 with a message, no file.
    let manager = session_of(&w, "manager").await;
    for (query, words) in [
        ("period=2024/25-Q5", "is not valid"),
        ("period=", "Choose the period of the return"),
        ("", "Choose the period of the return"),
        ("period=2024/25-Q3&as_of=31/12/2024", "must be a real date"),
    ] {
        for file in ["xlsx", "csv"] {
            let (status, headers, page) = send(
                &w.app,
                get(&format!("/returns/grow-return.{file}?{query}"), &manager),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert!(page.contains(words), "{query}: {page}");
            assert!(header_value(&headers, "content-disposition").is_none());
        }
    }
    // The returns page's preview offers both downloads.
    let (_, _, page) = send(&w.app, get(&format!("/returns?{query}"), &manager)).await;
    assert!(
        page.contains("href=\"/returns/grow-return.xlsx?period=2024/25-Q3&amp;as_of=2024-12-31\"")
    );
    assert!(
        page.contains("href=\"/returns/grow-return.csv?period=2024/25-Q3&amp;as_of=2024-12-31\"")
    );
}
