//! The home page and "About the data". Signed out, the home page says what
//! Concord is; signed in, it says what needs the person ([`agenda`]), and
//! `GET /api/v1/home` gives the same items as JSON.

pub mod agenda;
pub mod api;

use askama::Template;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use diesel::prelude::*;

use crate::db::schema::lgsl_services;
use crate::error::AppResult;
use crate::money::thousands;
use crate::orgs::counts::OrgCounts;
use crate::slice::Slice;
use crate::state::AppState;
use crate::web::{html, PageCtx};

pub const SLICE: Slice = Slice::of::<api::Doc>(routes, api::routes);

fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/about/data", get(about_data))
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    ctx: PageCtx,
    counts: OrgCounts,
    services: String,
    /// The signed-in person's newest unread notifications.
    unread: Vec<crate::notifications::store::Notification>,
    /// What needs the signed-in person; empty when signed out.
    agenda: agenda::Agenda,
}

impl HomePage {
    /// "2 introductions wait for your organisation's answer", or nothing.
    fn introductions_waiting(&self) -> String {
        let n = self
            .agenda
            .to_answer
            .iter()
            .filter(|i| i.kind == agenda::ItemKind::Introduction)
            .count();
        match n {
            0 => String::new(),
            1 => "1 introduction waits for your organisation's answer".into(),
            n => format!("{n} introductions wait for your organisation's answer"),
        }
    }
}

async fn home(State(state): State<AppState>, ctx: PageCtx) -> AppResult<impl IntoResponse> {
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let actor = ctx.user.as_ref().map(|u| u.actor());
    let (counts, services, unread, agenda) = state
        .db
        .read(move |c| {
            let counts = crate::orgs::counts::counts(c)?;
            let services: i64 = lgsl_services::table.count().get_result(c)?;
            let unread = match user_id {
                Some(user) => crate::notifications::store::list(c, user, true, 0, 5)?.0,
                None => Vec::new(),
            };
            let agenda = match &actor {
                Some(actor) => agenda::load(c, actor, agenda::today())?,
                None => agenda::Agenda::default(),
            };
            Ok((counts, services, unread, agenda))
        })
        .await?;
    html(HomePage {
        ctx: ctx.with_nav("home"),
        counts,
        services: thousands(services),
        unread,
        agenda,
    })
}

#[derive(Template)]
#[template(path = "home/about_data.html")]
struct AboutDataPage {
    ctx: PageCtx,
    counts: OrgCounts,
}

async fn about_data(State(state): State<AppState>, ctx: PageCtx) -> AppResult<impl IntoResponse> {
    let counts = state.db.read(crate::orgs::counts::counts).await?;
    html(AboutDataPage {
        ctx: ctx.with_nav("data"),
        counts,
    })
}
