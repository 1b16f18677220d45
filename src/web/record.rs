//! A page request about one scoped record: everything a page handler needs
//! to draw or change it through the unit of work.
//!
//! ```text
//! async fn index(visit: Visit<Partnership>) -> AppResult<Response> {
//!     visit.page(Action::ViewPartnership, |w, ctx| page(IndexPage::of(w, ctx)?)).await
//! }
//! ```

use std::future::Future;
use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::PageCtx;
use crate::auth::SessionUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::work::{Scoped, Work};

/// The record `R` named by `{id}` in the path, and the page's context.
pub struct Visit<R> {
    pub state: AppState,
    pub ctx: PageCtx,
    /// The record's id.
    pub id: i64,
    params: Vec<(String, String)>,
    record: PhantomData<fn() -> R>,
}

impl<R> Clone for Visit<R> {
    fn clone(&self) -> Self {
        Visit {
            state: self.state.clone(),
            ctx: self.ctx.clone(),
            id: self.id,
            params: self.params.clone(),
            record: PhantomData,
        }
    }
}

impl<R> FromRequestParts<AppState> for Visit<R> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (id, params) = path_ids(parts, state).await?;
        let ctx = PageCtx::from_request_parts(parts, state).await?;
        Ok(Visit {
            state: state.clone(),
            ctx,
            id,
            params,
            record: PhantomData,
        })
    }
}

/// `{id}` and the other path parameters; one that is not a number is a 400.
pub(crate) async fn path_ids(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(i64, Vec<(String, String)>), AppError> {
    let raw = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|e| AppError::BadRequest(format!("Bad path: {}", e.body_text())))?;
    let params: Vec<(String, String)> = raw
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let id = number(&params, "id")?;
    Ok((id, params))
}

/// The path parameter `name` as a whole number.
pub(crate) fn number(params: &[(String, String)], name: &str) -> AppResult<i64> {
    let value = params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| AppError::internal(format!("the route has no {{{name}}}")))?;
    value.parse().map_err(|_| {
        AppError::BadRequest(format!(
            "Bad path parameter {name}: '{value}' is not a number"
        ))
    })
}

impl<R: Scoped> Visit<R> {
    /// Another id from the path, such as `{rid}`.
    pub fn param(&self, name: &str) -> AppResult<i64> {
        number(&self.params, name)
    }

    pub fn user(&self) -> Option<&SessionUser> {
        self.ctx.user.as_ref()
    }

    /// Draws a page for anyone allowed `action` (seeing the record, or a
    /// form to change it), in a read transaction.
    pub async fn page<F>(self, action: fn(Relation) -> Action, f: F) -> AppResult<Response>
    where
        F: FnOnce(&mut Work<'_, R>, PageCtx) -> AppResult<Response> + Send + 'static,
    {
        let ctx = self.ctx.clone();
        R::view_as(&self.state.db, self.user(), self.id, action, move |w| {
            f(w, ctx)
        })
        .await
    }

    /// Changes the record from a submitted form: `f` does `action`; then on
    /// success the browser goes to the page `to` names, and when the input
    /// is refused `again` draws the form with what went wrong.
    pub async fn submit<T, F, Fut>(
        self,
        action: fn(Relation) -> Action,
        f: F,
        to: impl FnOnce(T) -> String,
        again: impl FnOnce(Visit<R>, Vec<FieldError>) -> Fut,
    ) -> AppResult<Response>
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, R>) -> AppResult<T> + Send + 'static,
        Fut: Future<Output = AppResult<Response>>,
    {
        match R::act(&self.state.db, self.user(), self.id, action, f).await {
            Ok(value) => Ok(Redirect::to(&to(value)).into_response()),
            Err(AppError::Invalid(errors)) => again(self, errors).await,
            Err(e) => Err(e),
        }
    }

    /// Changes the record from a form that cannot be refused (a delete, a
    /// vote), then goes to the page `to` names.
    pub async fn then_go<T, F>(
        self,
        action: fn(Relation) -> Action,
        f: F,
        to: impl FnOnce(T) -> String,
    ) -> AppResult<Response>
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, R>) -> AppResult<T> + Send + 'static,
    {
        let value = R::act(&self.state.db, self.user(), self.id, action, f).await?;
        Ok(Redirect::to(&to(value)).into_response())
    }
}
