//! The SWOT page: the four quadrants with their add forms and vote buttons,
//! and the summary of every item by votes. Deleting an item asks first, on
//! a page of its own.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};

use super::model::*;
use super::store;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::confirm::{self, Confirm};
use crate::partnerships::header::Header;
use crate::partnerships::model::Partnership;
use crate::partnerships::notice::{self, Done, Noted};
use crate::policy::Action;
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{page, FormErrors, PageCtx};
use crate::work::Work;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{id}/swot", get(index).post(add))
        .route("/partnerships/{id}/swot/{item}/vote", post(vote))
        .route("/partnerships/{id}/swot/{item}/unvote", post(unvote))
        .route(
            "/partnerships/{id}/swot/{item}/delete",
            get(delete_page).post(delete),
        )
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
    done: Done,
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
    let (h, invalid) = (
        Header::of(w, "swot").with_notice(w, done)?,
        !errors.is_empty(),
    );
    page(
        IndexPage {
            h,
            errors,
            rows,
            summary,
            ctx: ctx.with_nav("partnerships"),
        },
        invalid,
    )
}

async fn render(
    visit: Visit<Partnership>,
    errors: Vec<FieldError>,
    sent: Option<(Quadrant, String)>,
    done: Done,
) -> AppResult<Response> {
    visit
        .page(Action::ViewPartnership, move |w, ctx| {
            draw(w, ctx, errors, sent, done)
        })
        .await
}

async fn index(visit: Visit<Partnership>, Query(done): Query<Done>) -> AppResult<Response> {
    render(visit, vec![], None, done).await
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

async fn add(visit: Visit<Partnership>, Form(form): Form<SwotDraft>) -> AppResult<Response> {
    let draft = form.clone();
    let id = visit.id;
    let change = move |w: &mut Work<'_, Partnership>| {
        let input = SwotInput::parse(&draft).map_err(refused)?;
        store::add(w, &input)?;
        notice::noted(w, input.quadrant)
    };
    let to = move |n: Noted<Quadrant>| n.to(format!("/partnerships/{id}/swot#{}", n.value.code()));
    // Only refused text comes back here, so the quadrant is one of the four.
    let sent = Quadrant::parse(&form.quadrant).map(|q| (q, form.text));
    let again = |visit, errors| render(visit, errors, sent, Done::default());
    visit
        .submit(Action::EditPartnership, change, to, again)
        .await
}

/// Does `change` to the item named in the path, then goes back to the board
/// at the place `anchor` names from the item's id and what `change` returned.
async fn on_item<T: Send + 'static>(
    visit: Visit<Partnership>,
    change: fn(&mut Work<'_, Partnership>, i64) -> AppResult<T>,
    anchor: fn(i64, T) -> String,
) -> AppResult<Response> {
    let (id, item) = (visit.id, visit.param("item")?);
    let to = move |n: Noted<T>| {
        let done = n.done;
        notice::with_done(
            &format!("/partnerships/{id}/swot#{}", anchor(item, n.value)),
            done,
        )
    };
    let change = move |w: &mut Work<'_, Partnership>| notice::noting(w, move |w| change(w, item));
    visit.then_go(Action::EditPartnership, change, to).await
}

async fn vote(visit: Visit<Partnership>) -> AppResult<Response> {
    on_item(visit, store::vote, |item, _| format!("item-{item}")).await
}

async fn unvote(visit: Visit<Partnership>) -> AppResult<Response> {
    on_item(visit, store::unvote, |item, _| format!("item-{item}")).await
}

/// Asks before deleting an item: for those who may delete it (its
/// organisation's people and the lead); others get 403.
async fn delete_page(visit: Visit<Partnership>) -> AppResult<Response> {
    let item = visit.param("item")?;
    visit
        .page(Action::EditPartnership, move |w, ctx| {
            let viewer = Viewer::of(w.person(), w.rel);
            let i = store::item(w.conn, w.record.id, item, &viewer)?;
            if !i.can_delete {
                return Err(AppError::Forbidden);
            }
            let id = w.record.id;
            let c = Confirm {
                title: format!("Delete {}", i.quadrant.singular()),
                question: format!(
                    "Are you sure you want to delete the {} \u{201c}{}\u{201d} ({})?",
                    i.quadrant.singular(),
                    i.text,
                    i.organisation_name
                ),
                detail: "It and its votes will be taken off the board. The partnership’s history keeps a record of what it said.".into(),
                action: format!("/partnerships/{id}/swot/{}/delete", i.id),
                button: format!("Delete {}", i.quadrant.singular()),
                back: format!("/partnerships/{id}/swot#{}", i.quadrant.code()),
                back_label: "SWOT".into(),
            };
            confirm::page_of(ctx, Header::of(w, "swot"), c)
        })
        .await
}

/// Who may delete depends on the item, so the store checks it in the same work.
async fn delete(visit: Visit<Partnership>) -> AppResult<Response> {
    on_item(visit, store::delete, |_, q| q.code().to_string()).await
}
