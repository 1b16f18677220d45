//! Refuses addresses that carry a NUL character (`%00`): no page or record
//! has one, PostgreSQL cannot even compare it, and it is only ever sent to
//! probe for a crash. API callers get problem details, pages a GOV.UK page.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, AppError};

pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let raw = uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    if raw.to_ascii_lowercase().contains("%00") {
        let e = AppError::BadRequest("The address must not contain a NUL character (%00).".into());
        return if uri.path().starts_with("/api/") {
            ApiError(e).into_response()
        } else {
            e.into_response()
        };
    }
    next.run(request).await
}
