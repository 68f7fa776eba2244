//! `ipstrack serve` run like a service: JSON log lines carrying the request
//! id, `/healthz` and `/readyz` on the public address, and the metrics on
//! their own address only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;

/// A running `ipstrack serve`, killed when dropped, and its stdout's lines.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The next line of stdout holding `text`, within 60 s; every line
    /// read on the way must be a JSON object (the server logs JSON).
    fn line_with(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let parsed: serde_json::Value = serde_json::from_str(&line).expect(&line);
                    assert!(parsed.is_object(), "{line}");
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(e) => panic!("no line with {text:?}: {e}"),
            }
        }
    }
}

fn start(args: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.sqlite");
    common::import_example(db.to_str().unwrap(), "caseload.bundle.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipstrack"))
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .args(args)
        .env_remove("IPSTRACK_DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if send.send(line).is_err() {
                return;
            }
        }
    });
    Server {
        child,
        lines,
        _dir: dir,
    }
}

/// `GET path` on `addr` with extra header lines: (status line, headers and body).
fn get(addr: &str, path: &str, headers: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_string();
    (status, answer)
}

/// The `url` field of a JSON log line.
fn url_of(line: &str) -> String {
    let line: serde_json::Value = serde_json::from_str(line).expect(line);
    line["url"].as_str().expect("a url").to_string()
}

fn address_after<'a>(line: &'a str, prefix: &str) -> &'a str {
    let rest = line.split(prefix).nth(1).expect("the address");
    rest.split('/').next().unwrap()
}

#[test]
fn serve_logs_json_lines_with_the_request_id_and_serves_metrics_on_their_own_address() {
    let server = start(&["--log-format", "json", "--metrics-listen", "127.0.0.1:0"]);
    let public = server.line_with("ipstrack is serving");
    let public = address_after(&url_of(&public), "http://").to_string();
    let metrics = server.line_with("metrics served");
    let metrics = address_after(&url_of(&metrics), "http://").to_string();

    let (status, answer) = get(&public, "/healthz", "X-Request-Id: probe-0001\r\n");
    assert!(status.contains("200"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-request-id: probe-0001"),
        "{answer}"
    );
    assert!(answer.ends_with("ok"), "{answer}");
    let (status, answer) = get(&public, "/readyz", "");
    assert!(
        status.contains("200") && answer.ends_with("ready"),
        "{answer}"
    );

    // The log: one JSON object per line, the request's id in it.
    let logged = server.line_with("probe-0001");
    let line: serde_json::Value = serde_json::from_str(&logged).expect(&logged);
    assert_eq!(line["request_id"], "probe-0001", "{logged}");
    assert_eq!(line["route"], "/healthz", "{logged}");
    assert_eq!(line["status"], 200, "{logged}");
    assert_eq!(line["message"], "answered", "{logged}");

    // A hostile request id (10 kB, then one with a line break's escape
    // sequence) is neither sent back nor logged.
    let hostile = "x".repeat(10_000);
    let (status, answer) = get(&public, "/healthz", &format!("X-Request-Id: {hostile}\r\n"));
    assert!(status.contains("200"), "{status}");
    assert!(!answer.contains(&hostile));
    let (_, answer) = get(&public, "/healthz", "X-Request-Id: a\\nb\r\n");
    assert!(!answer.contains("a\\nb"), "{answer}");

    // The metrics: on their own address, not on the public one.
    let (status, _) = get(&public, "/metrics", "");
    assert!(status.contains("404"), "{status}");
    let (status, answer) = get(&metrics, "/metrics", "");
    assert!(status.contains("200"), "{answer}");
    assert!(
        answer.contains(
            "ipstrack_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        "{answer}"
    );
    assert!(!answer.contains(&hostile));

    // Every line of standard output is one JSON object, and none holds the
    // hostile ids.
    let (_, _) = get(&public, "/healthz", "X-Request-Id: probe-last\r\n");
    let mut logged = Vec::new();
    loop {
        let line = server.lines.recv_timeout(Duration::from_secs(30)).unwrap();
        let done = line.contains("probe-last");
        logged.push(line);
        if done {
            break;
        }
    }
    for line in &logged {
        let parsed: serde_json::Value = serde_json::from_str(line).expect(line);
        assert!(parsed.is_object(), "{line}");
        assert!(!line.contains("xxxxxxxxxxxxxxxx"), "{line}");
        if let Some(id) = parsed.get("request_id").and_then(|id| id.as_str()) {
            let made = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
            assert!(made || id.starts_with("probe-"), "{line}");
        }
    }
    drop(server);
}
