//! The costs and benefits page, its forms and the CSV export.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::store::{self, EntryView, LedgerInput, LedgerTotals};
use super::{chart, Basis, EntryType, FIRST_YEAR, LAST_YEAR};
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::money;
use crate::partnerships::header::Header;
use crate::partnerships::legacy::active_member_orgs;
use crate::partnerships::legacy::load;
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::{html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/ledger", get(page).post(add))
        .route("/partnerships/{id}/ledger.csv", get(export))
        .route("/partnerships/{id}/ledger/{entry}/delete", post(delete))
}

/// The add-an-entry form, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct LedgerForm {
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub entry_type: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub financial_year: String,
    /// In pounds, like 12,500.50.
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub description: String,
}

impl LedgerForm {
    /// The input, or every problem found (typing errors and rule errors together).
    fn to_input(&self, members: &[(i64, String, String)]) -> Result<LedgerInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let financial_year = self.financial_year.trim().parse::<i32>().unwrap_or(0);
        // A blank amount is 0, which the rules allow only for non-cashable benefits.
        let amount_pence = if self.amount.trim().is_empty() {
            0
        } else {
            money::parse_pounds(&self.amount).unwrap_or_else(|msg| {
                errors.push(FieldError::new("amount", msg));
                0
            })
        };
        let input = LedgerInput {
            organisation: self.organisation.clone(),
            entry_type: self.entry_type.clone(),
            basis: self.basis.clone(),
            financial_year,
            amount_pence,
            description: self.description.clone(),
        };
        if let Err(rule_errors) = store::check(&input, members) {
            for mut e in rule_errors {
                if e.field == "amount_pence" {
                    e.field = "amount".into();
                }
                if !errors.iter().any(|x: &FieldError| x.field == e.field) {
                    errors.push(e);
                }
            }
        }
        let order = [
            "organisation",
            "entry_type",
            "basis",
            "financial_year",
            "amount",
            "description",
        ];
        errors.sort_by_key(|e| {
            order
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(order.len())
        });
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "partnerships/ledger/ledger.html")]
struct LedgerPage {
    ctx: PageCtx,
    h: Header,
    entries: Vec<EntryView>,
    totals: LedgerTotals,
    chart: Option<String>,
    chart_rows: Vec<(i32, i64, i64)>,
    members: Vec<(i64, String, String)>,
    errors: FormErrors,
    form: LedgerForm,
}

impl LedgerPage {
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
            .map(|(_, code, name)| (code.clone(), name.clone()))
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

async fn render(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: FormErrors,
    form: Option<LedgerForm>,
) -> AppResult<Response> {
    let pid = p.id;
    let (entries, members) = state
        .db
        .read(move |c| Ok((store::list(c, pid)?, active_member_orgs(c, pid)?)))
        .await?;
    let totals = store::totals(&entries, &members);
    let chart_rows = store::realised_by_year(&totals);
    let chart = chart::svg(&chart_rows);
    // A new form starts with the user's own organisation and this financial year.
    let form = form.unwrap_or_else(|| {
        let mine = ctx
            .user
            .as_ref()
            .and_then(|u| members.iter().find(|(id, _, _)| *id == u.organisation_id))
            .map(|(_, code, _)| code.clone());
        let this_year =
            money::financial_year_of(chrono::Utc::now().date_naive()).clamp(FIRST_YEAR, LAST_YEAR);
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
    let h = crate::partnerships::legacy::header(p, rel, "ledger", ctx.user.as_ref());
    Ok((
        status,
        html(LedgerPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            entries,
            totals,
            chart,
            chart_rows,
            members,
            errors,
            form,
        })?,
    )
        .into_response())
}

async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    render(&state, ctx, p, rel, FormErrors::default(), None).await
}

async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<LedgerForm>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let pid = p.id;
    let members = state.db.read(move |c| active_member_orgs(c, pid)).await?;
    let input = match form.to_input(&members) {
        Ok(i) => i,
        Err(errors) => return render(&state, ctx, p, rel, FormErrors(errors), Some(form)).await,
    };
    let (p2, user_id, actor) = (p.clone(), user.id, user.audit_actor());
    match state
        .db
        .write(move |c| store::create(c, &p2, &input, Some(user_id), &actor))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/partnerships/{id}/ledger")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors
                .iter_mut()
                .filter(|e| e.field == "amount_pence")
                .for_each(|e| e.field = "amount".into());
            render(&state, ctx, p, rel, FormErrors(errors), Some(form)).await
        }
        Err(e) => Err(e),
    }
}

async fn delete(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, entry)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, _) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    let actor = user.audit_actor();
    state
        .db
        .write(move |c| store::delete(c, &p, entry, &actor))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/ledger")).into_response())
}

/// Every entry as CSV, for spreadsheets and reports to the management team.
async fn export(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, _) = load(&state, ctx.user.as_ref(), id, Action::ViewPartnership).await?;
    let body = state
        .db
        .read(move |c| store::csv(&store::list(c, p.id)?))
        .await?;
    let disposition = format!("attachment; filename=\"partnership-{id}-costs-and-benefits.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
