//! An API request about one scoped record: everything a handler needs to
//! read or change it through the unit of work, so that a handler is only
//! what is particular to it.
//!
//! ```text
//! pub async fn list(on: On<Partnership>) -> ApiResult<Json<Vec<RiskView>>> {
//!     on.read(|w| store::list(w.conn, w.record.id)).await
//! }
//! ```

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

use super::JsonBody;
use crate::auth::{ApiCaller, SessionUser};
use crate::error::{ApiError, ApiResult, AppResult};
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::record::{number, path_ids};
use crate::work::{Scoped, Work};

/// A 201 with the created thing.
pub type Created<T> = (StatusCode, Json<T>);

/// The record `R` named by `{id}` in the path, and who is asking.
pub struct On<R> {
    state: AppState,
    caller: Option<SessionUser>,
    /// The record's id.
    pub id: i64,
    /// The other path parameters, by name.
    params: Vec<(String, String)>,
    record: PhantomData<fn() -> R>,
}

impl<R> FromRequestParts<AppState> for On<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (id, params) = path_ids(parts, state).await?;
        let ApiCaller(caller) = ApiCaller::from_request_parts(parts, state).await?;
        Ok(On {
            state: state.clone(),
            caller,
            id,
            params,
            record: PhantomData,
        })
    }
}

impl<R: Scoped> On<R> {
    /// Another id from the path, such as `{rid}`.
    pub fn param(&self, name: &str) -> ApiResult<i64> {
        Ok(number(&self.params, name)?)
    }

    /// Reads from the record, for anyone who may see it.
    pub async fn read<T, F>(self, f: F) -> ApiResult<Json<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, R>) -> AppResult<T> + Send + 'static,
    {
        Ok(Json(
            R::view(&self.state.db, self.caller.as_ref(), self.id, f).await?,
        ))
    }

    /// Does `action` with no body (a delete, say).
    pub async fn act<T, F>(self, action: fn(Relation) -> Action, f: F) -> ApiResult<Json<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, R>) -> AppResult<T> + Send + 'static,
    {
        Ok(Json(
            R::act(&self.state.db, self.caller.as_ref(), self.id, action, f).await?,
        ))
    }

    /// Does `action` with the body, which is judged only once access is settled.
    pub async fn change<B, T, F>(
        self,
        action: fn(Relation) -> Action,
        body: JsonBody<B>,
        f: F,
    ) -> ApiResult<Json<T>>
    where
        B: DeserializeOwned + Send + 'static,
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, R>, B) -> AppResult<T> + Send + 'static,
    {
        self.act(action, move |w| f(w, body.parse()?)).await
    }

    /// Like [`On::change`], answering 201 Created.
    pub async fn create<B, T, F>(
        self,
        action: fn(Relation) -> Action,
        body: JsonBody<B>,
        f: F,
    ) -> ApiResult<Created<T>>
    where
        B: DeserializeOwned + Send + 'static,
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, R>, B) -> AppResult<T> + Send + 'static,
    {
        Ok((StatusCode::CREATED, self.change(action, body, f).await?))
    }
}
