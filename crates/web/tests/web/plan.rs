//! The performance plan page: who may see it, its figures from core's report, printing (crates/web/src/plan/mod.rs).

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::Day;

/// The text of the element with `id` on a page, without inner tags.
fn text_of(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let rest = &page[at..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    let end = ["</td>", "</dd>"]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn status_words(status: Option<ipstrack_core::targets::Status>) -> &'static str {
    use ipstrack_core::targets::Status;
    match status {
        Some(Status::Met) => "Met",
        Some(Status::OnTrack) => "On track",
        Some(Status::Behind) => "Behind",
        None => "–",
    }
}

fn percent_text(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{:.1}%", v * 100.0))
}

#[tokio::test]
async fn the_performance_plan_is_shown_to_the_es_their_team_lead_and_managers_only() {
    let w = world().await;
    // es1 and es2 are in team t2, es3 in t1; lead1 leads t1; lead1 is no ES.
    let users = ["es1", "es3", "lead1", "manager", "admin"];
    let mut sessions = Vec::new();
    for u in users {
        sessions.push(sign_in(&w, u, PASSWORD).await.unwrap().0);
    }
    let matrix = [
        ("es1", [200, 404, 404, 200, 200]),
        ("es2", [404, 404, 404, 200, 200]),
        ("es3", [404, 200, 200, 200, 200]),
        ("es4", [404, 404, 404, 200, 200]),
        ("lead1", [404, 404, 404, 404, 404]),
        ("nobody", [404, 404, 404, 404, 404]),
    ];
    for (es, expected) in matrix {
        let route = format!("/specialists/{es}/plan?period=2024/25&as_of=2024-12-31");
        for (i, user) in users.iter().enumerate() {
            let (status, _, body) = send(&w.app, get(&route, &sessions[i])).await;
            assert_eq!(status.as_u16(), expected[i], "{user} GET {route}");
            if status == StatusCode::NOT_FOUND {
                assert!(!body.contains("Performance plan"), "{user} {es}");
            }
        }
    }
    let (status, headers, _) = send(&w.app, get("/specialists/es1/plan", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&headers),
        "/sign-in?next=%2Fspecialists%2Fes1%2Fplan"
    );
}

#[tokio::test]
async fn the_performance_plan_shows_the_core_reports_figures_for_that_es() {
    let (w, manager, _) = world_signed_in("manager").await;
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let as_of = Day::parse("2024-12-31").unwrap();
    let engine = ipstrack_core::report(d, &loaded.warnings, &period, as_of).unwrap();
    let q3 = ipstrack_core::Period::parse("2024/25-Q3").unwrap();
    let q3_report = ipstrack_core::report(d, &loaded.warnings, &q3, as_of).unwrap();
    assert!(engine.specialists.len() >= 3);
    for s in &engine.specialists {
        let (status, _, page) = send(
            &w.app,
            get(
                &format!("/specialists/{}/plan?period=2024/25&as_of=2024-12-31", s.id),
                &manager,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", s.id);
        let staff = d.staff.iter().find(|x| x.id == s.id).unwrap();
        let (k, t) = (&s.kpis, &s.targets);
        let expect = |id: &str, value: String| {
            assert_eq!(text_of(&page, id), value, "{} {id}", s.id);
        };
        expect("plan-es", staff.name.clone());
        expect("plan-team", d.team(staff.team).name.clone());
        expect(
            "plan-start",
            staff.start_date.date().strftime("%-d %b %Y").to_string(),
        );
        expect("plan-fte", format!("{}", f64::from(staff.fte.0) / 10_000.0));
        expect(
            "plan-year",
            if t.year == 1 {
                "First year in post"
            } else {
                "Second year in post or later"
            }
            .into(),
        );
        expect("plan-period", "2024/25 (1 Apr 2024 to 31 Mar 2025)".into());
        expect("plan-as-of", "31 Dec 2024".into());
        for (id, figures) in [
            ("access", k.access),
            ("into-work", k.people_into_work),
            ("job-starts", k.job_starts),
            ("sustained-13", k.sustained.w13),
            ("sustained-26", k.sustained.w26),
            ("sustained-52", k.sustained.w52),
        ] {
            expect(&format!("{id}-unemployed"), figures.unemployed.to_string());
            expect(&format!("{id}-employed"), figures.employed.to_string());
        }
        expect("access-target-to-date", format!("{:.1}", t.access_to_date));
        expect("access-target", format!("{:.1}", t.access));
        expect("access-status", status_words(t.status.access).into());
        expect(
            "into-work-target-to-date",
            format!("{:.1}", t.people_into_work_to_date),
        );
        expect("into-work-target", format!("{:.1}", t.people_into_work));
        expect(
            "into-work-status",
            status_words(t.status.people_into_work).into(),
        );
        let rate = &k.job_outcome_rate;
        expect(
            "job-outcome-rate",
            format!(
                "{} ({} of {} seeking work)",
                percent_text(rate.value),
                rate.numerator,
                rate.denominator
            ),
        );
        expect("job-outcome-rate-target", "40.0%".into());
        expect(
            "job-outcome-rate-status",
            status_words(t.status.job_outcome_rate).into(),
        );
        let sus = &k.sustainment_rate_13w;
        expect(
            "sustainment-rate",
            format!(
                "{} ({} of {} people; {} pending)",
                percent_text(sus.value),
                sus.numerator,
                sus.denominator,
                sus.pending
            ),
        );
        expect("sustainment-rate-target", "65.0%".into());
        expect(
            "sustainment-rate-status",
            status_words(t.status.sustainment_rate_13w).into(),
        );
        expect("caseload-active", k.caseload.active.to_string());
        expect("caseload-open", k.caseload.open.to_string());
        expect("caseload-on-hold", k.caseload.on_hold.to_string());
        expect("caseload-waiting", k.caseload.waiting_list.to_string());
        expect("caseload-carried-over", k.caseload.carried_over.to_string());
        // CASE-4 (rev. 2): open caseload per FTE against the band, from core.
        let band = match k.caseload.standing(staff, &d.policy) {
            Some(st) => format!(
                "{} – {}",
                st.open_per_fte,
                match st.band_position {
                    ipstrack_core::targets::BandPosition::Below => "Below the band",
                    ipstrack_core::targets::BandPosition::Within => "Within the band",
                    ipstrack_core::targets::BandPosition::Above => "Above the band",
                }
            ),
            None => "– (not in post)".into(),
        };
        expect("caseload-band", band);
        expect(
            "fidelity-score",
            k.fidelity_caseload_score
                .map_or("–".into(), |f| format!("{f} of 5")),
        );
        // The charts: cumulative access in December is the plan's access and
        // its target to date; the third quarter's job starts and 13-week
        // outcomes are those of the quarter's report, each group apart.
        assert_eq!(
            page.matches("<svg class=\"chart-plot\"").count(),
            2,
            "two charts"
        );
        assert_eq!(page.matches("<summary>The numbers</summary>").count(), 2);
        let december = &page[page.find("<th scope=\"row\">Dec 24</th>").unwrap()..];
        assert!(
            december.starts_with(&format!(
                "<th scope=\"row\">Dec 24</th><td class=\"num\">{}</td><td class=\"num\">{:.1}</td>",
                k.access.unemployed, t.access_to_date
            )),
            "{}: {}",
            s.id,
            &december[..200]
        );
        let quarter = &q3_report
            .specialists
            .iter()
            .find(|x| x.id == s.id)
            .unwrap()
            .kpis;
        let row = &page[page.find("<th scope=\"row\">Q3</th>").unwrap()..];
        assert!(
            row.starts_with(&format!(
                "<th scope=\"row\">Q3</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                quarter.job_starts.unemployed,
                quarter.job_starts.employed,
                quarter.sustained.w13.unemployed,
                quarter.sustained.w13.employed
            )),
            "{}: {}",
            s.id,
            &row[..200]
        );
        assert!(!page.contains("<th scope=\"row\">Q4</th>"));
        // The third quarter is over on 31 December: nothing is to date.
        assert!(!page.contains("(to date)"), "{}", s.id);
    }
    // Without a period: this quarter as of the application's today.
    let page = ok_page(&w, "/specialists/es3/plan", &manager).await;
    assert_eq!(text_of(&page, "plan-as-of"), "15 Jan 2025");
    assert_eq!(
        text_of(&page, "plan-period"),
        "2024/25-Q4 (1 Jan 2025 to 31 Mar 2025)"
    );
    // Today (15 January) is inside the fourth quarter: its bars are marked
    // as to date, in the chart, the key and the table; quarterly counts are
    // bars, whole numbers in the table.
    let chart = &page[page
        .find("Job starts and 13-week outcomes by quarter")
        .unwrap()..];
    let chart = &chart[..chart.find("</figure>").unwrap()];
    assert!(chart.contains("(to date)</text>"), "{chart}");
    assert!(
        chart.contains("Q4 is not over, figures to 15 Jan 2025"),
        "{chart}"
    );
    let q4 = ipstrack_core::Period::parse("2024/25-Q4").unwrap();
    let today = Day::parse("2025-01-15").unwrap();
    let q4_report = ipstrack_core::report(d, &loaded.warnings, &q4, today).unwrap();
    let k = &q4_report
        .specialists
        .iter()
        .find(|x| x.id == "es3")
        .unwrap()
        .kpis;
    shows(
        chart,
        &format!(
            "<th scope=\"row\">Q4 (to date)</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            k.job_starts.unemployed,
            k.job_starts.employed,
            k.sustained.w13.unemployed,
            k.sustained.w13.employed
        ),
    );
    assert!(chart.contains("<rect class=\"chart-bar"), "bars: {chart}");
    assert!(!chart.contains("polyline"));
    // Reachable from the team dashboard and from the ES's caseload page.
    let (_, _, team) = send(
        &w.app,
        get("/team?team=t1&period=2024/25&as_of=2024-12-31", &manager),
    )
    .await;
    shows(
        &team,
        "href=\"/specialists/es3/plan?period=2024/25&amp;as_of=2024-12-31\"",
    );
    let (_, _, caseload) = send(&w.app, get("/caseload?es=es3", &manager)).await;
    assert!(caseload.contains("href=\"/specialists/es3/plan\""));
}

#[tokio::test]
async fn the_performance_plan_prints_on_one_a4_page_with_a_print_button() {
    let (w, _, page) = world_with_page("es3", "/specialists/es3/plan").await;
    // The stylesheet, by a URL that carries its content's hash (issue 11).
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/static/style.css?v="));
    assert!(page.contains("data-print"), "a Print button");
    assert!(page.contains("class=\"no-print\""));
    // The numbers of the charts are open, so that they print.
    assert_eq!(page.matches("<details open>").count(), 2);
    // Unemployed and employed are separate lines, each in the key; the key's
    // colours are SVG, not inline styles (the content security policy).
    for line in [
        "Job starts (unemployed)",
        "Job starts (employed)",
        "13 weeks (unemployed)",
        "13 weeks (employed)",
    ] {
        assert!(page.contains(&format!("</svg> {line}</span>")), "{line}");
    }
    assert!(!page.contains(" style=\""), "no inline styles");
    let (status, headers, css) = send(&w.app, get("/static/style.css", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        header_value(&headers, "content-type")
            .unwrap()
            .starts_with("text/css")
    );
    let print = &css[css.find("@media print").expect("a print section")..];
    shows(print, "@page { size: A4");
    for rule in [
        "header, nav, form, button, .no-print",
        "break-inside: avoid",
    ] {
        assert!(print.contains(rule), "{rule}");
    }
    let (_, _, js) = send(&w.app, get("/static/app.js", "")).await;
    assert!(js.contains("button[data-print]") && js.contains("window.print()"));
}

#[tokio::test]
async fn a_bad_period_on_the_plan_page_is_explained() {
    let (w, lead, _) = world_signed_in("lead1").await;
    for (query, words) in [
        ("period=2024/26", "period `2024/26` is not valid"),
        ("period=2024/25&as_of=2024-02-30", "must be a real date"),
        (
            "period=2024/25&as_of=2024-01-01",
            "is before the period starts",
        ),
    ] {
        let (status, _, page) = send(
            &w.app,
            get(&format!("/specialists/es3/plan?{query}"), &lead),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.contains("class=\"error-summary\"") && page.contains(words),
            "{query}: {page}"
        );
    }
}

#[tokio::test]
async fn tgt_3_a_part_year_shows_each_rate_and_the_year_so_far_which_the_status_judges() {
    let (w, manager, _) = world_signed_in("manager").await;
    let loaded = w.store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25-Q3").unwrap();
    let as_of = ipstrack_core::Day::parse("2024-12-31").unwrap();
    let r = ipstrack_core::report(&loaded.dataset, &loaded.warnings, &period, as_of).unwrap();
    let es = r.specialists.iter().find(|s| s.id == "es1").unwrap();
    let year = es
        .targets
        .year_to_date
        .as_ref()
        .expect("a quarter has a year to date");
    let words = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0));
    let plan = ok_page(
        &w,
        "/specialists/es1/plan?period=2024/25-Q3&as_of=2024-12-31",
        &manager,
    )
    .await;
    shows(
        &plan,
        &format!("{} so far this year (", words(year.job_outcome_rate.value)),
    );
    shows(&plan, "target 40%");
    shows(
        &plan,
        "their status judges the year so far (1 Apr 2024 to 31 Dec 2024)",
    );
    let team = ok_page(
        &w,
        "/team?team=t2&period=2024/25-Q3&as_of=2024-12-31",
        &manager,
    )
    .await;
    shows(
        &team,
        &format!(
            "{} so far this year, target 40%",
            words(year.job_outcome_rate.value)
        ),
    );
    let service = ok_page(&w, "/service?period=2024/25-Q3&as_of=2024-12-31", &manager).await;
    shows(&service, "so far this year");
    // A whole financial year is its own year to date: shown once.
    for path in [
        "/specialists/es1/plan?period=2024/25&as_of=2024-12-31",
        "/team?team=t2&period=2024/25&as_of=2024-12-31",
        "/service?period=2024/25&as_of=2024-12-31",
    ] {
        hides(&ok_page(&w, path, &manager).await, "so far this year");
    }
}
