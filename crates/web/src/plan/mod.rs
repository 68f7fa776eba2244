//! An ES's performance plan (the ES, their team lead, managers): their KPIs
//! against their personal targets for a period, with trends, printable on one
//! A4 page. The ES's employer contacts, a section of the page with its own
//! forms, are `employer_contacts`.

pub(crate) mod employer_contacts;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Viewer;
use crate::error::{WebError, WebResult};
use crate::extract::SignedIn;
use crate::extract::specialist_in_scope;
use crate::period::{PeriodQuery, bad_period, period_form, period_of};
use crate::saved::{success_banner, take_saved};
use crate::team::trends;
use crate::ui::chart::{Series, Trends, access_chart, employed, quarters_chart, unemployed};
use crate::ui::dates::uk_date;
use crate::ui::figures::{band_words, percent, tag, target_percent};
use crate::ui::form::FormState;
use crate::ui::layout::layout;
use crate::{AppState, Shared, Snapshot};
use ipstrack_core::Loaded;
use ipstrack_core::model::StaffIdx;
use ipstrack_core::report::{ByGroup, Part, PartReport, SpecialistKpis};
use ipstrack_core::targets::Status;
use maud::{Markup, html};

/// The performance plan page and its employer contacts' forms.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/specialists/{id}/plan", get(plan))
        .merge(employer_contacts::routes())
}

/// The performance plan of one ES on one page, for supervision: the plan's
/// KPIs against their targets, the caseload against the band, charts, and
/// the ES's employer engagement.
pub(crate) async fn plan(
    State(state): State<Shared>,
    headers: HeaderMap,
    SignedIn { v, data }: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Response> {
    let es = specialist_in_scope(&v, &data.dataset, &id)
        .ok_or_else(|| WebError::out_of_scope(&v, "staff", &id))?;
    // After a save: its message, once.
    let saved = take_saved(&state, &headers);
    let page = plan_page(
        &state,
        &v,
        &data,
        es,
        &q,
        &FormState::default(),
        saved.as_ref().map(|s| s.0),
    )?;
    Ok(match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    })
}

/// The plan page of ES `es` for the period asked, with the employer contact
/// form in `form`'s state and the message of a save just made.
pub(crate) fn plan_page(
    state: &AppState,
    v: &Viewer,
    data: &Snapshot,
    es: usize,
    q: &PeriodQuery,
    form: &FormState,
    saved: Option<&str>,
) -> WebResult<Markup> {
    let id = &data.dataset.staff[es].id;
    let today = state.today();
    let (period, as_of) = period_of(q, today).map_err(|e| {
        let action = format!("/specialists/{id}/plan");
        bad_period(
            v,
            ("Performance plan", &action),
            (&data.dataset, today),
            q,
            None,
            &e,
        )
    })?;
    let part = Part::Specialist(StaffIdx::at(es));
    let r = data.part_report(part, &period, as_of)?;
    let trends = trends(data, part, &period, as_of)?;
    let engagement = employer_contacts::section(v, data, es, &r, today, form);
    Ok(plan_html(
        v,
        data,
        es,
        &r,
        &trends,
        html! {
            (success_banner(saved))
            (engagement)
        },
    ))
}

/// A plan row's measure as a link to its definition (the sustainment rows
/// share one).
fn defined_row(id: &str, name: &str) -> Markup {
    let anchor = if id.starts_with("sustained-") {
        "sustained"
    } else {
        id
    };
    crate::ui::definitions::defined(anchor, name)
}

/// One count of the plan: unemployed and employed apart, with the target and
/// status where the plan has one (TGT-1..3 apply to the unemployed).
pub(crate) fn plan_count_row(
    id: &str,
    name: &str,
    figures: ByGroup,
    target: Option<(f64, f64, Option<Status>)>,
) -> Markup {
    html! {
        tr {
            th scope="row" { (defined_row(id, name)) }
            td class="num" data-label="Unemployed" id=(format!("{id}-unemployed")) { (figures.unemployed) }
            td class="num" data-label="Employed (job retention)" id=(format!("{id}-employed")) { (figures.employed) }
            @if let Some((to_date, period, status)) = target {
                td class="num" data-label="Target to date" id=(format!("{id}-target-to-date")) { (format!("{to_date:.1}")) }
                td class="num" data-label="Target for the period" id=(format!("{id}-target")) { (format!("{period:.1}")) }
                td data-label="Status" id=(format!("{id}-status")) { (tag(status)) }
            } @else {
                td class="num" data-label="Target to date" { "–" } td class="num" data-label="Target for the period" { "–" } td data-label="Status" { "–" }
            }
        }
    }
}

/// One rate of the plan (unemployed people only), with its target and status.
pub(crate) fn plan_rate_row(
    id: &str,
    name: &str,
    figure: Markup,
    target: f64,
    status: Option<Status>,
) -> Markup {
    html! {
        tr {
            th scope="row" { (defined_row(id, name)) }
            td class="num" data-label="Unemployed" id=(id) { (figure) }
            td class="num" data-label="Employed (job retention)" { "–" }
            td class="num" data-label="Target to date" { (percent(Some(target))) }
            td class="num" data-label="Target for the period" id=(format!("{id}-target")) { (percent(Some(target))) }
            td data-label="Status" id=(format!("{id}-status")) { (tag(status)) }
        }
    }
}

/// The performance plan of one ES, laid out to print on one A4 page.
pub fn plan_html(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    r: &PartReport,
    trends: &Trends,
    engagement: Markup,
) -> Markup {
    let d = &data.dataset;
    let staff = &d.staff[es];
    let team = d.team(staff.team);
    let figures: Option<&SpecialistKpis> = r.specialists.iter().find(|s| s.id == staff.id);
    let band = d.policy.caseload_band;
    let standing = figures.and_then(|s| s.kpis.caseload.standing(staff, &d.policy));
    layout(
        v,
        &format!("Performance plan: {}", staff.name),
        html! {
            div class="plan" {
                dl class="plan-facts" {
                    div { dt { "Employment specialist" } dd id="plan-es" { (staff.name) } }
                    div { dt { "Team" } dd id="plan-team" { (team.name) } }
                    div { dt { "Start in post" } dd id="plan-start" { (uk_date(staff.start_date)) } }
                    @if let Some(end) = staff.end_date { div { dt { "Left post" } dd { (uk_date(end)) } } }
                    div { dt { "FTE" } dd id="plan-fte" { (f64::from(staff.fte.0) / 10_000.0) } }
                    div { dt { "Plan year" } dd id="plan-year" { @match figures {
                        Some(s) if s.targets.year == 1 => "First year in post",
                        Some(_) => "Second year in post or later",
                        None => "–",
                    } } }
                    div { dt { "Period" } dd id="plan-period" { (r.period.label) " (" (uk_date(r.period.start)) " to " (uk_date(r.period.end)) ")" } }
                    div { dt { "As of" } dd id="plan-as-of" { (uk_date(r.as_of)) } }
                }
                div class="no-print" {
                    p {
                        button type="button" class="secondary" data-print hidden { "Print" } " "
                        "This page is laid out for one A4 sheet: print it with your browser's Print command."
                    }
                    (period_form(&format!("/specialists/{}/plan", staff.id), d, (&r.period, r.as_of), None))
                }
                @match figures {
                    None => { p { (staff.name) " was not in post during " (r.period.label) ": there is no plan for this period." } }
                    Some(s) => {
                        @let t = &s.targets;
                        @let k = &s.kpis;
                        table class="plan-kpis cards" {
                            caption {
                                "The plan to " (uk_date(r.as_of)) ". Targets apply to people unemployed at referral; people already in work (job retention) are counted apart."
                                @if let Some(y) = &t.year_to_date {
                                    " The rate targets are yearly: their status judges the year so far (" (uk_date(y.period.start)) " to " (uk_date(y.period.end)) ")."
                                }
                            }
                            thead { tr {
                                th scope="col" { "Measure" } th scope="col" class="num" { "Unemployed" }
                                th scope="col" class="num" { "Employed (job retention)" } th scope="col" class="num" { "Target to date" }
                                th scope="col" class="num" { "Target for the period" } th scope="col" { "Status" }
                            } }
                            tbody {
                                (plan_count_row("access", "Access (vocational profiles started)", k.access,
                                    Some((t.access_to_date, t.access, t.status.access))))
                                (plan_count_row("into-work", "People into work", k.people_into_work,
                                    Some((t.people_into_work_to_date, t.people_into_work, t.status.people_into_work))))
                                (plan_count_row("job-starts", "Job starts", k.job_starts, None))
                                (plan_count_row("sustained-13", "Sustained 13 weeks (people)", k.sustained.w13, None))
                                (plan_count_row("sustained-26", "Sustained 26 weeks (people)", k.sustained.w26, None))
                                (plan_count_row("sustained-52", "Sustained 52 weeks (people)", k.sustained.w52, None))
                                @let year = t.year_to_date.as_ref();
                                (plan_rate_row("job-outcome-rate", "Job outcome rate",
                                    html! {
                                        (percent(k.job_outcome_rate.value)) " (" (k.job_outcome_rate.numerator) " of " (k.job_outcome_rate.denominator) " seeking work)"
                                        @if let Some(y) = year {
                                            br; span class="ytd" id="job-outcome-rate-year" {
                                                (percent(y.job_outcome_rate.value)) " so far this year (" (y.job_outcome_rate.numerator) " of " (y.job_outcome_rate.denominator) "), target " (target_percent(t.job_outcome_rate))
                                            }
                                        }
                                    },
                                    t.job_outcome_rate, t.status.job_outcome_rate))
                                (plan_rate_row("sustainment-rate", "13-week sustainment rate",
                                    html! {
                                        (percent(k.sustainment_rate_13w.value)) " (" (k.sustainment_rate_13w.numerator) " of " (k.sustainment_rate_13w.denominator) " people; " (k.sustainment_rate_13w.pending) " pending)"
                                        @if let Some(y) = year {
                                            br; span class="ytd" id="sustainment-rate-year" {
                                                (percent(y.sustainment_rate_13w.value)) " so far this year (" (y.sustainment_rate_13w.numerator) " of " (y.sustainment_rate_13w.denominator) "), target " (target_percent(t.sustainment_rate_13w))
                                            }
                                        }
                                    },
                                    t.sustainment_rate_13w, t.status.sustainment_rate_13w))
                            }
                        }
                        table class="plan-caseload cards" {
                            caption { "Caseload on " (uk_date(k.caseload.date)) " (recommended " (band.0) "–" (band.1) " open per FTE, so that about " (d.policy.fidelity_caseload) " per FTE are active)" }
                            thead { tr {
                                th scope="col" class="num" { (crate::ui::definitions::defined("caseload", "Active")) } th scope="col" class="num" { "Open (seen)" }
                                th scope="col" { "Open per FTE against the band" }
                                th scope="col" class="num" { "On hold" } th scope="col" class="num" { "Waiting list" }
                                th scope="col" class="num" { (crate::ui::definitions::defined("carried-over", "Carried over")) }
                                th scope="col" class="num" { "Active per FTE" }
                                th scope="col" class="num" { "Fidelity caseload score" }
                            } }
                            tbody { tr {
                                td class="num" data-label="Active" id="caseload-active" { (k.caseload.active) }
                                td class="num" data-label="Open (seen)" id="caseload-open" { (k.caseload.open) }
                                td data-label="Open per FTE against the band" id="caseload-band" { @match &standing {
                                    Some(st) => { (st.open_per_fte) " – " (band_words(st.band_position)) },
                                    None => "– (not in post)",
                                } }
                                td class="num" data-label="On hold" id="caseload-on-hold" { (k.caseload.on_hold) }
                                td class="num" data-label="Waiting list" id="caseload-waiting" { (k.caseload.waiting_list) }
                                td class="num" data-label="Carried over" id="caseload-carried-over" { (k.caseload.carried_over) }
                                td class="num" data-label="Active per FTE" id="caseload-per-fte" { (k.caseload.active_per_fte.map_or("–".into(), |f| format!("{f:.2}"))) }
                                td class="num" data-label="Fidelity caseload score" id="fidelity-score" { (k.fidelity_caseload_score.map_or("–".into(), |f| format!("{f} of 5"))) }
                            } }
                        }
                        div class="plan-charts" {
                            (access_chart(trends, true))
                            // Unemployed and employed at referral apart; each
                            // colour has 3:1 contrast against white.
                            (quarters_chart("Job starts and 13-week outcomes by quarter", trends, &[
                                Series::count("Job starts (unemployed)", "#005eb8", &unemployed(&trends.job_starts)),
                                Series::count("Job starts (employed)", "#330072", &employed(&trends.job_starts)),
                                Series::count("13 weeks (unemployed)", "#007f3b", &unemployed(&trends.sustained)),
                                Series::count("13 weeks (employed)", "#ae2573", &employed(&trends.sustained)),
                            ], true))
                        }
                    }
                }
                (engagement)
            }
        },
    )
}
