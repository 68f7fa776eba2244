//! Rows into records: a referral (and its client) built from its caseload
//! rows — the first row with a value gives each column, a later row that says
//! otherwise is a problem — its jobs from the rows that have one, and each of
//! its lists that the file holds replaced by the file's rows.

use std::collections::{BTreeMap, BTreeSet};

use ipstrack_core::bundle::{
    ClientDoc, ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc, EngagementDoc, InWorkCheckDoc,
    JobDoc, PlanDoc, ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc, hours_number,
};
use serde_json::Number;

use super::{CLIENT_FIELDS, Draft, Reader, Value, client_field};
use crate::spreadsheet::mapping::Table;

/// The fields of a caseload row that describe the referral and its client
/// (the rest, the job).
const REFERRAL_FIELDS: [&str; 16] = [
    "referral",
    "client",
    "received",
    "status_at_referral",
    "es",
    "access",
    "vocational_plan_start",
    "vocational_plan_end",
    "vocational_plan_reviews",
    "agreed_with_clinical_team",
    "discharge",
    "discharge_reason",
    "job_preferences",
    "better_off_calculation",
    "disclosure",
    "disclosure_date",
];

impl Reader<'_> {
    /// The referral (and its client) from its rows; `None` when it has no
    /// caseload row and none of its lists are in the file.
    pub(super) fn build(
        &mut self,
        id: &str,
        draft: &Draft,
        base: Option<&ReferralDoc>,
        present: &BTreeSet<Table>,
    ) -> Option<(ReferralDoc, Option<ClientDoc>)> {
        let mut doc = match base {
            Some(b) => b.clone(),
            None => ReferralDoc::new(id.to_string(), String::new(), String::new(), String::new()),
        };
        let mut client = None;
        let t = Table::Caseload;
        if !draft.rows.is_empty() {
            // The referral's columns: the first row that has a value gives it;
            // a later row that says otherwise is a problem.
            let mut value: BTreeMap<&str, (Value, usize)> = BTreeMap::new();
            for &r in &draft.rows {
                for field in REFERRAL_FIELDS.into_iter().chain(CLIENT_FIELDS) {
                    let Some(v) = self.rows[r].get(t, field).cloned() else {
                        continue;
                    };
                    match value.get(field) {
                        None => {
                            value.insert(field, (v, r));
                        }
                        Some((seen, at)) if *seen != v => {
                            let message = format!(
                                "says {} but row {} of referral {id} says {}",
                                v.text(),
                                self.rows[*at].number,
                                seen.text()
                            );
                            self.row_problem(r, Some(field), id, message);
                        }
                        Some(_) => {}
                    }
                }
            }
            let columns: BTreeSet<&'static str> = draft
                .rows
                .iter()
                .flat_map(|&r| {
                    let l = &self.layouts[self.rows[r].layout];
                    t.fields().iter().map(|f| f.name).filter(|f| l.has(f))
                })
                .collect();
            let has = |field: &str| columns.contains(field);
            let get = |field: &str| value.get(field).map(|(v, _)| v.text());
            doc.client = get("client").unwrap_or_default();
            doc.received = get("received").unwrap_or_default();
            doc.status_at_referral = get("status_at_referral").unwrap_or_default();
            if has("es") {
                doc.es = get("es");
            }
            if has("access") {
                doc.access = get("access");
            }
            if has("vocational_plan_start") {
                // The sheet gives the plan's dates; its reviews and agreement
                // stay as stored unless the sheet has their columns (below).
                let kept = doc.vocational_plan.take().unwrap_or_default();
                doc.vocational_plan = get("vocational_plan_start").map(|start| PlanDoc {
                    start,
                    end: get("vocational_plan_end"),
                    ..kept
                });
                if doc.vocational_plan.is_none() && get("vocational_plan_end").is_some() {
                    let r = value["vocational_plan_end"].1;
                    self.row_problem(
                        r,
                        Some("vocational_plan_end"),
                        id,
                        "a vocational plan end date needs a start date".into(),
                    );
                }
            }
            self.plan_reviews(id, &mut doc, &value, &has);
            self.preparation(id, &mut doc, &value, &has);
            if has("discharge") {
                let reason = if has("discharge_reason") {
                    get("discharge_reason")
                } else {
                    doc.discharge.as_ref().and_then(|d| d.reason.clone())
                };
                doc.discharge = get("discharge").map(|date| DischargeDoc { date, reason });
            }
            if CLIENT_FIELDS.iter().any(|f| has(f)) || base.is_none() {
                // The stored client as it is, but for the fields the rows have
                // a column for (a blank cell there clears the field).
                let mut c = self
                    .stored_clients
                    .get(doc.client.as_str())
                    .map(|c| (*c).clone())
                    .unwrap_or_else(|| ClientDoc {
                        id: doc.client.clone(),
                        ..ClientDoc::default()
                    });
                for field in CLIENT_FIELDS.into_iter().filter(|f| has(f)) {
                    *client_field(&mut c, field) = get(field);
                }
                client = Some(c);
            }
            if has("job_start") {
                doc.jobs = Some(self.jobs(id, draft));
            }
        } else if draft.children.is_empty() {
            return None;
        }
        for table in present {
            let rows = draft.children.get(table).cloned().unwrap_or_default();
            self.children(&mut doc, *table, &rows);
        }
        Some((doc, client))
    }

    /// The plan's review dates and agreement, where the sheet has their
    /// columns (a blank cell clears them); a sheet without one keeps what is
    /// stored, as for the client's fields. Either needs a plan to belong to.
    fn plan_reviews(
        &mut self,
        id: &str,
        doc: &mut ReferralDoc,
        value: &BTreeMap<&str, (Value, usize)>,
        has: &dyn Fn(&str) -> bool,
    ) {
        let reviews =
            has("vocational_plan_reviews").then(|| match value.get("vocational_plan_reviews") {
                Some((Value::Dates(days), _)) => days.iter().map(ToString::to_string).collect(),
                _ => Vec::new(),
            });
        let preferences = has("job_preferences").then(|| {
            value
                .get("job_preferences")
                .map(|(v, _)| v.text())
                .filter(|t| !t.trim().is_empty())
        });
        let agreed = has("agreed_with_clinical_team").then(|| {
            match value.get("agreed_with_clinical_team") {
                Some((Value::Bool(b), _)) => Some(*b),
                _ => None,
            }
        });
        match doc.vocational_plan.as_mut() {
            Some(plan) => {
                if let Some(reviews) = reviews {
                    plan.reviews = reviews;
                }
                if let Some(agreed) = agreed {
                    plan.agreed_with_clinical_team = agreed;
                }
                if let Some(preferences) = preferences {
                    plan.job_preferences = preferences;
                }
            }
            None => {
                for (field, what) in [
                    ("vocational_plan_reviews", "a vocational plan review date"),
                    (
                        "agreed_with_clinical_team",
                        "whether the plan was agreed with the clinical team",
                    ),
                    ("job_preferences", "the job preferences"),
                ] {
                    if let Some((_, r)) = value.get(field) {
                        let message = format!("{what} needs a vocational plan start date");
                        self.row_problem(*r, Some(field), id, message);
                    }
                }
            }
        }
    }

    /// Issue 26: the day a better-off calculation was offered and the
    /// disclosure choice with the day it was discussed, where the sheet has
    /// their columns (a blank cell clears them; a sheet without them keeps
    /// what is stored). A discussion date needs its choice.
    fn preparation(
        &mut self,
        id: &str,
        doc: &mut ReferralDoc,
        value: &BTreeMap<&str, (Value, usize)>,
        has: &dyn Fn(&str) -> bool,
    ) {
        let get = |field: &str| value.get(field).map(|(v, _)| v.text());
        if has("better_off_calculation") {
            doc.better_off_calculation = get("better_off_calculation");
        }
        if has("disclosure") {
            let (choice, date) = (value.get("disclosure"), value.get("disclosure_date"));
            let problem = match (choice, date) {
                (None, Some((_, r))) => Some((*r, "a disclosure date needs the disclosure choice")),
                (Some((_, r)), None) => {
                    Some((*r, "the disclosure choice needs the day it was discussed"))
                }
                _ => None,
            };
            doc.disclosure = get("disclosure").map(|choice| DisclosureDoc {
                choice,
                date: get("disclosure_date").unwrap_or_default(),
            });
            if let Some((r, message)) = problem {
                doc.disclosure = None;
                self.row_problem(r, Some("disclosure_date"), id, message.to_string());
            }
        }
    }

    fn jobs(&mut self, id: &str, draft: &Draft) -> Vec<JobDoc> {
        let t = Table::Caseload;
        let job_fields: Vec<&'static str> = t
            .fields()
            .iter()
            .map(|f| f.name)
            .filter(|n| !REFERRAL_FIELDS.contains(n) && !CLIENT_FIELDS.contains(n))
            .collect();
        let mut jobs: Vec<JobDoc> = Vec::new();
        for &r in &draft.rows {
            let row = &self.rows[r];
            if job_fields.iter().all(|f| row.get(t, f).is_none()) {
                continue;
            }
            let layout = &self.layouts[row.layout];
            let text = |f: &str| row.text(t, f);
            let Some(start) = text("job_start") else {
                self.row_problem(
                    r,
                    Some("job_start"),
                    id,
                    "the row has a job but no job start date".into(),
                );
                continue;
            };
            let kind = match text("job_type") {
                Some(k) => k,
                None if !layout.has("job_type") => "employee".to_string(),
                None => {
                    self.row_problem(r, Some("job_type"), id, "the job has no job type".into());
                    continue;
                }
            };
            let job_id = text("job").unwrap_or_else(|| format!("j{}", jobs.len() + 1));
            // Weekly hours are given from week 1 on, with no blank week between.
            let weeks: Vec<Option<&Value>> =
                ["week1_hours", "week2_hours", "week3_hours", "week4_hours"]
                    .iter()
                    .map(|f| row.get(t, f))
                    .collect();
            let given = weeks.iter().take_while(|w| w.is_some()).count();
            if weeks.iter().filter(|w| w.is_some()).count() != given {
                self.row_problem(
                    r,
                    Some("week1_hours"),
                    id,
                    "weekly hours must be given from week 1 on, with no week left blank between"
                        .into(),
                );
                continue;
            }
            let weekly: Vec<Number> = weeks
                .iter()
                .flatten()
                .filter_map(|v| match v {
                    Value::Hours(h) => Some(hours_number(*h)),
                    _ => None,
                })
                .collect();
            if jobs.iter().any(|j| j.id == job_id) {
                self.row_problem(
                    r,
                    Some("job"),
                    id,
                    format!("job {job_id} appears twice in referral {id}"),
                );
                continue;
            }
            let hours = |f: &str| match row.get(t, f) {
                Some(Value::Hours(h)) => Some(hours_number(*h)),
                _ => None,
            };
            // A yes-or-no cell left empty: not known.
            let yes_no = |f: &str| match row.get(t, f) {
                Some(Value::Bool(b)) => Some(*b),
                _ => None,
            };
            jobs.push(JobDoc {
                id: job_id,
                kind,
                employer: text("employer"),
                start,
                end: text("job_end"),
                hours_per_week: hours("hours_per_week"),
                weekly_hours: (!weekly.is_empty()).then_some(weekly),
                four_hours_confirmed: text("four_hours_confirmed"),
                self_employment_registration: text("self_employment_registration"),
                self_employment_evidence: text("self_employment_evidence"),
                retained: Some(matches!(row.get(t, "retained"), Some(Value::Bool(true)))),
                return_to_work: text("return_to_work"),
                pays_minimum_wage: yes_no("pays_minimum_wage"),
                open_to_anyone: yes_no("open_to_anyone"),
                end_reason: text("job_end_reason"),
            });
        }
        jobs
    }

    /// Replaces one of the referral's lists with the file's rows.
    fn children(&mut self, doc: &mut ReferralDoc, table: Table, rows: &[usize]) {
        let text = |r: usize, f: &str| self.rows[r].text(table, f);
        match table {
            Table::Contacts => {
                doc.contacts = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(ContactDoc {
                                date: text(r, "date")?,
                                kind: text(r, "kind")?,
                                mechanism: text(r, "mechanism"),
                                note: text(r, "note"),
                                location: text(r, "location"),
                            })
                        })
                        .collect(),
                );
            }
            Table::Holds => {
                doc.holds = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(SpellDoc {
                                start: text(r, "start")?,
                                end: text(r, "end"),
                            })
                        })
                        .collect(),
                );
            }
            Table::WaitingList => {
                doc.waiting_list = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(WaitingSpellDoc {
                                start: text(r, "start")?,
                                end: text(r, "end"),
                                expected_return: text(r, "expected_return"),
                            })
                        })
                        .collect(),
                );
            }
            Table::Engagement => {
                doc.engagement = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(EngagementDoc {
                                date: text(r, "date")?,
                                status: text(r, "status")?,
                            })
                        })
                        .collect(),
                );
            }
            Table::Decisions => {
                doc.decisions = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(DecisionDoc {
                                start: text(r, "start")?,
                                end: text(r, "end"),
                                status: text(r, "status")?,
                                reason: text(r, "reason"),
                                agreed_by: text(r, "agreed_by")
                                    .map(|names| {
                                        names
                                            .split(';')
                                            .map(str::trim)
                                            .filter(|n| !n.is_empty())
                                            .map(str::to_string)
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            })
                        })
                        .collect(),
                );
            }
            Table::InWorkChecks => {
                doc.in_work_checks = rows
                    .iter()
                    .filter_map(|&r| {
                        Some(InWorkCheckDoc {
                            date: text(r, "date")?,
                            source: text(r, "source")?,
                            note: text(r, "note"),
                        })
                    })
                    .collect();
            }
            Table::Caseload | Table::EmployerContacts => {}
            Table::Transfers => {
                doc.transfers = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(TransferDoc {
                                date: text(r, "date")?,
                                es: text(r, "es")?,
                            })
                        })
                        .collect(),
                );
            }
        }
        // A row whose required cell could not be read has its own problem;
        // its referral is left out with it.
        for &r in rows {
            let row = &self.rows[r];
            let incomplete = table
                .fields()
                .iter()
                .filter(|f| f.required)
                .any(|f| row.get(table, f.name).is_none());
            let sheet = &self.sheets[self.layouts[row.layout].sheet].name;
            let unread = self
                .rows_with_problems
                .contains(&(sheet.clone(), row.number));
            if incomplete && !unread {
                let missing = table
                    .fields()
                    .iter()
                    .find(|f| f.required && row.get(table, f.name).is_none())
                    .map(|f| f.name)
                    .unwrap_or_default();
                self.row_problem(r, Some(missing), &doc.id, format!("no {missing}"));
            } else if incomplete {
                self.row_problem(r, None, &doc.id, "this row cannot be read".into());
            }
        }
    }
}
