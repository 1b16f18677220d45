//! The one error type. Pages render it as a GOV.UK error page (the `web`
//! layer draws it inside the layout, with who is signed in); the API wraps it
//! in [`ApiError`] and renders RFC 9457 problem details. Internal details are
//! logged, never shown.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

/// One field-level problem with submitted input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The form field or JSON property at fault.
    pub field: String,
    /// What is wrong and how to fix it, in plain English.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("you must sign in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("the form has expired")]
    CsrfFailed,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The error in one line for a person: each field's problem, or the message.
    pub fn describe(&self) -> String {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfFailed => StatusCode::FORBIDDEN,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Page not found",
            AppError::Unauthenticated => "You need to sign in",
            AppError::Forbidden => "You do not have permission to do this",
            AppError::CsrfFailed => "Your form has expired",
            AppError::MethodNotAllowed => "Method not allowed",
            AppError::Invalid(_) => "There is a problem with what you entered",
            AppError::BadRequest(_) => "The request could not be understood",
            AppError::Conflict(_) => "This conflicts with something that already exists",
            AppError::TooLarge(_) => "What you sent is too large",
            AppError::TooManyRequests(_) => "Too many attempts",
            AppError::Unavailable(_) => "Sorry, the service is unavailable",
            AppError::Internal(_) => "Sorry, there is a problem with the service",
        }
    }

    /// What the user is told. Never includes internal details.
    pub fn detail(&self) -> String {
        match self {
            AppError::NotFound => "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.".into(),
            AppError::Unauthenticated => "Sign in to continue.".into(),
            AppError::Forbidden => "Your account does not allow this. Ask your organisation's administrator if you think it should.".into(),
            AppError::CsrfFailed => "For your security, forms expire. Go back, reload the page and try again.".into(),
            AppError::MethodNotAllowed => "This address does not accept that kind of request.".into(),
            AppError::Invalid(errors) => errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "),
            AppError::BadRequest(m)
            | AppError::Conflict(m)
            | AppError::TooLarge(m)
            | AppError::TooManyRequests(m) => m.clone(),
            AppError::Unavailable(_) => "Try again later.".into(),
            AppError::Internal(_) => "Try again later. The problem has been logged.".into(),
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(m) => tracing::error!(error = %m, "internal error"),
            AppError::Unavailable(m) => tracing::warn!(error = %m, "unavailable"),
            _ => {}
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(detail = %info.message(), "unique violation");
                AppError::Conflict("A record with the same unique value already exists.".into())
            }
            // Another writer holds the lock, or PostgreSQL asks for a retry:
            // the client should try again shortly, not see a failure.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            Error::DatabaseError(_, info)
                if info.message().contains("database is locked")
                    || info.message().contains("database is busy") =>
            {
                AppError::Unavailable(info.message().to_string())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// Seconds a client is asked to wait before retrying a 503.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// What a page needs to show an error inside the layout. Set on the response
/// so the `web` layer can draw the page with the signed-in header.
#[derive(Clone, Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
}

/// Marks a redirect to sign in, which the `web` layer completes with the
/// page to come back to.
#[derive(Clone, Copy, Debug)]
pub struct SignInNeeded;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if let AppError::Unauthenticated = &self {
            let mut response = Redirect::to("/sign-in").into_response();
            response.extensions_mut().insert(SignInNeeded);
            return response;
        }
        let status = self.status();
        let page = PageError {
            status,
            title: self.title(),
            detail: self.detail(),
        };
        // A bare page in case nothing draws the full one.
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><title>{0}</title><h1>{0}</h1><p>{1}</p></html>",
            escape(page.title),
            escape(&page.detail)
        );
        let mut response = (status, axum::response::Html(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response.extensions_mut().insert(page);
        response
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// RFC 9457 problem details body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The same [`AppError`], rendered for API clients as problem details.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let slug = match &e {
            AppError::NotFound => "not-found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::CsrfFailed => "csrf",
            AppError::MethodNotAllowed => "method-not-allowed",
            AppError::Invalid(_) => "invalid-input",
            AppError::BadRequest(_) => "bad-request",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too-large",
            AppError::TooManyRequests(_) => "too-many-requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        };
        let detail = match &e {
            AppError::NotFound => "No such resource, or you may not see it.".to_string(),
            AppError::Unauthenticated => {
                "Send a valid API token as 'Authorization: Bearer <token>'.".to_string()
            }
            _ => e.detail(),
        };
        let problem = Problem {
            kind: format!("/problems/{slug}"),
            title: e.title().to_string(),
            status: status.as_u16(),
            detail,
            errors: match e {
                AppError::Invalid(errors) => errors,
                _ => vec![],
            },
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            serde_json::to_string(&problem).unwrap_or_default(),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
