//! The OpenAPI conventions every operation shares. Handlers' `#[utoipa::path]`
//! annotations declare only their successful responses; [`finish`] adds the
//! problem-details responses each operation can give, derived from its shape
//! (path parameters, query, body, whether it needs a token), so the document
//! and the server cannot drift apart operation by operation.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use crate::error::Problem;

/// The shared problem responses: (status, component name, description).
const PROBLEMS: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "A path parameter or the query string does not parse, or the body is not JSON.",
    ),
    ("401", "Unauthenticated", "No valid API token was sent."),
    (
        "403",
        "Forbidden",
        "The token's user may see this but not do this.",
    ),
    (
        "404",
        "NotFound",
        "No such resource, or the caller may not see it.",
    ),
    (
        "409",
        "Conflict",
        "It conflicts with something that already exists.",
    ),
    ("413", "TooLarge", "The body is too large."),
    (
        "422",
        "InvalidInput",
        "The input breaks a rule; `errors` names each field at fault.",
    ),
    (
        "503",
        "Unavailable",
        "The database is busy or unreachable; retry after `Retry-After` seconds.",
    ),
];

/// Adds the bearer scheme and the shared problem responses to a document.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    for (_, name, description) in PROBLEMS {
        components
            .responses
            .insert((*name).to_string(), RefOr::T(problem_response(description)));
    }
    for item in doc.paths.paths.values_mut() {
        let shared = item.parameters.clone().unwrap_or_default();
        let operations = [
            (&mut item.get, false),
            (&mut item.head, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (operation, writes) in operations {
            if let Some(op) = operation.as_mut() {
                let in_path = shared
                    .iter()
                    .chain(op.parameters.iter().flatten())
                    .any(|p| p.parameter_in == ParameterIn::Path);
                let in_query = shared
                    .iter()
                    .chain(op.parameters.iter().flatten())
                    .any(|p| p.parameter_in == ParameterIn::Query);
                add_problems(op, in_path, in_query, writes);
            }
        }
    }
    doc
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn add_problems(op: &mut Operation, in_path: bool, in_query: bool, writes: bool) {
    let needs_token = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let mut codes = vec!["503"];
    if in_path || in_query || has_body {
        codes.push("400");
    }
    if in_path {
        codes.push("404");
    }
    if in_query || has_body {
        codes.push("422");
    }
    if has_body {
        codes.push("413");
    }
    if needs_token || writes {
        codes.push("401");
    }
    if writes {
        codes.extend(["403", "409"]);
    }
    for (code, name, _) in PROBLEMS.iter().filter(|(c, _, _)| codes.contains(c)) {
        op.responses
            .responses
            .entry((*code).to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
    }
}

/// Makes sure the `Problem` schema is in the document.
#[derive(utoipa::OpenApi)]
#[openapi(components(schemas(Problem, crate::error::FieldError)))]
pub struct ProblemSchemas;

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    use super::*;

    #[derive(serde::Deserialize, utoipa::ToSchema)]
    struct Thing {
        #[allow(dead_code)]
        name: String,
    }

    /// Reads a thing.
    #[utoipa::path(get, path = "/things/{id}", params(("id" = i64, Path)), responses((status = 200, body = String)))]
    #[allow(dead_code)]
    fn read_thing() {}

    /// Makes a thing.
    #[utoipa::path(post, path = "/things", request_body = Thing, responses((status = 201, body = String)), security(("bearer" = [])))]
    #[allow(dead_code)]
    fn make_thing() {}

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(read_thing, make_thing))]
    struct Doc;

    #[test]
    fn each_operation_gets_the_problems_its_shape_can_give() {
        let mut doc = Doc::openapi();
        doc.merge(ProblemSchemas::openapi());
        let doc = finish(doc);
        let codes = |path: &str, post: bool| -> Vec<String> {
            let item = &doc.paths.paths[path];
            let op = if post {
                item.post.as_ref()
            } else {
                item.get.as_ref()
            }
            .unwrap();
            op.responses.responses.keys().cloned().collect()
        };
        assert_eq!(codes("/things/{id}", false), ["200", "400", "404", "503"]);
        assert_eq!(
            codes("/things", true),
            ["201", "400", "401", "403", "409", "413", "422", "503"]
        );
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            json["components"]["responses"]["NotFound"]["content"]["application/problem+json"]
                ["schema"]["$ref"],
            "#/components/schemas/Problem"
        );
    }
}
