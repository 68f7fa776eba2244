//! Signing in with the organisation's account (OpenID Connect): a user's
//! link to the person's identity at the provider, kept on their row of the
//! users table (`identity_subject`, `identity_email`), and the session a
//! checked identity opens.
//!
//! - SIGN-1: an admin links a user to the subject (the claim that names the
//!   person), or to their work e-mail address; each names one user at most.
//! - SIGN-2: an e-mail link is used once: at the first sign-in whose
//!   address is vouched for, the subject replaces it.
//! - SIGN-3: an identity linked to nobody, or to a disabled user, opens no
//!   session and creates no user.

use ipstrack_core::model::IdentityLink;
use sqlx::Row;

use crate::audit::{AuditRow, write_audit};
use crate::tables::sessions::{self, Session, random_token};
use crate::{Result, Role, Store, StoreError, User, WriteTx};

/// How a sign-in by a checked identity ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentitySignIn {
    /// A session was opened for the linked user.
    Ok { token: String, session: Session },
    /// No enabled user is linked to this identity (SIGN-3).
    Unknown,
}

/// A user's link, as the admin's page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub username: String,
    pub link: IdentityLink,
}

/// A row's link: its subject, else the e-mail address awaiting the first
/// sign-in.
fn link_of(subject: Option<String>, email: Option<String>) -> Option<IdentityLink> {
    match (subject, email) {
        (Some(s), _) => Some(IdentityLink::Subject(s)),
        (None, Some(e)) => Some(IdentityLink::Email(e)),
        (None, None) => None,
    }
}

fn audit_link(username: &str, what: &str) -> AuditRow {
    AuditRow {
        action: "update",
        record_type: "user",
        record_id: username.into(),
        old: None,
        new: Some(serde_json::json!({ "change": what }).to_string()),
    }
}

/// The user (enabled or not) found by `sql` with `value`.
async fn user_where(tx: &mut WriteTx, sql: &'static str, value: &str) -> Result<Option<User>> {
    let row = sqlx::query(sql)
        .bind(value)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    let disabled: i64 = row.try_get("disabled")?;
    Ok(Some(User {
        username: row.try_get("username")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        staff_id: row.try_get("staff_id")?,
        disabled: disabled != 0,
    }))
}

impl Store {
    /// Links `username` to an identity at the provider (SIGN-1), or removes
    /// the link (`None`); audited, with every session of the user ended
    /// when the link changes who can sign in as them.
    pub async fn link_identity(
        &self,
        username: &str,
        link: Option<&IdentityLink>,
        actor: &str,
    ) -> Result<()> {
        // The one column the link is kept in, and who else has it.
        let (subject, email, taken, what) = match link {
            Some(IdentityLink::Subject(s)) => (
                Some(s.as_str()),
                None,
                Some((
                    "SELECT username FROM users WHERE identity_subject = $1 AND username <> $2",
                    "identifier",
                )),
                "linked to an identity",
            ),
            Some(IdentityLink::Email(e)) => (
                None,
                Some(e.as_str()),
                Some((
                    "SELECT username FROM users WHERE identity_email = $1 AND username <> $2",
                    "e-mail address",
                )),
                "to be linked at first sign-in by e-mail",
            ),
            None => (None, None, None, "identity link removed"),
        };
        let mut tx = self.begin_write().await?;
        if let (Some(link), Some((sql, words))) = (link, taken) {
            let other: Option<(String,)> = sqlx::query_as(sql)
                .bind(link.value())
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((other,)) = other {
                return Err(StoreError::Exists(format!(
                    "user {other} is already linked to that {words}"
                )));
            }
        }
        let done = sqlx::query(
            "UPDATE users SET identity_subject = $1, identity_email = $2 WHERE username = $3",
        )
        .bind(subject)
        .bind(email)
        .bind(username)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {username}")));
        }
        sessions::end_sessions(&mut tx, username, None).await?;
        write_audit(&mut tx, actor, vec![audit_link(username, what)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every user's link to an identity, by username.
    pub async fn identity_links(&self) -> Result<Vec<LinkedIdentity>> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT username, identity_subject, identity_email FROM users \
             WHERE identity_subject IS NOT NULL OR identity_email IS NOT NULL ORDER BY username",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(username, subject, email)| {
                let link = link_of(subject, email)?;
                Some(LinkedIdentity { username, link })
            })
            .collect())
    }

    /// The link of the user `username`: `None` when there is no such user,
    /// `Some(None)` when they are not linked.
    pub async fn identity_of(&self, username: &str) -> Result<Option<Option<IdentityLink>>> {
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT identity_subject, identity_email FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|(subject, email)| link_of(subject, email)))
    }

    /// Opens a session of `hours` hours for the user linked to `subject`
    /// (the provider's checked claim), else — once — for the user awaiting
    /// the checked e-mail address `email`, whose link becomes the subject
    /// (SIGN-2). Nobody linked, or a disabled user: [`IdentitySignIn::Unknown`]
    /// and nothing written (SIGN-3).
    pub async fn sign_in_by_identity(
        &self,
        subject: &str,
        email: Option<&str>,
        hours: i64,
    ) -> Result<IdentitySignIn> {
        const BY_SUBJECT: &str =
            "SELECT username, role, staff_id, disabled FROM users WHERE identity_subject = $1";
        const BY_EMAIL: &str = "SELECT username, role, staff_id, disabled FROM users \
             WHERE identity_email = $1 AND identity_subject IS NULL";
        // Nobody linked and no address to link by: answered from a reader,
        // without waiting for the one writer.
        if email.is_none() {
            let linked: Option<(String,)> =
                sqlx::query_as("SELECT username FROM users WHERE identity_subject = $1")
                    .bind(subject)
                    .fetch_optional(&self.read)
                    .await?;
            if linked.is_none() {
                return Ok(IdentitySignIn::Unknown);
            }
        }
        let mut tx = self.begin_write().await?;
        let mut user = user_where(&mut tx, BY_SUBJECT, subject).await?;
        if user.is_none()
            && let Some(email) = email.map(str::to_lowercase)
            && let Some(waiting) = user_where(&mut tx, BY_EMAIL, &email).await?
            && !waiting.disabled
        {
            sqlx::query(
                "UPDATE users SET identity_subject = $1, identity_email = NULL WHERE username = $2",
            )
            .bind(subject)
            .bind(&waiting.username)
            .execute(&mut *tx)
            .await?;
            write_audit(
                &mut tx,
                &waiting.username,
                vec![audit_link(
                    &waiting.username,
                    "linked to an identity at first sign-in by e-mail",
                )],
            )
            .await?;
            user = Some(waiting);
        }
        let Some(user) = user.filter(|u| !u.disabled) else {
            return Ok(IdentitySignIn::Unknown);
        };
        let token = random_token();
        let csrf = random_token();
        let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours);
        sessions::insert(&mut tx, &token, &user.username, &csrf, expires).await?;
        tx.commit().await?;
        Ok(IdentitySignIn::Ok {
            token,
            session: Session { user, csrf },
        })
    }

    /// The users whose link to an identity is not as the admin's page
    /// stores one (SIGN-1, SIGN-2: checked by core's `IdentityLink`, and one
    /// of subject and e-mail address at most), for `doctor`.
    pub(crate) async fn identity_problems(&self) -> Result<Vec<String>> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT username, identity_subject, identity_email FROM users \
             WHERE identity_subject IS NOT NULL OR identity_email IS NOT NULL ORDER BY username",
        )
        .fetch_all(&self.read)
        .await?;
        let mut problems = Vec::new();
        for (username, subject, email) in rows {
            if let Some(s) = &subject
                && IdentityLink::subject(s) != Ok(IdentityLink::Subject(s.clone()))
            {
                problems.push(format!("user {username}: its identifier at the provider is not one the users page would store"));
            }
            if let Some(e) = &email
                && IdentityLink::email(e) != Ok(IdentityLink::Email(e.clone()))
            {
                problems.push(format!(
                    "user {username}: its e-mail link is not one the users page would store"
                ));
            }
            if subject.is_some() && email.is_some() {
                problems.push(format!(
                    "user {username}: linked both by identifier and by e-mail address"
                ));
            }
        }
        Ok(problems)
    }
}
