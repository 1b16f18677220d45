//! Agreements API: the same store, rules and policy as the governance page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
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
            "/api/v1/partnerships/{id}/agreements",
            get(list).post(create),
        )
        .route(
            "/api/v1/partnerships/{id}/agreements/{aid}",
            get(get_one).patch(patch).delete(delete),
        )
}

/// Absent keeps the value, `null` clears it: tells the two apart for PATCH.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change to some of an agreement's fields; those left out keep their
/// value, and a date set to `null` is cleared.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct AgreementPatch {
    #[schema(value_type = Option<AgreementKind>)]
    pub kind: Option<String>,
    pub title: Option<String>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub renewal_due: Option<Option<NaiveDate>>,
    pub document_url: Option<String>,
}

impl AgreementPatch {
    /// The agreement as it is, with the fields given changed.
    fn apply(self, mut d: AgreementDraft) -> AgreementDraft {
        d.kind = self.kind.unwrap_or(d.kind);
        d.title = self.title.unwrap_or(d.title);
        d.signed_on = self.signed_on.unwrap_or(d.signed_on);
        d.starts_on = self.starts_on.unwrap_or(d.starts_on);
        d.ends_on = self.ends_on.unwrap_or(d.ends_on);
        d.renewal_due = self.renewal_due.unwrap_or(d.renewal_due);
        d.document_url = self.document_url.unwrap_or(d.document_url);
        d
    }
}

/// The agreements behind a partnership, most recently started first.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/agreements", tag = "governance",
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 200, body = Vec<AgreementView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AgreementView>>> {
    let agreements = Partnership::view(&state.db, caller.user(), id, move |w| {
        store::list(w.conn, id, today())
    })
    .await?;
    Ok(Json(agreements))
}

/// Record an agreement: an MoU, contract, statutory delegation or articles.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/agreements", tag = "governance", request_body = AgreementDraft,
    params(("id" = i64, Path, description = "Partnership id")),
    responses((status = 201, body = AgreementView)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: JsonBody<AgreementDraft>,
) -> ApiResult<(StatusCode, Json<AgreementView>)> {
    let agreement = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let input = AgreementInput::parse(&body.parse()?).map_err(AppError::Invalid)?;
            store::create(w, &input, today())
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(agreement)))
}

/// One agreement.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<Json<AgreementView>> {
    let agreement = Partnership::view(&state.db, caller.user(), id, move |w| {
        store::get(w.conn, id, aid, today())
    })
    .await?;
    Ok(Json(agreement))
}

/// Change some of an agreement's fields; those left out keep their values and a date set to null is cleared.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance", request_body = AgreementPatch,
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView)), security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
    body: JsonBody<AgreementPatch>,
) -> ApiResult<Json<AgreementView>> {
    let agreement = Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let today = today();
            let before = store::get(w.conn, id, aid, today)?;
            let draft = body.parse()?.apply(before.draft());
            let input = AgreementInput::parse(&draft).map_err(AppError::Invalid)?;
            store::update(w, &before, &input, today)
        },
    )
    .await?;
    Ok(Json(agreement))
}

/// Delete an agreement (the History page keeps what it said).
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(("id" = i64, Path, description = "Partnership id"), ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 204, description = "Deleted")), security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    Partnership::act(
        &state.db,
        caller.user(),
        id,
        Action::EditPartnership,
        move |w| {
            let before = store::get(w.conn, id, aid, today())?;
            store::delete(w, &before)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_patch_can_clear_a_date_or_leave_it() {
        let draft = AgreementDraft {
            kind: "mou".into(),
            title: "MoU".into(),
            renewal_due: Some(d(2027, 1, 1)),
            ends_on: Some(d(2028, 1, 1)),
            ..Default::default()
        };
        let patch: AgreementPatch =
            serde_json::from_str(r#"{"renewal_due": null, "title": "Signed MoU"}"#).unwrap();
        let out = patch.apply(draft);
        assert_eq!(
            (out.title.as_str(), out.renewal_due, out.ends_on),
            ("Signed MoU", None, Some(d(2028, 1, 1)))
        );
    }
}
