//! The costs and benefits page with its add-an-entry form, deleting an
//! entry, and the CSV download.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::{chart, export, store};
use crate::error::{AppError, AppResult, FieldError};
use crate::money;
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMembers, Partnership};
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::{forms, html, submitted, FormErrors, PageCtx};
use crate::work::Scoped;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/ledger", get(index).post(create))
        .route("/partnerships/{id}/ledger.csv", get(csv))
        .route("/partnerships/{id}/ledger/{entry}/delete", post(delete))
}

/// The add-an-entry form, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct LedgerForm {
    pub organisation: String,
    pub entry_type: String,
    pub basis: String,
    pub financial_year: String,
    /// In pounds, like 12,500.50.
    pub amount: String,
    pub description: String,
}

impl LedgerForm {
    /// What could be read, and what could not (an amount that is not an
    /// amount). A blank amount is 0, which the rules allow only for
    /// non-cashable benefits.
    fn to_draft(&self) -> (LedgerDraft, Vec<FieldError>) {
        let mut reading = Vec::new();
        let amount_pence = if self.amount.trim().is_empty() {
            0
        } else {
            forms::keep(
                &mut reading,
                money::parse_pounds(&self.amount).map_err(|msg| FieldError::new("amount", msg)),
            )
            .unwrap_or(0)
        };
        let draft = LedgerDraft {
            organisation: self.organisation.clone(),
            entry_type: self.entry_type.clone(),
            basis: self.basis.clone(),
            financial_year: self.financial_year.trim().parse().ok(),
            amount_pence,
            description: self.description.clone(),
        };
        (draft, reading)
    }

    /// The entry as typed, checked against the active members: reading
    /// errors and the rules' errors together, in the form's order.
    fn check(&self, members: &ActiveMembers) -> Result<LedgerInput, Vec<FieldError>> {
        let (draft, reading) = self.to_draft();
        // The rules name the amount as the API does; here it is `amount`.
        let rules = LedgerInput::parse(&draft, members).map_err(|errors| {
            errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "amount_pence" {
                        e.field = "amount".into();
                    }
                    e
                })
                .collect()
        });
        forms::checked(reading, rules, &FIELD_ORDER)
    }
}

#[derive(Template)]
#[template(path = "partnerships/ledger/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    entries: Vec<EntryView>,
    totals: LedgerTotals,
    chart: Option<String>,
    chart_rows: Vec<(i32, i64, i64)>,
    members: ActiveMembers,
    errors: FormErrors,
    form: LedgerForm,
}

impl IndexPage {
    /// Entries grouped by financial year, oldest first (they come sorted).
    fn by_year(&self) -> Vec<(String, Vec<&EntryView>)> {
        let mut groups: Vec<(String, Vec<&EntryView>)> = Vec::new();
        for e in &self.entries {
            match groups.last_mut() {
                Some((label, list)) if *label == e.financial_year_label => list.push(e),
                _ => groups.push((e.financial_year_label.clone(), vec![e])),
            }
        }
        groups
    }
    fn benefits(&self) -> Vec<&EntryView> {
        self.entries
            .iter()
            .filter(|e| e.entry_type == EntryType::NonCashableBenefit)
            .collect()
    }
    fn member_options(&self) -> Vec<(String, String)> {
        self.members
            .iter()
            .map(|m| (m.code.clone(), m.name.clone()))
            .collect()
    }
    fn types(&self) -> Vec<(&'static str, &'static str)> {
        EntryType::options()
    }
    fn bases(&self) -> Vec<(&'static str, &'static str)> {
        Basis::options()
    }
    fn years(&self) -> Vec<(String, String)> {
        (FIRST_YEAR..=LAST_YEAR)
            .map(|y| (y.to_string(), money::financial_year_label(y)))
            .collect()
    }
    /// The chart's figures for its table: year, costs, savings, net.
    fn chart_table(&self) -> Vec<[String; 4]> {
        self.chart_rows
            .iter()
            .map(|(fy, costs, savings)| {
                [
                    money::financial_year_label(*fy),
                    money::pounds(costs),
                    money::pounds(savings),
                    money::pounds(savings - costs),
                ]
            })
            .collect()
    }
}

/// Draws the page; `form` is `None` for a fresh form, or what was typed
/// when it is drawn again with `errors`.
async fn render(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: Vec<FieldError>,
    form: Option<LedgerForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        let entries = store::list(w.conn, id)?;
        let members = partnerships::active_members(w.conn, id)?;
        let totals = totals(&entries, &members);
        let chart_rows = realised_by_year(&totals);
        let chart = chart::svg(&chart_rows);
        // A new form starts with the person's own organisation and this financial year.
        let form = form.unwrap_or_else(|| {
            let mine = w
                .organisation_id()
                .and_then(|o| members.by_id(o))
                .map(|m| m.code.clone());
            let this_year = money::financial_year_of(chrono::Utc::now().date_naive())
                .clamp(FIRST_YEAR, LAST_YEAR);
            LedgerForm {
                organisation: mine.unwrap_or_default(),
                basis: Basis::Realised.code().into(),
                financial_year: this_year.to_string(),
                ..Default::default()
            }
        });
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = IndexPage {
            h: Header::of(w, "ledger"),
            entries,
            totals,
            chart,
            chart_rows,
            members,
            errors: FormErrors(errors),
            form,
            ctx: ctx.with_nav("partnerships"),
        };
        Ok((status, html(page)?).into_response())
    })
    .await
}

async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    render(&state, ctx, id, vec![], None).await
}

fn back(id: i64) -> impl FnOnce(()) -> String {
    move |_| format!("/partnerships/{id}/ledger")
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<LedgerForm>,
) -> AppResult<Response> {
    let typed = form.clone();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let members = partnerships::active_members(w.conn, id)?;
            let input = typed.check(&members).map_err(AppError::Invalid)?;
            store::create(w, &input).map(|_| ())
        },
    )
    .await;
    submitted(result, back(id), |errors| async move {
        render(&state, ctx, id, errors, Some(form)).await
    })
    .await
}

/// Deleting asks nothing more; the history keeps what was deleted.
async fn delete(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, entry)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| store::delete(w, entry),
    )
    .await;
    submitted(result, back(id), |errors| async move {
        render(&state, ctx, id, errors, None).await
    })
    .await
}

/// Every entry as CSV.
async fn csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let body = Partnership::view(&state.db, ctx.user.as_ref(), id, move |w| {
        export::to_csv(&store::list(w.conn, id)?)
    })
    .await?;
    Ok(crate::web::csv::download(
        &format!("partnership-{id}-costs-and-benefits.csv"),
        body,
    ))
}
