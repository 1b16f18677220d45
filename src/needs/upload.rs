//! The needs import page: the same import as `concord import needs`, for an
//! organisation's admins (their own organisation's needs) and platform
//! admins, each line checked through the policy as the person importing.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::import::{self, Importer};
use crate::auth::{SessionUser, SignedIn};
use crate::error::{AppError, AppResult};
use crate::imports::ImportReport;
use crate::policy::{authorize, Action};
use crate::state::AppState;
use crate::web::{page, FormErrors, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/needs/import", get(form).post(upload))
}

#[derive(Template)]
#[template(path = "needs/import.html")]
struct ImportPage {
    ctx: PageCtx,
    errors: FormErrors,
    report: Option<ImportReport>,
    columns: &'static [&'static str],
}

/// Whether `user` may import at all: for their own organisation at least.
pub fn may_import(user: &SessionUser) -> bool {
    crate::policy::allows(Some(&user.actor()), own(user))
}

fn own(user: &SessionUser) -> Action {
    Action::ImportNeeds {
        organisation_id: user.organisation_id,
    }
}

fn draw(ctx: PageCtx, errors: FormErrors, report: Option<ImportReport>) -> AppResult<Response> {
    let invalid = !errors.is_empty();
    page(
        ImportPage {
            ctx: ctx.with_nav("needs"),
            errors,
            report,
            columns: import::COLUMNS,
        },
        invalid,
    )
}

async fn form(ctx: PageCtx, SignedIn(user): SignedIn) -> AppResult<Response> {
    authorize(Some(&user.actor()), own(&user))?;
    draw(ctx, FormErrors::default(), None)
}

async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(user): SignedIn,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    authorize(Some(&user.actor()), own(&user))?;
    let mut errors = FormErrors::default();
    let mut report = None;
    match crate::web::csv::uploaded(multipart).await? {
        Err(e) => errors = FormErrors(vec![e]),
        Ok(text) => {
            let actor = user.audit_actor();
            let importer = Importer::Person(user.clone());
            let db = state.db.clone();
            let result = tokio::task::spawn_blocking(move || {
                db.write_blocking_as(|c| import::import(c, &text, &importer, &actor))
            })
            .await
            .map_err(AppError::internal)?;
            match result {
                Ok(r) => report = Some(r),
                Err(e) => errors.push("file", crate::text::sentence(&e.to_string())),
            }
        }
    }
    draw(ctx, errors, report)
}
