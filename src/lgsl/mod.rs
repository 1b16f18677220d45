//! The Local Government Service List (LGSL): functions, services, and which
//! councils deliver each service (by tier, from GOV.UK's local services list).

pub mod api;
pub mod http;
pub mod import;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::get_one), tags((name = "services", description = "The Local Government Service List")))]
struct ApiDoc;

/// Services can be watched: their watchers hear of changes to partnerships
/// that deliver them (each checked against what the watcher may see).
pub const SUBJECT: crate::notifications::SubjectKind = crate::notifications::SubjectKind {
    name: "service",
    shown_to,
    members: crate::notifications::subjects::nobody,
    related: crate::notifications::subjects::nothing,
};

fn shown_to(
    conn: &mut crate::db::DbConn,
    id: i64,
    _viewer: Option<&crate::policy::Actor>,
) -> crate::error::AppResult<Option<crate::notifications::subjects::Shown>> {
    use crate::db::schema::lgsl_services as s;
    use diesel::prelude::*;
    // The service list is public.
    let label: Option<String> = s::table.find(id).select(s::label).first(conn).optional()?;
    Ok(label.map(|title| crate::notifications::subjects::Shown {
        title,
        link: format!("/services/{id}"),
    }))
}
