//! Equality of access and outcomes (issue 26): referrals, access, people
//! into work and 13-week sustainment by ethnic group, gender and age band at
//! referral, for the service or one team (core's `Scope::equality` says
//! whose), each group's rates beside the whole's. A chart per dimension, the
//! table beneath it, and the same figures as CSV. Every count shown or
//! exported goes through core's EQ-5 (`equality::shown`).

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use ipstrack_core::equality::{Equality, RateKind, ShownDimension, ShownRate, ShownRow, Whole};
use ipstrack_core::model::TeamIdx;
use ipstrack_core::report::PeriodOut;
use maud::{Markup, html};

use std::sync::Arc;

use crate::Viewer;
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, SignedIn};
use crate::period::{PeriodQuery, bad_period, period_form, period_of};
use crate::ui::chart::{RateBar, RatePanel, rate_bars};
use crate::ui::dates::uk_date;
use crate::ui::layout::layout;
use crate::{Shared, Snapshot};
use ipstrack_core::Loaded;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/equality", get(page))
        .route("/equality.csv", get(csv))
}

/// The longest team id looked up (longer ones are no team's): core's limit
/// on any id.
const TEAM_ID_MAX: usize = ipstrack_core::bundle::limits::ID_CHARS;

/// The figures asked for: whose (within the viewer's scope), the period and
/// the as-of date; a team out of scope or unknown answers 404, a bad period
/// 400 with the form.
fn asked(
    state: &Shared,
    v: &Viewer,
    data: &Snapshot,
    q: &PeriodQuery,
) -> WebResult<(Arc<Equality>, Option<String>)> {
    let d = &data.dataset;
    let id = q.team.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let team = match id {
        Some(id) => Some(
            (id.len() <= TEAM_ID_MAX)
                .then(|| d.teams.iter().position(|t| t.id == id))
                .flatten()
                .map(TeamIdx::at)
                .ok_or_else(|| out_of_scope(v, id))?,
        ),
        None => None,
    };
    let whole: Whole = v
        .scope
        .equality(team)
        .ok_or_else(|| out_of_scope(v, id.unwrap_or("-")))?
        .into();
    let team_id = match whole {
        Whole::Team(t) => Some(d.team(t).id.clone()),
        Whole::Service => None,
    };
    let (period, as_of) = period_of(q, state.today()).map_err(|e| {
        bad_period(
            v,
            ("Equality of access", "/equality"),
            (d, state.today()),
            q,
            team_id.as_deref(),
            &e,
        )
    })?;
    Ok((data.equality(whole, &period, as_of)?, team_id))
}

fn out_of_scope(v: &Viewer, id: &str) -> WebError {
    let id: String = id.chars().take(TEAM_ID_MAX).collect();
    WebError::out_of_scope(v, "team", &id)
}

async fn page(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Markup> {
    let (e, team) = asked(&state, &v, &data, &q)?;
    Ok(equality_html(&v, &data, &e, team.as_deref()))
}

async fn csv(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Response> {
    let (e, team) = asked(&state, &v, &data, &q)?;
    let bytes = csv_of(&e, &whose(&data, &e)).map_err(WebError::Internal)?;
    let file = format!(
        "equality-{}-{}-{}.csv",
        team.as_deref().unwrap_or("service"),
        e.period.start,
        e.period.end
    );
    Ok(crate::ui::download::download(
        "text/csv; charset=utf-8",
        &file,
        bytes,
    ))
}

/// The name of whose figures these are: the service's or the team's.
fn whose(data: &Loaded, e: &Equality) -> String {
    match e.of {
        Whole::Service => "Service".to_string(),
        Whole::Team(t) => format!("Team {}", data.dataset.team(t).name),
    }
}

/// A rate as a percentage with one decimal, or the reason it is not shown.
fn percent(r: &ShownRate) -> String {
    r.percent
        .map_or("not shown".to_string(), |p| format!("{p:.1}%"))
}

/// The difference in points, signed, and whether it is beyond chance.
fn difference(r: &ShownRate) -> String {
    match (r.difference, r.beyond_chance) {
        (Some(d), chance) => format!(
            "{}{:.1} points{}",
            if d >= 0.0 { "+" } else { "−" },
            d.abs(),
            if chance == Some(true) {
                ", beyond chance"
            } else {
                ""
            }
        ),
        (None, _) => String::new(),
    }
}

const SUPPRESSION: &str = "To protect people's privacy, as NHS statistics are published: counts from 1 to 7 are not shown (“fewer than 8”; “*” in the download) and every other count is rounded to the nearest 5, so figures may not add up. A rate is not shown when the people it is counted from, those counted in it or those not counted in it number 1 to 7. Rates are worked out from the exact counts.";

/// The equality page.
pub fn equality_html(v: &Viewer, data: &Loaded, e: &Equality, team: Option<&str>) -> Markup {
    let d = &data.dataset;
    let name = whose(data, e);
    let period = PeriodOut {
        start: e.period.start,
        end: e.period.end,
        label: e.period.label.clone(),
    };
    let mut download = format!("/equality.csv?period={}&as_of={}", e.period.label, e.as_of);
    if let Some(t) = team {
        download.push_str(&format!("&team={t}"));
    }
    let whole_word = if team.is_some() { "Team" } else { "Service" };
    layout(
        v,
        &format!("Equality of access – {name}"),
        html! {
            p { (name) ", " (e.period.label) " (" (uk_date(e.period.start)) " to " (uk_date(e.period.end)) "), as of " (uk_date(e.as_of)) "." }
            div class="panel" id="suppression" { p { strong { "Small numbers are hidden. " } (SUPPRESSION) } }
            (period_form("/equality", d, (&period, e.as_of), team))
            @if v.scope == ipstrack_core::scope::Scope::Service {
                form method="get" action="/equality" class="team-choice" {
                    input type="hidden" name="period" value=(e.period.label);
                    input type="hidden" name="as_of" value=(e.as_of.to_string());
                    label for="equality-team" { "Whose figures" } " "
                    select id="equality-team" name="team" {
                        option value="" selected[team.is_none()] { "The whole service" }
                        @for t in d.teams.iter() {
                            option value=(t.id) selected[team == Some(t.id.as_str())] { (t.name) }
                        }
                    }
                    " " button type="submit" class="secondary" { "Show" }
                }
            }
            p { "Rates: the " strong { "access rate" } " is the share of the referrals received in the period with an access date by the as-of date; the " strong { "job outcome rate" } " the share of people seeking work who moved into work (RATE-1); the " strong { "13-week sustainment rate" } " the share of people into work, once 13 weeks have passed, still in work at 13 weeks (RATE-2). Each group's rate is set beside the " (whole_word.to_lowercase()) "'s, with the difference in percentage points; " strong { "beyond chance" } " means the " (whole_word.to_lowercase()) "'s rate is outside the range in which the group's rate would fall 95 times in 100 by chance for a group of its size (the Wilson interval). " "“Not stated” and “Not known” are shown but not compared." }
            p { a href=(download) download { "Download these figures (CSV)" } }
            @for dim in e.shown() {
                (dimension_html(&dim, whole_word))
            }
        },
    )
}

fn dimension_html(dim: &ShownDimension, whole_word: &str) -> Markup {
    let title = dim.dimension.title();
    let panels: Vec<RatePanel> = RateKind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| RatePanel {
            title: k.title(),
            bars: dim
                .groups
                .iter()
                .map(|g| RateBar {
                    label: g.label,
                    percent: g.rates[i].percent,
                    note: if g.rates[i].beyond_chance == Some(true) {
                        "beyond chance"
                    } else {
                        ""
                    },
                })
                .collect(),
            whole: (whole_word, dim.whole.rates[i].percent),
        })
        .collect();
    let id = dim.dimension.key().replace('_', "-");
    html! {
        section id=(id) {
            h2 { (title) }
            (rate_bars(title, &panels, false))
            div class="table-scroll" role="region" tabindex="0" aria-label=(format!("{title}: the figures")) {
                table class="equality" {
                    caption { (title) ": figures for each group" }
                    thead { tr {
                        th scope="col" { "Group" }
                        th scope="col" class="num" { "Referrals" }
                        th scope="col" class="num" { "Referrals accessed" }
                        th scope="col" class="num" { "Access rate" }
                        th scope="col" class="num" { "People accessed" }
                        th scope="col" class="num" { "People seeking work" }
                        th scope="col" class="num" { "People into work" }
                        th scope="col" class="num" { "Job outcome rate" }
                        th scope="col" class="num" { "People judged at 13 weeks" }
                        th scope="col" class="num" { "13-week outcomes" }
                        th scope="col" class="num" { "13-week sustainment rate" }
                    } }
                    tbody {
                        @for g in &dim.groups { (row_html(g, g.label)) }
                        (row_html(&dim.whole, whole_word))
                    }
                }
            }
        }
    }
}

fn row_html(r: &ShownRow, label: &str) -> Markup {
    let rate = |i: usize| {
        html! {
            (percent(&r.rates[i]))
            @let diff = difference(&r.rates[i]);
            @if !diff.is_empty() { br; span class="hint" { (diff) } }
        }
    };
    html! {
        tr {
            th scope="row" { (label) @if !r.compared && label != "Service" && label != "Team" { br; span class="hint" { "not compared" } } }
            td class="num" { (r.referrals.words()) }
            td class="num" { (r.referrals_accessed.words()) }
            td class="num" { (rate(0)) }
            td class="num" { (r.people_accessed.words()) }
            td class="num" { (r.seeking_work.words()) }
            td class="num" { (r.people_into_work.words()) }
            td class="num" { (rate(1)) }
            td class="num" { (r.judged_13w.words()) }
            td class="num" { (r.sustained_13w.words()) }
            td class="num" { (rate(2)) }
        }
    }
}

/// The figures as CSV: one row per group and dimension (and the whole's),
/// every count through EQ-5 (`*` for 1 to 7), rates in percent with one
/// decimal, empty when not shown.
fn csv_of(e: &Equality, whose: &str) -> Result<Vec<u8>, String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = ["whose", "period", "as_of", "dimension", "group", "compared"]
        .map(String::from)
        .to_vec();
    let keys = e.shown()[0].whole.counts().map(|(k, _)| k);
    head.extend(keys.iter().map(|k| k.to_string()));
    for k in RateKind::ALL {
        head.push(format!("{}_percent", k.key()));
        head.push(format!("{}_difference_points", k.key()));
        head.push(format!("{}_beyond_chance", k.key()));
    }
    out.write_record(&head).map_err(|e| e.to_string())?;
    let one = |f: Option<f64>| f.map_or(String::new(), |x| format!("{x:.1}"));
    for dim in e.shown() {
        for (r, label) in dim
            .groups
            .iter()
            .map(|g| (g, g.label))
            .chain([(&dim.whole, "All")])
        {
            let mut row = vec![
                whose.to_string(),
                e.period.label.clone(),
                e.as_of.to_string(),
                dim.dimension.key().to_string(),
                label.to_string(),
                if r.compared { "yes" } else { "no" }.to_string(),
            ];
            row.extend(r.counts().map(|(_, c)| c.csv()));
            for rate in &r.rates {
                row.push(one(rate.percent));
                row.push(one(rate.difference));
                row.push(match rate.beyond_chance {
                    Some(true) => "yes".to_string(),
                    Some(false) => "no".to_string(),
                    None => String::new(),
                });
            }
            out.write_record(&row).map_err(|e| e.to_string())?;
        }
    }
    out.into_inner().map_err(|e| e.to_string())
}
