//! `ipstrack serve`: the web application, on a database or on demo data.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use ipstrack_store::{Role, Store};

use crate::database::redact;
use crate::input::today;
use crate::logging::{self, LogFormat};
use crate::progress::Progress;

#[derive(Args)]
pub struct Serve {
    #[arg(
        long,
        value_name = "URL",
        env = "IPSTRACK_DATABASE_URL",
        default_value = "ipstrack.sqlite"
    )]
    db: String,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Use (and create if missing) a SQLite file with a generated demo service and demo logins.
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure (when served behind TLS).
    #[arg(long)]
    secure_cookies: bool,
    /// Connections one address may hold open at once (of 256). Behind a
    /// reverse proxy every connection comes from the proxy: raise it to
    /// what the proxy may open (nginx `max_conns`).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=256))]
    connections_per_address: u16,
    /// Serve Prometheus metrics (`GET /metrics`) on this address only, e.g.
    /// 127.0.0.1:9090; the public address never answers them.
    #[arg(long, value_name = "ADDR", env = "IPSTRACK_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// The server log's format on standard output: text lines, or JSON lines.
    #[arg(long, value_enum, env = "IPSTRACK_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(flatten)]
    sign_in: super::serve_sign_in::SignInArgs,
}

impl Serve {
    pub fn run(self) -> Result<ExitCode> {
        let db = if self.demo && self.db == "ipstrack.sqlite" {
            "ipstrack-demo.sqlite".to_string()
        } else {
            self.db.clone()
        };
        serve(&self, &db)
    }
}

/// The password of every demo user (demo databases only).
const DEMO_PASSWORD: &str = "ipstrack-demo";

/// Creates the demo database (generated service and demo users) unless it
/// exists: built beside it and renamed into place when complete, so an
/// interrupted start never leaves half a demo.
async fn create_demo(path: &str, progress: &Progress) -> Result<Store> {
    if !Path::new(path).exists() {
        let part = format!("{path}.part");
        for leftover in [part.clone(), format!("{part}-wal"), format!("{part}-shm")] {
            let _ = std::fs::remove_file(leftover);
        }
        let store = Store::open(&part).await?;
        let until = today();
        progress.step(format!(
            "creating the demo database {path}: generating 24 specialists, 2 years"
        ));
        let doc = ipstrack_demo::generate(&ipstrack_demo::DemoOptions {
            specialists: 24,
            years: 2,
            seed: 1,
            until,
        });
        progress.step(format!(
            "creating the demo database {path}: writing {} referrals",
            doc.referrals.len()
        ));
        store.import(&doc, "demo").await?;
        let loaded = store.load().await?;
        let d = &loaded.dataset;
        let es_role = ipstrack_core::model::Role::Es;
        let lead = d
            .staff
            .iter()
            .find(|s| s.role == ipstrack_core::model::Role::TeamLead);
        let first_team = lead.map(|l| l.team);
        let in_post = |s: &&ipstrack_core::model::Staff| s.role == es_role && s.in_post_on(until);
        // Two ES of the lead's team, and one of another team.
        let mut es: Vec<String> = d
            .staff
            .iter()
            .filter(in_post)
            .filter(|s| Some(s.team) == first_team)
            .take(2)
            .map(|s| s.id.clone())
            .collect();
        es.extend(
            d.staff
                .iter()
                .filter(in_post)
                .find(|s| Some(s.team) != first_team)
                .map(|s| s.id.clone()),
        );
        let lead = lead.map(|l| l.id.clone());
        progress.step(format!(
            "creating the demo database {path}: adding the demo logins"
        ));
        store
            .add_user("admin", DEMO_PASSWORD, Role::Admin, None, "demo")
            .await?;
        store
            .add_user("manager", DEMO_PASSWORD, Role::Manager, None, "demo")
            .await?;
        if let Some(lead) = &lead {
            store
                .add_user("lead", DEMO_PASSWORD, Role::TeamLead, Some(lead), "demo")
                .await?;
        }
        for id in &es {
            store
                .add_user(id, DEMO_PASSWORD, Role::Es, Some(id), "demo")
                .await?;
        }
        store.close().await;
        std::fs::rename(&part, path)?;
    }
    Ok(Store::open(path).await?)
}

fn serve(args: &Serve, db: &str) -> Result<ExitCode> {
    let (listen, metrics_listen, log_format) = (
        args.listen.as_str(),
        args.metrics_listen.as_deref(),
        args.log_format,
    );
    let (demo, secure_cookies, sign_in) = (args.demo, args.secure_cookies, &args.sign_in);
    let per_address = usize::from(args.connections_per_address);
    let oidc_settings = sign_in.oidc_settings()?;
    logging::init(log_format);
    return_large_blocks_to_the_system();
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen {listen} is not an address:port"))?;
    let metrics_addr: Option<SocketAddr> = metrics_listen
        .map(|m| {
            m.parse()
                .with_context(|| format!("--metrics-listen {m} is not an address:port"))
        })
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let progress = Progress::start("serve");
        progress.step(format!("opening {}", redact(db)));
        let store = if demo {
            create_demo(db, &progress).await?
        } else {
            Store::open(db).await?
        };
        let users = if demo {
            store.users().await?
        } else {
            Vec::new()
        };
        sign_in.apply_local_passwords(&store).await?;
        let oidc = match oidc_settings {
            Some(settings) => {
                progress.step(format!(
                    "reaching the identity provider {}",
                    settings.issuer
                ));
                let (oidc, failure) = ipstrack_web::Oidc::start(settings)
                    .await
                    .map_err(anyhow::Error::msg)?;
                if let Some(failure) = failure {
                    // Served anyway: the provider is tried again at the next sign-in.
                    tracing::warn!(error = %failure, "the identity provider was not reached");
                    eprintln!(
                        "warning: {failure}; sign-in with it is tried again when someone signs in"
                    );
                }
                Some(std::sync::Arc::new(oidc))
            }
            None => None,
        };
        progress.step("loading the case data");
        let audit = store.clone();
        let app = ipstrack_web::app(
            store,
            ipstrack_web::Config {
                secure_cookies,
                today: None,
                oidc,
            },
        )
        .await?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let addr = listener.local_addr().unwrap_or(addr);
        let metrics = match metrics_addr {
            Some(at) => {
                let listener = tokio::net::TcpListener::bind(at)
                    .await
                    .with_context(|| format!("cannot listen on {at} for metrics"))?;
                Some((listener.local_addr().unwrap_or(at), listener))
            }
            None => None,
        };
        drop(progress);
        // JSON logs: every line of standard output is a JSON object.
        let json = log_format == LogFormat::Json;
        if demo && json {
            // The demo's one password is in the README, not in the log.
            for u in users {
                tracing::info!(user = %u.username, role = u.role.as_str(), "demo login");
            }
        } else if demo {
            println!("Demo logins (password: {DEMO_PASSWORD}):");
            for u in users {
                println!("  {:<10} {}", u.username, u.role.as_str());
            }
        }
        if json {
            tracing::info!(url = %format!("http://{addr}"), "ipstrack is serving");
        } else {
            println!("ipstrack is serving on http://{addr}");
        }
        if let Some((at, listener)) = metrics {
            if json {
                tracing::info!(url = %format!("http://{at}/metrics"), "metrics served");
            } else {
                println!("metrics on http://{at}/metrics");
            }
            let router = ipstrack_web::metrics_router(audit.clone());
            tokio::spawn(async move {
                if let Err(e) =
                    ipstrack_web::serve(listener, router, ipstrack_web::Limits::default()).await
                {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
        }
        // Each request carries its connection's address: the sign-in rule
        // counts failures by account and source address.
        let served = ipstrack_web::serve(
            listener,
            app,
            ipstrack_web::Limits {
                per_address,
                ..ipstrack_web::Limits::default()
            },
        )
        .await;
        // The out-of-scope entries still waiting are written before leaving.
        audit.flush_audit().await;
        served?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Large blocks — argon2's 19 MiB for each password check, a spreadsheet's
/// buffers — go back to the system when freed. glibc otherwise raises its
/// mmap threshold after the first such block is freed and keeps later ones
/// in its arenas: a flood of sign-ins left the server 400–660 MiB larger
/// for good (issue 21, docs/performance.md). A fixed threshold of 1 MiB
/// turns that off; each check then maps and unmaps its block (microseconds
/// beside argon2's tens of milliseconds).
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the C allocator; it is called
    // once, before the runtime's threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
