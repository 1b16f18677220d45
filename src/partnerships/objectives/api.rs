//! Objectives API: the same store, rules and policy as the pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::*;
use super::store;
use crate::api::{JsonBody, Path};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::Partnership;
use crate::policy::Action;
use crate::state::AppState;
use crate::work::Scoped;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/partnerships/{id}/objectives",
            get(list).post(create),
        )
        .route(
            "/api/v1/partnerships/{id}/objectives/{oid}",
            get(get_one).patch(patch),
        )
        .route(
            "/api/v1/partnerships/{id}/objectives/{oid}/updates",
            get(updates).post(post_update),
        )
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A change to some of an objective's fields; those left out keep their value.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct ObjectivePatch {
    pub title: Option<String>,
    pub measure: Option<String>,
    pub unit: Option<String>,
    #[schema(exclusive_minimum = -1e15, exclusive_maximum = 1e15)]
    pub baseline: Option<f64>,
    #[schema(exclusive_minimum = -1e15, exclusive_maximum = 1e15)]
    pub target: Option<f64>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Organisation code of the owning member, e.g. BIR.
    pub owner: Option<String>,
}

impl ObjectivePatch {
    /// The objective as it is, with the fields given changed.
    fn apply(self, mut d: ObjectiveDraft) -> ObjectiveDraft {
        d.title = self.title.unwrap_or(d.title);
        d.measure = self.measure.unwrap_or(d.measure);
        d.unit = self.unit.unwrap_or(d.unit);
        d.baseline = self.baseline.or(d.baseline);
        d.target = self.target.or(d.target);
        d.start_date = self.start_date.or(d.start_date);
        d.due_date = self.due_date.or(d.due_date);
        d.owner = self.owner.unwrap_or(d.owner);
        d
    }
}

/// A partnership's joint objectives with their latest progress, soonest due first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives", tag = "objectives",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<ObjectiveView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ObjectiveView>>> {
    let rows = Partnership::view(&state.db, caller.user(), id, move |w| {
        store::list(w.conn, id, today())
    })
    .await?;
    Ok(Json(rows))
}

/// Add a measurable joint objective.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/objectives", tag = "objectives", request_body = ObjectiveDraft,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = ObjectiveView)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<ObjectiveDraft>,
) -> ApiResult<(StatusCode, Json<ObjectiveView>)> {
    let o = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let input = store::check(w.conn, id, &body.parse()?, None)?;
            store::create(w, &input, today())
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// One objective with its latest progress.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives/{oid}", tag = "objectives",
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = ObjectiveView)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
) -> ApiResult<Json<ObjectiveView>> {
    let o = Partnership::view(&state.db, caller.user(), id, move |w| {
        store::get(w.conn, id, oid, today())
    })
    .await?;
    Ok(Json(o))
}

/// Change some of an objective's fields; those left out keep their values.
/// Changing the numbers or dates works out the stored RAG of past updates again.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/objectives/{oid}", tag = "objectives", request_body = ObjectivePatch,
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = ObjectiveView)), security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
    body: JsonBody<ObjectivePatch>,
) -> ApiResult<Json<ObjectiveView>> {
    let o = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let current = store::get(w.conn, id, oid, today)?;
            let draft = body.parse()?.apply(current.draft());
            let input = store::check(w.conn, id, &draft, Some(&current))?;
            store::update(w, &current, &input, today)
        },
    )
    .await?;
    Ok(Json(o))
}

/// An objective's progress updates, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives/{oid}/updates", tag = "objectives",
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = Vec<ProgressView>)))]
pub async fn updates(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<ProgressView>>> {
    let rows = Partnership::view(&state.db, caller.user(), id, move |w| {
        store::history(w.conn, id, oid)
    })
    .await?;
    Ok(Json(rows))
}

/// Record progress: the measure's value on a date. The RAG is worked out and stored with it.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/objectives/{oid}/updates", tag = "objectives", request_body = ProgressDraft,
    params(("id" = i64, Path, description = "Partnership id"), ("oid" = i64, Path, description = "Objective id")),
    responses((status = 201, body = ProgressView)), security(("bearer" = [])))]
pub async fn post_update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, oid)): Path<(i64, i64)>,
    body: JsonBody<ProgressDraft>,
) -> ApiResult<(StatusCode, Json<ProgressView>)> {
    let u = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let o = store::get(w.conn, id, oid, today)?;
            let input =
                ProgressInput::parse(&body.parse()?, &o, today).map_err(AppError::Invalid)?;
            store::record_progress(w, &o, &input)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(u)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_keeps_what_it_leaves_out() {
        let draft = ObjectiveDraft {
            title: "Cut missed bins".into(),
            baseline: Some(500.0),
            target: Some(300.0),
            owner: "BIR".into(),
            ..Default::default()
        };
        let patched = ObjectivePatch {
            target: Some(250.0),
            ..Default::default()
        }
        .apply(draft);
        assert_eq!(
            (
                patched.title.as_str(),
                patched.baseline,
                patched.target,
                patched.owner.as_str()
            ),
            ("Cut missed bins", Some(500.0), Some(250.0), "BIR")
        );
    }
}
