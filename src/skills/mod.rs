//! Collaboration skills self-assessment: any signed-in person answers a
//! short questionnaire on collaboration competencies and sees their own
//! profile with suggestions for their lowest areas (each taking kept, dated).
//! Their organisation's admins see only means per competency, and only once
//! at least five of its people have taken it; never one person's answers.

pub mod api;
pub mod http;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::get_own, api::put_own, api::get_organisation),
    components(schemas(
        model::Competency,
        model::SkillsDraft,
        model::CompetencyScore,
        store::SkillsProfile,
        store::SkillsSuggestion,
        store::OwnSkills,
        store::OrgSkills
    )),
    tags((name = "skills", description = "Collaboration skills self-assessment: one's own results, and an organisation's aggregate"))
)]
struct ApiDoc;
