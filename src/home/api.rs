//! `GET /api/v1/home`: what needs the caller, the same items as the
//! signed-in home page.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::agenda::{self, Agenda, AgendaItem, ItemKind};
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::policy::{authorize, Action};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/home", get(home))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(home),
    components(schemas(Agenda, AgendaItem, ItemKind)),
    tags((name = "home", description = "What needs the caller: answers their organisation owes, what falls due, health checks it runs, what changed"))
)]
pub struct Doc;

/// What needs the caller.
///
/// Invitations, introductions and interest their
/// organisation must answer, needs asking "still active?", reviews,
/// actions, objectives and agreements due, open health-check rounds their
/// organisation leads, and their organisation's partnerships changed in
/// the last 14 days. Only records the caller may see.
#[utoipa::path(get, path = "/api/v1/home", tag = "home",
    responses((status = 200, body = Agenda)), security(("bearer" = [])))]
pub async fn home(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<Agenda>> {
    let user = caller.require()?.clone();
    let actor = user.actor();
    authorize(Some(&actor), Action::ManageOwnAccount)?;
    let agenda = state
        .db
        .read(move |c| agenda::load(c, &actor, agenda::today()))
        .await?;
    Ok(Json(agenda))
}
