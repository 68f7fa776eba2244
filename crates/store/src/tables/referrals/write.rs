//! The rows a step on a referral writes (see `entry` for the checks around
//! it): a contact inserts a contact, a hold a hold, access updates the
//! referral's row, a correction deletes or rewrites one list; and a new
//! referral's rows.

use ipstrack_core::bundle::ReferralDoc;
use sqlx::AnyConnection;

use super::children::ChildRows;
use super::row::{COLUMNS, plan_agreed, plan_job_preferences, plan_reviews, row};
use super::steps::{Edit, Entry, Step, last_entry, whole_list};
use crate::Result;
use crate::sql::{Value, execute, insert_rows};

/// Writes the rows of `step` on referral `id`; `new` is the referral with
/// the step put in, as it is stored.
pub(crate) async fn write_step(
    conn: &mut AnyConnection,
    id: &str,
    step: &Step,
    new: &ReferralDoc,
) -> Result<()> {
    match step {
        Step::Edit {
            edit: Edit::Access(_),
            ..
        } => {
            execute(
                conn,
                "UPDATE referrals SET access = $1 WHERE id = $2",
                vec![Value::Text(new.access.clone()), Value::text(id)],
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
                "UPDATE referrals SET plan_start = $1, plan_end = $2, plan_reviews = $3, plan_agreed = $4, \
                 plan_job_preferences = $5 WHERE id = $6",
                vec![
                    Value::Text(p.map(|p| p.start.clone())),
                    Value::Text(p.and_then(|p| p.end.clone())),
                    Value::Text(plan_reviews(p)),
                    Value::Int(plan_agreed(p)),
                    Value::Text(plan_job_preferences(p)),
                    Value::text(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::JobPreferences(_),
            ..
        } => {
            execute(
                conn,
                "UPDATE referrals SET plan_job_preferences = $1 WHERE id = $2",
                vec![
                    Value::Text(plan_job_preferences(new.vocational_plan.as_ref())),
                    Value::text(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::BetterOffCalculation(_) | Edit::Disclosure(_),
            ..
        } => {
            let d = new.disclosure.as_ref();
            execute(
                conn,
                "UPDATE referrals SET better_off_date = $1, disclosure_choice = $2, disclosure_date = $3 WHERE id = $4",
                vec![
                    Value::opt_text(&new.better_off_calculation),
                    Value::Text(d.map(|d| d.choice.clone())),
                    Value::Text(d.map(|d| d.date.clone())),
                    Value::text(id),
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
                    Value::text(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::EnteredInError(_),
            ..
        } => {
            let e = new.entered_in_error.as_ref();
            execute(
                conn,
                "UPDATE referrals SET error_date = $1, error_reason = $2, error_by = $3 WHERE id = $4",
                vec![
                    Value::Text(e.map(|e| e.date.clone())),
                    Value::Text(e.map(|e| e.reason.clone())),
                    Value::Text(e.map(|e| e.recorded_by.clone())),
                    Value::text(id),
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
                        "plan_start = NULL, plan_end = NULL, plan_reviews = NULL, plan_agreed = NULL, \
                         plan_job_preferences = NULL"
                    }
                    Entry::BetterOffCalculation => "better_off_date = NULL",
                    Entry::Disclosure => "disclosure_choice = NULL, disclosure_date = NULL",
                    Entry::EnteredInError => {
                        "error_date = NULL, error_reason = NULL, error_by = NULL"
                    }
                    _ => "discharge_date = NULL, discharge_reason = NULL",
                };
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!("UPDATE referrals SET {columns} WHERE id = $1")),
                    vec![Value::text(id)],
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
                    vec![Value::text(id), Value::Int(Some(position))],
                )
                .await?
            }
        },
        Step::Edit {
            edit: Edit::Replace(replacement),
            ..
        } => {
            // The list the entry is in is written anew, in its order.
            let (table, only) = whole_list(new, replacement);
            execute(
                conn,
                sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE referral_id = $1")),
                vec![Value::text(id)],
            )
            .await?;
            let mut rows = ChildRows::default();
            rows.add(&only);
            rows.insert(conn).await?;
        }
        addition => {
            // The new entry is the last of its list in `new`: its rows are
            // made as an import makes them, at the next free position.
            let (table, only) = last_entry(new, addition);
            let mut rows = ChildRows::default();
            rows.add(&only);
            let next = next_position(conn, table, id).await?;
            rows.set_position(next);
            rows.insert(conn).await?;
        }
    }
    Ok(())
}

/// Inserts a new referral with its child rows, after the others.
pub(crate) async fn insert(conn: &mut AnyConnection, referral: &ReferralDoc) -> Result<()> {
    let (position,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(position) + 1, 0) FROM referrals")
            .fetch_one(&mut *conn)
            .await?;
    insert_rows(conn, "referrals", &COLUMNS, &[row(referral, position)]).await?;
    let mut rows = ChildRows::default();
    rows.add(referral);
    rows.insert(conn).await
}

/// The position after the last row of `table` for the referral.
pub(crate) async fn next_position(conn: &mut AnyConnection, table: &str, id: &str) -> Result<i64> {
    let (next,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM {table} WHERE referral_id = $1"
    )))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(next)
}
