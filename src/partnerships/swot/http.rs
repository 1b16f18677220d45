//! The SWOT page: the four quadrants with their add forms and vote buttons,
//! and the summary of every item by votes.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::store::{self, SwotInput, SwotItem};
use super::Quadrant;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::header::Header;
use crate::partnerships::legacy::load;
use crate::partnerships::model::Partnership;
use crate::policy::{Action, Relation};
use crate::state::AppState;
use crate::web::{html, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/swot", get(page).post(add))
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
struct SwotPage {
    ctx: PageCtx,
    h: Header,
    errors: FormErrors,
    /// The quadrants two to a row: strengths and weaknesses, then opportunities and threats.
    rows: Vec<Vec<Block>>,
    /// Every item, most votes first.
    summary: Vec<SwotItem>,
}

impl SwotItem {
    fn votes_label(&self) -> String {
        if self.votes == 1 {
            "1 vote".into()
        } else {
            format!("{} votes", self.votes)
        }
    }

    /// The start of the text, to tell screen reader users which item a button is for.
    fn short(&self) -> String {
        const MAX: usize = 60;
        if self.text.chars().count() <= MAX {
            self.text.clone()
        } else {
            format!(
                "{}…",
                self.text.chars().take(MAX).collect::<String>().trim_end()
            )
        }
    }
}

fn field_for(q: Quadrant) -> String {
    format!("text-{}", q.code())
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    p: Partnership,
    rel: Relation,
    errors: FormErrors,
    draft: Option<(Quadrant, String)>,
) -> AppResult<Response> {
    let (pid, actor) = (p.id, ctx.user.as_ref().map(|u| u.actor()));
    let summary = state
        .db
        .read(move |c| store::board(c, pid, actor.as_ref(), rel))
        .await?;
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
                draft: draft
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
    let h = crate::partnerships::legacy::header(p, rel, "swot", ctx.user.as_ref());
    Ok((
        status,
        html(SwotPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            errors,
            rows,
            summary,
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
    Form(form): Form<SwotInput>,
) -> AppResult<Response> {
    let (p, rel) = load(&state, Some(&user), id, Action::EditPartnership).await?;
    // The quadrant is a hidden field: only a tampered form gets this wrong.
    let Some(q) = Quadrant::parse(&form.quadrant) else {
        return Err(AppError::BadRequest(
            "Choose a quadrant: strengths, weaknesses, opportunities or threats.".into(),
        ));
    };
    let f = form.clone();
    match state.db.write(move |c| store::add(c, id, &f, &user)).await {
        Ok(_) => Ok(Redirect::to(&format!("/partnerships/{id}/swot#{}", q.code())).into_response()),
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|e| {
                    if e.field == "text" {
                        FieldError {
                            field: field_for(q),
                            ..e
                        }
                    } else {
                        e
                    }
                })
                .collect();
            render(
                &state,
                ctx,
                p,
                rel,
                FormErrors(errors),
                Some((q, form.text)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn vote(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<Response> {
    load(&state, Some(&user), id, Action::EditPartnership).await?;
    state
        .db
        .write(move |c| store::vote(c, id, item, &user))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/swot#item-{item}")).into_response())
}

async fn unvote(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<Response> {
    load(&state, Some(&user), id, Action::EditPartnership).await?;
    state
        .db
        .write(move |c| store::unvote(c, id, item, &user))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/swot#item-{item}")).into_response())
}

async fn delete(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let actor = user.actor();
    // Who may delete depends on the organisation's role, so read it in the same transaction.
    let q = state
        .db
        .write(move |c| {
            let (_, rel) = crate::partnerships::legacy::load_for(
                c,
                id,
                Some(&actor),
                Action::EditPartnership,
            )?;
            store::delete(c, id, item, &user, rel)
        })
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/swot#{}", q.code())).into_response())
}
