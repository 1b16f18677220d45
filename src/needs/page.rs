//! A need's page: the need, its interest, updates and funding, and others
//! with the same need; redrawn with errors when a form on it is refused.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::model::*;
use super::store;
use crate::error::{AppResult, FieldError};
use crate::policy::{allows, Action};
use crate::state::AppState;
use crate::web::record::Visit;
use crate::web::{page, FormErrors, PageCtx};
use crate::work::Scoped;

pub fn routes() -> Router<AppState> {
    Router::new().route("/needs/{id}", get(show))
}

#[derive(Template)]
#[template(path = "needs/show.html")]
struct ShowPage {
    ctx: PageCtx,
    view: NeedView,
    can_edit: bool,
    watch: Option<crate::notifications::watches::WatchButton>,
    matches: Vec<super::matches::NeedMatch>,
    /// What the caller may do and see of interest, updates and funding.
    i: super::interest::section::Section,
    errors: FormErrors,
    notice: Option<&'static str>,
}

/// What the need page shows besides the need: a banner after an action,
/// the split method chosen, and forms redrawn with their errors.
#[derive(Default)]
pub struct Shown {
    pub notice: Option<String>,
    pub method: Option<String>,
    pub errors: Vec<FieldError>,
    pub forms: super::interest::section::Forms,
}

/// After each action on the need page, the banner says what happened.
fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "interest" => "Your organisation's interest is recorded. The need's owner has been told.",
        "withdrawn" => "Your organisation's interest is withdrawn.",
        "accepted" => "Interest accepted. Their people have been told.",
        "declined" => "Interest declined. Their people have been told.",
        "update" => "Update posted to everyone following the need.",
        "funding" => "Funding target saved.",
        "converted" => "Partnership started. The partners have been invited.",
        "still-active" => "Thank you: the need stays listed as active.",
        "closed" => "The need is closed. It no longer appears in the pipeline.",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowQuery {
    notice: Option<String>,
    method: Option<String>,
}

async fn show(visit: Visit<Need>, Query(q): Query<ShowQuery>) -> AppResult<Response> {
    let shown = Shown {
        notice: q.notice,
        method: q.method,
        ..Default::default()
    };
    show_with(visit, shown).await
}

/// Draws the need's page; with errors, as a 422 after a refused form.
pub async fn show_with(visit: Visit<Need>, shown: Shown) -> AppResult<Response> {
    visit
        .page(Need::view_action, move |w, ctx| {
            let view = store::view(w.conn, &w.record)?;
            let actor = w.person().map(|u| u.actor());
            let subject = crate::notifications::Subject::new("need", w.record.id);
            let back = format!("/needs/{}", w.record.id);
            let watch = crate::notifications::watches::button(
                w.conn,
                w.person().map(|u| u.id),
                &subject,
                &w.record.title,
                &back,
            )?;
            let matches = super::matches::for_need(w.conn, &w.record, actor.as_ref(), 5)?;
            let i = super::interest::section::Section::of(w, shown.method.as_deref(), shown.forms)?;
            let invalid = !shown.errors.is_empty();
            page(
                ShowPage {
                    can_edit: allows(actor.as_ref(), Action::EditNeed(w.rel)),
                    ctx: ctx.with_nav("needs"),
                    view,
                    watch,
                    matches,
                    i,
                    errors: FormErrors(shown.errors),
                    notice: notice(shown.notice.as_deref()),
                },
                invalid,
            )
        })
        .await
}
