//! Objectives API: the same store, rules and policy as the pages.

use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::input::*;
use super::model::*;
use super::store;
use crate::api::{Created, JsonBody, On};
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::{Partnership, PartnershipId};
use crate::policy::Action;
use crate::state::AppState;

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
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives", tag = "objectives", params(PartnershipId),
    responses((status = 200, body = Vec<ObjectiveView>)))]
pub async fn list(on: On<Partnership>) -> ApiResult<Json<Vec<ObjectiveView>>> {
    on.read(|w| store::list(w.conn, w.record.id, today())).await
}

/// Add a measurable joint objective.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/objectives", tag = "objectives", params(PartnershipId),
    request_body = ObjectiveDraft, responses((status = 201, body = ObjectiveView)), security(("bearer" = [])))]
pub async fn create(
    on: On<Partnership>,
    body: JsonBody<ObjectiveDraft>,
) -> ApiResult<Created<ObjectiveView>> {
    on.create(Action::EditPartnership, body, |w, draft| {
        let input = store::check(w.conn, w.record.id, &draft, None)?;
        store::create(w, &input, today())
    })
    .await
}

/// One objective with its latest progress.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives/{oid}", tag = "objectives",
    params(PartnershipId, ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = ObjectiveView)))]
pub async fn get_one(on: On<Partnership>) -> ApiResult<Json<ObjectiveView>> {
    let oid = on.param("oid")?;
    on.read(move |w| store::get(w.conn, w.record.id, oid, today()))
        .await
}

/// Change some of an objective's fields; those left out keep their values.
/// Changing the numbers or dates works out the stored RAG of past updates again.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/objectives/{oid}", tag = "objectives",
    params(PartnershipId, ("oid" = i64, Path, description = "Objective id")),
    request_body = ObjectivePatch, responses((status = 200, body = ObjectiveView)), security(("bearer" = [])))]
pub async fn patch(
    on: On<Partnership>,
    body: JsonBody<ObjectivePatch>,
) -> ApiResult<Json<ObjectiveView>> {
    let oid = on.param("oid")?;
    on.change(Action::EditPartnership, body, move |w, patch| {
        let today = today();
        let current = store::get(w.conn, w.record.id, oid, today)?;
        let draft = patch.apply(current.draft());
        let input = store::check(w.conn, w.record.id, &draft, Some(&current))?;
        store::update(w, &current, &input, today)
    })
    .await
}

/// An objective's progress updates, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/objectives/{oid}/updates", tag = "objectives",
    params(PartnershipId, ("oid" = i64, Path, description = "Objective id")),
    responses((status = 200, body = Vec<ProgressView>)))]
pub async fn updates(on: On<Partnership>) -> ApiResult<Json<Vec<ProgressView>>> {
    let oid = on.param("oid")?;
    on.read(move |w| store::history(w.conn, w.record.id, oid))
        .await
}

/// Record progress: the measure's value on a date. The RAG is worked out and stored with it.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/objectives/{oid}/updates", tag = "objectives",
    params(PartnershipId, ("oid" = i64, Path, description = "Objective id")),
    request_body = ProgressDraft, responses((status = 201, body = ProgressView)), security(("bearer" = [])))]
pub async fn post_update(
    on: On<Partnership>,
    body: JsonBody<ProgressDraft>,
) -> ApiResult<Created<ProgressView>> {
    let oid = on.param("oid")?;
    on.create(Action::EditPartnership, body, move |w, draft| {
        let today = today();
        let o = store::get(w.conn, w.record.id, oid, today)?;
        let input = ProgressInput::parse(&draft, &o, today).map_err(AppError::Invalid)?;
        store::record_progress(w, &o, &input)
    })
    .await
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
