//! The risk register's JSON API: the same store functions and policy as the pages.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::*;
use super::store;
use crate::api;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError, Problem};
use crate::partnerships::access;
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/risks", get(list).post(create))
        .route("/api/v1/partnerships/{id}/risks/exposure", get(exposure_of))
        .route(
            "/api/v1/partnerships/{id}/risks/{rid}",
            get(get_one).patch(update),
        )
        .route(
            "/api/v1/partnerships/{id}/risks/{rid}/reviews",
            post(review),
        )
}

/// One organisation's share of a risk.
#[derive(Deserialize, Clone, Debug, ToSchema)]
pub struct RiskShareInput {
    /// Organisation code of an active member, e.g. BIR.
    pub organisation: String,
    /// Basis points: 6000 = 60%. All shares must add up to 10000.
    pub share_bp: i32,
}

/// A new risk. Fields left out are treated as blank.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
pub struct NewRisk {
    /// Blank or left out: the category's label is used.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// A `RiskCategory` code, e.g. `supplier_failure`.
    #[serde(default)]
    pub category: String,
    /// 1 (rare) to 5 (almost certain).
    #[serde(default)]
    pub likelihood: i32,
    /// 1 (negligible) to 5 (severe).
    #[serde(default)]
    pub impact: i32,
    /// Organisation code of the owning active member.
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub mitigation: String,
    /// `open` (the default), `mitigating` or `closed`.
    #[serde(default)]
    pub status: Option<String>,
    /// Left out: the members' agreed cost shares, if they have them.
    #[serde(default)]
    pub shares: Option<Vec<RiskShareInput>>,
}

/// Changes to a risk: only the fields given change.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
pub struct RiskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub likelihood: Option<i32>,
    pub impact: Option<i32>,
    pub owner: Option<String>,
    pub mitigation: Option<String>,
    pub status: Option<String>,
    /// Replaces every share at once; they must add up to 10000.
    pub shares: Option<Vec<RiskShareInput>>,
}

/// A review of a risk; its likelihood, impact and status become the risk's.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
pub struct NewRiskReview {
    /// Today if left out; never in the future.
    pub reviewed_on: Option<NaiveDate>,
    #[serde(default)]
    pub likelihood: i32,
    #[serde(default)]
    pub impact: i32,
    /// `open`, `mitigating` or `closed`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
}

fn codes(shares: Vec<RiskShareInput>) -> Vec<(String, i32)> {
    shares
        .into_iter()
        .map(|s| (s.organisation, s.share_bp))
        .collect()
}

/// The partnership's risks: open ones first, highest score first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/risks", tag = "risks",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<RiskView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RiskView>>> {
    let actor = caller.actor();
    let risks = state
        .db
        .read(move |c| {
            access::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::list(c, id)
        })
        .await?;
    Ok(Json(risks))
}

/// Add a risk to the shared register.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/risks", tag = "risks", request_body = NewRisk,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = RiskView), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<NewRisk>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<RiskView>)> {
    let actor = caller.actor();
    let (p, _) = state
        .db
        .read(move |c| access::load_for(c, id, actor.as_ref(), Action::EditPartnership))
        .await?;
    let body = api::json(body)?;
    let audit = caller.require()?.audit_actor();
    let risk = state
        .db
        .write(move |c| {
            // Left out, the shares default to the members' agreed cost shares.
            let (shares, missing) = match body.shares {
                Some(s) => (codes(s), false),
                None => store::default_shares(c, id)?.map_or((vec![], true), |d| (d, false)),
            };
            let input = RiskInput {
                title: body.title,
                description: body.description,
                category: body.category,
                likelihood: body.likelihood,
                impact: body.impact,
                owner: body.owner,
                mitigation: body.mitigation,
                status: body.status.unwrap_or_else(|| RiskStatus::Open.code().into()),
                shares,
            };
            store::create(c, &p, &input, &audit).map_err(|e| match e {
                AppError::Invalid(mut errors) if missing => {
                    for e in errors.iter_mut().filter(|e| e.field == "shares") {
                        e.message = "Give each member's share of the risk in basis points, adding up to 10000: the members have no agreed cost shares to use instead".into();
                    }
                    AppError::Invalid(errors)
                }
                e => e,
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(risk)))
}

/// One risk with its reviews, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/risks/{rid}", tag = "risks",
    params(("id" = i64, Path, description = "Partnership id"), ("rid" = i64, Path, description = "Risk id")),
    responses((status = 200, body = RiskDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, rid)): Path<(i64, i64)>,
) -> ApiResult<Json<RiskDetail>> {
    let actor = caller.actor();
    let detail = state
        .db
        .read(move |c| {
            access::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::detail(c, id, rid)
        })
        .await?;
    Ok(Json(detail))
}

/// Change a risk. Only the fields given change; shares are replaced as a whole.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/risks/{rid}", tag = "risks", request_body = RiskPatch,
    params(("id" = i64, Path, description = "Partnership id"), ("rid" = i64, Path, description = "Risk id")),
    responses((status = 200, body = RiskView), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, rid)): Path<(i64, i64)>,
    body: Result<Json<RiskPatch>, JsonRejection>,
) -> ApiResult<Json<RiskView>> {
    let actor = caller.actor();
    let (p, _) = state
        .db
        .read(move |c| access::load_for(c, id, actor.as_ref(), Action::EditPartnership))
        .await?;
    let patch = api::json(body)?;
    let audit = caller.require()?.audit_actor();
    let risk = state
        .db
        .write(move |c| {
            let mut input = store::input_of(&store::get(c, id, rid)?);
            if let Some(v) = patch.title {
                input.title = v
            }
            if let Some(v) = patch.description {
                input.description = v
            }
            if let Some(v) = patch.category {
                input.category = v
            }
            if let Some(v) = patch.likelihood {
                input.likelihood = v
            }
            if let Some(v) = patch.impact {
                input.impact = v
            }
            if let Some(v) = patch.owner {
                input.owner = v
            }
            if let Some(v) = patch.mitigation {
                input.mitigation = v
            }
            if let Some(v) = patch.status {
                input.status = v
            }
            if let Some(v) = patch.shares {
                input.shares = codes(v)
            }
            store::update(c, &p, rid, &input, &audit)
        })
        .await?;
    Ok(Json(risk))
}

/// Record a dated review of a risk; it also sets the risk's current likelihood, impact and status.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/risks/{rid}/reviews", tag = "risks", request_body = NewRiskReview,
    params(("id" = i64, Path, description = "Partnership id"), ("rid" = i64, Path, description = "Risk id")),
    responses((status = 201, body = RiskReview), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, rid)): Path<(i64, i64)>,
    body: Result<Json<NewRiskReview>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<RiskReview>)> {
    let actor = caller.actor();
    let (p, _) = state
        .db
        .read(move |c| access::load_for(c, id, actor.as_ref(), Action::EditPartnership))
        .await?;
    let body = api::json(body)?;
    let user = caller.require()?;
    let (user_id, audit) = (user.id, user.audit_actor());
    let today = chrono::Utc::now().date_naive();
    let input = ReviewInput {
        reviewed_on: Some(body.reviewed_on.unwrap_or(today)),
        likelihood: body.likelihood,
        impact: body.impact,
        status: body.status,
        note: body.note,
    };
    let review = state
        .db
        .write(move |c| store::review(c, &p, rid, &input, Some(user_id), &audit, today))
        .await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// Each partner's exposure (Σ over open risks of likelihood × impact × share) and the heat map counts.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/risks/exposure", tag = "risks",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = RiskExposure), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn exposure_of(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RiskExposure>> {
    let actor = caller.actor();
    let exposure = state
        .db
        .read(move |c| {
            access::load_for(c, id, actor.as_ref(), Action::ViewPartnership)?;
            store::exposure_of(c, id)
        })
        .await?;
    Ok(Json(exposure))
}
