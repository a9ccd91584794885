//! The subcommands: serve, migrate, admin create / token / tokens / revoke-token, ledger verify, backup, openapi.

use std::process::ExitCode;

use anyhow::Context;
use app::domain::{Email, Role};
use app::server::audit::Actor;
use app::server::auth::tokens;
use app::server::db::Db;
use app::server::{backup, ledger, users};

use crate::config::{AdminCommand, Cli, Command, LedgerCommand};
use crate::startup::Application;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.settings.into_settings()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let settings_site = settings.site_root.clone();
            let app = Application::build(settings).await?;
            let scheme = if app.serves_tls() { "https" } else { "http" };
            tracing::info!(address = %app.address(), scheme, site = %crate::site::describe(settings_site.as_deref()), "TapRain is listening");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            connect(&settings.database_url).await?;
            println!("migrations applied");
        }
        Command::Admin(AdminCommand::Create { email }) => {
            let db = connect(&settings.database_url).await?;
            let email = Email::parse(&email).context("--email")?;
            let password = match std::env::var("TAPRAIN_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword::prompt_password(format!("Password for {email}: ")).context("reading the password")?,
            };
            let user = users::create(&db, &Actor::cli(), &email, &password, Role::Admin, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("admin {} created ({})", user.email, user.id);
        }
        Command::Admin(AdminCommand::Token { email }) => {
            let db = connect(&settings.database_url).await?;
            let email = Email::parse(&email).context("--email")?;
            let mut conn = db.pool().acquire().await?;
            let user = users::find_by_email(&mut conn, &email).await?;
            let Some(user) = user.filter(|u| u.role == Role::Admin && u.active) else {
                anyhow::bail!("no active admin with email {email}");
            };
            let token = tokens::create(&mut conn, &user.id).await?;
            println!("{token}");
            eprintln!("This token is shown once. Send it as: Authorization: Bearer <token>");
        }
        Command::Admin(AdminCommand::Tokens { email }) => {
            let db = connect(&settings.database_url).await?;
            let listed = tokens::list(&db, email.as_deref()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{:<22} {:<32} {:<14} {:<25} {:<25} revoked", "id", "owner", "hint", "created", "last used");
            for t in &listed {
                println!(
                    "{:<22} {:<32} {:<14} {:<25} {:<25} {}",
                    t.id,
                    t.owner_email,
                    if t.hint.is_empty() { "-" } else { t.hint.as_str() },
                    timestamp(Some(t.created_at)),
                    timestamp(t.last_used_at),
                    timestamp(t.revoked_at),
                );
            }
        }
        Command::Admin(AdminCommand::RevokeToken { id }) => {
            let db = connect(&settings.database_url).await?;
            tokens::revoke(&db, &Actor::cli(), id.trim()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("token {} revoked", id.trim());
        }
        Command::Ledger(LedgerCommand::Verify) => {
            let db = connect(&settings.database_url).await?;
            let (checked, mismatches) = ledger::verify(&mut *db.pool().acquire().await?).await?;
            if mismatches.is_empty() {
                println!("ledger ok: {checked} account(s), every cached balance equals the sum of its entries");
            } else {
                for m in &mismatches {
                    println!("MISMATCH {}: cached {} but entries sum to {}", m.account, m.cached, m.computed);
                }
                println!("ledger verify failed: {} of {checked} account(s) disagree", mismatches.len());
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Openapi => {
            use utoipa::OpenApi;
            println!("{}", serde_json::to_string_pretty(&crate::admin_api::openapi::ApiDoc::openapi())?);
        }
        Command::Backup { to } => {
            // No migrations: a backup must not change the database it copies.
            let db = Db::connect(&settings.database_url).await?;
            let copy = backup::sqlite(&db, &to).await?;
            println!("backup written: {} ({} bytes, {} conversion(s))", copy.path.display(), copy.bytes, copy.conversions);
            if !copy.mismatches.is_empty() {
                for m in &copy.mismatches {
                    println!("MISMATCH {}: cached {} but entries sum to {}", m.account, m.cached, m.computed);
                }
                println!("ledger verify failed on the copy: {} of {} account(s) disagree", copy.mismatches.len(), copy.accounts);
                return Ok(ExitCode::FAILURE);
            }
            println!("ledger ok in the copy: {} account(s), every cached balance equals the sum of its entries", copy.accounts);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn connect(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(db)
}

/// Unix ms as RFC 3339 (UTC), or `-`.
fn timestamp(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis).map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}
