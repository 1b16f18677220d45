//! The members page: who is in the partnership, invitations and answers,
//! roles and contacts, agreed cost shares and the cost-sharing calculator.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::calculator::{self, Calculation, Method};
use super::model::{CostShares, InviteDraft, InviteInput, MemberChange, MemberDraft};
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::*;
use crate::partnerships::store as partnerships;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::{html, submitted, FormErrors, PageCtx};
use crate::work::Scoped;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/members", get(index).post(invite))
        .route("/partnerships/{id}/members/{member}", post(update))
        .route("/partnerships/{id}/members/{member}/remove", post(remove))
        .route("/partnerships/{id}/cost-shares", post(cost_shares))
        .route("/partnerships/{id}/respond", post(respond))
        .route("/partnerships/{id}/calculator", post(calculate))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CalculatorForm {
    pub amount: String,
    pub method: String,
}

#[derive(Template)]
#[template(path = "partnerships/members/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    members: Vec<MemberView>,
    errors: FormErrors,
    invite: InviteDraft,
    calculator: Option<Calculation>,
    calculator_form: CalculatorForm,
}

impl IndexPage {
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        MemberRole::options()
    }
    fn active(&self) -> Vec<&MemberView> {
        self.members.iter().filter(|m| m.is_active()).collect()
    }
    fn share_value(&self, m: &MemberView) -> String {
        m.cost_share_bp
            .map(|bp| crate::money::percent(bp).trim_end_matches('%').to_string())
            .unwrap_or_default()
    }
}

/// What the page shows besides the members: problems, and what was typed.
#[derive(Default)]
struct Shown {
    errors: Vec<FieldError>,
    invite: Option<InviteDraft>,
    calculator: Option<Calculation>,
    calculator_form: CalculatorForm,
}

async fn render(state: &AppState, ctx: PageCtx, id: i64, shown: Shown) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        let status = if shown.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = IndexPage {
            h: Header::of(w, "members"),
            members: partnerships::members_as_seen(w.conn, id, w.rel)?,
            errors: FormErrors(shown.errors),
            invite: shown.invite.unwrap_or_else(|| InviteDraft {
                role: MemberRole::Partner.code().into(),
                ..Default::default()
            }),
            calculator: shown.calculator,
            calculator_form: shown.calculator_form,
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
    render(&state, ctx, id, Shown::default()).await
}

fn back(id: i64) -> impl FnOnce(()) -> String {
    move |_| format!("/partnerships/{id}/members")
}

async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<InviteDraft>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let draft = form.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::ManageMembership,
        move |w| {
            let input = InviteInput::parse(w.conn, &draft)?;
            store::invite(w, &input)
        },
    )
    .await;
    submitted(result, back(id), |errors| async move {
        render(
            &state,
            ctx,
            id,
            Shown {
                errors,
                invite: Some(form),
                ..Default::default()
            },
        )
        .await
    })
    .await
}

async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, member)): Path<(i64, i64)>,
    Form(form): Form<MemberDraft>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            store::update(
                w,
                member,
                &MemberChange::parse(&form).map_err(AppError::Invalid)?,
            )
        },
    )
    .await;
    submitted(result, back(id), |errors| async move {
        render(
            &state,
            ctx,
            id,
            Shown {
                errors,
                ..Default::default()
            },
        )
        .await
    })
    .await
}

async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, member)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::ManageMembership,
        move |w| store::remove(w, member),
    )
    .await;
    submitted(result, back(id), |errors| async move {
        render(
            &state,
            ctx,
            id,
            Shown {
                errors,
                ..Default::default()
            },
        )
        .await
    })
    .await
}

/// The shares as typed, `share-<member id>` = a percentage; and what could not be read.
fn typed_shares(fields: &[(String, String)]) -> (Vec<(i64, Option<i32>)>, Vec<FieldError>) {
    let mut shares = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in fields {
        let Some(member) = key
            .strip_prefix("share-")
            .and_then(|m| m.parse::<i64>().ok())
        else {
            continue;
        };
        if value.trim().is_empty() {
            shares.push((member, None));
        } else {
            match crate::money::parse_percent(value) {
                Ok(bp) => shares.push((member, Some(bp))),
                Err(msg) => errors.push(FieldError::new(key, msg)),
            }
        }
    }
    (shares, errors)
}

async fn cost_shares(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let (shares, reading) = typed_shares(&fields);
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::ManageMembership,
        move |w| {
            if !reading.is_empty() {
                return Err(AppError::Invalid(reading));
            }
            let members = partnerships::members(w.conn, id)?;
            store::set_cost_shares(
                w,
                &CostShares::parse(&shares, &members).map_err(AppError::Invalid)?,
            )
        },
    )
    .await;
    submitted(result, back(id), |errors| async move {
        render(
            &state,
            ctx,
            id,
            Shown {
                errors,
                ..Default::default()
            },
        )
        .await
    })
    .await
}

#[derive(Deserialize)]
struct RespondForm {
    #[serde(default)]
    answer: String,
}

async fn respond(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<RespondForm>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    let accept = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::RespondToInvitation,
        move |w| {
            let accept = match form.answer.as_str() {
                "accept" => true,
                "decline" => false,
                _ => return Err(AppError::BadRequest("Choose accept or decline.".into())),
            };
            store::respond(w, accept)?;
            Ok(accept)
        },
    )
    .await?;
    // After declining a partners-only partnership there is nothing left to see.
    let to = if accept {
        format!("/partnerships/{id}")
    } else {
        "/partnerships".to_string()
    };
    Ok(Redirect::to(&to).into_response())
}

async fn calculate(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<CalculatorForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let amount = crate::money::parse_pounds(&form.amount)
        .map_err(|m| errors.push(FieldError::new("amount", m)))
        .ok();
    let method = Method::parse(&form.method);
    if method.is_none() {
        errors.push(FieldError::new("method", "Select how to split the cost"));
    }
    let user = ctx.user.clone();
    // Anyone who may see the partnership may use the calculator (nothing is saved),
    // but the page only offers it to people who are signed in.
    let calculation = Partnership::view(&state.db, user.as_ref(), id, move |w| {
        w.user()?;
        match (amount, method) {
            (Some(amount), Some(method)) => {
                let members = partnerships::members(w.conn, id)?;
                Ok(calculator::calculate_split(&members, amount, method).map_err(|e| vec![e]))
            }
            _ => Ok(Err(vec![])),
        }
    })
    .await?;
    let (calculator, more) = match calculation {
        Ok(c) => (Some(c), vec![]),
        Err(e) => (None, e),
    };
    errors.extend(more);
    let shown = Shown {
        errors,
        calculator,
        calculator_form: form,
        invite: None,
    };
    render(&state, ctx, id, shown).await
}
