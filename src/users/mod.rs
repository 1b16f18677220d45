//! People: organisation members, invitations, and platform administration.

pub mod api;
pub mod http;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::invite), tags((name = "admin", description = "Platform administration")))]
struct ApiDoc;

/// Invites someone to an organisation with a role, as `by` (who must be
/// allowed to): records the invitation and queues the email in one go.
pub async fn invite(
    state: &crate::state::AppState,
    by: &crate::auth::SessionUser,
    org: crate::orgs::model::Organisation,
    email: String,
    role: crate::policy::Role,
) -> crate::error::AppResult<store::Invitation> {
    let action = crate::policy::Action::InviteMember {
        organisation_id: org.id,
        role,
    };
    crate::policy::authorize(Some(&by.actor()), action)?;
    let (inviter, actor, url) = (by.id, by.audit_actor(), state.config.public_url.clone());
    state
        .db
        .write(move |c| store::invite(c, &org, &email, role, inviter, &actor, &url))
        .await
}
