//! Agreements API: the same store, rules and policy as the governance page.

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

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
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/agreements", tag = "governance", params(PartnershipId),
    responses((status = 200, body = Vec<AgreementView>)))]
pub async fn list(on: On<Partnership>) -> ApiResult<Json<Vec<AgreementView>>> {
    on.read(|w| store::list(w.conn, w.record.id, today())).await
}

/// Record an agreement: an MoU, contract, statutory delegation or articles.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/agreements", tag = "governance", params(PartnershipId),
    request_body = AgreementDraft, responses((status = 201, body = AgreementView)), security(("bearer" = [])))]
pub async fn create(
    on: On<Partnership>,
    body: JsonBody<AgreementDraft>,
) -> ApiResult<Created<AgreementView>> {
    on.create(Action::EditPartnership, body, |w, draft| {
        let input = AgreementInput::parse(&draft).map_err(AppError::Invalid)?;
        store::create(w, &input, today())
    })
    .await
}

/// One agreement.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(PartnershipId, ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView)))]
pub async fn get_one(on: On<Partnership>) -> ApiResult<Json<AgreementView>> {
    let aid = on.param("aid")?;
    on.read(move |w| store::get(w.conn, w.record.id, aid, today()))
        .await
}

/// Change some of an agreement's fields; those left out keep their values and a date set to null is cleared.
#[utoipa::path(patch, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(PartnershipId, ("aid" = i64, Path, description = "Agreement id")),
    request_body = AgreementPatch, responses((status = 200, body = AgreementView)), security(("bearer" = [])))]
pub async fn patch(
    on: On<Partnership>,
    body: JsonBody<AgreementPatch>,
) -> ApiResult<Json<AgreementView>> {
    let aid = on.param("aid")?;
    on.change(Action::EditPartnership, body, move |w, patch| {
        let today = today();
        let before = store::get(w.conn, w.record.id, aid, today)?;
        let draft = patch.apply(before.draft());
        let input = AgreementInput::parse(&draft).map_err(AppError::Invalid)?;
        store::update(w, &before, &input, today)
    })
    .await
}

/// Delete an agreement (the History page keeps what it said).
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/agreements/{aid}", tag = "governance",
    params(PartnershipId, ("aid" = i64, Path, description = "Agreement id")),
    responses((status = 204, description = "Deleted")), security(("bearer" = [])))]
pub async fn delete(on: On<Partnership>) -> ApiResult<StatusCode> {
    let aid = on.param("aid")?;
    on.act(Action::EditPartnership, move |w| {
        let before = store::get(w.conn, w.record.id, aid, today())?;
        store::delete(w, &before)
    })
    .await
    .map(|_| StatusCode::NO_CONTENT)
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
