//! Partnership health checks: a partnership's lead runs a round of a
//! questionnaire (factors, each with statements scored 1–5 or "don't
//! know", and free text), invites stakeholders from its member
//! organisations by email, and they answer by a link without an account.
//!
//! - `questionnaire`: Concord's own questionnaire (shipped as data by the
//!   migration) and organisations' own, in versions that never change once
//!   published; a round keeps the version it started with.
//! - `rounds`: the round as a scoped record (`HealthRound`), invitations
//!   with hashed tokens and email through the outbox, answers by token,
//!   response rates and reminders (a daily job, and the lead's button).

pub mod demo;
pub mod questionnaire;
pub mod report;
pub mod rounds;

use crate::slice::Slice;

pub use rounds::model::HealthRound;
pub use rounds::reminders::JOB;

pub const SLICE: Slice = Slice::of::<ApiDoc>(page_routes, api_routes);

fn page_routes() -> axum::Router<crate::state::AppState> {
    rounds::http::routes().merge(questionnaire::http::routes())
}

fn api_routes() -> axum::Router<crate::state::AppState> {
    rounds::api::routes().merge(questionnaire::api::routes())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        rounds::api::create,
        rounds::api::list,
        rounds::api::show,
        rounds::api::invite,
        rounds::api::answer,
        questionnaire::api::list,
        questionnaire::api::create,
        questionnaire::api::show,
        questionnaire::api::publish,
    ),
    components(schemas(
        rounds::model::RoundStatus,
        rounds::model::StakeholderRole,
        rounds::model::RoundDraft,
        rounds::model::RoundView,
        rounds::model::Rate,
        rounds::model::InvitationDraft,
        rounds::model::InvitationList,
        rounds::model::InvitationCreated,
        rounds::model::HealthResponseDraft,
        rounds::model::AnswerDraft,
        rounds::model::CommentDraft,
        rounds::model::ResponseSaved,
        questionnaire::model::QuestionnaireView,
        questionnaire::model::FactorView,
        questionnaire::model::StatementView,
        questionnaire::model::QuestionnaireDetail,
        questionnaire::model::VersionView,
        questionnaire::model::QuestionnaireDraft,
        questionnaire::model::VersionDraft,
        questionnaire::model::FactorDraft,
    )),
    tags((name = "health-checks", description = "Partnership health checks: questionnaires in versions, rounds, invitations and answers by link"))
)]
struct ApiDoc;
