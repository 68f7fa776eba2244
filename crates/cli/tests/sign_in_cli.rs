//! Issue 27 from the command line: `ipstrack user link` checks a link as the
//! admin's page does (core's `IdentityLink`), and `ipstrack serve` refuses
//! sign-in settings that cannot work, saying which, before it serves.

mod common;

use common::*;

fn db_with_users(dir: &tempfile::TempDir) -> String {
    let db = dir.path().join("ips.sqlite").to_str().unwrap().to_string();
    for (user, role) in [("alice", "admin"), ("bob", "es")] {
        ok(&ipstrack_with_input(
            &["user", "add", user, "--role", role, "--db", &db],
            "a long secret phrase\n",
        ));
    }
    db
}

#[test]
fn sign_1_user_link_takes_a_subject_or_an_email_checked_as_the_page_checks() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_users(&dir);
    let out = ok(&ipstrack(&[
        "user",
        "link",
        "bob",
        "--email",
        " Bob.Smith@NHS.net ",
        "--db",
        &db,
    ]));
    assert!(
        out.contains("bob will be linked at their first sign-in as bob.smith@nhs.net"),
        "{out}"
    );
    let out = ipstrack(&[
        "user",
        "link",
        "alice",
        "--email",
        "bob.smith@nhs.net",
        "--db",
        &db,
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already linked"), "{}", stderr(&out));
    let out = ipstrack(&[
        "user",
        "link",
        "alice",
        "--email",
        "not an address",
        "--db",
        &db,
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains(&ipstrack_core::model::IdentityLink::email("not an address").unwrap_err()),
        "{}",
        stderr(&out)
    );
    let out = ok(&ipstrack(&[
        "user",
        "link",
        "alice",
        "--subject",
        "5f1c-oid",
        "--db",
        &db,
    ]));
    assert!(out.contains("linked alice to 5f1c-oid"), "{out}");
    let out = ok(&ipstrack(&["user", "link", "bob", "--remove", "--db", &db]));
    assert!(out.contains("removed the link of bob"), "{out}");
    // Neither, or both: refused by the command line itself.
    assert!(
        !ipstrack(&["user", "link", "bob", "--db", &db])
            .status
            .success()
    );
    assert!(
        !ipstrack(&[
            "user",
            "link",
            "bob",
            "--subject",
            "x",
            "--remove",
            "--db",
            &db
        ])
        .status
        .success()
    );
    let out = ipstrack(&["user", "link", "nobody", "--subject", "x", "--db", &db]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
}

#[test]
fn serve_refuses_sign_in_settings_that_cannot_work_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_users(&dir);
    let issuer = ["--oidc-issuer", "https://login.example.invalid/tenant/v2.0"];
    let cases: [(Vec<&str>, &str); 5] = [
        (issuer.to_vec(), "--oidc-client-id"),
        (
            [&issuer[..], &["--oidc-client-id", "ipstrack"]].concat(),
            "--public-url",
        ),
        (
            [
                &issuer[..],
                &[
                    "--public-url",
                    "https://ipstrack.example",
                    "--oidc-client-id",
                    "ipstrack",
                ],
            ]
            .concat(),
            "client secret",
        ),
        (
            vec!["--local-passwords", "break-glass"],
            "--break-glass-admin",
        ),
        (
            vec![
                "--local-passwords",
                "break-glass",
                "--break-glass-admin",
                "bob",
            ],
            "bob is not an enabled admin",
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["serve", "--db", &db, "--listen", "127.0.0.1:0"];
        all.extend(args.iter().copied());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ipstrack"))
            .args(&all)
            .env_remove("IPSTRACK_OIDC_CLIENT_SECRET")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

/// The client secret is found as systemd's credential `oidc-client-secret`
/// (`LoadCredential=`): the settings then pass, and serve goes on to the
/// next thing it checks (here a --listen that is not an address).
#[test]
fn serve_reads_the_client_secret_from_systemds_credential() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_users(&dir);
    let credentials = tempfile::tempdir().unwrap();
    let args = [
        "serve",
        "--db",
        &db,
        "--listen",
        "not-an-address",
        "--oidc-issuer",
        "https://login.example.invalid/tenant/v2.0",
        "--oidc-client-id",
        "ipstrack",
        "--public-url",
        "https://ipstrack.example",
    ];
    let run = |with_credential: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ipstrack"));
        command.args(args).env_remove("IPSTRACK_OIDC_CLIENT_SECRET");
        if with_credential {
            command.env("CREDENTIALS_DIRECTORY", credentials.path());
        } else {
            command.env_remove("CREDENTIALS_DIRECTORY");
        }
        stderr(&command.output().unwrap())
    };
    assert!(run(false).contains("client secret"), "{}", run(false));
    std::fs::write(credentials.path().join("oidc-client-secret"), "s3cret\n").unwrap();
    let said = run(true);
    assert!(
        !said.contains("client secret") && said.contains("--listen"),
        "{said}"
    );
    assert!(!said.contains("s3cret"), "the secret is never shown");
}

/// One door: as the users page adds a user without a password when local
/// passwords are off, `user add --no-password` keeps a random one nobody
/// is told; the user is then linked and signs in with the provider only.
#[test]
fn sign_4_user_add_without_a_password_as_the_users_page_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_users(&dir);
    let out = ok(&ipstrack(&[
        "user",
        "add",
        "carol",
        "--role",
        "es",
        "--no-password",
        "--db",
        &db,
    ]));
    assert!(out.contains("added carol (es)"), "{out}");
    ok(&ipstrack(&[
        "user",
        "link",
        "carol",
        "--email",
        "carol@nhs.net",
        "--db",
        &db,
    ]));
    assert!(ok(&ipstrack(&["user", "list", "--db", &db])).contains("carol\tes\t-\tactive"));
}
