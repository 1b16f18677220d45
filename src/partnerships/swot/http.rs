//! The SWOT page: the four quadrants with their add forms and vote buttons,
//! and the summary of every item by votes.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::model::Partnership;
use crate::policy::Action;
use crate::state::AppState;
use crate::web::{html, submitted, FormErrors, PageCtx};
use crate::work::{Scoped, Work};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/swot", get(index).post(add))
        .route("/partnerships/{id}/swot/{item}/vote", post(vote))
        .route("/partnerships/{id}/swot/{item}/unvote", post(unvote))
        .route("/partnerships/{id}/swot/{item}/delete", post(delete))
}

/// One quadrant on the page, with what was typed into its form if it failed.
struct Block {
    q: Quadrant,
    items: Vec<SwotItem>,
    /// The textarea's id, unique per quadrant so error links land on the right form.
    field: String,
    draft: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "partnerships/swot/index.html")]
struct IndexPage {
    ctx: PageCtx,
    h: Header,
    errors: FormErrors,
    /// The quadrants two to a row: strengths and weaknesses, then opportunities and threats.
    rows: Vec<Vec<Block>>,
    /// Every item, most votes first.
    summary: Vec<SwotItem>,
}

/// The textarea of a quadrant's add form.
fn field_for(q: Quadrant) -> String {
    format!("text-{}", q.code())
}

/// Draws the page inside the unit of work. `sent` is the add form that was
/// refused, if any: its quadrant and what was typed. The rules name the
/// text `text`; on the page it is that quadrant's textarea.
fn draw(
    w: &mut Work<'_, Partnership>,
    ctx: PageCtx,
    errors: Vec<FieldError>,
    sent: Option<(Quadrant, String)>,
) -> AppResult<Response> {
    let viewer = Viewer::of(w.person(), w.rel);
    let summary = store::board(w.conn, w.record.id, &viewer)?;
    let errors = FormErrors(
        errors
            .into_iter()
            .map(|e| match &sent {
                Some((q, _)) if e.field == "text" => FieldError {
                    field: field_for(*q),
                    ..e
                },
                _ => e,
            })
            .collect(),
    );
    let blocks: Vec<Block> = Quadrant::ALL
        .iter()
        .map(|&q| {
            let field = field_for(q);
            Block {
                q,
                items: summary
                    .iter()
                    .filter(|i| i.quadrant == q)
                    .cloned()
                    .collect(),
                draft: sent
                    .as_ref()
                    .filter(|(d, _)| *d == q)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
                error: errors.get(&field).map(str::to_string),
                field,
            }
        })
        .collect();
    let mut rows = Vec::new();
    let mut blocks = blocks.into_iter();
    while let (Some(a), b) = (blocks.next(), blocks.next()) {
        rows.push(std::iter::once(a).chain(b).collect());
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = IndexPage {
        h: Header::of(w, "swot"),
        errors,
        rows,
        summary,
        ctx: ctx.with_nav("partnerships"),
    };
    Ok((status, html(page)?).into_response())
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: Vec<FieldError>,
    sent: Option<(Quadrant, String)>,
) -> AppResult<Response> {
    let user = ctx.user.clone();
    Partnership::view(&state.db, user.as_ref(), id, move |w| {
        draw(w, ctx, errors, sent)
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

/// The rules' answer, as the page gives it. The quadrant is a hidden field:
/// only a tampered form gets it wrong, so that is a bad request, not a field
/// error nobody could fix.
fn refused(errors: Vec<FieldError>) -> AppError {
    match errors.iter().find(|e| e.field == "quadrant") {
        Some(e) => AppError::BadRequest(format!("{}.", e.message)),
        None => AppError::Invalid(errors),
    }
}

async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<SwotDraft>,
) -> AppResult<Response> {
    let draft = form.clone();
    let user = ctx.user.clone();
    let result = Partnership::act(
        &state.db,
        user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| {
            let input = SwotInput::parse(&draft).map_err(refused)?;
            store::add(w, &input)?;
            Ok(input.quadrant)
        },
    )
    .await;
    submitted(
        result,
        |q| format!("/partnerships/{id}/swot#{}", q.code()),
        |errors| async move {
            // Only refused text comes back here, so the quadrant is one of the four.
            let sent = Quadrant::parse(&form.quadrant).map(|q| (q, form.text));
            render(&state, ctx, id, errors, sent).await
        },
    )
    .await
}

async fn vote(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let result = Partnership::act(
        &state.db,
        ctx.user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| store::vote(w, item),
    )
    .await;
    submitted(
        result,
        |_| format!("/partnerships/{id}/swot#item-{item}"),
        |errors| async move { render(&state, ctx, id, errors, None).await },
    )
    .await
}

async fn unvote(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let result = Partnership::act(
        &state.db,
        ctx.user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| store::unvote(w, item),
    )
    .await;
    submitted(
        result,
        |_| format!("/partnerships/{id}/swot#item-{item}"),
        |errors| async move { render(&state, ctx, id, errors, None).await },
    )
    .await
}

async fn delete(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<Response> {
    // Who may delete depends on the item, so the store checks it in the same work.
    let result = Partnership::act(
        &state.db,
        ctx.user.as_ref(),
        id,
        Action::EditPartnership,
        move |w| store::delete(w, item),
    )
    .await;
    submitted(
        result,
        |q| format!("/partnerships/{id}/swot#{}", q.code()),
        |errors| async move { render(&state, ctx, id, errors, None).await },
    )
    .await
}
