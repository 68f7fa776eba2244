//! The caseload page: an ES's referrals in scope, CASE-1..4 as core computes them (crates/web/src/caseload.rs).

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn an_es_sees_their_own_caseload_and_not_another_teams_client() {
    let (w, es1, body) = world_with_page("es1", "/caseload").await;
    shows(&body, &format!("/referrals/{}\"", w.es1_referral));
    assert!(body.contains("To do"));
    let _ = ok_page(&w, &format!("/referrals/{}", w.es1_referral), &es1).await;
    // Another team's client, by URL: 404.
    let (status, _, body) =
        send(&w.app, get(&format!("/referrals/{}", w.es3_referral), &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains(&w.es3_referral));
}

/// The number in the caseload row of `referral` (its "Days until inactive" cell).
fn days_until_inactive_cell(page: &str, referral: &str) -> String {
    let row = &page[page
        .find(&format!("id=\"referral-{referral}\""))
        .unwrap_or_else(|| panic!("no row for {referral}"))..];
    let cell = &row[row.find("data-days-until-inactive").unwrap()..];
    let cell = &cell[cell.find('>').unwrap() + 1..];
    cell[..cell.find('<').unwrap()].to_string()
}

#[tokio::test]
async fn case_4_the_caseload_page_shows_cores_days_until_inactive_in_assertive_engagement() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let referral = es3_refers_amira(&w, &es3, &csrf, "2024-11-18").await;
    let id = referral.rsplit('/').next().unwrap().to_string();
    // Access (a two-way contact) 51 days before today, an attempt 5 days before.
    for (step, form) in [
        ("access", format!("csrf={csrf}&date=2024-11-25")),
        ("plan", format!("csrf={csrf}&date=2024-11-25")),
        (
            "contacts",
            format!("csrf={csrf}&date=2025-01-10&kind=assertive_engagement"),
        ),
    ] {
        // Each form sends the version its page showed.
        let form = format!("{form}&version={}", version_now(&w, &referral).await);
        let (status, _, _) = submit(&w, &format!("{referral}/{step}"), &es3, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{step}");
    }
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let es = d.staff.iter().position(|s| s.id == "es3").unwrap() as u32;
    let core = ipstrack_core::caseload::es_caseload(d, ipstrack_core::model::StaffIdx(es), today());
    let entry = core
        .entries
        .iter()
        .find(|e| d.referrals[e.referral].id == id)
        .unwrap();
    // Kept active by the attempt until 2024-11-25 + 56 days = 2025-01-20.
    assert!(entry.status.active);
    assert_eq!(entry.days_until_inactive, Some(5));
    let page = ok_page(&w, "/caseload", &es3).await;
    assert_eq!(days_until_inactive_cell(&page, &id), "5");
    // Every row's figure is core's, never negative.
    for e in &core.entries {
        let r = &d.referrals[e.referral].id;
        let shown = days_until_inactive_cell(&page, r);
        assert_eq!(
            shown,
            e.days_until_inactive.map_or("–".into(), |n| n.to_string()),
            "{r}"
        );
        assert!(!shown.starts_with('-'), "{r}: {shown}");
    }
    // The counts are the report's CASE-2 figures, named apart.
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let report = ipstrack_core::report(d, &loaded.warnings, &period, today()).unwrap();
    let figures = &report
        .specialists
        .iter()
        .find(|s| s.id == "es3")
        .unwrap()
        .kpis
        .caseload;
    let strong = |id: &str| {
        let at = &page[page.find(&format!("id=\"{id}\"")).unwrap()..];
        at[at.find('>').unwrap() + 1..at.find('<').unwrap()].to_string()
    };
    assert_eq!(strong("caseload-open"), figures.open.to_string());
    assert_eq!(strong("caseload-active"), figures.active.to_string());
    assert_eq!(strong("caseload-waiting"), figures.waiting_list.to_string());
    assert_eq!(
        strong("caseload-not-yet-seen"),
        core.not_yet_seen.to_string()
    );
    assert!(page.contains("open (seen)") && page.contains("referred, not yet seen"));
}

#[tokio::test]
async fn case_1_a_client_kept_active_by_a_team_decision_is_shown_as_such() {
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    let form = format!(
        "csrf={csrf}&start=2025-01-01&end=&status=active&reason=in+hospital&agreed_by=es1,Team+lead"
    );
    let (status, _, _) = submit(&w, &format!("{referral}/decision"), &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get(&referral, &es1)).await;
    assert!(
        page.contains("kept active by a team decision"),
        "referral page"
    );
    let (_, _, page) = send(&w.app, get("/caseload", &es1)).await;
    assert!(
        page.contains("kept active by a team decision"),
        "caseload page"
    );
    assert_eq!(
        days_until_inactive_cell(&page, &w.es1_referral),
        "–",
        "no countdown while the decision keeps the client active"
    );
}

/// The `data-days-until-inactive` cells of the caseload table, in page order.
fn days_until_inactive(page: &str) -> Vec<Option<i32>> {
    page.split("data-days-until-inactive>")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].parse().ok())
        .collect()
}

/// The ISO dates in `data-next-due`, row by row (`None`: nothing due).
fn next_due(page: &str) -> Vec<Option<String>> {
    page.split("<td data-label=\"Next to do\"")
        .skip(1)
        .map(|rest| {
            rest.strip_prefix(" data-next-due=\"")
                .map(|r| r[..10].to_string())
        })
        .collect()
}

#[tokio::test]
async fn the_caseload_sorts_by_urgency_with_the_overdue_first_and_by_days_until_inactive() {
    let (w, es1, _) = world_signed_in("es1").await;
    // Urgency (the default): the first thing due, the overdue first; the
    // referrals with nothing due come last.
    let page = ok_page(&w, "/caseload", &es1).await;
    let due = next_due(&page);
    assert!(
        due.iter().any(Option::is_some),
        "something is due on es1's caseload"
    );
    let dated: Vec<&String> = due.iter().flatten().collect();
    assert!(dated.windows(2).all(|p| p[0] <= p[1]), "{dated:?}");
    let first_none = due.iter().position(Option::is_none).unwrap_or(due.len());
    assert!(
        due[first_none..].iter().all(Option::is_none),
        "nothing due last"
    );
    let overdue = dated.iter().filter(|d| d.as_str() < "2025-01-15").count();
    assert_eq!(page.matches("<tr id=\"referral-").count(), due.len());
    assert_eq!(page.matches("class=\"overdue\"").count(), overdue);
    shows(&page, "Sorted by urgency: the overdue first.");
    // By days until inactive: the fewest first, those with none last.
    let page = ok_page(&w, "/caseload?sort=inactive", &es1).await;
    let days = days_until_inactive(&page);
    let known: Vec<i32> = days.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|p| p[0] <= p[1]), "{known:?}");
    let first_none = days.iter().position(Option::is_none).unwrap_or(days.len());
    assert!(days[first_none..].iter().all(Option::is_none));
    shows(&page, "aria-sort=\"ascending\"");
    // A lead sorting an ES's caseload keeps the ES in the links.
    let lead = session_of(&w, "lead1").await;
    let page = ok_page(&w, "/caseload?es=es3&sort=milestone", &lead).await;
    shows(
        &page,
        "href=\"/caseload?es=es3&amp;sort=inactive#caseload-table\"",
    );
    // Dates the UK way.
    shows(&page, "Jan 2025");
}

#[tokio::test]
async fn case_4_the_caseload_puts_the_most_urgent_first_the_soonest_due_or_inactive() {
    let (_, _, page) = world_with_page("es1", "/caseload").await;
    let rows: Vec<&str> = page.split("<tr id=\"referral-").skip(1).collect();
    assert!(rows.len() >= 2, "{page}");
    let mut keys = Vec::new();
    for row in &rows {
        let due = row
            .split("data-next-due=\"")
            .nth(1)
            .and_then(|s| ipstrack_core::Day::parse(s.split('"').next().unwrap()));
        let inactive = row
            .split("data-days-until-inactive>")
            .nth(1)
            .and_then(|s| s.split('<').next().unwrap().parse::<i32>().ok())
            .map(|n| today().plus(n));
        let soonest = [due, inactive].into_iter().flatten().min();
        keys.push(soonest.unwrap_or(ipstrack_core::Day::LAST));
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "the soonest first");
}

#[tokio::test]
async fn my_caseload_downloads_as_csv_in_the_pages_order_and_only_within_scope() {
    let (w, es1, page) = world_with_page("es1", "/caseload?sort=person").await;
    shows(&page, "href=\"/caseload.csv?sort=person\"");
    let (status, headers, body) = send(&w.app, get("/caseload.csv?sort=person", &es1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header_value(&headers, "content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        header_value(&headers, "content-disposition")
            .unwrap()
            .contains("caseload-es1-")
    );
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let head: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(head[0], "Person");
    assert_eq!(head[2], "Status");
    let people: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    // The page's rows, in the page's order.
    let on_page: Vec<&str> = page
        .split("<tr id=\"referral-")
        .skip(1)
        .map(|row| {
            let link = row.split("<a href=\"/referrals/").nth(1).unwrap();
            let name = link.split_once("\">").unwrap().1;
            name.split('<').next().unwrap()
        })
        .collect();
    assert_eq!(people, on_page);
    // Another team's ES's caseload: not theirs to know of.
    let (status, _, _) = send(&w.app, get("/caseload.csv?es=es3", &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The rows of a caseload page: (referral id, status cell, next-to-do cell).
fn caseload_rows(page: &str) -> Vec<(String, String, String)> {
    page.split("<tr id=\"referral-")
        .skip(1)
        .map(|row| {
            let id = row.split('"').next().unwrap().to_string();
            let cell = |label: &str| {
                row.split(&format!("data-label=\"{label}\""))
                    .nth(1)
                    .map(|s| s.split("</td>").next().unwrap().to_string())
                    .unwrap_or_default()
            };
            (id, cell("Status"), cell("Next to do"))
        })
        .collect()
}

/// Issue 23: the caseload is filtered by status, by the next thing to do
/// and by name, on a phone as on a laptop (a form, not the table's
/// headers), the CSV follows the filter, and no referral id is shown.
#[tokio::test]
async fn the_caseload_is_filtered_by_status_next_to_do_and_name() {
    let (w, es1, all) = world_with_page("es1", "/caseload").await;
    let rows = caseload_rows(&all);
    assert!(rows.len() >= 3, "{all}");
    shows(&all, "<label for=\"filter-status\">Status</label>");
    hides(&all, "Showing ");
    // No id where a person reads: the Referred column holds the day.
    for (id, _, _) in &rows {
        hides(&all, &format!("<td data-label=\"Referred\">{id}</td>"));
        hides(&all, &format!("({id})"));
    }
    // By status: only the active, and together they are the page's active.
    let active = ok_page(&w, "/caseload?status=active", &es1).await;
    let shown = caseload_rows(&active);
    assert!(
        shown
            .iter()
            .all(|(_, status, _)| status.contains(">Active<"))
    );
    let expected = rows
        .iter()
        .filter(|(_, s, _)| s.contains(">Active<"))
        .count();
    assert_eq!(shown.len(), expected);
    shows(&active, "<option value=\"active\" selected>Active</option>");
    // By next to do: a contact due.
    let contact = ok_page(&w, "/caseload?due=contact", &es1).await;
    for (_, _, next) in caseload_rows(&contact) {
        assert!(next.contains("contact"), "{next}");
    }
    let nothing = ok_page(&w, "/caseload?due=nothing", &es1).await;
    for (_, _, next) in caseload_rows(&nothing) {
        assert!(next.contains('–'), "{next}");
    }
    // By name, any case, part of it; the CSV link keeps the filter.
    let first = all
        .split("<td data-label=\"Person\"><a href=\"/referrals/")
        .nth(1)
        .unwrap();
    let name = first
        .split_once("\">")
        .unwrap()
        .1
        .split('<')
        .next()
        .unwrap();
    let part: String = name
        .chars()
        .skip(1)
        .take(4)
        .collect::<String>()
        .to_uppercase();
    let found = ok_page(
        &w,
        &format!("/caseload?name={}", part.replace(' ', "+")),
        &es1,
    )
    .await;
    assert!(!caseload_rows(&found).is_empty());
    shows(&found, name);
    shows(&found, "that match.");
    let query = format!("name={}", part.replace(' ', "+"));
    let (status, _, csv) = send(
        &w.app,
        get(&format!("/caseload.csv?sort=urgency&{query}"), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count() - 1, caseload_rows(&found).len());
    // Unknown choices and a very long name are read as no filter / cut.
    let odd = ok_page(
        &w,
        &format!("/caseload?status=nope&due=x&name={}", "a".repeat(5_000)),
        &es1,
    )
    .await;
    shows(&odd, "maxlength=\"100\"");
    assert!(caseload_rows(&odd).is_empty(), "no name of 100 a's");
}
