//! Reading referrals with their child rows: every referral table by table
//! (a bundle, a load), or one referral as one JSON document built by the
//! database (a write reads the referral it changes afresh).

use std::collections::HashMap;

use ipstrack_core::bundle::{
    ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc, EngagementDoc, EnteredInErrorDoc, JobDoc,
    PlanDoc, ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
};
use serde_json::Number;
use sqlx::AnyConnection;

use crate::sql::{rows, unscaled};
use crate::{Result, StoreError};

type Text = String;
type Maybe = Option<String>;

/// Every referral with its child records, read table by table: each child
/// table's rows in (referral, position) order are put on their referral.
pub(crate) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<ReferralDoc>> {
    type ReferralRow = (
        Text,
        Text,
        Text,
        Text,
        Maybe,
        Maybe,
        Maybe,
        Maybe,
        Maybe,
        Maybe,
        Maybe,
        Option<i64>,
        Maybe,
        Maybe,
        Maybe,
    );
    let referrals: Vec<ReferralRow> = rows(
        conn,
        "referrals",
        "id, client_id, received, status_at_referral, es_id, access, plan_start, plan_end, \
         discharge_date, discharge_reason, plan_reviews, plan_agreed, error_date, error_reason, error_by",
        "position",
    )
    .await?;

    let mut docs: Vec<ReferralDoc> = Vec::with_capacity(referrals.len());
    for (
        id,
        client,
        received,
        status,
        es,
        access,
        plan_start,
        plan_end,
        discharge,
        reason,
        reviews,
        agreed,
        error_date,
        error_reason,
        error_by,
    ) in referrals
    {
        let reviews: Vec<String> = reviews
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("referral {id} plan reviews: {e}")))?
            .unwrap_or_default();
        let mut doc = ReferralDoc::new(id, client, received, status);
        doc.fill_absent();
        doc.es = es;
        doc.access = access;
        doc.vocational_plan = plan_start.map(|start| PlanDoc {
            start,
            end: plan_end,
            reviews,
            agreed_with_clinical_team: agreed.map(|a| a == 1),
            job_preferences: None,
        });
        doc.discharge = discharge.map(|date| DischargeDoc { date, reason });
        doc.entered_in_error = error_date.map(|date| EnteredInErrorDoc {
            date,
            reason: error_reason.unwrap_or_default(),
            recorded_by: error_by.unwrap_or_default(),
        });
        docs.push(doc);
    }
    let index: HashMap<String, usize> = docs
        .iter()
        .enumerate()
        .map(|(at, d)| (d.id.clone(), at))
        .collect();
    let at = |id: &str| -> Result<usize> {
        index
            .get(id)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("a row refers to a missing referral {id}")))
    };
    const ORDER: &str = "referral_id, position";

    // Issue 26's columns, read apart (a row tuple holds at most 16).
    let preparation: Vec<(Text, Maybe, Maybe, Maybe, Maybe)> = rows(
        conn,
        "referrals",
        "id, better_off_date, disclosure_choice, disclosure_date, plan_job_preferences",
        "position",
    )
    .await?;
    for (id, better_off, choice, date, preferences) in preparation {
        let doc = &mut docs[at(&id)?];
        doc.better_off_calculation = better_off;
        doc.disclosure = choice.map(|choice| DisclosureDoc {
            choice,
            date: date.unwrap_or_default(),
        });
        if let Some(plan) = doc.vocational_plan.as_mut() {
            plan.job_preferences = preferences;
        }
    }

    let transfers: Vec<(Text, Text, Text)> =
        rows(conn, "transfers", "referral_id, date, es_id", ORDER).await?;
    for (id, date, es) in transfers {
        docs[at(&id)?]
            .transfers
            .get_or_insert_default()
            .push(TransferDoc { date, es });
    }
    let contacts: Vec<(Text, Text, Text, Maybe, Maybe, Maybe)> = rows(
        conn,
        "contacts",
        "referral_id, date, kind, mechanism, note, location",
        ORDER,
    )
    .await?;
    for (id, date, kind, mechanism, note, location) in contacts {
        docs[at(&id)?]
            .contacts
            .get_or_insert_default()
            .push(ContactDoc {
                date,
                kind,
                mechanism,
                note,
                location,
            });
    }
    let holds: Vec<(Text, Text, Maybe)> =
        rows(conn, "holds", "referral_id, start_date, end_date", ORDER).await?;
    for (id, start, end) in holds {
        docs[at(&id)?]
            .holds
            .get_or_insert_default()
            .push(SpellDoc { start, end });
    }
    let waiting: Vec<(Text, Text, Maybe, Maybe)> = rows(
        conn,
        "waiting_list",
        "referral_id, start_date, end_date, expected_return",
        ORDER,
    )
    .await?;
    for (id, start, end, expected_return) in waiting {
        docs[at(&id)?]
            .waiting_list
            .get_or_insert_default()
            .push(WaitingSpellDoc {
                start,
                end,
                expected_return,
            });
    }
    let engagement: Vec<(Text, Text, Text)> =
        rows(conn, "engagement", "referral_id, date, status", ORDER).await?;
    for (id, date, status) in engagement {
        docs[at(&id)?]
            .engagement
            .get_or_insert_default()
            .push(EngagementDoc { date, status });
    }
    let decisions: Vec<(Text, Text, Maybe, Text, Maybe, Maybe)> = rows(
        conn,
        "decisions",
        "referral_id, start_date, end_date, status, reason, agreed_by",
        ORDER,
    )
    .await?;
    for (id, start, end, status, reason, agreed_by) in decisions {
        let agreed_by: Vec<String> = agreed_by
            .map(|a| serde_json::from_str(&a))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("referral {id} decision agreed_by: {e}")))?
            .unwrap_or_default();
        docs[at(&id)?]
            .decisions
            .get_or_insert_default()
            .push(DecisionDoc {
                start,
                end,
                status,
                reason,
                agreed_by,
            });
    }
    let checks: Vec<(Text, Text, Text, Maybe)> = rows(
        conn,
        "in_work_checks",
        "referral_id, date, source, note",
        ORDER,
    )
    .await?;
    for (id, date, source, note) in checks {
        docs[at(&id)?]
            .in_work_checks
            .push(ipstrack_core::bundle::InWorkCheckDoc { date, source, note });
    }
    type JobRow = (
        Text,
        Text,
        Text,
        Maybe,
        Text,
        Maybe,
        Option<i64>,
        Maybe,
        Maybe,
        Maybe,
        i64,
        Maybe,
        Maybe,
        Option<i64>,
        Option<i64>,
        Maybe,
    );
    let jobs: Vec<JobRow> = rows(
        conn,
        "jobs",
        "referral_id, id, type, employer, start_date, end_date, hours_per_week, weekly_hours, \
         four_hours_confirmed, self_employment_registration, retained, return_to_work, \
         self_employment_evidence, pays_minimum_wage, open_to_anyone, end_reason",
        ORDER,
    )
    .await?;
    for (
        id,
        job,
        kind,
        employer,
        start,
        end,
        hours,
        weekly,
        confirmed,
        registration,
        retained,
        rtw,
        evidence,
        minimum_wage,
        open_to_anyone,
        end_reason,
    ) in jobs
    {
        let weekly_hours = weekly
            .map(|w| serde_json::from_str::<Vec<Number>>(&w))
            .transpose()
            .map_err(|e| {
                StoreError::Corrupt(format!("referral {id} job {job}: weekly hours: {e}"))
            })?;
        docs[at(&id)?].jobs.get_or_insert_default().push(JobDoc {
            id: job,
            kind,
            employer,
            start,
            end,
            hours_per_week: hours.map(|h| unscaled(h, 100)),
            weekly_hours,
            four_hours_confirmed: confirmed,
            self_employment_registration: registration,
            self_employment_evidence: evidence,
            retained: Some(retained == 1),
            return_to_work: rtw,
            pays_minimum_wage: minimum_wage.map(|v| v == 1),
            open_to_anyone: open_to_anyone.map(|v| v == 1),
            end_reason,
        });
    }
    Ok(docs)
}

/// The referrals as documents: every one, or only the one with id `only`
/// (found through the primary key).
pub(crate) async fn read_referrals_where(
    conn: &mut AnyConnection,
    only: Option<&str>,
) -> Result<Vec<ReferralDoc>> {
    let sqlite = conn.backend_name() == "SQLite";
    let sql = if sqlite {
        REFERRALS_JSON_SQLITE
    } else {
        REFERRALS_JSON_POSTGRES
    };
    let text: Option<String> = match only {
        None => {
            sqlx::query_as::<_, (Option<String>,)>(sql)
                .fetch_one(&mut *conn)
                .await?
                .0
        }
        Some(id) => {
            let filtered = sql.replace(
                "FROM referrals r ORDER BY r.position",
                "FROM referrals r WHERE r.id = $1 ORDER BY r.position",
            );
            sqlx::query_as::<_, (Option<String>,)>(sqlx::AssertSqlSafe(filtered))
                .bind(id)
                .fetch_one(&mut *conn)
                .await?
                .0
        }
    };
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("referrals: {e}")))
}

const REFERRALS_JSON_SQLITE: &str = r#"
SELECT json_group_array(json(doc)) FROM (
  SELECT json_object(
    'id', r.id, 'client', r.client_id, 'received', r.received,
    'status_at_referral', r.status_at_referral, 'es', r.es_id,
    'transfers', json((SELECT json_group_array(json_object('date', date, 'es', es_id))
                       FROM (SELECT date, es_id FROM transfers WHERE referral_id = r.id ORDER BY position))),
    'access', r.access,
    'vocational_plan', CASE WHEN r.plan_start IS NULL THEN NULL
                            ELSE json_object('start', r.plan_start, 'end', r.plan_end,
                                             'reviews', json(COALESCE(r.plan_reviews, '[]')),
                                             'agreed_with_clinical_team',
                                             CASE r.plan_agreed WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                                             'job_preferences', r.plan_job_preferences) END,
    'contacts', json((SELECT json_group_array(json_object('date', date, 'kind', kind, 'mechanism', mechanism, 'note', note,
                                                         'location', location))
                      FROM (SELECT date, kind, mechanism, note, location FROM contacts WHERE referral_id = r.id ORDER BY position))),
    'holds', json((SELECT json_group_array(json_object('start', start_date, 'end', end_date))
                   FROM (SELECT start_date, end_date FROM holds WHERE referral_id = r.id ORDER BY position))),
    'waiting_list', json((SELECT json_group_array(json_object('start', start_date, 'end', end_date,
                                                             'expected_return', expected_return))
                          FROM (SELECT * FROM waiting_list WHERE referral_id = r.id ORDER BY position))),
    'engagement', json((SELECT json_group_array(json_object('date', date, 'status', status))
                        FROM (SELECT date, status FROM engagement WHERE referral_id = r.id ORDER BY position))),
    'decisions', json((SELECT json_group_array(json_object('start', start_date, 'end', end_date,
                                                          'status', status, 'reason', reason,
                                                          'agreed_by', json(COALESCE(agreed_by, '[]'))))
                       FROM (SELECT * FROM decisions WHERE referral_id = r.id ORDER BY position))),
    'in_work_checks', json((SELECT json_group_array(json_object('date', date, 'source', source, 'note', note))
                            FROM (SELECT date, source, note FROM in_work_checks WHERE referral_id = r.id ORDER BY position))),
    'discharge', CASE WHEN r.discharge_date IS NULL THEN NULL
                      ELSE json_object('date', r.discharge_date, 'reason', r.discharge_reason) END,
    'entered_in_error', CASE WHEN r.error_date IS NULL THEN NULL
                             ELSE json_object('date', r.error_date, 'reason', r.error_reason,
                                              'recorded_by', r.error_by) END,
    'better_off_calculation', r.better_off_date,
    'disclosure', CASE WHEN r.disclosure_choice IS NULL THEN NULL
                       ELSE json_object('choice', r.disclosure_choice, 'date', r.disclosure_date) END,
    'jobs', json((SELECT json_group_array(json_object(
                    'id', id, 'type', type, 'employer', employer, 'start', start_date, 'end', end_date,
                    'hours_per_week', CASE WHEN hours_per_week IS NULL THEN NULL
                                           WHEN hours_per_week % 100 = 0 THEN hours_per_week / 100
                                           ELSE hours_per_week / 100.0 END,
                    'weekly_hours', json(weekly_hours),
                    'four_hours_confirmed', four_hours_confirmed,
                    'self_employment_registration', self_employment_registration,
                    'self_employment_evidence', self_employment_evidence,
                    'retained', json(CASE WHEN retained = 1 THEN 'true' ELSE 'false' END),
                    'return_to_work', return_to_work,
                    'pays_minimum_wage', CASE pays_minimum_wage WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                    'open_to_anyone', CASE open_to_anyone WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
                    'end_reason', end_reason))
                  FROM (SELECT * FROM jobs WHERE referral_id = r.id ORDER BY position)))
  ) AS doc
  FROM referrals r ORDER BY r.position
)
"#;

const REFERRALS_JSON_POSTGRES: &str = r#"
SELECT json_agg(doc ORDER BY position)::text FROM (
  SELECT r.position, json_build_object(
    'id', r.id, 'client', r.client_id, 'received', r.received,
    'status_at_referral', r.status_at_referral, 'es', r.es_id,
    'transfers', COALESCE((SELECT json_agg(json_build_object('date', date, 'es', es_id) ORDER BY position)
                           FROM transfers WHERE referral_id = r.id), '[]'::json),
    'access', r.access,
    'vocational_plan', CASE WHEN r.plan_start IS NULL THEN NULL
                            ELSE json_build_object('start', r.plan_start, 'end', r.plan_end,
                                                   'reviews', COALESCE(r.plan_reviews, '[]')::json,
                                                   'agreed_with_clinical_team',
                                                   CASE r.plan_agreed WHEN 1 THEN true WHEN 0 THEN false END,
                                                   'job_preferences', r.plan_job_preferences) END,
    'contacts', COALESCE((SELECT json_agg(json_build_object('date', date, 'kind', kind, 'mechanism', mechanism, 'note', note,
                                                            'location', location) ORDER BY position)
                          FROM contacts WHERE referral_id = r.id), '[]'::json),
    'holds', COALESCE((SELECT json_agg(json_build_object('start', start_date, 'end', end_date) ORDER BY position)
                       FROM holds WHERE referral_id = r.id), '[]'::json),
    'waiting_list', COALESCE((SELECT json_agg(json_build_object('start', start_date, 'end', end_date,
                                                                'expected_return', expected_return) ORDER BY position)
                              FROM waiting_list WHERE referral_id = r.id), '[]'::json),
    'engagement', COALESCE((SELECT json_agg(json_build_object('date', date, 'status', status) ORDER BY position)
                            FROM engagement WHERE referral_id = r.id), '[]'::json),
    'decisions', COALESCE((SELECT json_agg(json_build_object('start', start_date, 'end', end_date,
                                                             'status', status, 'reason', reason,
                                                             'agreed_by', COALESCE(agreed_by, '[]')::json) ORDER BY position)
                           FROM decisions WHERE referral_id = r.id), '[]'::json),
    'in_work_checks', COALESCE((SELECT json_agg(json_build_object('date', date, 'source', source, 'note', note) ORDER BY position)
                                FROM in_work_checks WHERE referral_id = r.id), '[]'::json),
    'discharge', CASE WHEN r.discharge_date IS NULL THEN NULL
                      ELSE json_build_object('date', r.discharge_date, 'reason', r.discharge_reason) END,
    'entered_in_error', CASE WHEN r.error_date IS NULL THEN NULL
                             ELSE json_build_object('date', r.error_date, 'reason', r.error_reason,
                                                    'recorded_by', r.error_by) END,
    'better_off_calculation', r.better_off_date,
    'disclosure', CASE WHEN r.disclosure_choice IS NULL THEN NULL
                       ELSE json_build_object('choice', r.disclosure_choice, 'date', r.disclosure_date) END,
    'jobs', COALESCE((SELECT json_agg(json_build_object(
                        'id', id, 'type', type, 'employer', employer, 'start', start_date, 'end', end_date,
                        'hours_per_week', CASE WHEN hours_per_week IS NULL THEN NULL
                                               WHEN hours_per_week % 100 = 0 THEN to_json(hours_per_week / 100)
                                               ELSE to_json(hours_per_week / 100.0) END,
                        'weekly_hours', weekly_hours::json,
                        'four_hours_confirmed', four_hours_confirmed,
                        'self_employment_registration', self_employment_registration,
                        'self_employment_evidence', self_employment_evidence,
                        'retained', retained = 1,
                        'return_to_work', return_to_work,
                        'pays_minimum_wage', CASE pays_minimum_wage WHEN 1 THEN true WHEN 0 THEN false END,
                        'open_to_anyone', CASE open_to_anyone WHEN 1 THEN true WHEN 0 THEN false END,
                        'end_reason', end_reason) ORDER BY position)
                      FROM jobs WHERE referral_id = r.id), '[]'::json)
  ) AS doc
  FROM referrals r ORDER BY r.position
) AS docs
"#;
