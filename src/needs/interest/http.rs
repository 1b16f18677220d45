//! The need page's interest, updates and funding sections, and the forms
//! they post to. Each form goes through the need's unit of work; success
//! goes back to the need page with a banner, a refused form redraws the
//! page with the GOV.UK error summary.

use askama::Template;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::convert;
use super::funding::{self, SplitView};
use super::model::*;
use super::section::Forms;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::needs::model::Need;
use crate::needs::page::{show_with, Shown};
use crate::partnerships::members::calculator::Method;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{page, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/needs/{id}/interest", post(express))
        .route("/needs/{id}/interest/{interest_id}/answer", post(answer))
        .route(
            "/needs/{id}/interest/{interest_id}/withdraw",
            post(withdraw),
        )
        .route("/needs/{id}/updates", post(post_update))
        .route("/needs/{id}/funding", post(set_funding))
        .route("/needs/{id}/convert", get(confirm_page).post(convert))
}

/// Redraws the need page with the form's errors; rule errors name the
/// API's `pledge_pence`, which is the page's `pledge`.
async fn again(
    visit: Visit<Need>,
    mut errors: Vec<FieldError>,
    forms: Forms,
) -> AppResult<Response> {
    for e in errors.iter_mut() {
        if e.field == "pledge_pence" {
            e.field = "pledge".into();
        }
    }
    show_with(
        visit,
        Shown {
            errors,
            forms,
            ..Default::default()
        },
    )
    .await
}

fn back(id: i64, notice: &str, anchor: &str) -> String {
    format!("/needs/{id}?notice={notice}#{anchor}")
}

async fn express(visit: Visit<Need>, Form(form): Form<Forms>) -> AppResult<Response> {
    let id = visit.id;
    let typed = form.clone();
    let change = move |w: &mut Work<'_, Need>| {
        // What could not be read as pounds is said before the rules speak.
        let pledge = match typed.pledge.trim() {
            "" => None,
            p => Some(crate::money::parse_pounds(p).map_err(|m| AppError::invalid("pledge", m))?),
        };
        let draft = InterestDraft {
            kind: typed.kind.clone(),
            pledge_pence: pledge,
            note: typed.note.clone(),
        };
        let input = InterestInput::parse(&draft).map_err(AppError::Invalid)?;
        store::express(w, &input)
    };
    let to = move |_| back(id, "interest", "interest");
    let again = |visit, errors| again(visit, errors, form);
    visit
        .submit(Action::ExpressInterest, change, to, again)
        .await
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct AnswerForm {
    /// accepted or declined.
    decision: String,
    reason: String,
}

async fn answer(visit: Visit<Need>, Form(form): Form<AnswerForm>) -> AppResult<Response> {
    let (id, interest) = (visit.id, visit.param("interest_id"));
    let decision = form.decision.clone();
    let change = move |w: &mut Work<'_, Need>| {
        let interest = interest?;
        let a = Answer::parse(&form.decision, &form.reason).map_err(AppError::Invalid)?;
        store::answer(w, interest, &a)
    };
    let notice = if decision == "accepted" {
        "accepted"
    } else {
        "declined"
    };
    let to = move |_| back(id, notice, "interest");
    let again = |visit, errors| again(visit, errors, Forms::default());
    visit.submit(Action::EditNeed, change, to, again).await
}

/// Only the interested organisation's people may (the store asks the policy).
async fn withdraw(visit: Visit<Need>) -> AppResult<Response> {
    let (id, interest) = (visit.id, visit.param("interest_id"));
    let change = move |w: &mut Work<'_, Need>| store::withdraw(w, interest?);
    visit
        .then_go(Need::view_action, change, move |_| {
            back(id, "withdrawn", "interest")
        })
        .await
}

async fn post_update(visit: Visit<Need>, Form(form): Form<Forms>) -> AppResult<Response> {
    let id = visit.id;
    let body = form.body.clone();
    let change = move |w: &mut Work<'_, Need>| {
        let text = UpdateDraft { body }.parse().map_err(AppError::Invalid)?;
        store::post_update(w, &text)
    };
    let to = move |_| back(id, "update", "updates");
    let again = |visit, errors| again(visit, errors, form);
    visit.submit(Action::EditNeed, change, to, again).await
}

async fn set_funding(visit: Visit<Need>, Form(form): Form<Forms>) -> AppResult<Response> {
    let id = visit.id;
    let typed = form.target.clone();
    let change = move |w: &mut Work<'_, Need>| {
        let target = match typed.trim() {
            "" => None,
            t => Some(crate::money::parse_pounds(t).map_err(|m| AppError::invalid("target", m))?),
        };
        let target = FundingDraft {
            target_pence: target,
        }
        .parse()
        .map_err(|mut e| {
            e.iter_mut().for_each(|e| e.field = "target".into());
            AppError::Invalid(e)
        })?;
        store::set_target(w, target)
    };
    let to = move |_| back(id, "funding", "funding");
    let again = |visit, errors| again(visit, errors, form);
    visit.submit(Action::EditNeed, change, to, again).await
}

#[derive(Template)]
#[template(path = "needs/convert.html")]
struct ConfirmPage {
    ctx: PageCtx,
    need: Need,
    errors: FormErrors,
    partners: Vec<InterestView>,
    shares: Option<SplitView>,
}

async fn confirm(visit: Visit<Need>, errors: Vec<FieldError>) -> AppResult<Response> {
    visit
        .page(Action::EditNeed, move |w, ctx| {
            let partners: Vec<InterestView> = store::all(w.conn, w.record.id)?
                .into_iter()
                .map(|(_, v)| v)
                .filter(|v| v.status == InterestStatus::Accepted && v.kind.joins_in())
                .collect();
            let pledged = partners.iter().filter_map(|p| p.pledge_pence).sum::<i64>();
            // The shares the partnership will record: what each puts in.
            let shares = if pledged > 0 {
                let mut need = w.record.clone();
                need.funding_target_pence =
                    Some(need.funding_target_pence.unwrap_or(0).max(pledged));
                funding::split(w.conn, &need, Method::Shares).ok()
            } else {
                None
            };
            let invalid = !errors.is_empty();
            page(
                ConfirmPage {
                    ctx: ctx.with_nav("needs"),
                    need: w.record.clone(),
                    errors: FormErrors(errors),
                    partners,
                    shares,
                },
                invalid,
            )
        })
        .await
}

async fn confirm_page(visit: Visit<Need>) -> AppResult<Response> {
    confirm(visit, Vec::new()).await
}

async fn convert(visit: Visit<Need>) -> AppResult<Response> {
    let id = visit.id;
    let change = |w: &mut Work<'_, Need>| {
        // On the page, "already converted" is said on the confirmation page.
        convert::convert(w).map_err(|e| match e {
            AppError::Conflict(m) => AppError::invalid("confirm", m),
            e => e,
        })
    };
    let to = move |_| back(id, "converted", "funding");
    visit.submit(Action::EditNeed, change, to, confirm).await
}
