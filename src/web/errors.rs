//! Error pages drawn inside the layout. Handlers return [`AppError`]s; this
//! layer turns them into full GOV.UK pages that still show who is signed in,
//! and sends people who must sign in back to the page they asked for.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::PageCtx;
use crate::auth::{is_local_path, RequestAuth};
use crate::error::{PageError, SignInNeeded};

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    ctx: PageCtx,
    status: u16,
    title: &'a str,
    detail: &'a str,
}

/// Middleware for every page route, outside the session middleware.
pub async fn draw(request: Request, next: Next) -> Response {
    let back_to = (request.method() == Method::GET)
        .then(|| {
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
        })
        .flatten()
        .filter(|path| is_local_path(path));
    let mut response = next.run(request).await;
    if response.extensions().get::<SignInNeeded>().is_some() {
        if let Some(path) = back_to {
            let target = format!(
                "/sign-in?{}",
                serde_urlencoded::to_string([("next", path)]).unwrap_or_default()
            );
            if let Ok(value) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(header::LOCATION, value);
            }
        }
        return response;
    }
    let Some(page) = response.extensions().get::<PageError>().cloned() else {
        return response;
    };
    let ctx = PageCtx::from_auth(response.extensions().get::<RequestAuth>());
    let drawn = ErrorPage {
        ctx,
        status: page.status.as_u16(),
        title: page.title,
        detail: &page.detail,
    }
    .render();
    if let Ok(html) = drawn {
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = Body::from(html);
    }
    response
}
