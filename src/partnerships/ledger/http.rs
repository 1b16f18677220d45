//! The costs and benefits page with its add-an-entry form, deleting an
//! entry (after asking), and the CSV download. An entry is its
//! organisation's: only its people or the lead record, or delete, it.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::model::*;
use super::{chart, export, store};
use crate::error::{AppError, AppResult, FieldError};
use crate::money;
use crate::partnerships::confirm::{self, Confirm};
use crate::partnerships::header::Header;
use crate::partnerships::model::{ActiveMembers, Partnership};
use crate::partnerships::notice::{self, Done, Noted};
use crate::partnerships::owned;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{forms, page, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/ledger", get(index).post(create))
        .route("/partnerships/{id}/ledger.csv", get(csv))
        .route(
            "/partnerships/{id}/ledger/{entry}/delete",
            get(delete_page).post(delete),
        )
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
    /// A new form starts with the person's own organisation and this financial year.
    fn fresh(w: &Work<'_, Partnership>, members: &ActiveMembers) -> LedgerForm {
        let mine = w
            .organisation_id()
            .and_then(|o| members.by_id(o))
            .map(|m| m.code.clone());
        let this_year =
            money::financial_year_of(chrono::Utc::now().date_naive()).clamp(FIRST_YEAR, LAST_YEAR);
        LedgerForm {
            organisation: mine.unwrap_or_default(),
            basis: Basis::Realised.code().into(),
            financial_year: this_year.to_string(),
            ..Default::default()
        }
    }

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
    chart_rows: Vec<chart::Year>,
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
    /// The organisations the person may record for: their own, or any
    /// member for the lead.
    fn member_options(&self) -> Vec<(String, String)> {
        self.members
            .iter()
            .filter(|m| self.h.may_change(&m.organisation_id))
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
    fn chart_table(&self) -> Vec<[String; 5]> {
        self.chart_rows
            .iter()
            .map(|y| {
                [
                    money::financial_year_label(y.financial_year),
                    money::pounds(y.realised_costs),
                    money::pounds(y.expected_savings),
                    money::pounds(y.realised_savings),
                    money::pounds(y.realised_savings - y.realised_costs),
                ]
            })
            .collect()
    }
}

/// Draws the page with a fresh form, or with the form that was refused and why.
async fn render(
    visit: Visit<Partnership>,
    refused: Option<(LedgerForm, Vec<FieldError>)>,
    done: Done,
) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            let entries = store::list(w.conn, w.record.id)?;
            let members = partnerships::active_members(w.conn, w.record.id)?;
            let totals = totals(&entries, &members);
            let chart_rows = chart::years(&totals);
            let chart = chart::svg(&chart_rows);
            let (form, errors) =
                refused.unwrap_or_else(|| (LedgerForm::fresh(w, &members), vec![]));
            let invalid = !errors.is_empty();
            let h = Header::of(w, "ledger").with_notice(w, done)?;
            let ctx = ctx.with_nav("partnerships");
            page(
                IndexPage {
                    ctx,
                    h,
                    entries,
                    totals,
                    chart,
                    chart_rows,
                    members,
                    errors: FormErrors(errors),
                    form,
                },
                invalid,
            )
        })
        .await
}

async fn index(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render(visit, None, done).await
}

fn back<T>(id: i64) -> impl FnOnce(Noted<T>) -> String {
    move |n| n.to(format!("/partnerships/{id}/ledger"))
}

async fn create(visit: Visit<Partnership>, Form(form): Form<LedgerForm>) -> AppResult<Response> {
    let typed = form.clone();
    let change = move |w: &mut Work<'_, Partnership>| {
        let members = partnerships::active_members(w.conn, w.record.id)?;
        let input = typed.check(&members).map_err(AppError::Invalid)?;
        let entry = store::create(w, &input)?;
        notice::noted(w, entry)
    };
    let to = back(visit.id);
    let again = |visit, errors| render(visit, Some((form, errors)), Done::default());
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

/// "Cost of £180,000 for Birmingham City Council", "Non-cashable benefit
/// “Fewer complaints” for Leeds City Council".
fn named(e: &EntryView) -> String {
    if e.amount_pence > 0 {
        format!(
            "{} of {} for {}",
            e.entry_type.label(),
            e.amount_label(),
            e.organisation_name
        )
    } else {
        format!(
            "{} \u{201c}{}\u{201d} for {}",
            e.entry_type.label(),
            e.description,
            e.organisation_name
        )
    }
}

/// Asks before deleting: for those who may delete this entry (its
/// organisation's people and the lead), others get 403.
async fn delete_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let entry = visit.param("entry")?;
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let e = store::get(w.conn, w.record.id, entry)?;
            owned::allow(w, e.organisation_id)?;
            let id = w.record.id;
            let kind = e.entry_type.label().to_lowercase();
            let c = Confirm {
                title: format!("Delete {kind}"),
                question: format!(
                    "Are you sure you want to delete this {kind}: {} ({})?",
                    named(&e),
                    e.financial_year_label
                ),
                detail: "It will no longer count in the partnership’s totals. The partnership’s history keeps a record of what it said.".into(),
                action: format!("/partnerships/{id}/ledger/{}/delete", e.id),
                button: format!("Delete {kind}"),
                back: format!("/partnerships/{id}/ledger"),
                back_label: "costs and benefits".into(),
            };
            confirm::page_of(ctx, Header::of(w, "ledger"), c)
        })
        .await
}

/// Deletes, after the question; the history keeps what was deleted.
async fn delete(visit: Visit<Partnership>) -> AppResult<Response> {
    let entry = visit.param("entry")?;
    let change = move |w: &mut Work<'_, Partnership>| {
        let e = store::delete(w, entry)?;
        notice::noted(w, e)
    };
    let to = back(visit.id);
    visit.then_go(Action::EditPartnership, change, to).await
}

/// Every entry as CSV.
async fn csv(visit: Visit<Partnership>) -> AppResult<Response> {
    let name = format!("partnership-{}-costs-and-benefits.csv", visit.id);
    let body = Partnership::view(&visit.state.db, visit.user(), visit.id, |w| {
        export::to_csv(&store::list(w.conn, w.record.id)?)
    })
    .await?;
    Ok(crate::web::csv::download(&name, body))
}
