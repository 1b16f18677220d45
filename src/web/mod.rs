//! Shared page furniture: the layout context, static assets, pagination and
//! the error page. Pages are askama templates under `templates/`.

pub mod assets;
pub mod charts;
pub mod csv;
pub mod errors;
pub mod forms;
pub mod guard;
pub mod record;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{RequestAuth, SessionUser};
use crate::error::{AppError, AppResult};

/// What every page's layout needs: who is signed in, the CSRF token for
/// forms, and which navigation item is current.
#[derive(Clone, Debug, Default)]
pub struct PageCtx {
    pub user: Option<SessionUser>,
    pub csrf_token: String,
    pub nav: &'static str,
    /// Unread notifications, shown in the header.
    pub unread: i64,
}

impl PageCtx {
    pub fn with_nav(mut self, nav: &'static str) -> Self {
        self.nav = nav;
        self
    }

    pub fn is_platform_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == crate::policy::Role::PlatformAdmin)
    }

    pub fn from_auth(auth: Option<&RequestAuth>) -> PageCtx {
        PageCtx {
            user: auth.and_then(|a| a.user.clone()),
            csrf_token: auth.map(|a| a.csrf_token.clone()).unwrap_or_default(),
            nav: "",
            unread: auth.map(|a| a.unread_notifications).unwrap_or(0),
        }
    }
}

/// The layout context for a page handler, from the session middleware.
impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts
            .extensions
            .get::<RequestAuth>()
            .ok_or_else(|| AppError::internal("session middleware missing"))?;
        Ok(PageCtx::from_auth(Some(auth)))
    }
}

/// After a form is submitted: on success, go to the page `to` names; when
/// the input is refused, `again` shows the form with what went wrong.
pub async fn submitted<T, Fut>(
    result: AppResult<T>,
    to: impl FnOnce(T) -> String,
    again: impl FnOnce(Vec<crate::error::FieldError>) -> Fut,
) -> AppResult<axum::response::Response>
where
    Fut: std::future::Future<Output = AppResult<axum::response::Response>>,
{
    use axum::response::IntoResponse;
    match result {
        Ok(value) => Ok(axum::response::Redirect::to(&to(value)).into_response()),
        Err(AppError::Invalid(errors)) => again(errors).await,
        Err(e) => Err(e),
    }
}

/// A page: 200, or 422 when it shows the errors of a refused form.
pub fn page<T: Template>(template: T, errors: bool) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let status = if errors {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, html(template)?).into_response())
}

/// Renders a template into an HTML response.
pub fn html<T: Template>(template: T) -> crate::error::AppResult<axum::response::Html<String>> {
    Ok(axum::response::Html(template.render()?))
}

/// Field errors for a form, in the order the fields appear.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(pub Vec<crate::error::FieldError>);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, crate::error::FieldError> {
        self.0.iter()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(crate::error::FieldError::new(field, message));
    }
}

/// One link in a GOV.UK pagination block.
#[derive(Clone, Debug)]
pub struct PageLink {
    pub number: i64,
    pub url: String,
    pub current: bool,
}

/// Page numbers and links for a list, keeping the list's other query parameters.
#[derive(Clone, Debug)]
pub struct Pagination {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub total_pages: i64,
    pub first_item: i64,
    pub last_item: i64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// Page links with `None` for an ellipsis.
    pub links: Vec<Option<PageLink>>,
}

impl Pagination {
    /// `params` are the list's other query parameters, kept in every link.
    pub fn new(
        path: &str,
        params: &[(&str, String)],
        page: i64,
        per_page: i64,
        total: i64,
    ) -> Pagination {
        let total_pages = ((total + per_page - 1) / per_page).max(1);
        let url = |n: i64| {
            let mut pairs: Vec<(&str, String)> = params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .cloned()
                .collect();
            if n > 1 {
                pairs.push(("page", n.to_string()));
            }
            let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            if qs.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{qs}")
            }
        };
        let mut links = Vec::new();
        let mut last_shown = 0;
        for n in 1..=total_pages {
            if n == 1 || n == total_pages || (n - page).abs() <= 1 {
                if last_shown != 0 && n - last_shown > 1 {
                    links.push(None);
                }
                links.push(Some(PageLink {
                    number: n,
                    url: url(n),
                    current: n == page,
                }));
                last_shown = n;
            }
        }
        Pagination {
            page,
            per_page,
            total,
            total_pages,
            first_item: if total == 0 {
                0
            } else {
                (page - 1) * per_page + 1
            },
            last_item: (page * per_page).min(total),
            prev_url: (page > 1).then(|| url(page - 1)),
            next_url: (page < total_pages).then(|| url(page + 1)),
            links,
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// A page number from a query string: 1 if absent or not a positive number.
pub fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 1 && *p <= 1_000_000)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_keeps_filters_and_elides_far_pages() {
        let p = Pagination::new(
            "/organisations",
            &[("q", "bir".into()), ("nation", String::new())],
            5,
            20,
            397,
        );
        assert_eq!(p.total_pages, 20);
        assert_eq!(p.first_item, 81);
        assert_eq!(p.last_item, 100);
        assert_eq!(p.prev_url.as_deref(), Some("/organisations?q=bir&page=4"));
        assert_eq!(p.next_url.as_deref(), Some("/organisations?q=bir&page=6"));
        let numbers: Vec<Option<i64>> = p
            .links
            .iter()
            .map(|l| l.as_ref().map(|l| l.number))
            .collect();
        assert_eq!(
            numbers,
            vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(20)]
        );
        let first = Pagination::new("/x", &[], 1, 20, 0);
        assert_eq!(
            (
                first.total_pages,
                first.first_item,
                first.prev_url,
                first.next_url
            ),
            (1, 0, None, None)
        );
    }
}
