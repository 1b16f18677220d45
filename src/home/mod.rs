//! The home page and "About the data".

use askama::Template;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use diesel::prelude::*;

use crate::db::schema::{lgsl_services, organisations};
use crate::error::AppResult;
use crate::money::thousands;
use crate::slice::{no_openapi, no_routes, Slice};
use crate::state::AppState;
use crate::web::{html, PageCtx};

pub const SLICE: Slice = Slice {
    pages: routes,
    api: no_routes,
    openapi: no_openapi,
};

fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/about/data", get(about_data))
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    ctx: PageCtx,
    councils: String,
    services: String,
    /// The signed-in person's newest unread notifications.
    unread: Vec<crate::notifications::store::Notification>,
    /// Introductions waiting for the person's organisation's answer.
    introductions_to_answer: i64,
}

async fn home(State(state): State<AppState>, ctx: PageCtx) -> AppResult<impl IntoResponse> {
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let org_id = ctx.user.as_ref().map(|u| u.organisation_id);
    let (councils, services, unread, introductions_to_answer) = state
        .db
        .read(move |c| {
            let councils: i64 = organisations::table
                .filter(organisations::is_current.eq(true))
                .filter(organisations::tier.is_not_null())
                .count()
                .get_result(c)?;
            let services: i64 = lgsl_services::table.count().get_result(c)?;
            let unread = match user_id {
                Some(user) => crate::notifications::store::list(c, user, true, 0, 5)?.0,
                None => Vec::new(),
            };
            let introductions = match org_id {
                Some(org) => crate::introductions::store::waiting_for(c, org)?,
                None => 0,
            };
            Ok((councils, services, unread, introductions))
        })
        .await?;
    html(HomePage {
        ctx: ctx.with_nav("home"),
        councils: thousands(councils),
        services: thousands(services),
        unread,
        introductions_to_answer,
    })
}

#[derive(Template)]
#[template(path = "home/about_data.html")]
struct AboutDataPage {
    ctx: PageCtx,
}

async fn about_data(ctx: PageCtx) -> AppResult<impl IntoResponse> {
    html(AboutDataPage {
        ctx: ctx.with_nav("data"),
    })
}
