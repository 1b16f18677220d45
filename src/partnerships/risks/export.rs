//! The register as a CSV file, for the corporate risk register or a board
//! paper. Anyone who may see the partnership may download it.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::model::RiskView;
use super::store;
use crate::error::{AppError, AppResult};
use crate::partnerships::http::load;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::PageCtx;

pub const HEADERS: [&str; 15] = [
    "id",
    "title",
    "category",
    "category_label",
    "description",
    "likelihood",
    "impact",
    "score",
    "rating",
    "owner_code",
    "owner_name",
    "status",
    "mitigation",
    "shares",
    "updated_at",
];

/// Spreadsheets run cells starting with these as formulas; a leading
/// apostrophe keeps what partners typed as text.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

pub fn to_csv(risks: &[RiskView]) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS).map_err(AppError::internal)?;
    for r in risks {
        w.write_record([
            r.id.to_string(),
            cell(&r.title),
            r.category.code().to_string(),
            r.category.label().to_string(),
            cell(&r.description),
            r.likelihood.to_string(),
            r.impact.to_string(),
            r.score.to_string(),
            r.rag_label().to_string(),
            r.owner.code.clone(),
            cell(&r.owner.name),
            r.status.label().to_string(),
            cell(&r.mitigation),
            r.shares_codes(),
            r.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

pub async fn csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    let risks = state.db.read(move |c| store::list(c, id)).await?;
    let body = to_csv(&risks)?;
    Ok((
        super::http::attachment(&format!("partnership-{id}-risks.csv")),
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_kept_as_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-5 budget"), "'-5 budget");
        assert_eq!(cell("Supplier failure"), "Supplier failure");
    }

    #[test]
    fn an_empty_register_has_just_the_header() {
        let bytes = to_csv(&[]).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap().trim_end(),
            HEADERS.join(",")
        );
    }
}
