//! The quarterly returns: the last closed quarter to begin with, the preview,
//! submitting through a confirmation, what changed since, the IPS Grow
//! downloads current and frozen (crates/web/src/returns.rs).

use crate::common::*;
use crate::grow_return::block;
use axum::http::StatusCode;

/// The quarter of the brief's example: on 15 Jan 2025, the last closed one.
const Q3: &str = "period=2024/25-Q3&as_of=2024-12-31";
/// The question the confirmation asks, naming the quarter.
const QUESTION: &str = "Submit the return for <strong>October to December 2024 (2024/25 Q3)</strong>? The figures will be frozen: later changes to case data will be shown against them, not change them.";

/// Submits Q3 through its confirmation, as `manager`; answers the status.
async fn submit_q3(w: &World, manager: &str, csrf: &str) -> StatusCode {
    let form = format!("csrf={csrf}&{Q3}&confirm=yes");
    let (status, headers, body) = submit(w, "/returns", manager, &form).await;
    if status == StatusCode::SEE_OTHER {
        assert_eq!(location(&headers), "/returns", "{body}");
        assert!(
            header_value(&headers, "set-cookie")
                .is_some_and(|c| c.starts_with("ipstrack_saved=return")),
            "the success message follows: {headers:?}"
        );
    }
    status
}

#[tokio::test]
async fn the_returns_page_defaults_to_the_last_closed_quarter_as_of_today() {
    let (w, manager, page) = world_with_page("manager", "/returns").await;
    // Today is 15 Jan 2025: Q3 (October to December 2024) closed last.
    shows(
        &page,
        "<option value=\"2024/25-Q3\" selected>2024/25 Q3: Oct to Dec 2024</option>",
    );
    // The quarters with data are listed, newest first (the current one too);
    // not whole years.
    let q4 = page.find("value=\"2024/25-Q4\"").unwrap();
    let q1 = page.find("value=\"2024/25-Q1\"").unwrap();
    assert!(q4 < q1, "newest first");
    hides(&page, "value=\"2024/25\"");
    shows_date(&page, "return-as_of", "2025-01-15");
    // The as-of date typed in its day, month and year boxes.
    let boxes = ok_page(
        &w,
        "/returns?period=2024/25-Q3&as_of-day=31&as_of-month=12&as_of-year=2024",
        &manager,
    )
    .await;
    shows_date(&boxes, "return-as_of", "2024-12-31");
    shows(&boxes, "as of 31 Dec 2024");
    // No preview until a quarter is chosen; nothing submitted yet.
    hides(&page, "Preview: ");
    shows(&page, "No return has been submitted yet.");
    // Only managers and admins.
    for user in ["es1", "lead1"] {
        let session = session_of(&w, user).await;
        for path in [
            "/returns",
            "/returns?period=2024/25-Q3",
            "/returns/confirm?period=2024/25-Q3",
        ] {
            let (status, _, _) = send(&w.app, get(path, &session)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {path}");
        }
    }
}

#[tokio::test]
async fn a_preview_shows_the_quarters_figures_and_downloads_and_submits_nothing() {
    let (w, manager, _) = world_signed_in("manager").await;
    let page = ok_page(&w, &format!("/returns?{Q3}"), &manager).await;
    shows(&page, "Preview: October to December 2024 (2024/25 Q3)");
    shows(&page, "Figures as of 31 Dec 2024.");
    // The two downloads of exactly that quarter and as-of day.
    shows(
        &page,
        "href=\"/returns/grow-return.xlsx?period=2024/25-Q3&amp;as_of=2024-12-31\"",
    );
    shows(
        &page,
        "href=\"/returns/grow-return.csv?period=2024/25-Q3&amp;as_of=2024-12-31\"",
    );
    // The figures: a column per team (by name) and the service, a row per
    // figure of the return, unemployed and employed apart.
    let (_, _, json) = send(&w.app, get(&format!("/api/v1/report?{Q3}"), &manager)).await;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    for heading in ["North", "South", "Service"] {
        shows(
            &page,
            &format!("<th scope=\"col\" class=\"num\">{heading}</th>"),
        );
    }
    let service_cell = |heading: &str, pointer: &str| {
        format!(
            "<th scope=\"row\">{heading}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            block(&report, "team", "t1").pointer(pointer).unwrap(),
            block(&report, "team", "t2").pointer(pointer).unwrap(),
            report["service"].pointer(pointer).unwrap(),
        )
    };
    shows(
        &page,
        &service_cell("Referrals (unemployed)", "/referrals/unemployed"),
    );
    shows(
        &page,
        &service_cell("Referrals already in employment", "/referrals/employed"),
    );
    shows(
        &page,
        &service_cell("People into work (employed)", "/people_into_work/employed"),
    );
    // The way on is the confirmation, for the same quarter.
    shows_all(
        &page,
        &[
            "action=\"/returns/confirm\"",
            "name=\"period\" value=\"2024/25-Q3\"",
            "Submit this return",
        ],
    );
    assert!(
        w.store.submissions().await.unwrap().is_empty(),
        "a preview submits nothing"
    );
    // A quarter typed as its days is that quarter.
    let page = ok_page(
        &w,
        "/returns?period=2024-10-01..2024-12-31&as_of=2025-01-10",
        &manager,
    )
    .await;
    shows(
        &page,
        "href=\"/returns/grow-return.csv?period=2024/25-Q3&amp;as_of=2025-01-10\"",
    );
}

#[tokio::test]
async fn submitting_needs_the_confirmation_which_names_the_quarter() {
    let (w, manager, csrf) = world_signed_in("manager").await;
    let page = ok_page(&w, &format!("/returns/confirm?{Q3}"), &manager).await;
    shows(&page, QUESTION);
    shows(&page, "<h1>Submit the return</h1>");
    shows(&page, "name=\"confirm\" value=\"yes\"");
    shows(
        &page,
        "href=\"/returns?period=2024/25-Q3&amp;as_of=2024-12-31#preview\">Cancel</a>",
    );
    assert!(
        w.store.submissions().await.unwrap().is_empty(),
        "asking submits nothing"
    );
    // A post without the confirmation asks the question; nothing is frozen.
    let form = format!("csrf={csrf}&{Q3}");
    let (status, _, page) = submit(&w, "/returns", &manager, &form).await;
    assert_eq!(status, StatusCode::OK);
    shows(&page, QUESTION);
    assert!(w.store.submissions().await.unwrap().is_empty());
    // Without the session's token: refused.
    let forged = format!("csrf=forged&{Q3}&confirm=yes");
    let (status, _, _) = submit(&w, "/returns", &manager, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(w.store.submissions().await.unwrap().is_empty());
    // Confirmed: frozen, with the success message on the returns page.
    assert_eq!(submit_q3(&w, &manager, &csrf).await, StatusCode::SEE_OTHER);
    let submitted = w.store.submissions().await.unwrap();
    assert_eq!(submitted.len(), 1);
    assert_eq!(
        (
            submitted[0].period_label.as_str(),
            submitted[0].as_of.as_str(),
            submitted[0].submitted_by.as_str()
        ),
        ("2024/25-Q3", "2024-12-31", "manager")
    );
    let page = ok_page(&w, "/returns", &format!("{manager}; ipstrack_saved=return")).await;
    shows_all(
        &page,
        &[
            "Return submitted. Its figures are frozen.",
            "<h3>October to December 2024 (2024/25 Q3)</h3>",
            " by manager, with figures as of 31 Dec 2024.",
            "No change since it was submitted.",
        ],
    );
    // The submitted figures are readable on the page, not only as a file:
    // the frozen report's own numbers.
    let submitted = &page[page
        .find("<summary>The submitted figures</summary>")
        .expect("the figures")..];
    let stored = w.store.submissions().await.unwrap();
    let frozen = &stored[0].report;
    let referrals = frozen["service"]["referrals"]["unemployed"]
        .as_u64()
        .unwrap();
    shows(submitted, &format!("<td class=\"num\">{referrals}</td>"));
}

#[tokio::test]
async fn submitting_a_quarter_twice_is_refused_with_a_clear_message() {
    let (w, manager, csrf) = world_signed_in("manager").await;
    assert_eq!(submit_q3(&w, &manager, &csrf).await, StatusCode::SEE_OTHER);
    let (admin, admin_csrf) = sign_in(&w, "admin", PASSWORD).await.unwrap();
    let again = format!("csrf={admin_csrf}&period=2024/25-Q3&as_of=2025-01-15&confirm=yes");
    let (status, _, page) = submit(&w, "/returns", &admin, &again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(
        &page,
        "The return for October to December 2024 (2024/25 Q3) was submitted on ",
    );
    shows(&page, " by manager. A submitted return is never changed");
    shows(&page, "href=\"#return-period\"");
    assert_eq!(w.store.submissions().await.unwrap().len(), 1);
    assert_eq!(w.store.submissions().await.unwrap()[0].as_of, "2024-12-31");
    // The preview says so instead of offering to submit; the confirmation too.
    let page = ok_page(&w, &format!("/returns?{Q3}"), &admin).await;
    shows(&page, "Already submitted.");
    hides(&page, "Submit this return");
    let (status, _, page) = send(&w.app, get(&format!("/returns/confirm?{Q3}"), &admin)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    hides(&page, "name=\"confirm\"");
}

#[tokio::test]
async fn submitted_returns_list_what_changed_since_in_words_with_their_frozen_files() {
    let (w, manager, csrf) = world_signed_in("manager").await;
    assert_eq!(submit_q3(&w, &manager, &csrf).await, StatusCode::SEE_OTHER);
    let frozen = |file: &str| {
        get(
            &format!("/returns/{file}?period=2024/25-Q3&as_of=2024-12-31"),
            &manager,
        )
    };
    let (status, headers, frozen_before) = send(&w.app, frozen("submitted-return.csv")).await;
    assert_eq!(status, StatusCode::OK);
    downloads_as(
        &headers,
        "ips-grow-return-2024-25-Q3-as-of-2024-12-31-submitted.csv",
    );
    let (_, _, current_before) = send(&w.app, frozen("grow-return.csv")).await;
    assert_eq!(frozen_before, current_before, "nothing has changed yet");
    // A referral dated inside the quarter, recorded later by es3 (team North).
    let (es3, es3_csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let new = format!(
        "csrf={es3_csrf}&client=&given_name=Amira&family_name=Khan&nhs_number=&received=2024-11-05&status_at_referral=unemployed&es=es3"
    );
    let (status, _, _) = submit(&w, "/referrals/new", &es3, &new).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = ok_page(&w, "/returns", &manager).await;
    shows(
        &page,
        "Changed since it was submitted: </strong>3 figures of the return",
    );
    // Who (by name), the figure in words, then and now: no JSON paths.
    let service =
        w.store.submissions().await.unwrap()[0].report["service"]["referrals"]["unemployed"]
            .as_u64()
            .unwrap();
    shows(
        &page,
        &format!(
            "<td>Service</td><td>Referrals (unemployed)</td><td class=\"num\">{service}</td><td class=\"num\">{}</td>",
            service + 1
        ),
    );
    shows(&page, "<td>North</td><td>Referrals (unemployed)</td>");
    shows(
        &page,
        "<td>Specialist 3</td><td>Referrals (unemployed)</td>",
    );
    hides(&page, "referrals.unemployed");
    hides(&page, "teams[");
    // The frozen file keeps the submitted figures; the current one has the new referral.
    let (_, _, frozen_after) = send(&w.app, frozen("submitted-return.csv")).await;
    assert_eq!(
        frozen_after, frozen_before,
        "a submitted return never changes"
    );
    let (_, _, current_after) = send(&w.app, frozen("grow-return.csv")).await;
    assert_ne!(current_after, frozen_before);
    shows(
        &page,
        "href=\"/returns/submitted-return.xlsx?period=2024/25-Q3&amp;as_of=2024-12-31\"",
    );
    shows(
        &page,
        "href=\"/returns/submitted-return.csv?period=2024/25-Q3&amp;as_of=2024-12-31\"",
    );
    let (status, headers, _) = send_bytes(&w.app, frozen("submitted-return.xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        header_value(&headers, "content-disposition")
            .unwrap()
            .contains("-submitted.xlsx")
    );
    // A quarter not submitted has no frozen file; other roles none at all.
    let (status, _, page) = send(
        &w.app,
        get("/returns/submitted-return.csv?period=2024/25-Q2", &manager),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    shows(&page, "The return for 2024/25-Q2 has not been submitted.");
    let lead = session_of(&w, "lead1").await;
    let (status, _, _) = send(
        &w.app,
        get("/returns/submitted-return.csv?period=2024/25-Q3", &lead),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_return_csv_names_teams_not_ids() {
    let (w, manager, _) = world_signed_in("manager").await;
    let (_, _, text) = send(
        &w.app,
        get(&format!("/returns/grow-return.csv?{Q3}"), &manager),
    )
    .await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut seen = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let (level, id, name, team) = (&record[0], &record[1], &record[2], &record[3]);
        let expected = match (level, id) {
            ("service", _) => "",
            ("team", "t1") | ("es", "es3") => "North",
            ("team", "t2") | ("es", "es1" | "es2" | "es4") => "South",
            other => panic!("a row the test does not know: {other:?}"),
        };
        assert_eq!(team, expected, "{level} {id}");
        if level == "team" {
            assert_eq!(name, expected, "the team row is named");
        }
        seen += 1;
    }
    assert_eq!(seen, 1 + 2 + 4);
}

#[tokio::test]
async fn a_bad_quarter_keeps_the_form_with_the_error_beside_the_field() {
    let (w, manager, csrf) = world_signed_in("manager").await;
    for (query, field, words) in [
        (
            "period=2024/26&as_of=",
            "return-period",
            "“2024/26” is not a quarter",
        ),
        (
            "period=2024/25&as_of=",
            "return-period",
            "“2024/25” is not a quarter",
        ),
        (
            "period=&as_of=",
            "return-period",
            "Choose the quarter of the return.",
        ),
        (
            "period=2024/25-Q3&as_of=31/12/2024",
            "return-as_of",
            "The as-of date must be a real date, for example, 15 1 2025",
        ),
        (
            "period=2024/25-Q3&as_of=2024-09-30",
            "return-as_of",
            "The figures cannot be as of 30 Sep 2024: 2024/25-Q3 starts on 1 Oct 2024.",
        ),
        (
            "period=2024/25-Q3&as_of=2025-01-16",
            "return-as_of",
            "The as-of date cannot be after today (15 Jan 2025).",
        ),
    ] {
        let check = |status: StatusCode, page: &str, expected: StatusCode| {
            assert_eq!(status, expected, "{query}: {page}");
            shows(
                page,
                "<h2 id=\"error-summary-title\">There is a problem</h2>",
            );
            shows(page, &format!("href=\"#{field}\""));
            shows(
                page,
                &format!("<span class=\"error\" id=\"{field}-error\">{words}"),
            );
            shows(page, "class=\"field has-error\"");
        };
        let (status, _, page) = send(&w.app, get(&format!("/returns?{query}"), &manager)).await;
        check(status, &page, StatusCode::BAD_REQUEST);
        let typed = query
            .split('&')
            .next()
            .unwrap()
            .trim_start_matches("period=");
        if !typed.is_empty() {
            shows(&page, &format!("<option value=\"{typed}\" selected>"));
        }
        let (status, _, page) =
            send(&w.app, get(&format!("/returns/confirm?{query}"), &manager)).await;
        check(status, &page, StatusCode::BAD_REQUEST);
        let form = format!("csrf={csrf}&{query}&confirm=yes");
        let (status, _, page) = submit(&w, "/returns", &manager, &form).await;
        check(status, &page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A quarter not yet closed can be previewed, not submitted.
    let page = ok_page(&w, "/returns?period=2024/25-Q4&as_of=", &manager).await;
    shows(
        &page,
        "Not yet. </strong>2024/25-Q4 ends on 31 Mar 2025: its return can be submitted from 1 Apr 2025",
    );
    hides(&page, "Submit this return");
    let form = format!("csrf={csrf}&period=2024/25-Q4&as_of=&confirm=yes");
    let (status, _, page) = submit(&w, "/returns", &manager, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "href=\"#return-period\"");
    // Figures stopping before the quarter's end are not a return.
    let form = format!("csrf={csrf}&period=2024/25-Q3&as_of=2024-12-30&confirm=yes");
    let (status, _, page) = submit(&w, "/returns", &manager, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "href=\"#return-as_of\"");
    shows(&page, "leave out the end of the quarter");
    assert!(w.store.submissions().await.unwrap().is_empty());
}

/// The cookie a write set named `name`, as `name=value` (none: not set).
fn cookie_set(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
}

#[tokio::test]
async fn an_entry_backdated_into_a_submitted_quarter_is_saved_with_a_warning_naming_it() {
    let (w, manager, csrf) = world_signed_in("manager").await;
    assert_eq!(submit_q3(&w, &manager, &csrf).await, StatusCode::SEE_OTHER);
    let (es1, csrf1) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es1_referral);
    let before = saved_referral(&w, &w.es1_referral).await;
    // A referral of Q3 received: a job start backdated into Q3 changes the
    // return's job starts.
    let job =
        format!("csrf={csrf1}&type=employee&employer=Co-op&start=2024-12-02&hours_per_week=16");
    let (status, headers, _) = submit(&w, &format!("{referral}/jobs"), &es1, &job).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = saved_referral(&w, &w.es1_referral).await;
    assert!(after.version > before.version, "saved: the record is true");
    let warning = cookie_set(&headers, "ipstrack_return_changed").expect("a warning");
    let saved = cookie_set(&headers, "ipstrack_saved").unwrap();
    let (_, headers, page) = send(
        &w.app,
        get(&referral, &format!("{es1}; {saved}; {warning}")),
    )
    .await;
    shows(&page, "Job start on 2 Dec 2024 recorded for ");
    shows(
        &page,
        "This changes the return already submitted for October to December 2024 (2024/25 Q3)",
    );
    shows(&page, "Total job starts");
    shows(&page, "href=\"/returns#submitted\"");
    // Shown once: the page clears it.
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "set-cookie" && v.starts_with("ipstrack_return_changed=;"))
    );
    // An entry of today changes nothing submitted: no warning.
    let contact = format!("csrf={csrf1}&date=2025-01-15&kind=remote&mechanism=&note=");
    let (status, headers, _) = submit(&w, &format!("{referral}/contacts"), &es1, &contact).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(cookie_set(&headers, "ipstrack_return_changed"), None);
    // A forged cookie shows nothing it cannot read.
    let (_, _, page) = send(
        &w.app,
        get(
            &referral,
            &format!("{es1}; ipstrack_return_changed=<script>~99"),
        ),
    )
    .await;
    hides(&page, "return already submitted");
}

/// Issue 23: the preview's columns add up — each team, what no team held
/// ("Not allocated to a team") and, for people of two teams, the overlap —
/// to the service, for every count of the return.
#[tokio::test]
async fn the_returns_teams_and_what_no_team_held_add_up_to_the_service() {
    let (w, manager, _) = world_signed_in("manager").await;
    let path = "/returns?period=2024/25-Q3&as_of=2024-12-31";
    // With every referral held by an ES there is no such column.
    hides(
        &ok_page(&w, path, &manager).await,
        "Not allocated to a team",
    );
    unallocate_one(&w, "2024-10-01", "2024-12-31").await;
    let page = ok_page_once_it_shows(&w, path, &manager, "Not allocated to a team").await;
    let table = &page[page.find("class=\"return-figures\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    shows(
        table,
        "<th scope=\"col\" class=\"num\">Not allocated to a team</th>",
    );
    let mut checked = 0;
    for row in table.split("<tr><th scope=\"row\">").skip(1) {
        let heading = row.split('<').next().unwrap();
        if heading.contains("rate") {
            continue;
        }
        let cells: Vec<f64> = row
            .split("<td class=\"num\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap().parse().unwrap())
            .collect();
        let (service, parts) = cells.split_last().unwrap();
        assert_eq!(parts.iter().sum::<f64>(), *service, "{heading}");
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
}
