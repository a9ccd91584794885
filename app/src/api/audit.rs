//! The audit log for admins: who did what, when, on what — filtered and paged, newest first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::audit::AuditEntry;
use crate::domain::page::Page;

/// The audit screen's filters as typed; days are `YYYY-MM-DD` in UTC, both inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub to: String,
}

pub const AUDIT_FIELDS: &[&str] = &["from", "to"];

#[server(endpoint = "admin_audit")]
pub async fn list_audit(query: AuditQuery, offset: i64) -> Result<Page<AuditEntry>, FormError> {
    use super::form_error::reject;
    use super::guard::{require, service};
    use crate::domain::audit::day_range;
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::Role;
    use crate::server::audit::{self, AuditFilter};

    let (state, _) = require(Role::Admin).await?;
    let (from, until) = day_range(&query.from, &query.to).map_err(|(field, message)| reject(field, message))?;
    let filter = AuditFilter { actor: query.actor, action: query.action, target: query.target, from, until, limit: PAGE_SIZE, offset };
    audit::page(&state.db, &filter).await.map_err(|e| service(e).into())
}

/// Every action recorded so far, for the filter menu.
#[server(endpoint = "admin_audit_actions")]
pub async fn audit_actions() -> Result<Vec<String>, ServerFnError> {
    use super::guard::{internal, require};
    use crate::domain::Role;
    use crate::server::audit;

    let (state, _) = require(Role::Admin).await?;
    let mut conn = state.db.pool().acquire().await.map_err(internal)?;
    audit::actions(&mut conn).await.map_err(internal)
}
