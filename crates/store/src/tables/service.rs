//! The service table: the one row of the service's name, start and policy.

use ipstrack_core::bundle::{PolicyDoc, ServiceDoc};
use sqlx::AnyConnection;

use crate::audit::AuditRow;
use crate::sql::{Value, execute, json, opt_text, text};
use crate::{Result, StoreError};

/// The stored service and policy, if there is a service yet.
async fn read_row(conn: &mut AnyConnection) -> Result<Option<(ServiceDoc, Option<PolicyDoc>)>> {
    let row = sqlx::query("SELECT name, start_date, policy FROM service WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let policy = opt_text(&row, "policy")?
        .map(|p| serde_json::from_str::<PolicyDoc>(&p))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("service policy: {e}")))?;
    Ok(Some((
        ServiceDoc {
            name: text(&row, "name")?,
            start_date: text(&row, "start_date")?,
        },
        policy,
    )))
}

/// The stored service and policy; a database without a service yet is
/// refused ([`StoreError::Unavailable`]).
pub(crate) async fn read(conn: &mut AnyConnection) -> Result<(ServiceDoc, Option<PolicyDoc>)> {
    read_row(conn).await?.ok_or_else(|| {
        StoreError::Unavailable("the database holds no service yet: import a bundle first".into())
    })
}

/// The stored service and policy, or an empty service (no name, no start)
/// when there is none yet (a bundle read from an empty database).
pub(crate) async fn read_or_empty(
    conn: &mut AnyConnection,
) -> Result<(ServiceDoc, Option<PolicyDoc>)> {
    Ok(read_row(conn).await?.unwrap_or_else(|| {
        (
            ServiceDoc {
                name: String::new(),
                start_date: String::new(),
            },
            None,
        )
    }))
}

/// Writes the service and policy over the stored ones (`stored`, as
/// [`read_or_empty`] gave them: an empty start date when there is no service
/// yet): its audit row.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    stored: (&ServiceDoc, &Option<PolicyDoc>),
    service: &ServiceDoc,
    policy: &Option<PolicyDoc>,
) -> Result<AuditRow> {
    let policy_text = policy.as_ref().map(json);
    let had_service = !stored.0.start_date.is_empty();
    let sql = if had_service {
        "UPDATE service SET name = $1, start_date = $2, policy = $3 WHERE id = 1"
    } else {
        "INSERT INTO service (id, name, start_date, policy) VALUES (1, $1, $2, $3)"
    };
    execute(
        conn,
        sql,
        vec![
            Value::text(&service.name),
            Value::text(&service.start_date),
            Value::Text(policy_text),
        ],
    )
    .await?;
    Ok(AuditRow {
        action: if had_service { "update" } else { "insert" },
        record_type: "service",
        record_id: "service".into(),
        old: had_service.then(|| json(&stored)),
        new: Some(json(&(service, policy))),
    })
}
