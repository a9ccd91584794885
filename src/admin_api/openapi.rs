//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::openapi_doors::MachineDoors;
use super::openapi_tidy::Tidy;
use super::{
    audit, conversions, deliveries, events, health, networks, offers, offerwalls, programs, providers, publishers, reports, reward, tokens,
};
use crate::ingest::{conversions_api, provider as provider_postback, reward as reward_postback, reward_app};

#[derive(OpenApi)]
#[openapi(
    info(title = "TapRain admin API", description = "Automation for everything an admin does in the dashboard, and the conversions API merchants call (`/api/v1`). Errors are {\"message\": …}."),
    paths(
        networks::create, networks::list, networks::get, networks::add_ip, networks::remove_ip, networks::rotate_key, networks::refused_ips, networks::approve_refused_ip, networks::edit, networks::revoke_key,
        conversions::list, conversions::get, conversions::approve, conversions::reject, conversions::reverse, conversions::postback_log, conversions::replay, events::stream,
        publishers::create, publishers::list, publishers::get, publishers::create_login, publishers::set_postback, publishers::get_postback, publishers::edit, publishers::list_logins, publishers::edit_login, publishers::rotate_postback_secret, publishers::list_postback_secrets,
        deliveries::list, deliveries::get, deliveries::resend, deliveries::resend_failed, deliveries::test,
        audit::list, health::sources,
        tokens::list, tokens::revoke,
        reports::report, reports::report_csv, reports::conversions_csv,
        offers::create, offers::list, offers::get, offers::replace, offers::edit, offerwalls::create, offerwalls::list, offerwalls::get, offerwalls::edit,
        reward::create_store_app, reward::list_store_apps, reward::get_store_app, reward::edit_store_app, reward::create_game, reward::list_games, reward::get_game, reward::edit_game, reward::create_secret, reward::list_secrets, reward::rotate_secret, reward::revoke_secret, reward::list_users, reward::get_user,
        reward_postback::receive, reward_app::create_user, reward_app::get_user, reward_app::postbacks,
        programs::create, programs::list, programs::get, programs::edit, programs::rotate_key, programs::revoke_key, programs::add_referral_code, programs::add_coupon, programs::add_asset, programs::add_source, programs::add_click, programs::remove_handle,
        conversions_api::post_conversion, conversions_api::get_conversion, conversions_api::post_customer, conversions_api::get_customer,
        providers::create, providers::list, providers::get, providers::edit, providers::add_ip, providers::remove_ip, providers::refused_ips, providers::approve_refused_ip, providers::check,
        provider_postback::receive_get, provider_postback::receive_post,
    ),
    components(schemas(app::domain::catalog::Conversion, app::domain::catalog::ConversionState, app::domain::catalog::PostbackLogEntry, app::domain::catalog::RefusedIp, app::domain::catalog::Network, app::domain::catalog::NetworkKeyInfo, app::domain::program::ProgramKeyInfo, app::domain::catalog::Publisher, app::domain::secrets::PostbackSecretInfo, app::domain::secrets::AdminTokenInfo, app::domain::reward::catalog::StoreApp, app::domain::reward::catalog::RewardGame, app::domain::reward::catalog::RewardSecretInfo, app::domain::reward::catalog::RewardUser, app::domain::reward::catalog::UserPostback, app::domain::audit::AuditEntry, app::server::deliveries::listing::Delivery, app::server::deliveries::listing::Attempt, app::server::deliveries::listing::DeliveryDetails, app::server::deliveries::tools::TestPostback, app::domain::program::Program, app::domain::program::ProgramHandle, app::domain::program::HandleKind, app::domain::offer::Offer, app::domain::offerwall::Offerwall, app::domain::offerwall::Rounding, app::domain::offerwall::DeviceTarget, app::domain::report::Report, app::domain::report::ReportRow, app::domain::report::GroupBy, app::domain::health::SourceFigures, app::domain::health::CallCounts, app::domain::health::ReasonCount, app::domain::health::HealthFlag, app::domain::health::SourceKind, app::domain::health::SourceHealth, app::domain::provider::Provider, app::domain::provider::Preset, app::domain::provider::CustomConfig, app::domain::provider::Part, app::domain::provider::RecipeKind, app::domain::provider::ProviderCheck, app::domain::provider::SignatureAnalysis, app::domain::provider::verify::SignedPart, app::domain::provider::Difference, app::domain::provider::ProviderRefusedIp, app::domain::replay::Replay, app::domain::replay::WouldCredit)),
    modifiers(&BearerAuth, &MachineDoors, &Tidy)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::OpenApi;

    use super::super::openapi_tidy::template_names;
    use super::ApiDoc;

    #[test]
    fn operation_ids_are_unique_and_path_parameters_match_their_templates() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("document as JSON");
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operation id"));
                assert!(ids.insert(id.to_owned()), "operation id {id} is used twice");
                let declared: BTreeSet<&str> = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().expect("name"))
                    .collect();
                assert_eq!(declared, template_names(path), "{method} {path}: path parameters");
            }
        }
    }

    #[test]
    fn the_machine_doors_are_described() {
        let doc = ApiDoc::openapi();
        for path in
            ["/api/postback/cpa", "/api/postback/in/{id}", "/t.js", "/o/{offerwall_id}", "/c/{token}", "/api/reward/users/{id}/postbacks"]
        {
            assert!(doc.paths.paths.contains_key(path), "{path} is missing");
        }
        let json = serde_json::to_value(&doc).expect("json");
        let after = &json["paths"]["/api/reward/users/{id}/postbacks"]["get"]["parameters"];
        assert!(after.as_array().expect("params").iter().any(|p| p["name"] == "after" && p["in"] == "query"), "{after}");
        let keys = &json["components"]["schemas"]["Program"]["properties"]["keys"]["items"]["$ref"];
        assert_eq!(keys, "#/components/schemas/ProgramKeyInfo");
    }
}
