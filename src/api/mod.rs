//! What every JSON API handler shares: lists in pages, extractors whose
//! rejections are problem details, and the OpenAPI conventions (see
//! [`openapi`]). Each slice's `api.rs` holds its own handlers.

pub mod openapi;
pub mod record;

pub use record::{Created, On};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, AppError, FieldError};

pub const MAX_PER_PAGE: i64 = 100;

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, paging: Paging, total: i64) -> Self {
        Page {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
            total_pages: ((total + paging.per_page - 1) / paging.per_page).max(1),
        }
    }
}

/// `page` and `per_page` query parameters.
#[derive(Deserialize, IntoParams, Clone, Copy, Debug)]
#[into_params(parameter_in = Query)]
pub struct PagingParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

impl PagingParams {
    pub fn check(self) -> Result<Paging, AppError> {
        let mut errors = Vec::new();
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if !(1..=1_000_000).contains(&page) {
            errors.push(crate::error::FieldError::new(
                "page",
                "page must be a whole number from 1",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(crate::error::FieldError::new(
                "per_page",
                format!("per_page must be from 1 to {MAX_PER_PAGE}"),
            ));
        }
        if errors.is_empty() {
            Ok(Paging { page, per_page })
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// Path parameters; one that does not parse is a 400 problem, not plain text.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// Query parameters; a malformed query string is a 400 problem.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(e: PathRejection) -> Self {
        AppError::BadRequest(format!("Bad path parameter: {}", e.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        AppError::BadRequest(format!("Bad query string: {}", e.body_text()))
    }
}

/// Largest JSON body accepted.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A JSON request body, read when the request arrives but judged only when
/// the handler asks ([`JsonBody::parse`]), so that access is checked first:
/// someone who may not see a record gets 404 whatever they sent.
pub struct JsonBody<T> {
    parsed: Result<T, AppError>,
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// The body, or why it cannot be read (problem details with the field at fault).
    pub fn parse(self) -> Result<T, AppError> {
        self.parsed
    }

    fn from_bytes(content_type: Option<&str>, bytes: &[u8]) -> JsonBody<T> {
        let is_json = content_type.is_some_and(|ct| {
            let ct = ct.split(';').next().unwrap_or("").trim();
            ct == "application/json" || (ct.starts_with("application/") && ct.ends_with("+json"))
        });
        let parsed = if !is_json {
            Err(AppError::BadRequest(
                "Send the body as JSON with 'Content-Type: application/json'.".into(),
            ))
        } else if bytes.is_empty() {
            Err(AppError::Invalid(vec![FieldError::new(
                "body",
                "The request needs a JSON body",
            )]))
        } else {
            read_json(bytes)
        };
        JsonBody { parsed }
    }
}

/// Reads JSON into `T`, naming the field at fault. Text holding a NUL
/// character is refused: no database keeps it faithfully (PostgreSQL
/// refuses it outright), and no person types it.
fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: serde_json::Value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| AppError::Invalid(vec![FieldError::new("body", e.inner().to_string())]))?;
    if let Some(path) = nul_at(&value, String::new()) {
        let field = if path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        let message = "Text must not contain the NUL character (\\u0000)";
        return Err(AppError::Invalid(vec![FieldError::new(&field, message)]));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::Invalid(vec![FieldError::new(&field, e.inner().to_string())])
    })
}

/// Where in a JSON value a string holds NUL, as a field path.
fn nul_at(value: &serde_json::Value, at: String) -> Option<String> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        serde_json::Value::String(s) => s.contains('\0').then_some(at),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, format!("{at}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join("body"))
            } else {
                nul_at(v, join(k))
            }
        }),
        _ => None,
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| {
                AppError::TooLarge(format!("The body must be {} MB or less.", BODY_LIMIT >> 20))
            })?;
        Ok(JsonBody::from_bytes(content_type.as_deref(), &bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Risk {
        #[allow(dead_code)]
        likelihood: i32,
    }

    #[test]
    fn body_errors_name_the_field_and_wait_to_be_asked() {
        let wrong =
            JsonBody::<Risk>::from_bytes(Some("application/json"), br#"{"likelihood":"x"}"#);
        match wrong.parse() {
            Err(AppError::Invalid(errors)) => assert_eq!(errors[0].field, "likelihood"),
            other => panic!("{other:?}"),
        }
        let form = JsonBody::<Risk>::from_bytes(Some("text/plain"), br#"{"likelihood":1}"#);
        assert!(matches!(form.parse(), Err(AppError::BadRequest(_))));
        let empty = JsonBody::<Risk>::from_bytes(Some("application/json"), b"");
        assert!(matches!(empty.parse(), Err(AppError::Invalid(_))));
        let ok = JsonBody::<Risk>::from_bytes(
            Some("application/json; charset=utf-8"),
            br#"{"likelihood":3}"#,
        );
        assert!(ok.parse().is_ok());
    }
}
