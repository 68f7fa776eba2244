//! Submitted returns: each with who and when, its frozen files and what has
//! changed since, in words.

use super::*;

/// A change of one figure since a return was submitted, in words.
pub(super) struct Change {
    /// The service, a team's or an ES's name.
    who: String,
    what: String,
    then: String,
    now: String,
    /// A figure of the return's files (else another figure of the report).
    in_return: bool,
}

/// The words of a figure of a KPI block, by its path in the JSON report
/// (`referrals.unemployed`), and whether the return's files carry it.
pub(super) fn figure_words(path: &str) -> (String, bool) {
    let pointer = format!("/{}", path.replace('.', "/"));
    if let Some(i) = FIGURE_POINTERS.iter().position(|p| *p == pointer) {
        return (COLUMNS[i].0.to_string(), true);
    }
    let known = match path {
        "team" => "Team",
        "caseload.date" => "Caseload day",
        "caseload.on_hold" => "On hold",
        "caseload.active_per_fte" => "Active caseload per FTE",
        "job_outcome_rate.numerator" => "Job outcome rate: people into work (unemployed)",
        "working_rate.numerator" => "Working rate: people working (unemployed)",
        "working_rate.value" => "Working rate",
        "sustainment_rate_13w.numerator" => "13-week sustainment: jobs sustained",
        "sustainment_rate_13w.denominator" => "13-week sustainment: jobs counted",
        "sustainment_rate_13w.pending" => "13-week sustainment: jobs not yet 13 weeks old",
        "sustainment_rate_13w.value" => "13-week sustainment rate",
        "fidelity_caseload_score" => "Fidelity caseload score",
        "targets.year" => "Year of the ES (targets)",
        "targets.access" => "Access target",
        "targets.access_to_date" => "Access target to date",
        "targets.people_into_work" => "People into work target",
        "targets.job_outcome_rate" => "Job outcome rate target",
        "targets.sustainment_rate_13w" => "13-week sustainment target",
        "targets.status.access" => "Access against target",
        "targets.status.people_into_work" => "People into work against target",
        "targets.status.job_outcome_rate" => "Job outcome rate against target",
        "targets.status.sustainment_rate_13w" => "13-week sustainment against target",
        _ => "",
    };
    if !known.is_empty() {
        return (known.to_string(), false);
    }
    // A figure added to the report later: its path, made readable.
    let words = path.replace(['.', '_'], " ");
    let mut chars = words.chars();
    let words = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    (words, false)
}

/// A value of the JSON report in words: a rate as a percentage, a status
/// and a day in words, nothing as `–`.
pub(super) fn value_words(path: &str, text: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    if path.ends_with("date") {
        return value
            .as_str()
            .and_then(Day::parse)
            .map_or_else(|| "–".to_string(), uk_date);
    }
    let rate = path.ends_with(".value")
        || path == "targets.job_outcome_rate"
        || path == "targets.sustainment_rate_13w";
    match value {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if rate => percent(Some(f)),
            Some(f) if f.fract() != 0.0 => format!("{:.2}", f),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => match s.as_str() {
            "met" => "Met".into(),
            "on_track" => "On track".into(),
            "behind" => "Behind".into(),
            _ => Day::parse(&s).map_or(s.clone(), uk_date),
        },
        other => other.to_string(),
    }
}

/// The changes since a return, as `figure_changes` lists them
/// (`teams[t1].referrals.unemployed: 3 → 4`), in words and names.
pub(super) fn changes_in_words(changes: &[String], data: &Dataset) -> Vec<Change> {
    let team = |id: &str| {
        data.teams
            .iter()
            .find(|t| t.id == id)
            .map_or(format!("Team {id}"), |t| t.name.clone())
    };
    let es = |id: &str| {
        data.staff
            .iter()
            .find(|s| s.id == id)
            .map_or(format!("ES {id}"), |s| s.name.clone())
    };
    changes
        .iter()
        .map(|line| {
            let (path, values) = line.split_once(": ").unwrap_or((line, ""));
            let (then, now) = values.split_once(" → ").unwrap_or((values, ""));
            let (who, field) = if let Some(rest) = path.strip_prefix("service.") {
                ("Service".to_string(), rest)
            } else if let Some((scope, rest)) = path.split_once("].") {
                match scope.split_once('[') {
                    Some(("teams", id)) => (team(id), rest),
                    Some(("specialists", id)) => (es(id), rest),
                    _ => (String::new(), path),
                }
            } else {
                (String::new(), path)
            };
            let (what, in_return) = figure_words(field);
            let (then, now) = if field == "team" {
                let name = |v: &str| team(v.trim_matches('"'));
                (name(then), name(now))
            } else {
                (value_words(field, then), value_words(field, now))
            };
            Change {
                who,
                what,
                then,
                now,
                in_return,
            }
        })
        .collect()
}

/// A table of changes since a return was submitted.
pub(super) fn changes_table(changes: &[&Change], caption: &str) -> Markup {
    html! {
        div class="table-scroll" role="region" aria-label=(caption) tabindex="0" {
            table class="return-changes" {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Who" } th scope="col" { "Figure" }
                    th scope="col" class="num" { "Submitted" } th scope="col" class="num" { "Now" }
                } }
                tbody {
                    @for c in changes {
                        tr { td { (c.who) } td { (c.what) } td class="num" { (c.then) } td class="num" { (c.now) } }
                    }
                }
            }
        }
    }
}

/// The most changes listed of a return (the files have them all).
pub(super) const CHANGES_SHOWN: usize = 100;

/// Every submitted return, the latest quarter first: who submitted it and
/// when, its frozen figures to download, and what has changed since.
pub(super) fn submissions_html(data: &Snapshot, submissions: &[Submission]) -> Markup {
    html! {
        section aria-labelledby="submitted-title" id="submitted" {
            h2 id="submitted-title" { "Submitted returns" }
            @if submissions.is_empty() { p { "No return has been submitted yet." } }
            @for s in submissions.iter().rev() {
                (submission_html(data, s))
            }
        }
    }
}

pub(super) fn submission_html(data: &Snapshot, s: &Submission) -> Markup {
    let frozen = ipstrack_interop::submitted_return(&s.report, &data.dataset);
    let now = match (&frozen, Period::parse(&s.period_label)) {
        (Some((of, _)), Ok(period)) => data
            .report(&period, of.as_of)
            .map_err(|e| e.to_string())
            .map(|now| {
                ipstrack_core::returns::figure_changes(
                    &s.report,
                    &serde_json::to_value(&*now).unwrap_or_default(),
                )
            }),
        _ => Err("the stored return cannot be read".to_string()),
    };
    let title = match &frozen {
        Some((of, _)) => period_words(of.start, of.end, &of.label),
        None => s.period_label.clone(),
    };
    html! {
        article class="panel submitted-return" {
            h3 { (title) }
            p {
                "Submitted on " (submitted_when(s)) " by " (s.submitted_by)
                @if let Some((of, _)) = &frozen { ", with figures as of " (uk_date(of.as_of)) }
                "."
            }
            @if let Some((of, _)) = &frozen {
                p class="return-downloads" {
                    "The submitted figures: "
                    a href=(file_href("submitted-return.xlsx", &of.label, of.as_of)) download { "xlsx" } ", "
                    a href=(file_href("submitted-return.csv", &of.label, of.as_of)) download { "CSV" }
                    ". The same quarter's figures now: "
                    a href=(file_href("grow-return.xlsx", &of.label, of.as_of)) download { "xlsx" } ", "
                    a href=(file_href("grow-return.csv", &of.label, of.as_of)) download { "CSV" } "."
                }
            }
            @if let Some((_, rows)) = &frozen {
                details class="submitted-figures" {
                    summary { "The submitted figures" }
                    (super::figures_table(rows, "The figures as submitted: the service and each team"))
                }
            }
            @match &now {
                Err(e) => p { "What has changed since cannot be shown: " (e) "." },
                Ok(changes) if changes.is_empty() => p { "No change since it was submitted." },
                Ok(changes) => (changes_html(changes, &data.dataset)),
            }
        }
    }
}

pub(super) fn changes_html(changes: &[String], data: &Dataset) -> Markup {
    let words = changes_in_words(changes, data);
    let (ret, other): (Vec<&Change>, Vec<&Change>) = words.iter().partition(|c| c.in_return);
    html! {
        p class="return-changed" {
            strong { "Changed since it was submitted: " }
            (plural(ret.len() as i64, "figure of the return", "figures of the return"))
            @if !other.is_empty() { " and " (plural(other.len() as i64, "other figure", "other figures")) " of the report" }
            ". The submitted return stays as it was; the changes come from case data corrected or added later."
        }
        @if !ret.is_empty() {
            (changes_table(&ret.iter().take(CHANGES_SHOWN).copied().collect::<Vec<_>>(), "Figures of the return"))
            @if ret.len() > CHANGES_SHOWN { p { "The first " (CHANGES_SHOWN) " are listed: the files have every figure." } }
        }
        @if !other.is_empty() {
            details {
                summary { "Other figures of the report (" (other.len()) ")" }
                (changes_table(&other.iter().take(CHANGES_SHOWN).copied().collect::<Vec<_>>(), "Other figures of the report"))
                @if other.len() > CHANGES_SHOWN { p { "The first " (CHANGES_SHOWN) " are listed." } }
            }
        }
    }
}
