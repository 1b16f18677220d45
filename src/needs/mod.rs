//! Needs and projects: what an organisation needs or is building, listed so
//! that others with the same need — often not the neighbours — can find it
//! and join in. A need belongs to one organisation, whose people change it;
//! who else sees it is its visibility (the organisation, everyone signed in,
//! or the public). `matching` ranks organisations and needs that resemble
//! one another and says why.

pub mod access;
pub mod active;
pub mod api;
pub mod demo;
pub mod http;
pub mod import;
pub mod interest;
pub mod matches;
pub mod matching;
pub mod model;
pub mod page;
pub mod pipeline;
pub mod places;
pub mod search;
pub mod store;
pub mod upload;

use diesel::prelude::*;

use crate::db::schema::{need_services, needs};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::notifications::subjects::{Shown, Subject};
use crate::notifications::SubjectKind;
use crate::policy::{allows, Actor};
use crate::slice::Slice;
use crate::work::Scoped;

pub const SLICE: Slice = Slice::of::<ApiDoc>(pages, api_routes);

fn pages() -> axum::Router<crate::state::AppState> {
    http::routes()
        .merge(page::routes())
        .merge(interest::http::routes())
        .merge(pipeline::routes())
        .merge(active::routes())
        .merge(upload::routes())
}

fn api_routes() -> axum::Router<crate::state::AppState> {
    api::routes()
        .merge(interest::api::routes())
        .merge(active::api_routes())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::clusters, active::api_answer, api::create, api::get_one, api::update, api::matches,
        interest::api::list_interest, interest::api::express, interest::api::change_interest,
        interest::api::list_updates, interest::api::post_update, interest::api::get_funding,
        interest::api::set_funding, interest::api::split, interest::api::convert_need),
    components(schemas(model::Phase, model::Collaboration, model::BudgetBand, model::NeedVisibility, model::NeedStatus,
        model::NeedDraft, model::NeedView, model::ServiceRef, store::NeedSummary, search::Clusters, active::StillActive, search::RegionCount, search::ServiceCount,
        matches::NeedMatch, matches::NeedRef, matches::MatchReason,
        interest::model::InterestKind, interest::model::InterestStatus, interest::model::InterestView,
        interest::model::InterestDraft, interest::model::InterestChange, interest::model::UpdateView,
        interest::model::UpdateDraft, interest::model::FundingDraft, interest::funding::FundingView,
        interest::funding::SplitView, interest::funding::SplitRow, interest::convert::Converted,
        crate::partnerships::members::calculator::Method)),
    tags((name = "needs", description = "Needs and projects: what organisations need or are building, for partners to find"))
)]
struct ApiDoc;

/// Needs can be watched: their organisation's people watch them by belonging.
pub const SUBJECT: SubjectKind = SubjectKind {
    name: model::Need::KIND,
    shown_to,
    members,
    related,
};

fn shown_to(conn: &mut DbConn, id: i64, viewer: Option<&Actor>) -> AppResult<Option<Shown>> {
    let Some((need, rel)) = model::Need::load(conn, id, viewer)? else {
        return Ok(None);
    };
    Ok(
        allows(viewer, model::Need::view_action(rel)).then(|| Shown {
            title: need.title,
            link: format!("/needs/{id}"),
        }),
    )
}

fn members(conn: &mut DbConn, id: i64) -> AppResult<Vec<i64>> {
    let org: i64 = needs::table
        .find(id)
        .select(needs::organisation_id)
        .first(conn)?;
    crate::partnerships::notify::people_of(conn, &[org])
}

fn related(conn: &mut DbConn, id: i64) -> AppResult<Vec<Subject>> {
    let org: i64 = needs::table
        .find(id)
        .select(needs::organisation_id)
        .first(conn)?;
    let services: Vec<i64> = need_services::table
        .filter(need_services::need_id.eq(id))
        .select(need_services::service_id)
        .load(conn)?;
    Ok(std::iter::once(Subject::new("organisation", org))
        .chain(services.into_iter().map(|s| Subject::new("service", s)))
        .collect())
}
