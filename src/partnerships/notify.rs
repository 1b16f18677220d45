//! Partnerships as things people watch: who may see one (the same policy as
//! its pages), who watches it by belonging (the people of its active member
//! organisations), and whose watchers also hear of its changes (its
//! organisations' and its services').

use diesel::prelude::*;

use super::model::{MemberStatus, Partnership};
use crate::db::schema::{partnership_members as pm, partnership_services as ps, users};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::notifications::subjects::{Shown, Subject};
use crate::notifications::SubjectKind;
use crate::policy::{allows, Actor};
use crate::work::Scoped;

pub const SUBJECT: SubjectKind = SubjectKind {
    name: Partnership::KIND,
    shown_to,
    members,
    related,
};

fn shown_to(conn: &mut DbConn, id: i64, viewer: Option<&Actor>) -> AppResult<Option<Shown>> {
    let Some((p, rel)) = Partnership::load(conn, id, viewer)? else {
        return Ok(None);
    };
    Ok(
        allows(viewer, Partnership::view_action(rel)).then(|| Shown {
            title: p.name,
            link: format!("/partnerships/{id}"),
        }),
    )
}

/// The active people of the organisations in `organisations`.
pub fn people_of(conn: &mut DbConn, organisations: &[i64]) -> AppResult<Vec<i64>> {
    Ok(users::table
        .filter(users::organisation_id.eq_any(organisations))
        .filter(users::is_active.eq(true))
        .order(users::id)
        .select(users::id)
        .load(conn)?)
}

fn members(conn: &mut DbConn, id: i64) -> AppResult<Vec<i64>> {
    let orgs: Vec<i64> = pm::table
        .filter(pm::partnership_id.eq(id))
        .filter(pm::status.eq(MemberStatus::Active))
        .select(pm::organisation_id)
        .load(conn)?;
    people_of(conn, &orgs)
}

fn related(conn: &mut DbConn, id: i64) -> AppResult<Vec<Subject>> {
    let orgs: Vec<i64> = pm::table
        .filter(pm::partnership_id.eq(id))
        .filter(pm::status.eq(MemberStatus::Active))
        .select(pm::organisation_id)
        .load(conn)?;
    let services: Vec<i64> = ps::table
        .filter(ps::partnership_id.eq(id))
        .select(ps::service_id)
        .load(conn)?;
    Ok(orgs
        .into_iter()
        .map(|o| Subject::new("organisation", o))
        .chain(services.into_iter().map(|s| Subject::new("service", s)))
        .collect())
}
