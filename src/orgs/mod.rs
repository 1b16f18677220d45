//! Organisations: every UK council from the mySociety register, plus the
//! police, fire, NHS, voluntary and private partners admins add.

pub mod api;
pub mod counts;
pub mod http;
pub mod import;
pub mod model;
pub mod store;

use crate::slice::Slice;

pub const SLICE: Slice = Slice::of::<ApiDoc>(http::routes, api::routes);

#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::get_one, api::services, api::matches, api::create), tags((name = "organisations", description = "Councils and partner organisations")))]
struct ApiDoc;

/// Organisations can be watched: their watchers hear of changes to the
/// partnerships they belong to (each checked against what the watcher may see).
pub const SUBJECT: crate::notifications::SubjectKind = crate::notifications::SubjectKind {
    name: "organisation",
    shown_to,
    members: crate::notifications::subjects::nobody,
    related: crate::notifications::subjects::nothing,
};

fn shown_to(
    conn: &mut crate::db::DbConn,
    id: i64,
    _viewer: Option<&crate::policy::Actor>,
) -> crate::error::AppResult<Option<crate::notifications::subjects::Shown>> {
    use crate::db::schema::organisations as o;
    use diesel::prelude::*;
    // The directory is public.
    let row: Option<(String, String)> = o::table
        .find(id)
        .select((o::code, o::name))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(code, name)| crate::notifications::subjects::Shown {
            title: name,
            link: format!("/organisations/{code}"),
        }),
    )
}
