//! The server's log: one line per event, whatever a request put in it.
//!
//! Values that come from requests (a path, a query, a form field) can hold
//! line breaks or terminal escapes: every field is written escaped (`\n`,
//! `\u{1b}`), so a request cannot forge a log line or drive the terminal.
//! sqlx's query events (slow statements) are summarised: the statement's
//! first words, its time and rows, not its whole text. Names, NHS numbers
//! and notes are never logged by ipstrack (see docs/security.md).

use std::fmt::Write as _;

use tracing::field::Field;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, MakeWriter};

/// The field sqlx puts a whole statement in (left out: `summary` names it).
const STATEMENT_FIELD: &str = "db.statement";

/// The most characters of one field's value written (issue 21: a request
/// with a 1.9 MB username or path must not put 1.9 MB in the log); the rest
/// is counted, not written.
pub const FIELD_CHARS: usize = 200;

/// The most characters of an event's message written (errors may list
/// several problems; a path in a message is cut here).
pub const MESSAGE_CHARS: usize = 2_000;

/// Control characters written as Rust escapes (`\n`, `\u{1b}`), and at most
/// `max` characters of the value.
fn escaped(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    let mut chars = text.chars();
    for c in chars.by_ref().take(max) {
        if c.is_control() {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        let _ = write!(out, "… ({rest} more characters)");
    }
    out
}

/// How fields are written: escaped, on one line, without sqlx's statements.
fn fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    tracing_subscriber::fmt::format::debug_fn(
        |w: &mut Writer<'_>, field: &Field, value: &dyn std::fmt::Debug| match field.name() {
            STATEMENT_FIELD => Ok(()),
            "message" => write!(w, "{}", escaped(&format!("{value:?}"), MESSAGE_CHARS)),
            name => write!(w, "{name}={}", escaped(&format!("{value:?}"), FIELD_CHARS)),
        },
    )
    .delimited(" ")
}

fn subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_ansi(false)
        .fmt_fields(fields())
        .with_writer(writer)
        .finish()
}

/// Starts the server's log on standard output.
pub fn init() {
    tracing::subscriber::set_global_default(subscriber(std::io::stdout))
        .expect("the log is set up once");
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Buffer {
            self.clone()
        }
    }

    fn logged(event: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        tracing::subscriber::with_default(subscriber(buffer.clone()), event);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_line_break_from_a_request_cannot_forge_a_log_line() {
        let id = "r1\n2026-11-26T10:00:00Z  INFO ipstrack: admin signed in";
        let out = logged(|| tracing::warn!(record = %id, "refused: outside the user's scope"));
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.contains(r"r1\n2026-11-26"), "{out}");
    }

    #[test]
    fn a_long_value_from_a_request_is_written_cut_to_its_bound() {
        let username = "x".repeat(1_900_000);
        let out = logged(|| tracing::warn!(user = %username, "sign-in refused"));
        assert_eq!(out.lines().count(), 1);
        assert!(out.len() < 2 * FIELD_CHARS + 200, "{} bytes", out.len());
        assert!(out.contains(&format!("… ({} more characters)", 1_900_000 - FIELD_CHARS)));
        let path = format!("/referrals/{}", "r".repeat(100_000));
        let out = logged(|| tracing::warn!("refused: {path}"));
        assert!(out.len() < 2 * MESSAGE_CHARS, "{} bytes", out.len());
    }

    #[test]
    fn a_terminal_escape_from_a_request_is_written_escaped() {
        let id = "r1\u{1b}[2J\r";
        let out = logged(|| tracing::warn!("refused: {id}"));
        assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out:?}");
        assert!(out.contains(r"\u{1b}[2J\r"), "{out}");
    }

    #[test]
    fn sqlx_slow_statements_are_logged_as_a_one_line_summary() {
        let statement = "\n\nSELECT a,\n b\nFROM referrals\nWHERE x = 1";
        let out = logged(|| {
            tracing::warn!(
                target: "sqlx::query",
                summary = "SELECT a, b FROM …",
                db.statement = statement,
                rows_returned = 3_u64,
                elapsed_secs = 1.5_f64,
                "slow statement: execution time exceeded alert threshold"
            )
        });
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.contains("summary=\"SELECT a, b FROM …\""), "{out}");
        assert!(!out.contains("WHERE"), "{out}");
        assert!(out.contains("elapsed_secs=1.5"), "{out}");
    }
}
