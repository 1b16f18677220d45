//! Needs in the database: listing one, changing one (inside the unit of
//! work); the national pipeline's query is `search.rs`.

use diesel::prelude::*;

use super::model::*;
use crate::audit::{self, Actor as AuditActor, Change};
use crate::db::schema::{
    lgsl_services, need_collaborations, need_services, need_tags, needs, organisations,
};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::work::Work;

fn set_lists(conn: &mut DbConn, id: i64, input: &NeedInput) -> AppResult<()> {
    crate::lgsl::store::check_exist(conn, &input.services)?;
    diesel::delete(need_services::table.filter(need_services::need_id.eq(id))).execute(conn)?;
    diesel::delete(need_collaborations::table.filter(need_collaborations::need_id.eq(id)))
        .execute(conn)?;
    diesel::delete(need_tags::table.filter(need_tags::need_id.eq(id))).execute(conn)?;
    for s in &input.services {
        diesel::insert_into(need_services::table)
            .values((
                need_services::need_id.eq(id),
                need_services::service_id.eq(s),
            ))
            .execute(conn)?;
    }
    for c in &input.collaboration {
        diesel::insert_into(need_collaborations::table)
            .values((
                need_collaborations::need_id.eq(id),
                need_collaborations::collaboration.eq(c),
            ))
            .execute(conn)?;
    }
    for t in &input.tags {
        diesel::insert_into(need_tags::table)
            .values((need_tags::need_id.eq(id), need_tags::tag.eq(t)))
            .execute(conn)?;
    }
    Ok(())
}

/// Lists a need for an organisation, in the caller's transaction.
pub fn create(
    conn: &mut DbConn,
    input: &NeedInput,
    organisation_id: i64,
    created_by: Option<i64>,
    actor: &AuditActor,
) -> AppResult<Need> {
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(needs::table)
        .values((
            needs::organisation_id.eq(organisation_id),
            needs::title.eq(&input.title),
            needs::problem.eq(&input.problem),
            needs::users_affected.eq(&input.users_affected),
            needs::why_now.eq(&input.why_now),
            needs::phase.eq(input.phase),
            needs::budget_band.eq(input.budget_band),
            needs::start_date.eq(input.start_date),
            needs::end_date.eq(input.end_date),
            needs::technologies.eq(&input.technologies),
            needs::visibility.eq(input.visibility),
            needs::status.eq(NeedStatus::Open),
            needs::created_by.eq(created_by),
            needs::created_at.eq(now),
            needs::updated_at.eq(now),
        ))
        .returning(needs::id)
        .get_result(conn)?;
    set_lists(conn, id, input)?;
    super::matches::index(conn, id)?;
    audit::record(
        conn,
        actor,
        Change::new("need.create", "need", id)
            .scoped("need", id)
            .in_organisation(organisation_id)
            .after(input),
    )?;
    let need: Need = needs::table
        .find(id)
        .select(Need::as_select())
        .first(conn)?;
    // Owners of needs like this one hear of it, in this transaction.
    super::matches::tell_owners(conn, &need)?;
    Ok(need)
}

/// Changes a need's details, inside the unit of work.
pub fn update(w: &mut Work<'_, Need>, input: &NeedInput) -> AppResult<Need> {
    let id = w.record.id;
    let before = view(w.conn, &w.record)?.draft();
    diesel::update(needs::table.find(id))
        .set((
            needs::title.eq(&input.title),
            needs::problem.eq(&input.problem),
            needs::users_affected.eq(&input.users_affected),
            needs::why_now.eq(&input.why_now),
            needs::phase.eq(input.phase),
            needs::budget_band.eq(input.budget_band),
            needs::start_date.eq(input.start_date),
            needs::end_date.eq(input.end_date),
            needs::technologies.eq(&input.technologies),
            needs::visibility.eq(input.visibility),
            // Its owner has just kept it up to date.
            needs::asked_active_at.eq(None::<crate::time::Timestamp>),
        ))
        .execute(w.conn)?;
    set_lists(w.conn, id, input)?;
    super::matches::index(w.conn, id)?;
    w.audit(
        "need.update",
        audit::to_json(&before),
        audit::to_json(input),
    )?;
    w.reload()?;
    Ok(w.record.clone())
}

/// A need with its organisation, services, collaboration and tags.
pub fn view(conn: &mut DbConn, need: &Need) -> AppResult<NeedView> {
    let organisation = organisations::table
        .find(need.organisation_id)
        .select((
            organisations::code,
            organisations::name,
            organisations::short_name,
        ))
        .first::<(String, String, String)>(conn)
        .map(|(code, name, short_name)| crate::orgs::model::OrgRef {
            code,
            name,
            short_name,
        })?;
    let services: Vec<ServiceRef> = need_services::table
        .inner_join(lgsl_services::table)
        .filter(need_services::need_id.eq(need.id))
        .order(lgsl_services::label)
        .select((lgsl_services::id, lgsl_services::label))
        .load(conn)?;
    let collaboration: Vec<Collaboration> = need_collaborations::table
        .filter(need_collaborations::need_id.eq(need.id))
        .select(need_collaborations::collaboration)
        .load(conn)?;
    let mut collaboration = collaboration;
    collaboration.sort();
    let tags: Vec<String> = need_tags::table
        .filter(need_tags::need_id.eq(need.id))
        .order(need_tags::tag)
        .select(need_tags::tag)
        .load(conn)?;
    Ok(NeedView {
        need: need.clone(),
        organisation,
        collaboration,
        services,
        tags,
    })
}

pub use super::search::{list, NeedFilter, NeedSummary};
