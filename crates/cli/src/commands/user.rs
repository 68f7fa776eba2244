//! `ipstrack user`: add a user, reset a password, disable a user, list them,
//! issue an API token, link a user to their identity at the organisation's
//! provider.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use ipstrack_core::model::IdentityLink;
use ipstrack_store::Role;

use crate::database::{DB_HELP, actor, open};

#[derive(Args)]
pub struct User {
    #[command(subcommand)]
    action: UserAction,
    #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP, global = true)]
    db: String,
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user; the password is asked for (without echo) on a terminal, else read as one line of standard input.
    Add {
        username: String,
        #[arg(long, value_parser = role_arg)]
        role: Role,
        /// The staff record of this user (an ES's own caseload).
        #[arg(long, value_name = "ID")]
        staff: Option<String>,
        /// No password asked: a random one nobody is told is kept, for a
        /// user who signs in with their organisation's account only (as
        /// the users page adds one with local passwords off).
        #[arg(long)]
        no_password: bool,
    },
    /// Set a new password (asked for without echo on a terminal, else one line of standard input); the user's sessions and API tokens end.
    ResetPassword { username: String },
    /// Disable a user (kept for the audit log); their sessions and API tokens end.
    Disable { username: String },
    /// List users.
    List,
    /// Link a user to their identity at the organisation's provider
    /// (OpenID Connect): by the claim that names them, or by their work
    /// e-mail address until their first sign-in; --remove removes the link.
    Link {
        username: String,
        #[arg(long, value_name = "ID", conflicts_with_all = ["email", "remove"], required_unless_present_any = ["email", "remove"])]
        subject: Option<String>,
        #[arg(long, value_name = "ADDRESS", conflicts_with = "remove")]
        email: Option<String>,
        #[arg(long)]
        remove: bool,
    },
    /// Issue an API token for scripts (printed once; send it as `Authorization: Bearer TOKEN`).
    Token {
        username: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=ipstrack_store::MAX_TOKEN_DAYS))]
        days: i64,
    },
}

/// A role on the command line: `es`, `team-lead`, `manager` or `admin` (the
/// bundle's `team_lead` is taken too).
fn role_arg(text: &str) -> Result<Role, String> {
    Role::parse(&text.replace('-', "_"))
        .ok_or_else(|| "not a role: use es, team-lead, manager or admin".to_string())
}

impl User {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
        let store = open(&self.db).await?;
        match self.action {
            UserAction::Add {
                username,
                role,
                staff,
                no_password,
            } => {
                let password = if no_password {
                    ipstrack_store::one_time_password()
                } else {
                    read_password()?
                };
                let user = store
                    .add_user(&username, &password, role, staff.as_deref(), &actor())
                    .await?;
                writeln!(out, "added {} ({})", user.username, user.role.as_str())?;
            }
            UserAction::ResetPassword { username } => {
                let password = read_password()?;
                store.reset_password(&username, &password, &actor()).await?;
                writeln!(out, "password reset for {username}")?;
            }
            UserAction::Disable { username } => {
                store.disable_user(&username, &actor()).await?;
                writeln!(out, "disabled {username}")?;
            }
            UserAction::Token { username, days } => {
                let token = store.issue_token(&username, days, &actor()).await?;
                writeln!(out, "{token}")?;
            }
            UserAction::Link {
                username,
                subject,
                email,
                remove,
            } => {
                // The same check as the admin's page (SIGN-1).
                let link = match (subject, email) {
                    (Some(s), _) => Some(IdentityLink::subject(&s)),
                    (None, Some(e)) => Some(IdentityLink::email(&e)),
                    (None, None) => None,
                }
                .transpose()
                .map_err(anyhow::Error::msg)?;
                debug_assert!(remove == link.is_none());
                store
                    .link_identity(&username, link.as_ref(), &actor())
                    .await?;
                match link {
                    Some(IdentityLink::Subject(s)) => writeln!(out, "linked {username} to {s}")?,
                    Some(IdentityLink::Email(e)) => writeln!(
                        out,
                        "{username} will be linked at their first sign-in as {e}"
                    )?,
                    None => writeln!(out, "removed the link of {username}")?,
                }
            }
            UserAction::List => {
                for u in store.users().await? {
                    let state = if u.disabled { "disabled" } else { "active" };
                    let staff = u.staff_id.as_deref().unwrap_or("-");
                    writeln!(out, "{}\t{}\t{staff}\t{state}", u.username, u.role.as_str())?;
                }
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    }
}

/// The new password: asked twice without echo when standard input is a
/// terminal, else one line of standard input (scripts, tests).
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("New password (at least 10 characters): ")?;
        if password.is_empty() {
            bail!("no password given");
        }
        let again = rpassword::prompt_password("The same password again: ")?;
        if again != password {
            bail!("the two passwords are not the same; nothing was changed");
        }
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("give the password on standard input");
    }
    Ok(password)
}
