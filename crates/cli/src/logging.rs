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

/// Control characters written as Rust escapes (`\n`, `\u{1b}`).
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// How fields are written: escaped, on one line, without sqlx's statements.
fn fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    tracing_subscriber::fmt::format::debug_fn(
        |w: &mut Writer<'_>, field: &Field, value: &dyn std::fmt::Debug| match field.name() {
            STATEMENT_FIELD => Ok(()),
            "message" => write!(w, "{}", escaped(&format!("{value:?}"))),
            name => write!(w, "{name}={}", escaped(&format!("{value:?}"))),
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
