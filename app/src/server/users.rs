//! Accounts: admins and publisher logins.

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::auth::password;
use super::clock::now_ms;
use super::db::Db;
use super::error::{is_unique_violation, ServiceError};
use super::secrets;
use crate::domain::{Email, Role};

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub publisher_id: Option<String>,
    pub active: bool,
}

type UserRow = (String, String, String, Option<String>, i64, String);

fn to_user(row: UserRow) -> Option<(User, String)> {
    let (id, email, role, publisher_id, active, hash) = row;
    Some((User { id, email, role: Role::parse(&role)?, publisher_id, active: active == 1 }, hash))
}

/// `active` is false for a login whose publisher is deactivated too: it cannot sign in, and a
/// session it holds ends at its next request.
const SELECT: &str = "SELECT u.id, u.email, u.role, u.publisher_id, \
     CASE WHEN u.active = 1 AND (p.id IS NULL OR p.active = 1) THEN 1 ELSE 0 END, u.password_hash \
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
        Err(e) if is_unique_violation(&e) => return Err(ServiceError::Conflict(format!("an account with email {email} already exists"))),
        other => other?,
    };
    let details = serde_json::json!({ "email": email.as_str(), "role": role.as_str(), "publisher_id": publisher_id });
    audit::record(&mut tx, actor, "user.create", &id, details).await?;
    tx.commit().await?;
    Ok(User { id, email: email.to_string(), role, publisher_id: publisher_id.map(str::to_owned), active: true })
}

/// A publisher's logins, oldest first.
pub async fn for_publisher(db: &Db, publisher_id: &str) -> Result<Vec<User>, ServiceError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!("{SELECT} WHERE u.publisher_id = $1 ORDER BY u.created_at, u.id"))
        .bind(publisher_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().filter_map(to_user).map(|(u, _)| u).collect())
}
