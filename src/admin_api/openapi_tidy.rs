//! Final touches that keep the document valid (`openapi-spec-validator`) and usable by client
//! generators, whatever the handlers' annotations say:
//!
//! - every operation id is `<tag>_<handler>` (utoipa uses the bare function name, and several
//!   modules have a `list` or a `get`);
//! - a parameter declared in `path` that the path template does not name is a query parameter
//!   (utoipa places a struct's fields in the path when the handler takes `Result<Query<_>, _>`);
//! - every error answer of a JSON API (`/api/…`) without a body gets the `{"message": …}` one.

use std::collections::BTreeSet;

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Required, Type};
use utoipa::Modify;

/// The schema of every JSON error answer.
pub const ERROR_SCHEMA: &str = "ErrorMessage";

pub struct Tidy;

impl Modify for Tidy {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            ERROR_SCHEMA.to_owned(),
            ObjectBuilder::new()
                .description(Some("Why a request was refused."))
                .property("message", ObjectBuilder::new().schema_type(Type::String))
                .required("message")
                .into(),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let template = template_names(path);
            let json_api = path.starts_with("/api/");
            for operation in operations(item) {
                if let Some(id) = operation.operation_id.take() {
                    let tag = operation.tags.as_ref().and_then(|tags| tags.first()).map(|tag| identifier(tag)).unwrap_or_default();
                    operation.operation_id =
                        Some(if tag.is_empty() || id.starts_with(&format!("{tag}_")) { id } else { format!("{tag}_{id}") });
                }
                for parameter in operation.parameters.iter_mut().flatten() {
                    if parameter.parameter_in == ParameterIn::Path && !template.contains(parameter.name.as_str()) {
                        parameter.parameter_in = ParameterIn::Query;
                    } else if parameter.parameter_in == ParameterIn::Path {
                        parameter.required = Required::True;
                    }
                }
                if json_api {
                    for (status, response) in operation.responses.responses.iter_mut() {
                        let RefOr::T(response) = response else { continue };
                        if status.starts_with('4') || status.starts_with('5') {
                            if response.description.is_empty() {
                                response.description = default_description(status).to_owned();
                            }
                            if response.content.is_empty() {
                                response.content.insert(
                                    "application/json".to_owned(),
                                    ContentBuilder::new().schema(Some(Ref::from_schema_name(ERROR_SCHEMA))).build(),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.head, &mut item.patch, &mut item.trace]
        .into_iter()
        .filter_map(Option::as_mut)
}

/// The `{name}`s of a path template.
pub fn template_names(path: &str) -> BTreeSet<&str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}

/// A tag as an identifier part: `conversions API` → `conversions_api`.
fn identifier(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

fn default_description(status: &str) -> &'static str {
    match status {
        "400" => "Malformed request",
        "401" => "Missing or invalid credentials",
        "403" => "Not allowed",
        "404" => "Not found",
        "409" => "Conflicts with the current state",
        "413" => "Body too large",
        "422" => "A field is invalid",
        "429" => "Too many requests",
        _ => "Server error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_are_the_braced_parts() {
        assert_eq!(template_names("/api/admin/programs/{id}/keys/{key_id}"), BTreeSet::from(["id", "key_id"]));
        assert!(template_names("/api/admin/audit").is_empty());
    }

    #[test]
    fn tags_become_identifiers() {
        assert_eq!(identifier("conversions API"), "conversions_api");
        assert_eq!(identifier("networks"), "networks");
    }
}
