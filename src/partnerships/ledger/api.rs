//! The ledger's JSON API: the same store functions and policy as the page.

use axum::http::StatusCode;
use axum::routing::{delete as delete_route, get};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::*;
use super::store;
use crate::api::{Created, JsonBody, On};
use crate::error::{ApiResult, AppError};
use crate::partnerships::model::{Partnership, PartnershipId};
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partnerships/{id}/ledger", get(list).post(create))
        .route("/api/v1/partnerships/{id}/ledger/totals", get(totals))
        .route(
            "/api/v1/partnerships/{id}/ledger/{eid}",
            delete_route(delete),
        )
}

/// A new ledger entry.
#[derive(Deserialize, Clone, Debug, ToSchema)]
pub struct NewLedgerEntry {
    /// Code of an active member organisation, e.g. BIR.
    pub organisation: String,
    #[schema(value_type = EntryType)]
    pub entry_type: String,
    #[schema(value_type = Basis)]
    pub basis: String,
    /// The financial year's start year: 2025 means 2025/26 (April 2025 to March 2026).
    #[schema(minimum = 2015, maximum = 2035)]
    pub financial_year: i32,
    /// Amount in pence. Required and more than 0 for costs and cashable
    /// savings; may be 0 for a non-cashable benefit.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub amount_pence: i64,
    /// Required for a non-cashable benefit, e.g. "Fewer missed bin complaints".
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
}

impl From<NewLedgerEntry> for LedgerDraft {
    fn from(e: NewLedgerEntry) -> LedgerDraft {
        LedgerDraft {
            organisation: e.organisation,
            entry_type: e.entry_type,
            basis: e.basis,
            financial_year: Some(e.financial_year),
            amount_pence: e.amount_pence,
            description: e.description,
        }
    }
}

/// A partnership's costs and benefits, by financial year.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/ledger", tag = "ledger",
    params(PartnershipId), responses((status = 200, body = Vec<EntryView>)))]
pub async fn list(on: On<Partnership>) -> ApiResult<Json<Vec<EntryView>>> {
    on.read(|w| store::list(w.conn, w.record.id)).await
}

/// Totals for the partnership, each partner and each financial year. Net
/// realised is realised cashable savings less realised costs.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/ledger/totals", tag = "ledger",
    params(PartnershipId), responses((status = 200, body = LedgerTotals)))]
pub async fn totals(on: On<Partnership>) -> ApiResult<Json<LedgerTotals>> {
    on.read(|w| store::totals_of(w.conn, w.record.id)).await
}

/// Record a cost, cashable saving or non-cashable benefit for a member organisation.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/ledger", tag = "ledger", request_body = NewLedgerEntry,
    params(PartnershipId),
    responses((status = 201, body = EntryView)), security(("bearer" = [])))]
pub async fn create(
    on: On<Partnership>,
    body: JsonBody<NewLedgerEntry>,
) -> ApiResult<Created<EntryView>> {
    on.create(Action::EditPartnership, body, |w, new| {
        let members = partnerships::active_members(w.conn, w.record.id)?;
        let input = LedgerInput::parse(&new.into(), &members).map_err(AppError::Invalid)?;
        store::create(w, &input)
    })
    .await
}

/// Delete an entry. The partnership's history keeps what it said.
#[utoipa::path(delete, path = "/api/v1/partnerships/{id}/ledger/{eid}", tag = "ledger",
    params(PartnershipId, ("eid" = i64, Path, description = "Ledger entry id")),
    responses((status = 204, description = "Deleted")), security(("bearer" = [])))]
pub async fn delete(on: On<Partnership>) -> ApiResult<StatusCode> {
    let eid = on.param("eid")?;
    on.act(Action::EditPartnership, move |w| store::delete(w, eid))
        .await
        .map(|_| StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    /// The documented bounds are literals (utoipa takes no constants): they
    /// must say what the rules say.
    #[test]
    fn the_documented_bounds_are_the_rules() {
        let schema = serde_json::to_value(NewLedgerEntry::schema()).unwrap();
        let props = &schema["properties"];
        assert_eq!(props["financial_year"]["minimum"], FIRST_YEAR);
        assert_eq!(props["financial_year"]["maximum"], LAST_YEAR);
        assert_eq!(props["amount_pence"]["minimum"], 0);
        assert_eq!(props["amount_pence"]["maximum"], MAX_PENCE);
        assert_eq!(props["description"]["maxLength"], MAX_DESCRIPTION);
    }
}
