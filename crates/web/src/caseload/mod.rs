//! My caseload (an ES's own; a team lead or manager may open an ES's in
//! their scope): each referral's status today, and the worklist (CASE-4).

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ipstrack_core::model::StaffIdx;
use serde::Deserialize;

use crate::Shared;
use crate::Viewer;
use crate::error::{WebError, WebResult};
use crate::extract::SignedIn;
use crate::extract::specialist_in_scope;
use crate::ui::dates::uk_date;
use crate::ui::figures::status_tag;
use crate::ui::layout::layout;
use ipstrack_core::alert::{Alert, WorkItem};
use ipstrack_core::caseload::es_caseload;
use ipstrack_core::model::Role;
use ipstrack_core::targets::{BandPosition, CaseloadStanding};
use ipstrack_core::{Day, Loaded};
use maud::{Markup, html};

mod filter;
use filter::{DUE_CHOICES, NAME_FILTER_CHARS, STATUS_CHOICES};
pub use filter::{Filter, Sort};

/// The caseload page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/caseload", get(caseload))
        .route("/caseload.csv", get(caseload_csv))
}

#[derive(Deserialize)]
pub(crate) struct EsQuery {
    es: Option<String>,
    /// How the table is sorted (see [`Sort`]); urgency when absent.
    sort: Option<String>,
    /// Which referrals are shown (see [`Filter`]); all when absent.
    #[serde(flatten)]
    filter: Filter,
}

pub(crate) async fn caseload(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Query(q): Query<EsQuery>,
) -> WebResult<Markup> {
    let d = &data.dataset;
    let today = state.today();
    // Whose caseload: one's own, or (team leads, managers) an ES in scope.
    // Only an ES holds a caseload: a team lead linked to their staff record
    // is sent on to the team's worklist and dashboard instead.
    let es = match &q.es {
        None => v.staff.filter(|&i| d.staff[i].role == Role::Es),
        Some(id) => specialist_in_scope(&v, d, id),
    };
    let Some(es) = es else {
        return match &q.es {
            Some(id) => Err(WebError::out_of_scope(&v, "staff", id)),
            None => Ok(layout(&v, "My caseload", no_caseload(&v))),
        };
    };
    let sort = Sort::parse(q.sort.as_deref());
    Ok(caseload_html(
        &v,
        &data,
        es,
        today,
        &data.worklist(today),
        (sort, &q.filter.cleaned()),
    ))
}

/// The same caseload as a CSV file, in the page's order: one row a
/// referral, the figures in words and numbers as the page shows them.
pub(crate) async fn caseload_csv(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Query(q): Query<EsQuery>,
) -> WebResult<axum::response::Response> {
    let d = &data.dataset;
    let today = state.today();
    let es = match &q.es {
        None => v.staff.filter(|&i| d.staff[i].role == Role::Es),
        Some(id) => specialist_in_scope(&v, d, id),
    }
    .ok_or_else(|| WebError::out_of_scope(&v, "staff", q.es.as_deref().unwrap_or("")))?;
    let worklist = data.worklist(today);
    let sort = (Sort::parse(q.sort.as_deref()), &q.filter.cleaned());
    let (_, c, first_due) = sorted_caseload(d, es, today, &worklist, sort);
    let mut out = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "Person",
        "Referred on",
        "Status",
        "Next to do on",
        "Next to do",
        "Days since two-way contact",
        "Days until inactive",
        "Next sustainment milestone",
    ];
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut rows = vec![header_row.map(str::to_string).to_vec()];
    for e in &c.entries {
        let r = &d.referrals[e.referral];
        let due = first_due.get(&e.referral);
        rows.push(vec![
            d.client(r.client).display_name(),
            uk_date(r.received),
            crate::ui::figures::status_words(&e.status),
            due.map(|i| uk_date(i.date)).unwrap_or_default(),
            due.map(|i| alert_words(&i.alert)).unwrap_or_default(),
            number(e.days_since_contact),
            number(e.days_until_inactive),
            e.next_milestone
                .map(|(weeks, day)| format!("{weeks} weeks on {}", uk_date(day)))
                .unwrap_or_default(),
        ]);
    }
    for row in rows {
        out.write_record(row)
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let file = format!("caseload-{}-{today}.csv", d.staff[es].id);
    Ok(crate::ui::download::download(
        "text/csv; charset=utf-8",
        &file,
        bytes,
    ))
}

/// The caseload page of someone who holds none: where to go instead.
pub fn no_caseload(v: &Viewer) -> Markup {
    html! {
        p { "You hold no caseload: only employment specialists do." }
        @if v.session.user.role != Role::Es {
            ul {
                li { a href="/team/worklist" { "The team worklist" } ": what needs doing across the team today" }
                li { a href="/team" { "The team dashboard" } ": each employment specialist's caseload and performance plan" }
            }
        } @else {
            p { "Your account is not linked to an employment specialist's record: ask an administrator to link it." }
        }
    }
}

/// CASE-1..4 for one ES: the worklist, then each referral they hold, with
/// every figure from core (`es_caseload`).
pub fn caseload_html(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    today: Day,
    all_items: &[WorkItem],
    (sort, filter): (Sort, &Filter),
) -> Markup {
    let d = &data.dataset;
    let (items, c, first_due) = sorted_caseload(d, es, today, all_items, (sort, filter));
    let es_id = &d.staff[es].id;
    let own = v.staff == Some(es);
    let sort_link = |by: Sort, words: &str| {
        let href = if own {
            format!(
                "/caseload?sort={}{}#caseload-table",
                by.word(),
                filter.query()
            )
        } else {
            format!(
                "/caseload?es={es_id}&sort={}{}#caseload-table",
                by.word(),
                filter.query()
            )
        };
        html! {
            @if sort == by { (words) " " span class="visually-hidden" { "(sorted by this)" } "▲" }
            @else { a href=(href) { (words) } }
        }
    };
    let aria_sort = |by: Sort| if sort == by { "ascending" } else { "none" };
    let title = if v.staff == Some(es) {
        "My caseload".to_string()
    } else {
        format!("Caseload of {}", d.staff[es].name)
    };
    layout(
        v,
        &title,
        html! {
            p id="caseload-summary" {
                "On " (uk_date(today)) ": "
                strong id="caseload-active" { (c.active) } " active"
                @if c.active_by_decision > 0 { " (" span id="caseload-by-decision" { (c.active_by_decision) } " kept active by a team decision)" }
                " of " strong id="caseload-open" { (c.open) } " open (seen); "
                strong id="caseload-not-yet-seen" { (c.not_yet_seen) } " referred, not yet seen; "
                strong id="caseload-waiting" { (c.waiting_list) } " on the waiting list. "
                a href=(format!("/specialists/{}/plan", d.staff[es].id)) { "Performance plan" }
            }
            @if let Some(standing) = &c.standing { p id="caseload-standing" { (caseload_standing_words(standing)) "." } }
            p class="no-print" {
                a href=(if own { format!("/caseload.csv?sort={}{}", sort.word(), filter.query()) } else { format!("/caseload.csv?es={}&sort={}{}", d.staff[es].id, sort.word(), filter.query()) }) { "Download the caseload as CSV" }
                " "
                button type="button" class="secondary" data-print hidden { "Print" }
            }
            section class="panel" aria-labelledby="worklist" {
                h2 id="worklist" { "To do" }
                @if items.is_empty() { p { "Nothing due." } }
                ul class="worklist" {
                    @for item in &items {
                        li {
                            strong { (uk_date(item.date)) } " – "
                            @if let Some(i) = item.referral {
                                @let r = &d.referrals[i];
                                a href=(format!("/referrals/{}", r.id)) { (d.client(r.client).display_name()) } ": "
                            }
                            (alert_words(&item.alert))
                            @if let Some((href, words)) = item.referral.and_then(|i| alert_action(&d.referrals[i].id, &item.alert)) {
                                " – " a href=(href) { (words) }
                            }
                        }
                    }
                }
            }
            form method="get" action="/caseload" class="panel no-print filters" id="caseload-filter" {
                @if !own { input type="hidden" name="es" value=(es_id); }
                div class="field" {
                    label for="filter-sort" { "Sort by" }
                    select id="filter-sort" name="sort" {
                        @for (value, words) in [("urgency", "Most urgent first"), ("inactive", "Days until inactive"), ("milestone", "Next sustainment milestone"), ("person", "Name")] {
                            option value=(value) selected[sort.word() == value] { (words) }
                        }
                    }
                }
                div class="field" {
                    label for="filter-status" { "Status" }
                    select id="filter-status" name="status" {
                        @for (value, words) in STATUS_CHOICES { option value=(value) selected[filter.status == value] { (words) } }
                    }
                }
                div class="field" {
                    label for="filter-due" { "Next to do" }
                    select id="filter-due" name="due" {
                        @for (value, words) in DUE_CHOICES { option value=(value) selected[filter.due == value] { (words) } }
                    }
                }
                div class="field" {
                    label for="filter-name" { "Name" }
                    input id="filter-name" name="name" type="search" value=(filter.name) maxlength=(NAME_FILTER_CHARS);
                }
                button type="submit" class="secondary" { "Show" }
                @if !filter.is_empty() {
                    " " a href=(if own { "/caseload".to_string() } else { format!("/caseload?es={es_id}") }) { "Show everyone" }
                }
            }
            @if !filter.is_empty() {
                p id="caseload-shown" role="status" { "Showing " (crate::ui::layout::plural(c.entries.len() as i64, "referral", "referrals")) " that match." }
            }
            table id="caseload-table" class="cards" {
                caption { "Referrals held: open (seen) and referred, not yet seen. Sorted by " (match sort {
                    Sort::Urgency => "urgency: the overdue first",
                    Sort::Inactive => "days until inactive",
                    Sort::Milestone => "the next sustainment milestone",
                    Sort::Person => "name",
                }) "." }
                thead { tr {
                    th scope="col" aria-sort=(aria_sort(Sort::Person)) { (sort_link(Sort::Person, "Person")) }
                    th scope="col" { "Referred" } th scope="col" { "Status" }
                    th scope="col" aria-sort=(aria_sort(Sort::Urgency)) { (sort_link(Sort::Urgency, "Next to do")) }
                    th scope="col" class="num" { "Days since contact" }
                    th scope="col" class="num" aria-sort=(aria_sort(Sort::Inactive)) { (sort_link(Sort::Inactive, "Days until inactive")) }
                    th scope="col" aria-sort=(aria_sort(Sort::Milestone)) { (sort_link(Sort::Milestone, "Next sustainment milestone")) }
                } }
                tbody {
                    @for e in &c.entries {
                        @let r = &d.referrals[e.referral];
                        @let due = first_due.get(&e.referral);
                        tr id=(format!("referral-{}", r.id)) class=[due.filter(|i| i.date < today).map(|_| "overdue")] {
                            td data-label="Person" { a href=(format!("/referrals/{}", r.id)) { (d.client(r.client).display_name()) } }
                            td data-label="Referred" { (uk_date(r.received)) }
                            td data-label="Status" { (status_tag(&e.status)) }
                            td data-label="Next to do" data-next-due=[due.map(|i| i.date.to_string())] { @match due {
                                Some(i) if i.date < today => { strong class="tag overdue" { "Overdue" } " " (uk_date(i.date)) ": " (alert_words(&i.alert)) }
                                Some(i) => { (uk_date(i.date)) ": " (alert_words(&i.alert)) }
                                None => "–",
                            } }
                            td class="num" data-label="Days since contact" { (e.days_since_contact.map_or("–".to_string(), |n| n.to_string())) }
                            td class="num" data-label="Days until inactive" data-days-until-inactive { (e.days_until_inactive.map_or("–".to_string(), |n| n.to_string())) }
                            td data-label="Next sustainment milestone" { (e.next_milestone.map_or("–".to_string(), |(weeks, due)| format!("{weeks} weeks on {}", uk_date(due)))) }
                        }
                    }
                }
            }
        },
    )
}

/// The one step that deals with a referral's worklist item, where there is
/// one: its address and words ("Record an in-work check").
pub(crate) fn alert_action(referral: &str, alert: &Alert) -> Option<(String, &'static str)> {
    Some(match alert {
        Alert::AwaitingFourHours { job } => (
            format!("/referrals/{referral}/jobs/{job}/edit?task=hours"),
            "Confirm 4 hours",
        ),
        Alert::ContactDue { .. }
        | Alert::ContactLapsed { .. }
        | Alert::FortnightlyContactDue { .. } => (
            format!("/referrals/{referral}/record/contact"),
            "Record a contact",
        ),
        Alert::ConfirmStillInWork { .. } | Alert::MilestoneDue { .. } => (
            format!("/referrals/{referral}/record/in_work_check"),
            "Record an in-work check",
        ),
        Alert::PlanReviewDue { .. } => (
            format!("/referrals/{referral}/edit/plan/0"),
            "Record the plan review",
        ),
        _ => return None,
    })
}

pub(crate) fn alert_words(alert: &Alert) -> String {
    match alert {
        Alert::ContactDue { last_contact } => {
            format!(
                "No two-way contact since {}: becomes inactive on this day without one",
                uk_date(*last_contact)
            )
        }
        Alert::ContactLapsed { last_contact } => match last_contact {
            Some(last) => format!(
                "Inactive for want of contact: no two-way contact since {}; a contact makes them active again",
                uk_date(*last)
            ),
            None => "Inactive for want of contact: a contact makes them active again".into(),
        },
        Alert::HoldReachingLimit { hold_start } => {
            format!("On hold since {}: reaching 4 weeks", uk_date(*hold_start))
        }
        Alert::WaitingListOverdue { .. } => {
            "Waiting list overdue: close and invite a re-referral".into()
        }
        Alert::MilestoneDue { weeks } => format!("{weeks}-week sustainment due: gather evidence"),
        Alert::ConfirmStillInWork { weeks } => {
            format!("{weeks}-week sustainment after discharge: confirm still in work")
        }
        Alert::FortnightlyContactDue { last_contact } => format!(
            "Fortnightly contact due: no two-way contact since {}",
            uk_date(*last_contact)
        ),
        Alert::PlanReviewDue { last_review } => format!(
            "Vocational plan review due: started or last reviewed {}",
            uk_date(*last_review)
        ),
        Alert::DecisionAgreementMissing { decision_start, .. } => format!(
            "Team decision of {}: record who agreed it (the ES and one other)",
            uk_date(*decision_start)
        ),
        Alert::RapidSearchDue { access } => format!(
            "No employer contact for them since access on {}: rapid job search due",
            uk_date(*access)
        ),
        Alert::AwaitingFourHours { job } => {
            format!("Job {job} awaiting confirmation of 4 hours worked")
        }
        Alert::CaseloadPerFte { standing } => caseload_standing_words(standing),
        Alert::RetentionShareHigh {
            employed,
            open,
            max_share,
        } => {
            format!(
                "{employed} of {open} open referrals are job retention (over {})",
                share_words(*max_share)
            )
        }
    }
}

/// A policy share in ten-thousandths as a percentage: 1500 → "15%", 1250 → "12.5%".
pub(crate) fn share_words(share: ipstrack_core::policy::Basis) -> String {
    let (whole, part) = (share / 100, share % 100);
    match part {
        0 => format!("{whole}%"),
        p if p % 10 == 0 => format!("{whole}.{}%", p / 10),
        p => format!("{whole}.{p:02}%"),
    }
}

/// CASE-4: an ES's caseload per FTE against the policy, in words.
pub(crate) fn caseload_standing_words(s: &CaseloadStanding) -> String {
    let open = match s.band_position {
        BandPosition::Below => "below",
        BandPosition::Within => "within",
        BandPosition::Above => "above",
    };
    let mut words = format!(
        "Open caseload {} per FTE ({} open), {open} the recommended {}–{}",
        s.open_per_fte, s.open, s.band.0, s.band.1
    );
    if s.above_fidelity_limit {
        words.push_str(&format!(
            "; active caseload {} per FTE ({} active), above the fidelity limit of {}",
            s.active_per_fte, s.active, s.fidelity_limit
        ));
    } else {
        words.push_str(&format!(
            "; active caseload {} per FTE ({} active), within the fidelity limit of {}",
            s.active_per_fte, s.active, s.fidelity_limit
        ));
    }
    words
}

/// One ES's worklist items, caseload (CASE-1..4, core's `es_caseload`) in
/// the order asked for, and each referral's first item due: what the page
/// and its CSV download show.
fn sorted_caseload<'a>(
    d: &ipstrack_core::model::Dataset,
    es: usize,
    today: Day,
    all_items: &'a [WorkItem],
    (sort, filter): (Sort, &Filter),
) -> (
    Vec<&'a WorkItem>,
    ipstrack_core::caseload::EsCaseload,
    std::collections::HashMap<usize, &'a WorkItem>,
) {
    let items: Vec<&WorkItem> = all_items
        .iter()
        .filter(|i| i.es == Some(StaffIdx::at(es)))
        .collect();
    let mut c = es_caseload(d, StaffIdx::at(es), today);
    // The first item due for each referral (the worklist is sorted by date).
    let mut first_due: std::collections::HashMap<usize, &WorkItem> = Default::default();
    for item in &items {
        if let Some(r) = item.referral {
            first_due.entry(r).or_insert(item);
        }
    }
    let name = |r: usize| d.client(d.referrals[r].client).display_name();
    if !filter.is_empty() {
        c.entries.retain(|e| {
            filter.keeps(
                e,
                first_due.get(&e.referral).copied(),
                &name(e.referral),
                today,
            )
        });
    }
    let last = Day::LAST;
    match sort {
        // The soonest day something is due or the person becomes inactive
        // (a client 8 days from inactive before one 24 days from it).
        Sort::Urgency => c.entries.sort_by_key(|e| {
            let due = first_due.get(&e.referral).map_or(last, |i| i.date);
            let inactive = e.days_until_inactive.map_or(last, |n| today.plus(n));
            (
                due.min(inactive),
                e.days_until_inactive.unwrap_or(i32::MAX),
                e.next_milestone.map_or(last, |(_, due)| due),
            )
        }),
        Sort::Inactive => c
            .entries
            .sort_by_key(|e| e.days_until_inactive.unwrap_or(i32::MAX)),
        Sort::Milestone => c
            .entries
            .sort_by_key(|e| e.next_milestone.map_or(last, |(_, due)| due)),
        Sort::Person => c.entries.sort_by_key(|e| name(e.referral)),
    }
    (items, c, first_due)
}
