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

/// How the server's log is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event (the request's span first: its id,
    /// method and route).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message`,
    /// the event's fields and its request's (`request_id`, `method`, `route`).
    Json,
}

fn filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into())
}

fn subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_ansi(false)
        .fmt_fields(fields())
        .with_writer(writer)
        .finish()
}

fn json_subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_ansi(false)
        .fmt_fields(json::Fields)
        .event_format(json::Lines)
        .with_writer(writer)
        .finish()
}

/// Starts the server's log on standard output.
pub fn init(format: LogFormat) {
    let set = match format {
        LogFormat::Text => tracing::subscriber::set_global_default(subscriber(std::io::stdout)),
        LogFormat::Json => {
            tracing::subscriber::set_global_default(json_subscriber(std::io::stdout))
        }
    };
    set.expect("the log is set up once");
}

/// JSON lines: each value cut to its bound as in text (JSON escapes every
/// control character, so a value cannot break its line), without sqlx's
/// statements.
mod json {
    use std::fmt;

    use serde_json::{Map, Value};
    use tracing::field::{Field, Visit};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::field::RecordFields;
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
    use tracing_subscriber::registry::LookupSpan;

    use super::{FIELD_CHARS, MESSAGE_CHARS, STATEMENT_FIELD};

    /// A value cut to `max` characters, the rest counted.
    fn cut(text: &str, max: usize) -> String {
        let mut chars = text.chars();
        let mut out: String = chars.by_ref().take(max).collect();
        let rest = chars.count();
        if rest > 0 {
            out.push_str(&format!("… ({rest} more characters)"));
        }
        out
    }

    struct Visitor<'a>(&'a mut Map<String, Value>);

    impl Visitor<'_> {
        fn text(&mut self, field: &Field, text: &str) {
            let max = match field.name() {
                STATEMENT_FIELD => return,
                "message" => MESSAGE_CHARS,
                _ => FIELD_CHARS,
            };
            self.0
                .insert(field.name().to_string(), Value::String(cut(text, max)));
        }
    }

    impl Visit for Visitor<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.text(field, &format!("{value:?}"));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.text(field, value);
        }
        fn record_i64(&mut self, field: &Field, value: i64) {
            self.0.insert(field.name().to_string(), value.into());
        }
        fn record_u64(&mut self, field: &Field, value: u64) {
            self.0.insert(field.name().to_string(), value.into());
        }
        fn record_f64(&mut self, field: &Field, value: f64) {
            self.0.insert(field.name().to_string(), value.into());
        }
        fn record_bool(&mut self, field: &Field, value: bool) {
            self.0.insert(field.name().to_string(), value.into());
        }
    }

    /// A span's fields, kept as a JSON object's text.
    pub struct Fields;

    impl<'w> FormatFields<'w> for Fields {
        fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
            let mut map = Map::new();
            fields.record(&mut Visitor(&mut map));
            write!(writer, "{}", Value::Object(map))
        }

        fn add_fields(
            &self,
            current: &'w mut FormattedFields<Self>,
            fields: &tracing::span::Record<'_>,
        ) -> fmt::Result {
            let mut map = match serde_json::from_str(&current.fields) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            };
            fields.record(&mut Visitor(&mut map));
            current.fields = Value::Object(map).to_string();
            Ok(())
        }
    }

    /// One event as one JSON line, its spans' fields (outermost first) under
    /// its own.
    pub struct Lines;

    impl<S, N> FormatEvent<S, N> for Lines
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        fn format_event(
            &self,
            ctx: &FmtContext<'_, S, N>,
            mut writer: Writer<'_>,
            event: &Event<'_>,
        ) -> fmt::Result {
            let meta = event.metadata();
            let mut map = Map::new();
            map.insert(
                "timestamp".into(),
                jiff::Timestamp::now().to_string().into(),
            );
            map.insert("level".into(), meta.level().as_str().into());
            map.insert("target".into(), meta.target().into());
            if let Some(scope) = ctx.event_scope() {
                for span in scope.from_root() {
                    let extensions = span.extensions();
                    if let Some(fields) = extensions.get::<FormattedFields<N>>()
                        && let Ok(Value::Object(fields)) = serde_json::from_str(&fields.fields)
                    {
                        map.extend(fields);
                    }
                }
            }
            event.record(&mut Visitor(&mut map));
            writeln!(writer, "{}", Value::Object(map))
        }
    }
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

    fn logged_json(event: impl FnOnce()) -> Vec<serde_json::Value> {
        let buffer = Buffer::default();
        tracing::subscriber::with_default(json_subscriber(buffer.clone()), event);
        let out = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        out.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    #[test]
    fn a_json_line_parses_and_carries_its_requests_id() {
        let lines = logged_json(|| {
            let span = tracing::info_span!(
                "request",
                request_id = "abc-123",
                method = "GET",
                route = "/referrals/{id}"
            );
            let _in = span.enter();
            tracing::warn!(record = %"r1", "refused: outside the user's scope");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = &lines[0];
        assert_eq!(line["request_id"], "abc-123");
        assert_eq!(line["route"], "/referrals/{id}");
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["record"], "r1");
        assert_eq!(line["message"], "refused: outside the user's scope");
        assert!(line["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    }

    #[test]
    fn a_json_line_cannot_be_forged_and_is_cut_to_its_bounds() {
        let id = "r1\n{\"level\":\"INFO\",\"message\":\"admin signed in\"}\u{1b}[2J";
        let username = "x".repeat(1_900_000);
        let lines = logged_json(|| {
            tracing::warn!(record = %id, user = %username, "refused: {id}");
            tracing::warn!(
                target: "sqlx::query",
                summary = "SELECT a FROM …",
                db.statement = "SELECT a\nFROM referrals WHERE x = 1",
                "slow statement"
            );
        });
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["record"], id);
        let user = lines[0]["user"].as_str().unwrap();
        assert!(user.len() < FIELD_CHARS + 100, "{} bytes", user.len());
        assert!(user.ends_with(&format!("… ({} more characters)", 1_900_000 - FIELD_CHARS)));
        assert!(lines[1].get("db.statement").is_none(), "{:?}", lines[1]);
        assert_eq!(lines[1]["summary"], "SELECT a FROM …");
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
