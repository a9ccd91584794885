//! The `taprain` binary's commands, run as a user would.

use std::process::{Command, Output};

use serde_json::json;

use crate::helpers::*;

fn taprain(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taprain"));
    command.args(args).env_remove("DATABASE_URL").env_remove("TAPRAIN_ADMIN_PASSWORD");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("run taprain")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_documents_every_setting() {
    let out = taprain(&["--help"], &[]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in [
        "serve",
        "migrate",
        "admin",
        "ledger",
        "TAPRAIN_LISTEN",
        "DATABASE_URL",
        "TAPRAIN_REQUIRE_HTTPS",
        "TAPRAIN_TRUSTED_PROXIES",
        "TAPRAIN_PUBLIC_URL",
        "127.0.0.1:3000",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    let admin_help = text(&taprain(&["admin", "create", "--help"], &[]).stdout);
    assert!(admin_help.contains("--email") && admin_help.contains("TAPRAIN_ADMIN_PASSWORD"), "{admin_help}");
}

#[test]
fn unknown_database_schemes_are_refused() {
    let out = taprain(&["migrate"], &[("DATABASE_URL", "mysql://localhost/taprain")]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("sqlite://") && err.contains("postgres://"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_an_admin_and_a_token_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("taprain-cli-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}/nested/cli.db", dir.display());
    let db = [("DATABASE_URL", url.as_str())];
    assert!(taprain(&["migrate"], &db).status.success(), "migrate creates the file and its directory");

    let with_password = [("DATABASE_URL", url.as_str()), ("TAPRAIN_ADMIN_PASSWORD", "a fine admin password")];
    let created = taprain(&["admin", "create", "--email", "Root@Example.com"], &with_password);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(!text(&created.stdout).contains("a fine admin password"));
    let again = taprain(&["admin", "create", "--email", "root@example.com"], &with_password);
    assert!(!again.status.success(), "a taken email is refused");
    let weak = taprain(
        &["admin", "create", "--email", "weak@example.com"],
        &[("DATABASE_URL", url.as_str()), ("TAPRAIN_ADMIN_PASSWORD", "short")],
    );
    assert!(!weak.status.success());

    let token_out = taprain(&["admin", "token", "--email", "root@example.com"], &db);
    assert!(token_out.status.success(), "{}", text(&token_out.stderr));
    let token = text(&token_out.stdout).trim().to_owned();
    assert!(token.starts_with("tra_"), "{token}");
    assert!(!taprain(&["admin", "token", "--email", "nobody@example.com"], &db).status.success());

    // The token works against a server on that database.
    let mut settings = test_settings(url.clone(), &dir);
    settings.listen = "127.0.0.1:0".parse().expect("addr");
    let application = taprain::startup::Application::build(settings).await.expect("app");
    let address = application.address();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{address}/api/admin/networks"))
        .bearer_auth(&token)
        .json(&json!({ "name": "cli" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 201);

    // Tokens are listed by hint, never in full, and a revoked one is refused at once.
    let listed = taprain(&["admin", "tokens", "--email", "root@example.com"], &db);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listing = text(&listed.stdout);
    assert!(listing.contains(&token[..8]) && !listing.contains(&token), "{listing}");
    let id = listing.lines().find_map(|l| l.split_whitespace().next().filter(|w| w.starts_with("tok_"))).expect("token id").to_owned();
    let revoked = taprain(&["admin", "revoke-token", &id], &db);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let refused = client.get(format!("http://{address}/api/admin/networks")).bearer_auth(&token).send().await.expect("GET");
    assert_eq!(refused.status(), 401);
    assert!(!taprain(&["admin", "revoke-token", "tok_unknown"], &db).status.success());

    let verify = taprain(&["ledger", "verify"], &db);
    assert!(verify.status.success(), "{}", text(&verify.stdout));

    // A cached balance that disagrees with the entries is reported and fails the command.
    let handle = app::server::db::Db::connect(&url).await.expect("db");
    sqlx::query("INSERT INTO balances (account, balance, updated_at) VALUES ('publisher:x', 5, 0)")
        .execute(handle.pool())
        .await
        .expect("corrupt");
    let verify = taprain(&["ledger", "verify"], &db);
    assert!(!verify.status.success());
    assert!(text(&verify.stdout).contains("MISMATCH publisher:x"), "{}", text(&verify.stdout));
    let _ = std::fs::remove_dir_all(dir);
}
