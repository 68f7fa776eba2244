//! Row-level writes to one referral (data entry).
//!
//! Each kind of write changes only its own rows, inside one transaction with
//! its audit entry: a contact inserts a contact, a hold inserts a hold, access
//! updates the referral's row, a correction deletes one row. The referral is
//! read afresh inside the transaction (never from a server's cached copy), the
//! change is checked with the rules engine's BAD-1 checks against the records
//! it names (its client, its specialists and their teams, the service's
//! policy: each found through its index), and the referral's version is
//! counted up. An edit (access, plan, discharge, a correction) names the
//! version its page showed — it cannot be made without one ([`Step::Edit`]) —
//! and is refused with [`StoreError::Conflict`] if the referral changed
//! since; an addition never conflicts. Every write appends to the change
//! sequence, so other servers load just this referral. A write sent with a
//! retry key ([`RequestKey`]) records it: the same request sent again is
//! answered with what the first wrote, another request under the key is
//! refused ([`StoreError::KeyReused`]).

use ipstrack_core::bundle::{
    BUNDLE_FORMAT, BundleDoc, ClientDoc, ContactDoc, DecisionDoc, DischargeDoc, EngagementDoc,
    InWorkCheckDoc, JobDoc, PlanDoc, ReferralDoc, SpellDoc, StaffDoc, TeamDoc, TransferDoc,
    WaitingSpellDoc, canonical,
};
use sqlx::AnyConnection;

use crate::records::{
    AuditRow, ChildRows, REFERRAL_COLUMNS, Value, execute, insert_rows, int, json, now, opt_text,
    read_service, referral_row, scaled_fte, t, text, write_audit,
};
use crate::{Result, StoreError};

/// A recorded entry of a referral, as a correction names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Access,
    Plan,
    Discharge,
    Contact,
    Hold,
    Waiting,
    Engagement,
    Decision,
    Transfer,
    Job,
    InWorkCheck,
}

impl Entry {
    /// The child table of a listed entry; `None` for the referral's own fields.
    fn table(self) -> Option<&'static str> {
        match self {
            Entry::Access | Entry::Plan | Entry::Discharge => None,
            Entry::Contact => Some("contacts"),
            Entry::Hold => Some("holds"),
            Entry::Waiting => Some("waiting_list"),
            Entry::Engagement => Some("engagement"),
            Entry::Decision => Some("decisions"),
            Entry::Transfer => Some("transfers"),
            Entry::Job => Some("jobs"),
            Entry::InWorkCheck => Some("in_work_checks"),
        }
    }
}

/// One change to a referral, as the referral page's forms make it.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    // Additions: never in conflict with another write.
    Contact(ContactDoc),
    Hold(SpellDoc),
    Waiting(WaitingSpellDoc),
    Engagement(EngagementDoc),
    Decision(DecisionDoc),
    Transfer(TransferDoc),
    /// A job; an empty id is given the next free `jN` of the referral.
    Job(JobDoc),
    /// A confirmation that the person is still in work (SUS-6).
    InWorkCheck(InWorkCheckDoc),
    /// An edit, made from a page that showed the referral at `seen_version`:
    /// refused when the referral changed since. An edit cannot be made
    /// without the version.
    Edit {
        edit: Edit,
        seen_version: i64,
    },
}

/// What an edit changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Access(String),
    Plan(PlanDoc),
    Discharge(DischargeDoc),
    /// A correction: the `index`-th entry of a kind, as listed on the page.
    Remove {
        entry: Entry,
        index: usize,
    },
    /// A correction: the `index`-th entry of its kind replaced whole (a job
    /// keeps its id).
    Replace(Replacement),
}

/// An entry and what replaces it, by its position among its kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Replacement {
    Contact(usize, ContactDoc),
    Hold(usize, SpellDoc),
    Waiting(usize, WaitingSpellDoc),
    Engagement(usize, EngagementDoc),
    Decision(usize, DecisionDoc),
    Transfer(usize, TransferDoc),
    Job(usize, JobDoc),
    InWorkCheck(usize, InWorkCheckDoc),
}

impl Step {
    /// An addition: applied whatever changed since the page was shown.
    pub fn is_addition(&self) -> bool {
        !matches!(self, Step::Edit { .. })
    }
}

/// Which kind of retry key: a form's one-time token or an API request's
/// `Idempotency-Key`. Each kind is its own namespace: a key of one can never
/// match a key of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Form,
    Api,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Form => "form",
            KeyKind::Api => "api",
        }
    }
}

/// How long a retry key is kept: a request sent again within it is applied
/// once.
pub const KEY_HOURS: i64 = 48;

/// A retry key sent with a write — a form's one-time token or an API
/// request's `Idempotency-Key` — with whose it is, what it is for and the
/// request it came with. The same key of the same user is a retry only of
/// the same target and request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestKey {
    pub kind: KeyKind,
    /// The user who sent it: another user's key of the same text is another key.
    pub user: String,
    /// The key as sent (kept as its SHA-256).
    pub key: String,
    /// What the request writes: `referral r3: contact`, `new referral`.
    pub target: String,
    /// A hash of the request: its method, path and body as parsed.
    pub request: String,
}

impl RequestKey {
    fn key_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.key.as_bytes()))
    }
}

/// A referral as stored after a write, with its client and version.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub referral: ReferralDoc,
    pub client: ClientDoc,
    pub version: i64,
}

/// Puts `step` into `doc` (a fresh copy of the stored referral).
fn apply(doc: &mut ReferralDoc, step: &Step) -> Result<()> {
    match step.clone() {
        Step::Contact(c) => doc.contacts.get_or_insert_default().push(c),
        Step::Hold(h) => doc.holds.get_or_insert_default().push(h),
        Step::Waiting(w) => doc.waiting_list.get_or_insert_default().push(w),
        Step::Engagement(e) => doc.engagement.get_or_insert_default().push(e),
        Step::Decision(d) => doc.decisions.get_or_insert_default().push(d),
        Step::Transfer(x) => doc.transfers.get_or_insert_default().push(x),
        Step::InWorkCheck(c) => doc.in_work_checks.push(c),
        Step::Job(mut j) => {
            let jobs = doc.jobs.get_or_insert_default();
            if j.id.is_empty() {
                let mut n = jobs.len() + 1;
                while jobs.iter().any(|x| x.id == format!("j{n}")) {
                    n += 1;
                }
                j.id = format!("j{n}");
            }
            jobs.push(j);
        }
        Step::Edit { edit, .. } => apply_edit(doc, edit)?,
    }
    Ok(())
}

/// Puts an edit into `doc`.
fn apply_edit(doc: &mut ReferralDoc, edit: Edit) -> Result<()> {
    match edit {
        Edit::Access(a) => doc.access = Some(a),
        Edit::Plan(p) => doc.vocational_plan = Some(p),
        Edit::Discharge(d) => doc.discharge = Some(d),
        Edit::Replace(replacement) => {
            fn put<T>(list: &mut Option<Vec<T>>, index: usize, new: T) -> bool {
                match list {
                    Some(items) if index < items.len() => {
                        items[index] = new;
                        true
                    }
                    _ => false,
                }
            }
            let replaced = match replacement {
                Replacement::Contact(i, c) => put(&mut doc.contacts, i, c),
                Replacement::Hold(i, h) => put(&mut doc.holds, i, h),
                Replacement::Waiting(i, w) => put(&mut doc.waiting_list, i, w),
                Replacement::Engagement(i, e) => put(&mut doc.engagement, i, e),
                Replacement::Decision(i, x) => put(&mut doc.decisions, i, x),
                Replacement::Transfer(i, t) => put(&mut doc.transfers, i, t),
                Replacement::InWorkCheck(i, c) => match doc.in_work_checks.get_mut(i) {
                    Some(old) => {
                        *old = c;
                        true
                    }
                    None => false,
                },
                Replacement::Job(i, mut j) => {
                    match doc.jobs.as_ref().and_then(|jobs| jobs.get(i)) {
                        Some(old) => j.id = old.id.clone(),
                        None => return Err(StoreError::NotFound("entry".into())),
                    }
                    put(&mut doc.jobs, i, j)
                }
            };
            if !replaced {
                return Err(StoreError::NotFound("entry".into()));
            }
        }
        Edit::Remove { entry, index } => {
            fn take<T>(list: &mut Option<Vec<T>>, index: usize) -> bool {
                match list {
                    Some(items) if index < items.len() => {
                        items.remove(index);
                        true
                    }
                    _ => false,
                }
            }
            let removed = match entry {
                Entry::Access => doc.access.take().is_some(),
                Entry::Plan => doc.vocational_plan.take().is_some(),
                Entry::Discharge => doc.discharge.take().is_some(),
                Entry::Contact => take(&mut doc.contacts, index),
                Entry::Hold => take(&mut doc.holds, index),
                Entry::Waiting => take(&mut doc.waiting_list, index),
                Entry::Engagement => take(&mut doc.engagement, index),
                Entry::Decision => take(&mut doc.decisions, index),
                Entry::Transfer => take(&mut doc.transfers, index),
                Entry::Job => take(&mut doc.jobs, index),
                Entry::InWorkCheck => {
                    index < doc.in_work_checks.len() && {
                        doc.in_work_checks.remove(index);
                        true
                    }
                }
            };
            if !removed {
                return Err(StoreError::NotFound("entry".into()));
            }
        }
    }
    Ok(())
}

/// One referral with its child records, read through its id.
pub(crate) async fn read_referral(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(ReferralDoc, i64)>> {
    let Some(version) = version_of(conn, id).await? else {
        return Ok(None);
    };
    let docs = crate::records::read_referrals_where(conn, Some(id)).await?;
    Ok(docs.into_iter().next().map(|doc| (doc, version)))
}

async fn version_of(conn: &mut AnyConnection, id: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM referrals WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(v,)| v))
}

pub(crate) async fn read_client(conn: &mut AnyConnection, id: &str) -> Result<Option<ClientDoc>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{} FROM clients WHERE id = $1",
        crate::clients::SELECT
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(crate::clients::from_row).transpose()
}

/// The referral, its client and version, as stored now.
pub(crate) async fn read_saved(conn: &mut AnyConnection, id: &str) -> Result<Option<Saved>> {
    let Some((referral, version)) = read_referral(conn, id).await? else {
        return Ok(None);
    };
    let client = read_client(conn, &referral.client)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("referral {id}: its client is missing")))?;
    Ok(Some(Saved {
        referral,
        client,
        version,
    }))
}

/// BAD-1 for one referral against the records it names: the service and its
/// policy, its client (`new_client` when it is being created) and the
/// specialists it is assigned or transferred to, with their teams. Gives the
/// referral and its client as they are stored (core's canonical form:
/// trimmed, codes and numbers as a bundle writes them), which is exactly
/// what the loader reads back.
async fn check(
    conn: &mut AnyConnection,
    referral: &ReferralDoc,
    new_client: Option<&ClientDoc>,
) -> Result<(ReferralDoc, ClientDoc)> {
    let (service, policy) = read_service(conn).await?;
    let client = match new_client {
        Some(c) => Some(c.clone()),
        None => read_client(conn, &referral.client).await?,
    };
    let mut staff_ids: Vec<&str> = referral.es.iter().map(|s| s.trim()).collect();
    staff_ids.extend(referral.transfers.iter().flatten().map(|x| x.es.trim()));
    staff_ids.sort_unstable();
    staff_ids.dedup();
    let mut staff = Vec::new();
    let mut teams: Vec<TeamDoc> = Vec::new();
    for id in staff_ids {
        let row = sqlx::query(
            "SELECT id, name, role, team_id, start_date, end_date, fte FROM staff WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(r) = row else { continue };
        let s = StaffDoc {
            id: text(&r, "id")?,
            name: text(&r, "name")?,
            role: text(&r, "role")?,
            team: text(&r, "team_id")?,
            start_date: text(&r, "start_date")?,
            end_date: opt_text(&r, "end_date")?,
            fte: scaled_fte(int(&r, "fte")?),
        };
        if !teams.iter().any(|t| t.id == s.team) {
            let row = sqlx::query("SELECT id, name FROM teams WHERE id = $1")
                .bind(&s.team)
                .fetch_one(&mut *conn)
                .await?;
            teams.push(TeamDoc {
                id: text(&row, "id")?,
                name: text(&row, "name")?,
            });
        }
        staff.push(s);
    }
    let doc = BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service,
        policy,
        teams,
        staff,
        clients: Vec::new(),
        referrals: vec![referral.clone()],
        employer_contacts: Vec::new(),
        referral_versions: Default::default(),
    };
    // The client a possible duplicate names (issue 21) is read beside it,
    // for its reference and NHS number to be checked; the client is last.
    let named = match client
        .as_ref()
        .and_then(|c| c.possible_duplicate_of.clone())
    {
        Some(id) => read_client(conn, &id).await?.map(|mut c| {
            c.possible_duplicate_of = None;
            c
        }),
        None => None,
    };
    let doc = BundleDoc {
        clients: named.into_iter().chain(client).collect(),
        ..doc
    };
    let mut stored = canonical(&doc).map_err(StoreError::Invalid)?;
    match (stored.referrals.pop(), stored.clients.pop()) {
        (Some(referral), Some(client)) => Ok((referral, client)),
        _ => Err(StoreError::Corrupt(
            "a checked referral went missing".into(),
        )),
    }
}

/// Counts the referral's version up and appends it to the change sequence.
async fn record_change(conn: &mut AnyConnection, id: &str) -> Result<i64> {
    execute(
        conn,
        "UPDATE referrals SET version = version + 1 WHERE id = $1",
        vec![t(id)],
    )
    .await?;
    append_change(conn, Some(id)).await?;
    Ok(version_of(conn, id).await?.unwrap_or(0))
}

/// Appends one change to the sequence: a referral, or `None` for a change
/// that asks every server for a whole reload (service, policy, staff, teams).
pub(crate) async fn append_change(conn: &mut AnyConnection, referral: Option<&str>) -> Result<()> {
    append_change_of(conn, referral, false).await
}

/// Appends a change: of one referral, of the employer contacts only, or
/// (neither) of anything else, which asks servers for a whole reload.
pub(crate) async fn append_change_of(
    conn: &mut AnyConnection,
    referral: Option<&str>,
    employer_contacts: bool,
) -> Result<()> {
    execute(
        conn,
        "INSERT INTO changes (referral_id, at, employer_contacts) VALUES ($1, $2, $3)",
        vec![
            Value::Text(referral.map(str::to_string)),
            t(&now()),
            Value::Int(Some(i64::from(employer_contacts))),
        ],
    )
    .await?;
    if conn.backend_name() == "PostgreSQL" {
        // Delivered when the transaction commits, to every listening server.
        execute(
            conn,
            sqlx::AssertSqlSafe(format!("NOTIFY {}", crate::CHANGES_CHANNEL)),
            vec![],
        )
        .await?;
    }
    Ok(())
}

/// The position after the last row of `table` for the referral.
async fn next_position(conn: &mut AnyConnection, table: &str, id: &str) -> Result<i64> {
    let (next,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM {table} WHERE referral_id = $1"
    )))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(next)
}

/// The oldest time a key still counts (older keys are forgotten).
fn key_cutoff() -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(KEY_HOURS)).to_string()
}

/// The referral a retry key already wrote, if the key was used: by the same
/// request (its user, target and request all the same) — else the key was
/// used for another request and this one is refused.
async fn token_used(conn: &mut AnyConnection, key: Option<&RequestKey>) -> Result<Option<String>> {
    let Some(key) = key else { return Ok(None) };
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT target, request_hash, referral_id FROM request_keys \
         WHERE kind = $1 AND user_name = $2 AND key_hash = $3 AND at >= $4",
    )
    .bind(key.kind.as_str())
    .bind(&key.user)
    .bind(key.key_hash())
    .bind(key_cutoff())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some((target, request, referral)) if target == key.target && request == key.request => {
            Ok(Some(referral))
        }
        Some(_) => Err(StoreError::KeyReused),
    }
}

/// The referral as stored now when the request's retry key was already
/// used for this same request: the request is a repeat and writes nothing.
/// A key used for another request is refused ([`StoreError::KeyReused`]).
pub(crate) async fn repeated(
    conn: &mut AnyConnection,
    key: Option<&RequestKey>,
) -> Result<Option<Saved>> {
    let Some(done) = token_used(conn, key).await? else {
        return Ok(None);
    };
    read_saved(conn, &done)
        .await?
        .map(Some)
        .ok_or_else(|| StoreError::NotFound(format!("referral {done}")))
}

/// Records a request's retry key with the write it made (and drops the keys
/// older than [`KEY_HOURS`]).
async fn use_token(
    conn: &mut AnyConnection,
    key: Option<&RequestKey>,
    referral: &str,
) -> Result<()> {
    let Some(key) = key else { return Ok(()) };
    execute(
        conn,
        "DELETE FROM request_keys WHERE at < $1",
        vec![t(&key_cutoff())],
    )
    .await?;
    execute(
        conn,
        "INSERT INTO request_keys (kind, user_name, key_hash, target, request_hash, referral_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            t(key.kind.as_str()),
            t(&key.user),
            t(&key.key_hash()),
            t(&key.target),
            t(&key.request),
            t(referral),
            t(&now()),
        ],
    )
    .await
}

/// Writes one step on referral `id` (see the module's documentation). A
/// retry key (`once`) already used for this request makes the write a
/// repeat: nothing is written and the referral is given back as it is.
pub(crate) async fn change_referral(
    conn: &mut AnyConnection,
    id: &str,
    step: &Step,
    once: Option<&RequestKey>,
    actor: &str,
) -> Result<Saved> {
    if let Some(repeat) = repeated(conn, once).await? {
        return Ok(repeat);
    }
    if let Step::Contact(contact) = step {
        // A contact's own checks first, naming the contact's fields as the
        // form has them (date, kind, mechanism).
        ipstrack_core::bundle::check_contact(&format!("referral {id}"), contact)
            .map_err(StoreError::Invalid)?;
    }
    let Some((old, version)) = read_referral(conn, id).await? else {
        return Err(StoreError::NotFound(format!("referral {id}")));
    };
    if let Step::Edit { seen_version, .. } = step
        && *seen_version != version
    {
        return Err(StoreError::Conflict {
            current: Box::new(old),
            version,
        });
    }
    let mut new = old.clone();
    apply(&mut new, step)?;
    ipstrack_core::bundle::check_referral_change(&old, &new).map_err(StoreError::Invalid)?;
    // The referral as it is stored: what the loader reads back.
    let (new, _) = check(conn, &new, None).await?;

    match step {
        Step::Edit {
            edit: Edit::Access(_),
            ..
        } => {
            execute(
                conn,
                "UPDATE referrals SET access = $1 WHERE id = $2",
                vec![Value::Text(new.access.clone()), t(id)],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::Plan(_),
            ..
        } => {
            let p = new.vocational_plan.as_ref();
            execute(
                conn,
                "UPDATE referrals SET plan_start = $1, plan_end = $2, plan_reviews = $3, plan_agreed = $4 WHERE id = $5",
                vec![
                    Value::Text(p.map(|p| p.start.clone())),
                    Value::Text(p.and_then(|p| p.end.clone())),
                    Value::Text(crate::records::plan_reviews(p)),
                    Value::Int(crate::records::plan_agreed(p)),
                    t(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::Discharge(_),
            ..
        } => {
            let d = new.discharge.as_ref();
            execute(
                conn,
                "UPDATE referrals SET discharge_date = $1, discharge_reason = $2 WHERE id = $3",
                vec![
                    Value::Text(d.map(|d| d.date.clone())),
                    Value::Text(d.and_then(|d| d.reason.clone())),
                    t(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::Remove { entry, index },
            ..
        } => match entry.table() {
            None => {
                let columns = match entry {
                    Entry::Access => "access = NULL",
                    Entry::Plan => {
                        "plan_start = NULL, plan_end = NULL, plan_reviews = NULL, plan_agreed = NULL"
                    }
                    _ => "discharge_date = NULL, discharge_reason = NULL",
                };
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!("UPDATE referrals SET {columns} WHERE id = $1")),
                    vec![t(id)],
                )
                .await?
            }
            Some(table) => {
                let (position,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT position FROM {table} WHERE referral_id = $1 ORDER BY position LIMIT 1 OFFSET {index}"
                )))
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE referral_id = $1 AND position = $2"
                    )),
                    vec![t(id), Value::Int(Some(position))],
                )
                .await?
            }
        },
        Step::Edit {
            edit: Edit::Replace(replacement),
            ..
        } => {
            // The list the entry is in is written anew, in its order.
            let (table, only) = whole_list(&new, replacement);
            execute(
                conn,
                sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE referral_id = $1")),
                vec![t(id)],
            )
            .await?;
            let mut rows = ChildRows::default();
            rows.add(&only);
            rows.insert(conn).await?;
        }
        addition => {
            // The new entry is the last of its list in `new`: its rows are
            // made as an import makes them, at the next free position.
            let (table, only) = last_entry(&new, addition);
            let mut rows = ChildRows::default();
            rows.add(&only);
            let next = next_position(conn, table, id).await?;
            rows.set_position(next);
            rows.insert(conn).await?;
        }
    }
    let version = record_change(conn, id).await?;
    use_token(conn, once, id).await?;
    let audit = match step {
        Step::Contact(_) => AuditRow {
            action: "insert",
            record_type: "contact",
            record_id: id.to_string(),
            old: None,
            new: new.contacts.as_ref().and_then(|c| c.last()).map(json),
        },
        _ => AuditRow {
            action: "update",
            record_type: "referral",
            record_id: id.to_string(),
            old: Some(json(&old)),
            new: Some(json(&new)),
        },
    };
    write_audit(conn, actor, vec![audit]).await?;
    let client = read_client(conn, &new.client)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("referral {id}: its client is missing")))?;
    Ok(Saved {
        referral: new,
        client,
        version,
    })
}

/// The child table of an addition and a referral holding only the new entry
/// (the last of its list in `doc`).
/// The table of a replaced entry's kind, and a document holding that whole
/// list of `doc` (its rows are written anew).
fn whole_list(doc: &ReferralDoc, replacement: &Replacement) -> (&'static str, ReferralDoc) {
    let mut only = ReferralDoc::new(
        doc.id.clone(),
        doc.client.clone(),
        doc.received.clone(),
        doc.status_at_referral.clone(),
    );
    let table = match replacement {
        Replacement::Contact(..) => {
            only.contacts = doc.contacts.clone();
            "contacts"
        }
        Replacement::Hold(..) => {
            only.holds = doc.holds.clone();
            "holds"
        }
        Replacement::Waiting(..) => {
            only.waiting_list = doc.waiting_list.clone();
            "waiting_list"
        }
        Replacement::Engagement(..) => {
            only.engagement = doc.engagement.clone();
            "engagement"
        }
        Replacement::Decision(..) => {
            only.decisions = doc.decisions.clone();
            "decisions"
        }
        Replacement::Transfer(..) => {
            only.transfers = doc.transfers.clone();
            "transfers"
        }
        Replacement::Job(..) => {
            only.jobs = doc.jobs.clone();
            "jobs"
        }
        Replacement::InWorkCheck(..) => {
            only.in_work_checks = doc.in_work_checks.clone();
            "in_work_checks"
        }
    };
    (table, only)
}

fn last_entry(doc: &ReferralDoc, step: &Step) -> (&'static str, ReferralDoc) {
    let mut only = ReferralDoc::new(
        doc.id.clone(),
        doc.client.clone(),
        doc.received.clone(),
        doc.status_at_referral.clone(),
    );
    fn last<T: Clone>(list: &Option<Vec<T>>) -> Option<Vec<T>> {
        list.as_ref()
            .and_then(|l| l.last())
            .map(|x| vec![x.clone()])
    }
    let table = match step {
        Step::Contact(_) => {
            only.contacts = last(&doc.contacts);
            "contacts"
        }
        Step::Hold(_) => {
            only.holds = last(&doc.holds);
            "holds"
        }
        Step::Waiting(_) => {
            only.waiting_list = last(&doc.waiting_list);
            "waiting_list"
        }
        Step::Engagement(_) => {
            only.engagement = last(&doc.engagement);
            "engagement"
        }
        Step::Decision(_) => {
            only.decisions = last(&doc.decisions);
            "decisions"
        }
        Step::Transfer(_) => {
            only.transfers = last(&doc.transfers);
            "transfers"
        }
        Step::InWorkCheck(_) => {
            only.in_work_checks = doc.in_work_checks.last().cloned().into_iter().collect();
            "in_work_checks"
        }
        _ => {
            only.jobs = last(&doc.jobs);
            "jobs"
        }
    };
    (table, only)
}

/// Bumps the number at the end of an id: `r41` → `r42`, `x` → `x2`.
fn next_id(id: &str) -> String {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, number) = id.split_at(id.len() - digits);
    let n: u64 = number.parse().unwrap_or(1);
    format!("{prefix}{}", n + 1)
}

async fn taken(conn: &mut AnyConnection, table: &str, id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Creates a referral and, for a new person, their client. An id already
/// taken (by another server's write since the page was made) is replaced by
/// the next free one of the same form (`r41` → `r42`).
pub(crate) async fn create_referral(
    conn: &mut AnyConnection,
    new_client: Option<ClientDoc>,
    mut referral: ReferralDoc,
    once: Option<&RequestKey>,
    actor: &str,
) -> Result<Saved> {
    if let Some(repeat) = repeated(conn, once).await? {
        return Ok(repeat);
    }
    let mut audit = Vec::new();
    while taken(conn, "referrals", &referral.id).await? {
        referral.id = next_id(&referral.id);
    }
    referral.fill_absent();
    if let Some(mut client) = new_client {
        while taken(conn, "clients", &client.id).await? {
            client.id = next_id(&client.id);
        }
        referral.client = client.id.clone();
        let (checked, client) = check(conn, &referral, Some(&client)).await?;
        referral = checked;
        crate::clients::refuse_a_known_nhs_number(conn, &client).await?;
        let (position,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(position) + 1, 0) FROM clients")
                .fetch_one(&mut *conn)
                .await?;
        insert_rows(
            conn,
            "clients",
            &crate::clients::columns(),
            &[crate::clients::row(&client, position)],
        )
        .await?;
        audit.push(AuditRow {
            action: "insert",
            record_type: "client",
            record_id: client.id.clone(),
            old: None,
            new: Some(json(&client)),
        });
    } else {
        referral = check(conn, &referral, None).await?.0;
    }
    let (position,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(position) + 1, 0) FROM referrals")
            .fetch_one(&mut *conn)
            .await?;
    insert_rows(
        conn,
        "referrals",
        &REFERRAL_COLUMNS,
        &[referral_row(&referral, position)],
    )
    .await?;
    let mut rows = ChildRows::default();
    rows.add(&referral);
    rows.insert(conn).await?;
    append_change(conn, Some(&referral.id)).await?;
    use_token(conn, once, &referral.id).await?;
    audit.push(AuditRow {
        action: "insert",
        record_type: "referral",
        record_id: referral.id.clone(),
        old: None,
        new: Some(json(&referral)),
    });
    write_audit(conn, actor, audit).await?;
    read_saved(conn, &referral.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the new referral cannot be read back".into()))
}
