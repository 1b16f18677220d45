//! The risk register's JSON API: the same store functions and policy as the pages.

use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::exposure::*;
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
    #[schema(minimum = 0, maximum = 10000)]
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
    #[serde(default)]
    #[schema(value_type = RiskCategory)]
    pub category: String,
    /// 1 (rare) to 5 (almost certain).
    #[schema(minimum = 1, maximum = 5)]
    pub likelihood: Option<i32>,
    /// 1 (negligible) to 5 (severe).
    #[schema(minimum = 1, maximum = 5)]
    pub impact: Option<i32>,
    /// Organisation code of the owning active member.
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub mitigation: String,
    /// `open` when left out.
    #[serde(default)]
    #[schema(value_type = Option<RiskStatus>)]
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
    #[schema(value_type = Option<RiskCategory>)]
    pub category: Option<String>,
    #[schema(minimum = 1, maximum = 5)]
    pub likelihood: Option<i32>,
    #[schema(minimum = 1, maximum = 5)]
    pub impact: Option<i32>,
    pub owner: Option<String>,
    pub mitigation: Option<String>,
    #[schema(value_type = Option<RiskStatus>)]
    pub status: Option<String>,
    /// Replaces every share at once; they must add up to 10000.
    pub shares: Option<Vec<RiskShareInput>>,
}

/// A review of a risk; its likelihood, impact and status become the risk's.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
pub struct NewRiskReview {
    /// Today if left out; never in the future.
    pub reviewed_on: Option<NaiveDate>,
    #[schema(minimum = 1, maximum = 5)]
    pub likelihood: Option<i32>,
    #[schema(minimum = 1, maximum = 5)]
    pub impact: Option<i32>,
    #[serde(default)]
    #[schema(value_type = RiskStatus)]
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

impl NewRisk {
    fn draft(self) -> RiskDraft {
        RiskDraft {
            title: self.title,
            description: self.description,
            category: self.category,
            likelihood: self.likelihood,
            impact: self.impact,
            owner: self.owner,
            mitigation: self.mitigation,
            status: self
                .status
                .unwrap_or_else(|| RiskStatus::Open.code().into()),
            // Left out, the members' agreed cost shares are used.
            shares: self.shares.map(codes),
        }
    }
}

impl RiskPatch {
    /// The risk as it is, with the fields given changed.
    fn apply(self, mut d: RiskDraft) -> RiskDraft {
        let set = |field: &mut String, value: Option<String>| {
            if let Some(v) = value {
                *field = v
            }
        };
        set(&mut d.title, self.title);
        set(&mut d.description, self.description);
        set(&mut d.category, self.category);
        set(&mut d.owner, self.owner);
        set(&mut d.mitigation, self.mitigation);
        set(&mut d.status, self.status);
        d.likelihood = self.likelihood.or(d.likelihood);
        d.impact = self.impact.or(d.impact);
        if let Some(shares) = self.shares {
            d.shares = Some(codes(shares));
        }
        d
    }
}

/// The partnership's risks: open ones first, highest score first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/risks", tag = "risks", params(PartnershipId),
    responses((status = 200, body = Vec<RiskView>)))]
pub async fn list(on: On<Partnership>) -> ApiResult<Json<Vec<RiskView>>> {
    on.read(|w| store::list(w.conn, w.record.id)).await
}

/// Add a risk to the shared register.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/risks", tag = "risks", params(PartnershipId),
    request_body = NewRisk, responses((status = 201, body = RiskView)), security(("bearer" = [])))]
pub async fn create(on: On<Partnership>, body: JsonBody<NewRisk>) -> ApiResult<Created<RiskView>> {
    on.create(Action::EditPartnership, body, |w, new| {
        let input = store::check(w.conn, w.record.id, &new.draft(), None)?;
        store::create(w, &input)
    })
    .await
}

/// One risk with its reviews, newest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/risks/{rid}", tag = "risks",
    params(PartnershipId, ("rid" = i64, Path, description = "Risk id")),
    responses((status = 200, body = RiskDetail)))]
pub async fn get_one(on: On<Partnership>) -> ApiResult<Json<RiskDetail>> {
    let rid = on.param("rid")?;
    on.read(move |w| store::detail(w.conn, w.record.id, rid))
        .await
}

/// Change a risk. Only the fields given change; shares are replaced as a whole.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/risks/{rid}", tag = "risks",
    params(PartnershipId, ("rid" = i64, Path, description = "Risk id")),
    request_body = RiskPatch, responses((status = 200, body = RiskView)), security(("bearer" = [])))]
pub async fn update(on: On<Partnership>, body: JsonBody<RiskPatch>) -> ApiResult<Json<RiskView>> {
    let rid = on.param("rid")?;
    on.change(Action::EditPartnership, body, move |w, patch| {
        let current = store::get(w.conn, w.record.id, rid)?;
        let draft = patch.apply(store::draft_of(&current));
        let input = store::check(w.conn, w.record.id, &draft, Some(&current))?;
        store::update(w, &current, &input)
    })
    .await
}

/// Record a dated review of a risk; it also sets the risk's current likelihood, impact and status.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/risks/{rid}/reviews", tag = "risks",
    params(PartnershipId, ("rid" = i64, Path, description = "Risk id")),
    request_body = NewRiskReview, responses((status = 201, body = RiskReview)), security(("bearer" = [])))]
pub async fn review(
    on: On<Partnership>,
    body: JsonBody<NewRiskReview>,
) -> ApiResult<Created<RiskReview>> {
    let rid = on.param("rid")?;
    on.create(Action::EditPartnership, body, move |w, review| {
        let today = chrono::Utc::now().date_naive();
        let draft = ReviewDraft {
            reviewed_on: Some(review.reviewed_on.unwrap_or(today)),
            likelihood: review.likelihood,
            impact: review.impact,
            status: review.status,
            note: review.note,
        };
        store::review(
            w,
            rid,
            &ReviewInput::parse(&draft, today).map_err(AppError::Invalid)?,
        )
    })
    .await
}

/// Each partner's exposure (Σ over open risks of likelihood × impact × share) and the heat map counts.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/risks/exposure", tag = "risks",
    params(PartnershipId), responses((status = 200, body = RiskExposure)))]
pub async fn exposure_of(on: On<Partnership>) -> ApiResult<Json<RiskExposure>> {
    on.read(|w| store::exposure_of(w.conn, w.record.id)).await
}
