//! Renderings of the one report value: a terminal table and CSV.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use ipstrack_core::Dataset;
use ipstrack_core::report::{ByGroup, Kpis, Rate, Report};
use ipstrack_core::targets::Status;
use serde_json::Value;

fn pair(g: &ByGroup) -> String {
    format!("{} / {}", g.unemployed, g.employed)
}

fn percent(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn rate(r: &Rate) -> String {
    format!("{} ({}/{})", percent(r.value), r.numerator, r.denominator)
}

fn status(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Met) => "met",
        Some(Status::OnTrack) => "on track",
        Some(Status::Behind) => "behind",
        None => "–",
    }
}

fn kpi_row(level: &str, name: &str, k: &Kpis) -> Vec<String> {
    let c = &k.caseload;
    let s = &k.sustainment_rate_13w;
    vec![
        level.to_string(),
        name.to_string(),
        pair(&k.referrals),
        pair(&k.access),
        pair(&k.people_into_work),
        pair(&k.job_starts),
        format!(
            "{} / {} / {}",
            k.sustained.w13.unemployed + k.sustained.w13.employed,
            k.sustained.w26.unemployed + k.sustained.w26.employed,
            k.sustained.w52.unemployed + k.sustained.w52.employed
        ),
        format!("{} / {}", c.active, c.open),
        c.active_per_fte.map_or("–".into(), |v| format!("{v:.2}")),
        c.on_hold.to_string(),
        c.waiting_list.to_string(),
        c.carried_over.to_string(),
        rate(&k.job_outcome_rate),
        format!(
            "{} ({}/{}, {} pending)",
            percent(s.value),
            s.numerator,
            s.denominator,
            s.pending
        ),
        rate(&k.working_rate),
    ]
}

/// A readable terminal table: the service, its teams, each ES, then each ES
/// against their performance plan.
pub fn table(report: &Report, data: &Dataset) -> String {
    let team_name = |id: &str| {
        data.teams
            .iter()
            .find(|t| t.id == id)
            .map_or(id.to_string(), |t| t.name.clone())
    };
    let mut figures = Table::new();
    figures.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "",
        "",
        "Referrals U/E",
        "Access U/E",
        "Into work U/E",
        "Job starts U/E",
        "Sustained 13/26/52w",
        "Active / open",
        "Active per FTE",
        "On hold",
        "Waiting",
        "Carried over",
        "Job outcome rate",
        "13-week sustainment",
        "Working rate",
    ]);
    figures.add_row(kpi_row("Service", &data.service.name, &report.service));
    for t in &report.teams {
        figures.add_row(kpi_row("Team", &team_name(&t.id), &t.kpis));
    }
    for s in &report.specialists {
        figures.add_row(kpi_row(
            "ES",
            &format!("{} ({})", s.id, team_name(&s.team)),
            &s.kpis,
        ));
    }
    for column in figures.column_iter_mut().skip(2) {
        column.set_cell_alignment(CellAlignment::Right);
    }

    let mut plans = Table::new();
    plans.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "ES",
        "Year",
        "Access (unemployed)",
        "Target to date / period",
        "Status",
        "Into work",
        "Target",
        "Status",
        "Job outcome rate",
        "Status",
        "13-week sustainment",
        "Status",
        "Fidelity caseload score",
    ]);
    for s in &report.specialists {
        let t = &s.targets;
        plans.add_row(vec![
            s.id.clone(),
            t.year.to_string(),
            s.kpis.access.unemployed.to_string(),
            format!("{:.1} / {:.1}", t.access_to_date, t.access),
            status(t.status.access).into(),
            s.kpis.people_into_work.unemployed.to_string(),
            format!("{:.1}", t.people_into_work),
            status(t.status.people_into_work).into(),
            percent(s.kpis.job_outcome_rate.value),
            status(t.status.job_outcome_rate).into(),
            percent(s.kpis.sustainment_rate_13w.value),
            status(t.status.sustainment_rate_13w).into(),
            s.kpis
                .fidelity_caseload_score
                .map_or("–".into(), |v| v.to_string()),
        ]);
    }
    let mut out = format!(
        "{} — {} ({} to {}), as of {}\nU/E = unemployed / employed at referral; caseload on {}\n\n",
        data.service.name,
        report.period.label,
        report.period.start,
        report.period.end,
        report.as_of,
        report.service.caseload.date
    );
    out.push_str(&figures.to_string());
    out.push_str("\n\nPerformance plans (targets use the unemployed group)\n");
    out.push_str(&plans.to_string());
    out.push('\n');
    if !report.warnings.is_empty() {
        out.push_str(&format!(
            "\n{} data-quality warnings (BAD-2): run `ipstrack check` to list them\n",
            report.warnings.len()
        ));
    }
    out
}

/// Flattens a JSON object into `a.b.c` columns, in the report's field order.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Flattened (column, value) pairs of one row.
type Cells = Vec<(String, String)>;

/// One row per ES, team and service, one column per figure (targets for ES).
pub fn csv(report: &Report) -> anyhow::Result<String> {
    let mut rows: Vec<(String, String, String, Cells)> = Vec::new();
    let mut add = |level: &str, id: &str, team: &str, value: Value| {
        let mut cells = Vec::new();
        flatten("", &value, &mut cells);
        cells.retain(|(k, _)| k != "id" && k != "team");
        rows.push((level.into(), id.into(), team.into(), cells));
    };
    add("service", "", "", serde_json::to_value(&report.service)?);
    for t in &report.teams {
        add("team", &t.id, &t.id, serde_json::to_value(&t.kpis)?);
    }
    for s in &report.specialists {
        let mut value = serde_json::to_value(&s.kpis)?;
        value["targets"] = serde_json::to_value(&s.targets)?;
        add("es", &s.id, &s.team, value);
    }
    // Specialists carry every column (targets too); the others leave those blank.
    let columns: Vec<String> = rows
        .iter()
        .max_by_key(|r| r.3.len())
        .map_or(Vec::new(), |r| r.3.iter().map(|(k, _)| k.clone()).collect());
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "level".to_string(),
        "id".into(),
        "team".into(),
        "period".into(),
        "as_of".into(),
    ];
    header.extend(columns.iter().cloned());
    writer.write_record(&header)?;
    for (level, id, team, cells) in rows {
        let mut record = vec![
            level,
            id,
            team,
            report.period.label.clone(),
            report.as_of.to_string(),
        ];
        for column in &columns {
            record.push(
                cells
                    .iter()
                    .find(|(k, _)| k == column)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
        writer.write_record(&record)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}
