//! A typed wrapper over the tower-sessions session: who is signed in, since when.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::domain::Role;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::users;

const USER_KEY: &str = "taprain.user";

/// What the session remembers about the signed-in user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionUser {
    pub user_id: String,
    pub role: Role,
    pub publisher_id: Option<String>,
    /// When the user signed in (unix ms), for the absolute timeout.
    pub signed_in_at: i64,
}

#[derive(Clone, Debug)]
pub struct AuthSession(pub Session);

impl AuthSession {
    /// Signs `user` in on a fresh session id (prevents session fixation).
    pub async fn sign_in(&self, user_id: &str, role: Role, publisher_id: Option<String>) -> Result<(), tower_sessions::session::Error> {
        self.0.cycle_id().await?;
        let user = SessionUser { user_id: user_id.to_owned(), role, publisher_id, signed_in_at: now_ms() };
        self.0.insert(USER_KEY, user).await
    }

    /// The signed-in user, unless the absolute lifetime has passed (then the session is ended).
    pub async fn user(&self, absolute_hours: i64) -> Option<SessionUser> {
        let user: SessionUser = self.0.get(USER_KEY).await.ok().flatten()?;
        if now_ms() - user.signed_in_at > absolute_hours * 3_600_000 {
            let _ = self.0.flush().await;
            return None;
        }
        Some(user)
    }

    /// Ends the session and deletes it from the store.
    pub async fn sign_out(&self) -> Result<(), tower_sessions::session::Error> {
        self.0.flush().await
    }

    /// The signed-in person as the database knows them now: the session's user, re-read so a
    /// deactivated account (or publisher) or a changed role takes effect at once. Such a session
    /// is ended. Every door that serves signed-in people asks this (pages, server functions,
    /// the portal's downloads).
    pub async fn current(&self, db: &Db, absolute_hours: i64) -> Result<Option<SessionUser>, sqlx::Error> {
        let Some(user) = self.user(absolute_hours).await else {
            return Ok(None);
        };
        let fresh = users::find_by_id(&mut *db.pool().acquire().await?, &user.user_id).await?;
        match fresh {
            Some(u) if u.active && u.role == user.role => Ok(Some(user)),
            _ => {
                let _ = self.sign_out().await;
                Ok(None)
            }
        }
    }
}
