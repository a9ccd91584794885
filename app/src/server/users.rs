//! Accounts: admins and publisher logins.

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::auth::password;
use super::clock::now_ms;
use super::db::Db;
use super::error::{ServiceError, UniqueKey};
use super::secrets;
use crate::domain::{Email, Role};

/// One account per email address.
const EMAIL_KEY: UniqueKey = UniqueKey { postgres: "users_email_key", sqlite: "users.email" };

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub publisher_id: Option<String>,
    pub active: bool,
    /// The IANA zone this person reads times in.
    pub time_zone: String,
}

type UserRow = (String, String, String, Option<String>, i64, String, String);

fn to_user(row: UserRow) -> Option<(User, String)> {
    let (id, email, role, publisher_id, active, hash, time_zone) = row;
    Some((User { id, email, role: Role::parse(&role)?, publisher_id, active: active == 1, time_zone }, hash))
}

/// `active` is false for a login whose publisher is deactivated too: it cannot sign in, and a
/// session it holds ends at its next request.
const SELECT: &str = "SELECT u.id, u.email, u.role, u.publisher_id, \
     CASE WHEN u.active = 1 AND (p.id IS NULL OR p.active = 1) THEN 1 ELSE 0 END, u.password_hash, u.time_zone \
     FROM users u LEFT JOIN publishers p ON p.id = u.publisher_id";

pub async fn find_by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<User>, sqlx::Error> {
    let row: Option<UserRow> = sqlx::query_as(&format!("{SELECT} WHERE u.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.and_then(to_user).map(|(u, _)| u))
}

async fn find_with_hash(conn: &mut AnyConnection, email: &Email) -> Result<Option<(User, String)>, sqlx::Error> {
    let row: Option<UserRow> = sqlx::query_as(&format!("{SELECT} WHERE u.email = $1")).bind(email.as_str()).fetch_optional(conn).await?;
    Ok(row.and_then(to_user))
}

pub async fn find_by_email(conn: &mut AnyConnection, email: &Email) -> Result<Option<User>, sqlx::Error> {
    Ok(find_with_hash(conn, email).await?.map(|(u, _)| u))
}

/// Checks credentials. Unknown emails still cost one argon2 verification (no timing oracle).
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<Option<User>, ServiceError> {
    let found = match Email::parse(email) {
        Ok(email) => find_with_hash(&mut *db.pool().acquire().await?, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) if user.active => (Some(user), Some(hash)),
        _ => (None, None),
    };
    let ok = password::verify_password(hash, password.to_owned()).await;
    Ok(if ok { user } else { None })
}

/// Creates an account; a taken email is a conflict.
pub async fn create(
    db: &Db,
    actor: &Actor,
    email: &Email,
    password: &str,
    role: Role,
    publisher_id: Option<&str>,
) -> Result<User, ServiceError> {
    password::check_strength(password).map_err(|m| ServiceError::invalid("password", m))?;
    let hash = password::hash_password(password.to_owned()).await?;
    let id = secrets::new_id("usr");
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, publisher_id, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)",
    )
    .bind(&id)
    .bind(email.as_str())
    .bind(&hash)
    .bind(role.as_str())
    .bind(publisher_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if EMAIL_KEY.violated_by(&e) => return Err(ServiceError::Conflict(format!("an account with email {email} already exists"))),
        other => other?,
    };
    let details = serde_json::json!({ "email": email.as_str(), "role": role.as_str(), "publisher_id": publisher_id });
    audit::record(&mut tx, actor, "user.create", &id, details).await?;
    tx.commit().await?;
    Ok(User { id, email: email.to_string(), role, publisher_id: publisher_id.map(str::to_owned), active: true, time_zone: "UTC".into() })
}

/// A publisher's logins, oldest first.
pub async fn for_publisher(db: &Db, publisher_id: &str) -> Result<Vec<User>, ServiceError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!("{SELECT} WHERE u.publisher_id = $1 ORDER BY u.created_at, u.id"))
        .bind(publisher_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().filter_map(to_user).map(|(u, _)| u).collect())
}

/// Deactivates (`active = false`) or reactivates one of a publisher's logins. A deactivated
/// login cannot sign in, and a session it holds ends at its next request (the guard re-reads
/// the account). Answers the login as it now is; not found unless it belongs to `publisher_id`.
pub async fn set_login_active(db: &Db, actor: &Actor, publisher_id: &str, user_id: &str, active: bool) -> Result<User, ServiceError> {
    let mut tx = db.pool().begin().await?;
    let owner: Option<(Option<String>,)> =
        sqlx::query_as("SELECT publisher_id FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *tx).await?;
    if owner.and_then(|(p,)| p).as_deref() != Some(publisher_id) {
        return Err(ServiceError::NotFound("login"));
    }
    let changed = sqlx::query("UPDATE users SET active = $1 WHERE id = $2 AND active <> $1")
        .bind(i64::from(active))
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed > 0 {
        let action = if active { "user.reactivate" } else { "user.deactivate" };
        audit::record(&mut tx, actor, action, user_id, serde_json::json!({ "publisher_id": publisher_id })).await?;
    }
    let user = find_by_id(&mut tx, user_id).await?.ok_or(ServiceError::NotFound("login"))?;
    tx.commit().await?;
    Ok(user)
}

/// The account with `id`.
pub async fn get(db: &Db, id: &str) -> Result<User, ServiceError> {
    find_by_id(&mut *db.pool().acquire().await?, id).await?.ok_or(ServiceError::NotFound("account"))
}

/// Saves the IANA time zone `user_id` reads times in (`Europe/Berlin`, `UTC`).
pub async fn set_time_zone(db: &Db, user_id: &str, zone: &str) -> Result<String, ServiceError> {
    let zone = crate::domain::when::parse_zone(zone).ok_or_else(|| ServiceError::invalid("time_zone", "is not an IANA time zone"))?;
    let name = zone.name().to_owned();
    let changed = sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2").bind(&name).bind(user_id).execute(db.pool()).await?;
    if changed.rows_affected() == 0 {
        return Err(ServiceError::NotFound("account"));
    }
    Ok(name)
}
