//! The bundle's records in tables: reading them back as a bundle, and writing
//! an import as the difference from what is stored, with its audit rows.

use std::collections::{BTreeMap, HashMap};

use ipstrack_core::bundle::{
    BUNDLE_FORMAT, BundleDoc, ContactDoc, DecisionDoc, DischargeDoc, EngagementDoc, JobDoc,
    PlanDoc, PolicyDoc, ReferralDoc, Removed, ServiceDoc, SpellDoc, StaffDoc, TeamDoc, TransferDoc,
    WaitingSpellDoc, canonical, removed,
};
use serde::Serialize;
use serde_json::Number;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyConnection, Arguments, Row};

use crate::{Result, StoreError};

/// How many records of one kind an import created, updated or left unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What an import changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub service_changed: bool,
    pub teams: Changes,
    pub staff: Changes,
    pub clients: Changes,
    pub referrals: Changes,
    pub employer_contacts: Changes,
    /// The records updated, by kind (`referral r1`); created ones are counted only.
    pub updated: Vec<String>,
    /// Every stored referral the import replaced, with what replacing it
    /// removed (issue 20), in the bundle's order.
    pub replaced: Vec<Replaced>,
}

/// A stored referral that an import replaces (or, changed since the bundle
/// was taken, refuses to replace): what replacing it removes, and the
/// versions that tell whether it changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Replaced {
    pub id: String,
    /// Its client's id (pages name the person).
    pub client: String,
    /// The version the bundle says it was taken at; `None` when the bundle
    /// does not say (a bundle made elsewhere, or by hand).
    pub bundle_version: Option<i64>,
    /// The version stored now.
    pub version: i64,
    /// What the incoming form removes from the stored one.
    pub removed: Removed,
}

impl Replaced {
    /// Changed since the bundle was taken: stored at another version than
    /// the bundle names.
    pub fn changed_since(&self) -> bool {
        self.bundle_version.is_some_and(|v| v != self.version)
    }
}

impl Replaced {
    /// The referral and what replacing it does; one changed since says so,
    /// with `taken` saying since when (`the bundle was taken`, `the
    /// preview`).
    pub fn explain(&self, taken: &str) -> String {
        match self.bundle_version {
            Some(at) if self.changed_since() => {
                let what = if self.removed.is_empty() {
                    "undo what was changed since".to_string()
                } else {
                    self.removed.describe()
                };
                format!(
                    "referral {} changed since {taken} (version {at}, now {}): importing would {what}",
                    self.id, self.version
                )
            }
            Some(_) => format!("referral {}: importing {}", self.id, self.removed),
            None => format!(
                "referral {} (not versioned by the bundle): importing {}",
                self.id, self.removed
            ),
        }
    }
}

impl std::fmt::Display for Replaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain("the bundle was taken"))
    }
}

/// The message of [`StoreError::Stale`]: every referral named.
pub(crate) fn stale_message(stale: &[Replaced]) -> String {
    let n = stale.len();
    let mut message = format!(
        "the import was refused, nothing was written: {n} {} changed since the bundle was taken: ",
        if n == 1 { "referral" } else { "referrals" }
    );
    let each: Vec<String> = stale.iter().map(ToString::to_string).collect();
    message.push_str(&each.join("; "));
    message
}

pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

// ---------------------------------------------------------------------------
// Numbers: hours in hundredths, FTE in ten-thousandths (exact, T-0)
// ---------------------------------------------------------------------------

fn scaled(n: &Number, scale: f64) -> i64 {
    n.as_i64()
        .map(|i| i * scale as i64)
        .unwrap_or_else(|| (n.as_f64().unwrap_or(0.0) * scale).round() as i64)
}

/// An FTE as stored (ten-thousandths) written as the bundle writes it.
pub(crate) fn scaled_fte(v: i64) -> Number {
    unscaled(v, 10_000)
}

fn unscaled(v: i64, scale: i64) -> Number {
    if v % scale == 0 {
        Number::from(v / scale)
    } else {
        Number::from_f64(v as f64 / scale as f64).expect("finite")
    }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(column)?)
}

pub(crate) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(column)?)
}

/// Every referral with its child records, built as one JSON document by the
/// database itself (one row instead of millions: reading is dominated by
/// rows crossing from the database, not by parsing).
async fn read_referrals(conn: &mut AnyConnection) -> Result<Vec<ReferralDoc>> {
    read_referrals_by_table(conn).await
}

/// The rows of `table` (its `columns`, in `order`) as one JSON array of
/// arrays made by the database, read as tuples: a few large values instead of
/// millions of rows through the `Any` driver (three times faster on the
/// national service's 1.6 million contacts).
async fn rows<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    order: &str,
) -> Result<Vec<T>> {
    let sql = if conn.backend_name() == "SQLite" {
        format!(
            "SELECT json_group_array(json_array({columns})) FROM (SELECT {columns} FROM {table} ORDER BY {order})"
        )
    } else {
        format!("SELECT json_agg(json_build_array({columns}) ORDER BY {order})::text FROM {table}")
    };
    let (text,): (Option<String>,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?;
    serde_json::from_str(text.as_deref().unwrap_or("[]"))
        .map_err(|e| StoreError::Corrupt(format!("{table}: {e}")))
}

type Text = String;
type Maybe = Option<String>;

/// Every referral with its child records, read table by table: each child
/// table's rows in (referral, position) order are put on their referral.
async fn read_referrals_by_table(conn: &mut AnyConnection) -> Result<Vec<ReferralDoc>> {
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
    );
    let referrals: Vec<ReferralRow> = rows(
        conn,
        "referrals",
        "id, client_id, received, status_at_referral, es_id, access, plan_start, plan_end, \
         discharge_date, discharge_reason, plan_reviews, plan_agreed",
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
        });
        doc.discharge = discharge.map(|date| DischargeDoc { date, reason });
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

    let transfers: Vec<(Text, Text, Text)> =
        rows(conn, "transfers", "referral_id, date, es_id", ORDER).await?;
    for (id, date, es) in transfers {
        docs[at(&id)?]
            .transfers
            .get_or_insert_default()
            .push(TransferDoc { date, es });
    }
    let contacts: Vec<(Text, Text, Text, Maybe, Maybe)> = rows(
        conn,
        "contacts",
        "referral_id, date, kind, mechanism, note",
        ORDER,
    )
    .await?;
    for (id, date, kind, mechanism, note) in contacts {
        docs[at(&id)?]
            .contacts
            .get_or_insert_default()
            .push(ContactDoc {
                date,
                kind,
                mechanism,
                note,
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
    );
    let jobs: Vec<JobRow> = rows(
        conn,
        "jobs",
        "referral_id, id, type, employer, start_date, end_date, hours_per_week, weekly_hours, \
         four_hours_confirmed, self_employment_registration, retained, return_to_work, \
         self_employment_evidence",
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
                                             CASE r.plan_agreed WHEN 1 THEN json('true') WHEN 0 THEN json('false') END) END,
    'contacts', json((SELECT json_group_array(json_object('date', date, 'kind', kind, 'mechanism', mechanism, 'note', note))
                      FROM (SELECT date, kind, mechanism, note FROM contacts WHERE referral_id = r.id ORDER BY position))),
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
                    'return_to_work', return_to_work))
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
                                                   CASE r.plan_agreed WHEN 1 THEN true WHEN 0 THEN false END) END,
    'contacts', COALESCE((SELECT json_agg(json_build_object('date', date, 'kind', kind, 'mechanism', mechanism, 'note', note) ORDER BY position)
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
                        'return_to_work', return_to_work) ORDER BY position)
                      FROM jobs WHERE referral_id = r.id), '[]'::json)
  ) AS doc
  FROM referrals r ORDER BY r.position
) AS docs
"#;

/// The stored service and policy.
pub(crate) async fn read_service(
    conn: &mut AnyConnection,
) -> Result<(ServiceDoc, Option<PolicyDoc>)> {
    let row = sqlx::query("SELECT name, start_date, policy FROM service WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Err(StoreError::Unavailable(
            "the database holds no service yet: import a bundle first".into(),
        ));
    };
    let policy = opt_text(&row, "policy")?
        .map(|p| serde_json::from_str::<PolicyDoc>(&p))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("service policy: {e}")))?;
    Ok((
        ServiceDoc {
            name: text(&row, "name")?,
            start_date: text(&row, "start_date")?,
        },
        policy,
    ))
}

/// Reads every record back as a bundle, in the order they were first
/// written, with the version of each referral.
pub(crate) async fn read_bundle(conn: &mut AnyConnection) -> Result<BundleDoc> {
    let service = sqlx::query("SELECT name, start_date, policy FROM service WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (service, policy) = match service {
        Some(row) => {
            let policy = opt_text(&row, "policy")?
                .map(|p| serde_json::from_str::<PolicyDoc>(&p))
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("service policy: {e}")))?;
            (
                ServiceDoc {
                    name: text(&row, "name")?,
                    start_date: text(&row, "start_date")?,
                },
                policy,
            )
        }
        None => (
            ServiceDoc {
                name: String::new(),
                start_date: String::new(),
            },
            None,
        ),
    };
    let teams = sqlx::query("SELECT id, name FROM teams ORDER BY position")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(TeamDoc {
                id: text(r, "id")?,
                name: text(r, "name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let staff = sqlx::query(
        "SELECT id, name, role, team_id, start_date, end_date, fte FROM staff ORDER BY position",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(StaffDoc {
            id: text(r, "id")?,
            name: text(r, "name")?,
            role: text(r, "role")?,
            team: text(r, "team_id")?,
            start_date: text(r, "start_date")?,
            end_date: opt_text(r, "end_date")?,
            fte: unscaled(int(r, "fte")?, 10_000),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let clients = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{} FROM clients ORDER BY position",
        crate::clients::SELECT
    )))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(crate::clients::from_row)
    .collect::<Result<Vec<_>>>()?;

    let referrals = read_referrals(conn).await?;
    let employer_contacts = crate::employer_contacts::read_all(conn).await?;
    // The version of each referral, so that an import of this bundle can
    // tell which referrals changed since (issue 20).
    let referral_versions: Vec<(String, i64)> =
        rows(conn, "referrals", "id, version", "id").await?;

    Ok(BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service,
        policy,
        teams,
        staff,
        clients,
        referrals,
        employer_contacts,
        referral_versions: referral_versions.into_iter().collect(),
    })
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// A value bound to a statement (the `Any` driver's portable types).
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

pub(crate) fn t(v: &str) -> Value {
    Value::Text(Some(v.to_string()))
}

fn ot(v: &Option<String>) -> Value {
    Value::Text(v.clone())
}

fn i(v: i64) -> Value {
    Value::Int(Some(v))
}

/// Inserts rows in batches: `INSERT INTO table (columns) VALUES ($1, …), …`.
pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<()> {
    // Stay well under the parameter limits of both backends. SQLite gets
    // anonymous `?` placeholders: looking up numbered ones costs time
    // proportional to their number, for each of them.
    let per_batch = (4_000 / columns.len()).max(1);
    let anonymous = conn.backend_name() == "SQLite";
    for batch in rows.chunks(per_batch) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut args = AnyArguments::default();
        let mut n = 0;
        for (r, row) in batch.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for (c, value) in row.iter().enumerate() {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push_str(&format!("${n}"));
                }
                match value {
                    Value::Text(v) => args.add(v.clone()),
                    Value::Int(v) => args.add(*v),
                }
                .map_err(sqlx::Error::Encode)?;
            }
            sql.push(')');
        }
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn execute(
    conn: &mut AnyConnection,
    sql: impl sqlx::SqlSafeStr,
    values: Vec<Value>,
) -> Result<()> {
    let mut args = AnyArguments::default();
    for value in values {
        match value {
            Value::Text(v) => args.add(v),
            Value::Int(v) => args.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    sqlx::query_with(sql, args).execute(&mut *conn).await?;
    Ok(())
}

/// One audit row: who, when, what record, old and new values.
pub(crate) struct AuditRow {
    pub action: &'static str,
    pub record_type: &'static str,
    pub record_id: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

pub(crate) async fn write_audit(
    conn: &mut AnyConnection,
    actor: &str,
    rows: Vec<AuditRow>,
) -> Result<()> {
    let at = now();
    let rows: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|a| {
            vec![
                t(&at),
                t(actor),
                t(a.action),
                t(a.record_type),
                Value::Text(Some(a.record_id)),
                Value::Text(a.old),
                Value::Text(a.new),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "audit_log",
        &[
            "at",
            "actor",
            "action",
            "record_type",
            "record_id",
            "old_value",
            "new_value",
        ],
        &rows,
    )
    .await
}

pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}

/// The rows of one referral's child tables.
#[derive(Default)]
pub(crate) struct ChildRows {
    transfers: Vec<Vec<Value>>,
    contacts: Vec<Vec<Value>>,
    holds: Vec<Vec<Value>>,
    waiting: Vec<Vec<Value>>,
    engagement: Vec<Vec<Value>>,
    decisions: Vec<Vec<Value>>,
    jobs: Vec<Vec<Value>>,
    in_work_checks: Vec<Vec<Value>>,
}

impl ChildRows {
    /// Every row made gets `position` (one new entry written after the others).
    pub(crate) fn set_position(&mut self, position: i64) {
        for rows in [
            &mut self.transfers,
            &mut self.contacts,
            &mut self.holds,
            &mut self.waiting,
            &mut self.engagement,
            &mut self.decisions,
            &mut self.jobs,
            &mut self.in_work_checks,
        ] {
            for row in rows.iter_mut() {
                row[1] = i(position);
            }
        }
    }

    pub(crate) fn add(&mut self, r: &ReferralDoc) {
        let id = || t(&r.id);
        for (p, x) in r.transfers.iter().flatten().enumerate() {
            self.transfers
                .push(vec![id(), i(p as i64), t(&x.date), t(&x.es)]);
        }
        for (p, x) in r.contacts.iter().flatten().enumerate() {
            self.contacts.push(vec![
                id(),
                i(p as i64),
                t(&x.date),
                t(&x.kind),
                ot(&x.mechanism),
                ot(&x.note),
            ]);
        }
        for (p, x) in r.holds.iter().flatten().enumerate() {
            self.holds
                .push(vec![id(), i(p as i64), t(&x.start), ot(&x.end)]);
        }
        for (p, x) in r.waiting_list.iter().flatten().enumerate() {
            self.waiting.push(vec![
                id(),
                i(p as i64),
                t(&x.start),
                ot(&x.end),
                ot(&x.expected_return),
            ]);
        }
        for (p, x) in r.engagement.iter().flatten().enumerate() {
            self.engagement
                .push(vec![id(), i(p as i64), t(&x.date), t(&x.status)]);
        }
        for (p, x) in r.decisions.iter().flatten().enumerate() {
            self.decisions.push(vec![
                id(),
                i(p as i64),
                t(&x.start),
                ot(&x.end),
                t(&x.status),
                ot(&x.reason),
                Value::Text((!x.agreed_by.is_empty()).then(|| json(&x.agreed_by))),
            ]);
        }
        for (p, x) in r.in_work_checks.iter().enumerate() {
            self.in_work_checks.push(vec![
                id(),
                i(p as i64),
                t(&x.date),
                t(&x.source),
                ot(&x.note),
            ]);
        }
        for (p, j) in r.jobs.iter().flatten().enumerate() {
            // Exact decimals as written (normalised), e.g. [1.5,2].
            let weekly = j.weekly_hours.as_ref().map(json);
            self.jobs.push(vec![
                id(),
                i(p as i64),
                t(&j.id),
                t(&j.kind),
                ot(&j.employer),
                t(&j.start),
                ot(&j.end),
                Value::Int(j.hours_per_week.as_ref().map(|h| scaled(h, 100.0))),
                Value::Text(weekly),
                ot(&j.four_hours_confirmed),
                ot(&j.self_employment_registration),
                i(i64::from(j.retained.unwrap_or(false))),
                ot(&j.return_to_work),
                ot(&j.self_employment_evidence),
            ]);
        }
    }

    pub(crate) async fn insert(self, conn: &mut AnyConnection) -> Result<()> {
        insert_rows(
            conn,
            "transfers",
            &["referral_id", "position", "date", "es_id"],
            &self.transfers,
        )
        .await?;
        insert_rows(
            conn,
            "contacts",
            &[
                "referral_id",
                "position",
                "date",
                "kind",
                "mechanism",
                "note",
            ],
            &self.contacts,
        )
        .await?;
        insert_rows(
            conn,
            "holds",
            &["referral_id", "position", "start_date", "end_date"],
            &self.holds,
        )
        .await?;
        insert_rows(
            conn,
            "waiting_list",
            &[
                "referral_id",
                "position",
                "start_date",
                "end_date",
                "expected_return",
            ],
            &self.waiting,
        )
        .await?;
        insert_rows(
            conn,
            "engagement",
            &["referral_id", "position", "date", "status"],
            &self.engagement,
        )
        .await?;
        insert_rows(
            conn,
            "decisions",
            &[
                "referral_id",
                "position",
                "start_date",
                "end_date",
                "status",
                "reason",
                "agreed_by",
            ],
            &self.decisions,
        )
        .await?;
        insert_rows(
            conn,
            "in_work_checks",
            &["referral_id", "position", "date", "source", "note"],
            &self.in_work_checks,
        )
        .await?;
        insert_rows(
            conn,
            "jobs",
            &[
                "referral_id",
                "position",
                "id",
                "type",
                "employer",
                "start_date",
                "end_date",
                "hours_per_week",
                "weekly_hours",
                "four_hours_confirmed",
                "self_employment_registration",
                "retained",
                "return_to_work",
                "self_employment_evidence",
            ],
            &self.jobs,
        )
        .await
    }
}

const CHILD_TABLES: [&str; 8] = [
    "transfers",
    "contacts",
    "holds",
    "waiting_list",
    "engagement",
    "decisions",
    "jobs",
    "in_work_checks",
];

pub(crate) fn referral_row(r: &ReferralDoc, position: i64) -> Vec<Value> {
    vec![
        t(&r.id),
        i(position),
        t(&r.client),
        t(&r.received),
        t(&r.status_at_referral),
        ot(&r.es),
        ot(&r.access),
        Value::Text(r.vocational_plan.as_ref().map(|p| p.start.clone())),
        Value::Text(r.vocational_plan.as_ref().and_then(|p| p.end.clone())),
        Value::Text(r.discharge.as_ref().map(|d| d.date.clone())),
        Value::Text(r.discharge.as_ref().and_then(|d| d.reason.clone())),
        Value::Text(plan_reviews(r.vocational_plan.as_ref())),
        Value::Int(plan_agreed(r.vocational_plan.as_ref())),
    ]
}

/// A plan's review days as stored: a JSON array, none when there are none.
pub(crate) fn plan_reviews(p: Option<&PlanDoc>) -> Option<String> {
    p.filter(|p| !p.reviews.is_empty())
        .map(|p| serde_json::to_string(&p.reviews).expect("dates serialise"))
}

/// Whether a plan was agreed with the clinical team, as stored (1, 0, none).
pub(crate) fn plan_agreed(p: Option<&PlanDoc>) -> Option<i64> {
    p.and_then(|p| p.agreed_with_clinical_team).map(i64::from)
}

/// The columns of a staff row, in the order the rows are made.
pub(crate) const STAFF_COLUMNS: [&str; 8] = [
    "id",
    "position",
    "name",
    "role",
    "team_id",
    "start_date",
    "end_date",
    "fte",
];

pub(crate) const REFERRAL_COLUMNS: [&str; 13] = [
    "id",
    "position",
    "client_id",
    "received",
    "status_at_referral",
    "es_id",
    "access",
    "plan_start",
    "plan_end",
    "discharge_date",
    "discharge_reason",
    "plan_reviews",
    "plan_agreed",
];

/// Puts the incoming records over the stored ones (same id: replaced; new id:
/// added at the end) and reports which are new, changed or the same.
fn merge<T: Clone + PartialEq + Serialize>(
    stored: &[T],
    incoming: &[T],
    id: impl Fn(&T) -> &str,
) -> Merged<T> {
    let mut merged = stored.to_vec();
    let index: HashMap<String, usize> = stored
        .iter()
        .enumerate()
        .map(|(i, r)| (id(r).to_string(), i))
        .collect();
    let mut seen = std::collections::HashSet::new();
    // (position in merged, the old record if it was an update)
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for record in incoming {
        let key = id(record);
        let at = if !seen.insert(key) {
            // The same id twice in the incoming bundle: keep both, so that
            // validation refuses the duplicate by name.
            None
        } else {
            index.get(key).copied()
        };
        match at {
            Some(at) if merged[at] == *record => unchanged += 1,
            Some(at) => {
                let old = std::mem::replace(&mut merged[at], record.clone());
                changed.push((at, Some(old)));
            }
            None => {
                merged.push(record.clone());
                changed.push((merged.len() - 1, None));
            }
        }
    }
    Merged {
        records: merged,
        changed,
        unchanged,
    }
}

/// Stored records with the incoming ones put over them.
struct Merged<T> {
    records: Vec<T>,
    /// (position in `records`, the old record if it was an update).
    changed: Vec<(usize, Option<T>)>,
    unchanged: usize,
}

/// Takes out of `changed` the updates whose record, as stored, is the old
/// one after all (it differed only in what storing trims), counting them as
/// unchanged.
fn settle<T: PartialEq>(
    changed: &mut Vec<(usize, Option<T>)>,
    unchanged: &mut usize,
    stored: &[T],
) {
    let before = changed.len();
    changed.retain(|(at, old)| old.as_ref() != Some(&stored[*at]));
    *unchanged += before - changed.len();
}

fn changes<T>(changed: &[(usize, Option<T>)], unchanged: usize) -> Changes {
    let updated = changed.iter().filter(|(_, old)| old.is_some()).count();
    Changes {
        created: changed.len() - updated,
        updated,
        unchanged,
    }
}

/// The stored form of a bundle: numbers as the store writes them back
/// (`1.0` is `1`), absent lists as empty lists, `retained` as false.
fn normalize(doc: &BundleDoc) -> BundleDoc {
    let mut doc = doc.clone();
    for s in &mut doc.staff {
        s.fte = unscaled(scaled(&s.fte, 10_000.0), 10_000);
    }
    for r in &mut doc.referrals {
        r.fill_absent();
        for j in r.jobs.iter_mut().flatten() {
            j.hours_per_week = j
                .hours_per_week
                .as_ref()
                .map(|h| unscaled(scaled(h, 100.0), 100));
            if let Some(weekly) = &mut j.weekly_hours {
                for h in weekly.iter_mut() {
                    *h = unscaled(scaled(h, 100.0), 100);
                }
            }
        }
    }
    // Employer contacts as the store keeps them: trimmed, a blank note none.
    for e in &mut doc.employer_contacts {
        e.employer = e.employer.trim().to_string();
        e.note = e
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
    }
    doc
}

/// An import changing more referrals than this asks servers for one whole
/// reload instead of loading each referral.
const RELOAD_ABOVE: usize = 500;

/// Writes an import inside the caller's transaction.
pub(crate) async fn import(
    conn: &mut AnyConnection,
    incoming: &BundleDoc,
    actor: &str,
) -> Result<ImportSummary> {
    let incoming = &normalize(incoming);
    let stored = read_bundle(conn).await?;
    let Merged {
        records: teams,
        changed: team_changes,
        unchanged: team_same,
    } = merge(&stored.teams, &incoming.teams, |r| &r.id);
    let Merged {
        records: staff,
        changed: staff_changes,
        unchanged: staff_same,
    } = merge(&stored.staff, &incoming.staff, |r| &r.id);
    let Merged {
        records: clients,
        changed: client_changes,
        unchanged: client_same,
    } = merge(&stored.clients, &incoming.clients, |r| &r.id);
    let Merged {
        records: referrals,
        changed: referral_changes,
        unchanged: referral_same,
    } = merge(&stored.referrals, &incoming.referrals, |r| &r.id);
    let Merged {
        records: employer_contacts,
        changed: employer_contact_changes,
        unchanged: employer_contact_same,
    } = merge(
        &stored.employer_contacts,
        &incoming.employer_contacts,
        |r| &r.id,
    );
    // A stored referral the import would replace that changed since the
    // bundle was taken refuses the whole import (issue 20). Which ones the
    // import replaces is known for sure once the result is in its stored
    // form (below: a copy differing only by spaces replaces nothing); a
    // bundle refused on the way is refused for these first, as what it
    // holds of them is out of date.
    let stale = |merged: &[ReferralDoc], changes: &[(usize, Option<ReferralDoc>)]| {
        replaced(merged, changes, incoming, &stored)
            .into_iter()
            .filter(Replaced::changed_since)
            .collect::<Vec<_>>()
    };
    let stale_or = |error: StoreError, stale: Vec<Replaced>| {
        if stale.is_empty() {
            error
        } else {
            StoreError::Stale(stale)
        }
    };
    let maybe_stale = stale(&referrals, &referral_changes);
    let merged = BundleDoc {
        format: incoming.format.clone(),
        service: incoming.service.clone(),
        policy: incoming.policy.clone(),
        teams,
        staff,
        clients,
        referrals,
        employer_contacts,
        referral_versions: BTreeMap::new(),
    };
    // A referral the import changes is checked against what it was (a
    // transfer cannot be backdated), as a step on it would be.
    let mut refused = Vec::new();
    for (at, old) in &referral_changes {
        if let Some(old) = old
            && let Err(e) =
                ipstrack_core::bundle::check_referral_change(old, &merged.referrals[*at])
        {
            refused.extend(e.0);
        }
    }
    if !refused.is_empty() {
        let invalid = StoreError::Invalid(ipstrack_core::bundle::BundleErrors(refused));
        return Err(stale_or(invalid, maybe_stale));
    }
    // The whole resulting dataset must pass every BAD-1 check; it is stored
    // as core writes it back (text trimmed, codes as the bundle writes
    // them), which is what the loader reads. A record the bundle gives as it
    // is stored, once so written, is not a change.
    let merged = match canonical(&merged) {
        Ok(merged) => merged,
        Err(errors) => return Err(stale_or(StoreError::Invalid(errors), maybe_stale)),
    };
    let (mut team_changes, mut team_same) = (team_changes, team_same);
    settle(&mut team_changes, &mut team_same, &merged.teams);
    let (mut staff_changes, mut staff_same) = (staff_changes, staff_same);
    settle(&mut staff_changes, &mut staff_same, &merged.staff);
    let (mut client_changes, mut client_same) = (client_changes, client_same);
    settle(&mut client_changes, &mut client_same, &merged.clients);
    let (mut referral_changes, mut referral_same) = (referral_changes, referral_same);
    settle(&mut referral_changes, &mut referral_same, &merged.referrals);
    let stale = stale(&merged.referrals, &referral_changes);
    if !stale.is_empty() {
        return Err(StoreError::Stale(stale));
    }
    let (mut employer_contact_changes, mut employer_contact_same) =
        (employer_contact_changes, employer_contact_same);
    settle(
        &mut employer_contact_changes,
        &mut employer_contact_same,
        &merged.employer_contacts,
    );

    let mut audit = Vec::new();
    let service_changed = stored.service != merged.service || stored.policy != merged.policy;
    if service_changed {
        let policy = merged.policy.as_ref().map(json);
        let had_service = !stored.service.start_date.is_empty();
        if had_service {
            execute(
                conn,
                "UPDATE service SET name = $1, start_date = $2, policy = $3 WHERE id = 1",
                vec![
                    t(&merged.service.name),
                    t(&merged.service.start_date),
                    Value::Text(policy),
                ],
            )
            .await?;
        } else {
            execute(
                conn,
                "INSERT INTO service (id, name, start_date, policy) VALUES (1, $1, $2, $3)",
                vec![
                    t(&merged.service.name),
                    t(&merged.service.start_date),
                    Value::Text(policy),
                ],
            )
            .await?;
        }
        audit.push(AuditRow {
            action: if had_service { "update" } else { "insert" },
            record_type: "service",
            record_id: "service".into(),
            old: had_service.then(|| json(&(&stored.service, &stored.policy))),
            new: Some(json(&(&merged.service, &merged.policy))),
        });
    }

    let mut summary = ImportSummary {
        service_changed,
        teams: changes(&team_changes, team_same),
        staff: changes(&staff_changes, staff_same),
        clients: changes(&client_changes, client_same),
        referrals: changes(&referral_changes, referral_same),
        employer_contacts: changes(&employer_contact_changes, employer_contact_same),
        updated: Vec::new(),
        // Every stored referral replaced (in its stored form now), with what
        // that removes.
        replaced: replaced(&merged.referrals, &referral_changes, incoming, &stored),
    };

    // Teams, staff and clients: insert new rows, update changed ones.
    let mut new_rows = Vec::new();
    for (at, old) in &team_changes {
        let r = &merged.teams[*at];
        match old {
            None => new_rows.push(vec![t(&r.id), i(*at as i64), t(&r.name)]),
            Some(_) => {
                execute(
                    conn,
                    "UPDATE teams SET name = $1 WHERE id = $2",
                    vec![t(&r.name), t(&r.id)],
                )
                .await?
            }
        }
        if old.is_some() {
            summary.updated.push(format!("team {}", r.id));
        }
        audit.push(audit_row("team", &r.id, old.as_ref(), r));
    }
    insert_rows(conn, "teams", &["id", "position", "name"], &new_rows).await?;

    let mut new_rows = Vec::new();
    for (at, old) in &staff_changes {
        let s = &merged.staff[*at];
        let values = vec![
            t(&s.name),
            t(&s.role),
            t(&s.team),
            t(&s.start_date),
            ot(&s.end_date),
            i(scaled(&s.fte, 10_000.0)),
        ];
        match old {
            None => {
                let mut row = vec![t(&s.id), i(*at as i64)];
                row.extend(values);
                new_rows.push(row);
            }
            Some(_) => {
                let mut values = values;
                values.push(t(&s.id));
                execute(
                    conn,
                    "UPDATE staff SET name = $1, role = $2, team_id = $3, start_date = $4, end_date = $5, fte = $6 WHERE id = $7",
                    values,
                )
                .await?
            }
        }
        if old.is_some() {
            summary.updated.push(format!("staff {}", s.id));
        }
        audit.push(audit_row("staff", &s.id, old.as_ref(), s));
    }
    insert_rows(conn, "staff", &STAFF_COLUMNS, &new_rows).await?;

    let mut new_rows = Vec::new();
    for (at, old) in &client_changes {
        let c = &merged.clients[*at];
        match old {
            None => new_rows.push(crate::clients::row(c, *at as i64)),
            Some(_) => crate::clients::update(conn, c).await?,
        }
        if old.is_some() {
            summary.updated.push(format!("client {}", c.id));
        }
        audit.push(audit_row("client", &c.id, old.as_ref(), c));
    }
    insert_rows(conn, "clients", &crate::clients::columns(), &new_rows).await?;

    // Referrals: the row, and its child records replaced whole.
    let mut new_rows = Vec::new();
    let mut child_rows = ChildRows::default();
    for (at, old) in &referral_changes {
        let r = &merged.referrals[*at];
        if old.is_some() {
            for table in CHILD_TABLES {
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE referral_id = $1")),
                    vec![t(&r.id)],
                )
                .await?;
            }
            let mut values = referral_row(r, *at as i64);
            let id = values.remove(0);
            values.remove(0);
            values.push(id);
            execute(
                conn,
                "UPDATE referrals SET client_id = $1, received = $2, status_at_referral = $3, es_id = $4, access = $5, \
                 plan_start = $6, plan_end = $7, discharge_date = $8, discharge_reason = $9, \
                 plan_reviews = $10, plan_agreed = $11, version = version + 1 WHERE id = $12",
                values,
            )
            .await?;
        } else {
            new_rows.push(referral_row(r, *at as i64));
        }
        child_rows.add(r);
        if old.is_some() {
            summary.updated.push(format!("referral {}", r.id));
        }
        audit.push(audit_row("referral", &r.id, old.as_ref(), r));
    }
    insert_rows(conn, "referrals", &REFERRAL_COLUMNS, &new_rows).await?;
    child_rows.insert(conn).await?;

    let mut new_rows = Vec::new();
    for (at, old) in &employer_contact_changes {
        let e = &merged.employer_contacts[*at];
        match old {
            None => new_rows.push(crate::employer_contacts::row(e, *at as i64)),
            Some(_) => {
                crate::employer_contacts::update(conn, e).await?;
                summary.updated.push(format!("employer contact {}", e.id));
            }
        }
        audit.push(audit_row("employer_contact", &e.id, old.as_ref(), e));
    }
    insert_rows(
        conn,
        "employer_contacts",
        &crate::employer_contacts::COLUMNS,
        &new_rows,
    )
    .await?;
    if !employer_contact_changes.is_empty() {
        crate::employer_contacts::append_change(conn).await?;
    }
    // The change sequence: a server running beside this import loads the
    // referrals it changed, or everything when more than referrals changed
    // (or so many that one reload is cheaper).
    let others_changed = service_changed
        || !team_changes.is_empty()
        || !staff_changes.is_empty()
        || !client_changes.iter().all(|(_, old)| old.is_none());
    if others_changed || referral_changes.len() > RELOAD_ABOVE {
        crate::writes::append_change(conn, None).await?;
    } else {
        for (at, _) in &referral_changes {
            crate::writes::append_change(conn, Some(&merged.referrals[*at].id)).await?;
        }
    }
    write_audit(conn, actor, audit).await?;
    Ok(summary)
}

/// The stored referrals that the changes replace (those with an old
/// record), each with the version the bundle names, the version stored and
/// what the incoming form removes.
fn replaced(
    merged: &[ReferralDoc],
    changes: &[(usize, Option<ReferralDoc>)],
    incoming: &BundleDoc,
    stored: &BundleDoc,
) -> Vec<Replaced> {
    changes
        .iter()
        .filter_map(|(at, old)| {
            let old = old.as_ref()?;
            let new = &merged[*at];
            Some(Replaced {
                id: new.id.clone(),
                client: old.client.clone(),
                bundle_version: incoming.referral_versions.get(&new.id).copied(),
                version: stored.referral_versions.get(&new.id).copied().unwrap_or(1),
                removed: removed(old, new),
            })
        })
        .collect()
}

fn audit_row<T: Serialize>(
    record_type: &'static str,
    id: &str,
    old: Option<&T>,
    new: &T,
) -> AuditRow {
    AuditRow {
        action: if old.is_some() { "update" } else { "insert" },
        record_type,
        record_id: id.to_string(),
        old: old.map(json),
        new: Some(json(new)),
    }
}
