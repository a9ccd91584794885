//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{audit, conversions, deliveries, events, networks, offers, offerwalls, programs, publishers, reports, reward};
use crate::postback::{conversions_api, reward as reward_postback, reward_app};

#[derive(OpenApi)]
#[openapi(
    info(title = "TapRain admin API", description = "Automation for everything an admin does in the dashboard, and the conversions API merchants call (`/api/v1`). Errors are {\"message\": …}."),
    paths(
        networks::create, networks::list, networks::get, networks::add_ip, networks::remove_ip, networks::rotate_key, networks::refused_ips, networks::approve_refused_ip, networks::edit, networks::revoke_key,
        conversions::list, conversions::get, conversions::approve, conversions::reject, conversions::reverse, conversions::postback_log, events::stream,
        publishers::create, publishers::list, publishers::get, publishers::create_login, publishers::set_postback, publishers::get_postback, publishers::edit, publishers::list_logins, publishers::edit_login, publishers::rotate_postback_secret, publishers::list_postback_secrets,
        deliveries::list, deliveries::get, deliveries::resend, deliveries::resend_failed, deliveries::test,
        audit::list,
        reports::report, reports::report_csv, reports::conversions_csv,
        offers::create, offers::list, offers::get, offers::replace, offers::edit, offerwalls::create, offerwalls::list, offerwalls::get, offerwalls::edit,
        reward::create_store_app, reward::list_store_apps, reward::get_store_app, reward::edit_store_app, reward::create_game, reward::list_games, reward::get_game, reward::edit_game, reward::create_secret, reward::list_secrets, reward::rotate_secret, reward::revoke_secret, reward::list_users, reward::get_user,
        reward_postback::receive, reward_app::create_user, reward_app::get_user, reward_app::postbacks,
        programs::create, programs::list, programs::get, programs::edit, programs::rotate_key, programs::revoke_key, programs::add_referral_code, programs::add_coupon, programs::add_asset, programs::add_source, programs::add_click, programs::remove_handle,
        conversions_api::post_conversion, conversions_api::get_conversion, conversions_api::post_customer, conversions_api::get_customer,
    ),
    components(schemas(app::domain::conversion::Conversion, app::domain::conversion::ConversionState, app::domain::conversion::PostbackLogEntry, app::domain::partners::RefusedIp, app::domain::partners::Network, app::domain::partners::NetworkKeyInfo, app::domain::partners::Publisher, app::domain::secrets::PostbackSecretInfo, app::domain::reward::catalog::StoreApp, app::domain::reward::catalog::RewardGame, app::domain::reward::catalog::RewardSecretInfo, app::domain::reward::catalog::RewardUser, app::domain::reward::catalog::UserPostback, app::domain::audit::AuditEntry, app::server::deliveries::listing::Delivery, app::server::deliveries::listing::Attempt, app::server::deliveries::listing::DeliveryDetails, app::server::deliveries::tools::TestPostback, app::domain::program::Program, app::domain::program::ProgramHandle, app::domain::program::HandleKind, app::domain::offer::Offer, app::domain::offerwall::Offerwall, app::domain::offerwall::Rounding, app::domain::offerwall::DeviceTarget, app::domain::report::Report, app::domain::report::ReportRow, app::domain::report::GroupBy)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        components.add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))));
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
