//! The machine doors whose handlers answer in the seeds' own words rather than through
//! annotated JSON handlers: the CPA postback (`GET /api/postback/cpa`, seed 000), the landing
//! script (`/t.js`), the offerwall page (`/o/{offerwall_id}`) and click links (`/c/{token}`).
//! They are described here with utoipa's builders so the document lists every endpoint.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ContentBuilder, Header, ObjectBuilder, OpenApi, Ref, Required, ResponseBuilder, Type};
use utoipa::Modify;

/// Adds the doors to the document.
pub struct MachineDoors;

fn string_param(name: &str, place: ParameterIn, required: bool, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn message(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name(super::openapi_tidy::ERROR_SCHEMA))).build())
        .build()
}

fn html(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("text/html", ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build())
        .build()
}

impl Modify for MachineDoors {
    fn modify(&self, openapi: &mut OpenApi) {
        use ParameterIn::{Path, Query};
        let cpa_fields = [
            ("key", true, "The network's security key (refused with 401 when unknown, revoked or expired)."),
            ("external_identifier", true, "The publisher's id (its external identifier), at most 256 characters."),
            ("amount", true, "Payout in cents, a positive integer."),
            ("status", false, "`1` (or absent) approved, `2` reversed; other values are recorded as sent."),
            ("offer_name", false, "The offer's name."),
            ("offer_id", false, "The network's offer id."),
            ("country_code", false, "ISO 3166 country of the end user."),
            ("ip", false, "The end user's IP address."),
            ("unix", false, "When the conversion happened (Unix seconds)."),
            ("lead_id", false, "The network's lead id: a repeat with the same lead id is acknowledged once."),
            ("click_id", false, "The click id (used as the repeat key when there is no lead id)."),
            ("s2", false, "Free sub-id passed through to the publisher."),
        ];
        let cpa = OperationBuilder::new()
            .tags(Some(vec!["postbacks".to_owned()]))
            .operation_id(Some("postbacks_cpa"))
            .summary(Some("CPA postback from an ad network (seed 000)"))
            .description(Some(
                "Records a conversion. HTTPS only in production (403 over plain HTTP); the caller's IP must be on the \
                 network's allowlist (403 otherwise, and the IP is queued for review). A 200 means the conversion is \
                 committed; a repeat of the same lead (or click) is acknowledged with 200 and recorded once.",
            ))
            .parameters(Some(cpa_fields.iter().map(|(name, required, about)| string_param(name, Query, *required, about))))
            .response("200", message("Recorded (or a repeat of a recorded postback): `{\"message\": \"ok\"}`"))
            .response("400", message("A field is missing or invalid"))
            .response("401", message("Unknown, revoked or expired key"))
            .response("403", message("Plain HTTP in production, or a source IP not on the allowlist"))
            .response("404", message("No publisher with this external identifier"))
            .build();
        openapi.paths.add_path_operation("/api/postback/cpa", vec![HttpMethod::Get], cpa);

        let script = OperationBuilder::new()
            .tags(Some(vec!["landing".to_owned()]))
            .operation_id(Some("landing_script"))
            .summary(Some("Landing snippet for merchants' shops"))
            .description(Some(
                "Stores the landing URL's affiliate fields in the first-party cookie `tap_data`, which the shop's server \
                 sends on with its conversion (see the conversions API).",
            ))
            .response(
                "200",
                ResponseBuilder::new()
                    .description("The script (cacheable for an hour)")
                    .content(
                        "application/javascript",
                        ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build(),
                    )
                    .build(),
            )
            .build();
        openapi.paths.add_path_operation("/t.js", vec![HttpMethod::Get], script);

        let wall_fields = [
            ("s1", "Publisher sub-id 1, passed to click links and postbacks."),
            ("s2", "Publisher sub-id 2."),
            ("uid", "The publisher's user id for this visitor."),
            ("country", "ISO 3166 country to show offers for (else the proxy's country header)."),
            ("device", "`android`, `ios` or `desktop` (else guessed from the User-Agent)."),
            ("q", "Search text."),
            ("sort", "`payout` or `name`."),
        ];
        let mut wall_params = vec![string_param("offerwall_id", Path, true, "The offerwall's id.")];
        wall_params.extend(wall_fields.iter().map(|(name, about)| string_param(name, Query, false, about)));
        let wall = OperationBuilder::new()
            .tags(Some(vec!["offerwall".to_owned()]))
            .operation_id(Some("offerwall_page"))
            .summary(Some("The offerwall page publishers embed in an iframe"))
            .parameters(Some(wall_params))
            .response("200", html("The page (may be framed by any site)"))
            .response("404", html("No such offerwall, or it is inactive"))
            .build();
        openapi.paths.add_path_operation("/o/{offerwall_id}", vec![HttpMethod::Get], wall);

        let location = Header::new(ObjectBuilder::new().schema_type(Type::String));
        let click = OperationBuilder::new()
            .tags(Some(vec!["offerwall".to_owned()]))
            .operation_id(Some("offerwall_click"))
            .summary(Some("A card's click link: counts the click and redirects to the offer"))
            .parameters(Some([string_param("token", Path, true, "The click token from the offerwall page.")]))
            .response(
                "302",
                ResponseBuilder::new().description("Counted; redirect to the offer's URL").header("Location", location).build(),
            )
            .response("204", ResponseBuilder::new().description("A prefetch, a bot or a HEAD request: not counted, no redirect").build())
            .response("404", html("The link is not valid or the offer has ended"))
            .build();
        openapi.paths.add_path_operation("/c/{token}", vec![HttpMethod::Get], click);
    }
}
