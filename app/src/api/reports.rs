//! Reports for the admin's report screen, through the same service as `GET /api/admin/reports`.

use leptos::prelude::*;

use crate::domain::report::{Report, ReportParams};

#[server(endpoint = "admin_report")]
pub async fn admin_report(params: ReportParams) -> Result<Report, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::clock::now_ms;
    use crate::server::reports::{self, ReportQuery};

    let (state, _) = require(Role::Admin).await?;
    let query = ReportQuery::parse(&params, now_ms()).map_err(service)?;
    reports::run(&state.db, &query).await.map_err(service)
}
