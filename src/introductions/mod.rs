//! Brokered introductions: a broker organisation (a regional body, the LGA)
//! proposes that two or more organisations work together, with a note and
//! perhaps a need; each party accepts or declines for itself; an
//! introduction everyone accepted becomes a partnership or a need with
//! partners. Only the broker and the parties see an introduction. A broker
//! is an organisation a platform administrator marked as one.

pub mod access;
pub mod api;
pub mod dashboard;
pub mod http;
pub mod model;
pub mod store;

use crate::db::DbConn;
use crate::error::AppResult;
use crate::notifications::subjects::{nobody, nothing, Shown};
use crate::notifications::SubjectKind;
use crate::policy::{allows, Actor};
use crate::slice::Slice;
use crate::work::Scoped;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::create, api::get_one, api::respond, api::convert,
        api::broker_dashboard, api::list_brokers, api::grant, api::revoke),
    components(schemas(model::IntroductionStatus, model::PartyStatus, model::IntroductionAnswer,
        model::ConversionKind, model::IntroductionView, model::IntroductionParty,
        model::IntroducedNeed, model::IntroductionDraft, model::ResponseDraft,
        model::ConversionDraft, store::Broker, store::Conversion,
        dashboard::BrokerDashboard, dashboard::IntroductionCounts, dashboard::IntroductionMonth)),
    tags((name = "introductions", description = "Brokers and the introductions they propose between organisations"))
)]
struct ApiDoc;

/// Introductions as things people are told about. Who hears what is said
/// where it happens (the parties of a proposal, the broker of each answer),
/// so nobody watches one by belonging.
pub const SUBJECT: SubjectKind = SubjectKind {
    name: model::Introduction::KIND,
    shown_to,
    members: nobody,
    related: nothing,
};

fn shown_to(conn: &mut DbConn, id: i64, viewer: Option<&Actor>) -> AppResult<Option<Shown>> {
    let Some((intro, rel)) = model::Introduction::load(conn, id, viewer)? else {
        return Ok(None);
    };
    if !allows(viewer, model::Introduction::view_action(rel)) {
        return Ok(None);
    }
    let view = store::view(conn, &intro, viewer)?;
    Ok(Some(Shown {
        title: format!("Introduction of {}", view.party_names()),
        link: format!("/introductions/{id}"),
    }))
}
