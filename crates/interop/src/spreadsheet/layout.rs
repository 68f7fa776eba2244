//! Case data out in the spreadsheet layout the import reads: one sheet per
//! table, headed with the mapping's first heading for each field, values in
//! the mapping's words, dates as dates. Each caseload row carries its client's
//! fields (NHS number, names, date of birth, phone, postcode, gender and
//! ethnic category in the mapping's words) and its vocational plan (review
//! dates as UK dates joined by "; ", the agreement as yes or no). The ES's
//! employer contacts are a sheet of their own, and so are the referrals'
//! in-work checks (one row each, like the contacts). Imported back with the same
//! mapping it gives the same records. A referral entered in error (ERR-1) is
//! not written (docs/decisions.md, "Entered in error").

use std::collections::HashMap;

use ipstrack_core::Day;
use ipstrack_core::bundle::{BundleDoc, ClientDoc, ReferralDoc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::Number;

use super::dates::uk_date;
use super::mapping::{Kind, Mapping, Table};
use crate::{csv_text, safe_text};

/// A cell written out.
#[derive(Clone, Debug, PartialEq)]
enum Out {
    Empty,
    Text(String),
    Date(Day),
    Number(f64),
}

/// One table: its field names (those the mapping has a heading for), headings
/// and rows.
struct Written {
    table: Table,
    headings: Vec<String>,
    rows: Vec<Vec<Out>>,
}

fn date(text: &Option<String>) -> Out {
    text.as_deref()
        .and_then(Day::parse)
        .map_or(Out::Empty, Out::Date)
}

fn number(n: &Option<Number>) -> Out {
    n.as_ref()
        .and_then(Number::as_f64)
        .map_or(Out::Empty, Out::Number)
}

fn text(t: &Option<String>) -> Out {
    t.as_ref()
        .filter(|t| !t.is_empty())
        .map_or(Out::Empty, |t| Out::Text(t.clone()))
}

/// The tables of a bundle in the mapping's layout.
fn tables(doc: &BundleDoc, mapping: &Mapping) -> Vec<Written> {
    // A specialist is written by name where the name is theirs alone.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for s in doc.staff.iter().filter(|s| s.role == "es") {
        *names.entry(s.name.as_str()).or_default() += 1;
    }
    let staff: HashMap<&str, &str> = doc
        .staff
        .iter()
        .filter(|s| s.role == "es")
        .map(|s| {
            let unique = names[s.name.as_str()] == 1 && !s.name.trim().is_empty();
            (
                s.id.as_str(),
                if unique {
                    s.name.as_str()
                } else {
                    s.id.as_str()
                },
            )
        })
        .collect();
    let clients: HashMap<&str, &ClientDoc> =
        doc.clients.iter().map(|c| (c.id.as_str(), c)).collect();

    let mut out = Vec::new();
    for table in Table::ALL {
        if !mapping.reads(table) {
            continue;
        }
        let fields: Vec<_> = table
            .fields()
            .iter()
            .filter(|f| mapping.first_heading(table, f.name).is_some())
            // Child tables name their referral by id; client and date are for
            // spreadsheets that have no referral id.
            .filter(|f| {
                table == Table::Caseload
                    || !table.of_referral()
                    || !matches!(f.name, "client" | "received")
                    || mapping.first_heading(table, "referral").is_none()
            })
            .copied()
            .collect();
        let headings = fields
            .iter()
            .map(|f| {
                mapping
                    .first_heading(table, f.name)
                    .expect("filtered")
                    .to_string()
            })
            .collect();
        let word = |field: &str, value: &str| -> Out {
            let list = match fields.iter().find(|f| f.name == field).map(|f| f.kind) {
                Some(Kind::Value(list)) => list,
                Some(Kind::YesNo) => "yes_no",
                _ => return Out::Text(value.to_string()),
            };
            Out::Text(mapping.label(list, value).to_string())
        };
        let es = |id: &str| Out::Text(staff.get(id).copied().unwrap_or(id).to_string());
        let mut rows = Vec::new();
        if table == Table::EmployerContacts {
            for e in &doc.employer_contacts {
                let row = fields.iter().map(|f| match f.name {
                    "id" => Out::Text(e.id.clone()),
                    "es" => es(&e.es),
                    "date" => date(&Some(e.date.clone())),
                    "employer" => text(&Some(e.employer.clone())),
                    "kind" => word("kind", &e.kind),
                    "note" => text(&e.note),
                    "client" => text(&e.client),
                    _ => Out::Empty,
                });
                rows.push(row.collect());
            }
        }
        // A referral entered in error (ERR-1) is left out: the IPS Grow
        // layout has no column for the mark, and its rows imported back would
        // count again. An import keeps the stored referral it does not hold.
        for r in doc
            .referrals
            .iter()
            .filter(|r| table.of_referral() && r.entered_in_error.is_none())
        {
            let key = |f: &str| -> Out {
                match f {
                    "referral" => Out::Text(r.id.clone()),
                    "client" => Out::Text(r.client.clone()),
                    "received" => date(&Some(r.received.clone())),
                    _ => Out::Empty,
                }
            };
            let mut push = |get: &dyn Fn(&str) -> Out| {
                rows.push(
                    fields
                        .iter()
                        .map(|f| match f.name {
                            "referral" | "client" | "received" => key(f.name),
                            name => get(name),
                        })
                        .collect::<Vec<_>>(),
                );
            };
            match table {
                Table::EmployerContacts => {}
                Table::Caseload => caseload_rows(r, &clients, &word, &es, &mut push),
                Table::Contacts => {
                    for c in r.contacts.iter().flatten() {
                        push(&|f| match f {
                            "date" => date(&Some(c.date.clone())),
                            "kind" => word("kind", &c.kind),
                            "mechanism" => c
                                .mechanism
                                .as_deref()
                                .map_or(Out::Empty, |m| word("mechanism", m)),
                            "note" => text(&c.note),
                            "location" => c
                                .location
                                .as_deref()
                                .map_or(Out::Empty, |l| word("location", l)),
                            _ => Out::Empty,
                        });
                    }
                }
                Table::Holds => {
                    for h in r.holds.iter().flatten() {
                        push(&|f| match f {
                            "start" => date(&Some(h.start.clone())),
                            "end" => date(&h.end),
                            _ => Out::Empty,
                        });
                    }
                }
                Table::WaitingList => {
                    for w in r.waiting_list.iter().flatten() {
                        push(&|f| match f {
                            "start" => date(&Some(w.start.clone())),
                            "end" => date(&w.end),
                            "expected_return" => date(&w.expected_return),
                            _ => Out::Empty,
                        });
                    }
                }
                Table::Engagement => {
                    for e in r.engagement.iter().flatten() {
                        push(&|f| match f {
                            "date" => date(&Some(e.date.clone())),
                            "status" => word("status", &e.status),
                            _ => Out::Empty,
                        });
                    }
                }
                Table::Decisions => {
                    for d in r.decisions.iter().flatten() {
                        push(&|f| match f {
                            "start" => date(&Some(d.start.clone())),
                            "end" => date(&d.end),
                            "status" => word("status", &d.status),
                            "reason" => text(&d.reason),
                            "agreed_by" => text(&Some(d.agreed_by.join("; "))),
                            _ => Out::Empty,
                        });
                    }
                }
                Table::InWorkChecks => {
                    for k in &r.in_work_checks {
                        push(&|f| match f {
                            "date" => date(&Some(k.date.clone())),
                            "source" => word("source", &k.source),
                            "note" => text(&k.note),
                            _ => Out::Empty,
                        });
                    }
                }
                Table::Transfers => {
                    for t in r.transfers.iter().flatten() {
                        push(&|f| match f {
                            "date" => date(&Some(t.date.clone())),
                            "es" => es(&t.es),
                            _ => Out::Empty,
                        });
                    }
                }
            }
        }
        out.push(Written {
            table,
            headings,
            rows,
        });
    }
    out
}

/// The value of each field of one row, by field name.
type RowValues<'a> = &'a dyn Fn(&str) -> Out;

/// One row per referral, or per job (the referral's and its client's columns
/// repeated).
fn caseload_rows(
    r: &ReferralDoc,
    clients: &HashMap<&str, &ClientDoc>,
    word: &dyn Fn(&str, &str) -> Out,
    es: &dyn Fn(&str) -> Out,
    push: &mut dyn FnMut(RowValues),
) {
    let client = clients.get(r.client.as_str()).copied();
    // The client's columns: blank where the client has no value (or no record).
    let of_client = |get: fn(&ClientDoc) -> &Option<String>| -> Option<String> {
        client
            .and_then(|c| get(c).clone())
            .filter(|v| !v.is_empty())
    };
    let coded = |f: &str, code: Option<String>| code.map_or(Out::Empty, |c| word(f, &c));
    let referral = |f: &str| -> Out {
        match f {
            "nhs_number" => text(&of_client(|c| &c.nhs_number)),
            "given_name" => text(&of_client(|c| &c.given_name)),
            "family_name" => text(&of_client(|c| &c.family_name)),
            "date_of_birth" => date(&of_client(|c| &c.date_of_birth)),
            "phone" => text(&of_client(|c| &c.phone)),
            "postcode" => text(&of_client(|c| &c.postcode)),
            "gender" => coded(f, of_client(|c| &c.gender)),
            "ethnic_category" => coded(f, of_client(|c| &c.ethnic_category)),
            "status_at_referral" => word(f, &r.status_at_referral),
            "es" => r.es.as_deref().map_or(Out::Empty, es),
            "access" => date(&r.access),
            "vocational_plan_start" => date(&r.vocational_plan.as_ref().map(|p| p.start.clone())),
            "vocational_plan_end" => date(&r.vocational_plan.as_ref().and_then(|p| p.end.clone())),
            "vocational_plan_reviews" => {
                let reviews: Vec<String> = r
                    .vocational_plan
                    .iter()
                    .flat_map(|p| &p.reviews)
                    .map(|d| Day::parse(d).map_or_else(|| d.clone(), uk_date))
                    .collect();
                text(&Some(reviews.join("; ")))
            }
            "agreed_with_clinical_team" => r
                .vocational_plan
                .as_ref()
                .and_then(|p| p.agreed_with_clinical_team)
                .map_or(Out::Empty, |a| word(f, if a { "yes" } else { "no" })),
            "discharge" => date(&r.discharge.as_ref().map(|d| d.date.clone())),
            "discharge_reason" => text(&r.discharge.as_ref().and_then(|d| d.reason.clone())),
            "job_preferences" => text(
                &r.vocational_plan
                    .as_ref()
                    .and_then(|p| p.job_preferences.clone()),
            ),
            "better_off_calculation" => date(&r.better_off_calculation),
            "disclosure" => r
                .disclosure
                .as_ref()
                .map_or(Out::Empty, |d| word(f, &d.choice)),
            "disclosure_date" => date(&r.disclosure.as_ref().map(|d| d.date.clone())),
            _ => Out::Empty,
        }
    };
    let jobs = r.jobs.as_deref().unwrap_or_default();
    if jobs.is_empty() {
        push(&referral);
    }
    for j in jobs {
        push(&|f: &str| match f {
            "job" => Out::Text(j.id.clone()),
            "job_type" => word(f, &j.kind),
            "employer" => text(&j.employer),
            "job_start" => date(&Some(j.start.clone())),
            "job_end" => date(&j.end),
            "hours_per_week" => number(&j.hours_per_week),
            "week1_hours" | "week2_hours" | "week3_hours" | "week4_hours" => {
                let w = usize::from(f.as_bytes()[4] - b'1');
                number(&j.weekly_hours.as_ref().and_then(|h| h.get(w).cloned()))
            }
            "four_hours_confirmed" => date(&j.four_hours_confirmed),
            "self_employment_evidence" => text(&j.self_employment_evidence),
            "self_employment_registration" => j
                .self_employment_registration
                .as_deref()
                .map_or(Out::Empty, |v| word(f, v)),
            "retained" => word(
                f,
                if j.retained == Some(true) {
                    "yes"
                } else {
                    "no"
                },
            ),
            "return_to_work" => date(&j.return_to_work),
            "pays_minimum_wage" | "open_to_anyone" => {
                let answer = if f == "pays_minimum_wage" {
                    j.pays_minimum_wage
                } else {
                    j.open_to_anyone
                };
                answer.map_or(Out::Empty, |yes| word(f, if yes { "yes" } else { "no" }))
            }
            "job_end_reason" => j.end_reason.as_deref().map_or(Out::Empty, |r| word(f, r)),
            other => referral(other),
        });
    }
}

/// The case data as a workbook in the import's layout (one sheet per table).
pub fn caseload_xlsx(doc: &BundleDoc, mapping: &Mapping) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for t in tables(doc, mapping) {
        let sheet = book.add_worksheet();
        sheet.set_name(t.table.label())?;
        for (c, h) in t.headings.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
            sheet.set_column_width(c as u16, 14)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (i, row) in t.rows.iter().enumerate() {
            let r = (i + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Out::Empty => {}
                    Out::Text(s) => {
                        sheet.write_string(r, c, safe_text(s))?;
                    }
                    Out::Date(d) => {
                        sheet.write_date_with_format(r, c, d.date(), &date_format)?;
                    }
                    Out::Number(n) => {
                        sheet.write_number(r, c, *n)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}

/// The case data as CSV files in the import's layout: (file name, text) per
/// table, `employer_contacts.csv` among them (a CSV file holds one sheet, so
/// each table is a file of its own, read back by its headings like a sheet);
/// dates as UK dates (31/03/2025).
pub fn caseload_csv(
    doc: &BundleDoc,
    mapping: &Mapping,
) -> Result<Vec<(String, String)>, csv::Error> {
    let mut files = Vec::new();
    for t in tables(doc, mapping) {
        let rows = t.rows.iter().map(|row| {
            row.iter().map(|cell| match cell {
                Out::Empty => String::new(),
                Out::Text(s) => safe_text(s),
                Out::Date(d) => uk_date(*d),
                Out::Number(n) => format!("{n}"),
            })
        });
        let name = format!("{}.csv", t.table.key());
        files.push((name, csv_text(&t.headings, rows)?));
    }
    Ok(files)
}
