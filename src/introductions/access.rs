//! How an introduction is loaded for the unit of work, and the SQL twin of
//! its visibility rule for lists and the audit trail. The broker relates to
//! it as its lead, each party as a partner; nobody else sees it (the
//! platform's admins included: introductions are the broker's and the
//! parties' business).

use diesel::prelude::*;

use super::model::Introduction;
use crate::db::schema::{introduction_parties, introductions};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::policy::{Action, Actor, MemberRole, Relation, Visibility};
use crate::work::Scoped;

impl Scoped for Introduction {
    const KIND: &'static str = "introduction";

    fn id(&self) -> i64 {
        self.id
    }

    fn load(
        conn: &mut DbConn,
        id: i64,
        actor: Option<&Actor>,
    ) -> AppResult<Option<(Introduction, Relation)>> {
        let Some(intro) = introductions::table
            .find(id)
            .select(Introduction::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let mut rel = Relation::outsider(Visibility::Partners);
        if let Some(actor) = actor {
            if actor.organisation_id == intro.broker_organisation_id {
                rel.role = Some(MemberRole::Lead);
            } else if is_party(conn, id, actor.organisation_id)? {
                rel.role = Some(MemberRole::Partner);
            }
        }
        Ok(Some((intro, rel)))
    }

    fn view_action(rel: Relation) -> Action {
        view(rel)
    }

    fn organisations(&self, conn: &mut DbConn) -> AppResult<Vec<i64>> {
        let mut all = vec![self.broker_organisation_id];
        all.extend(party_ids(conn, self.id)?);
        Ok(all)
    }

    fn trail_organisation(&self) -> Option<i64> {
        Some(self.broker_organisation_id)
    }

    fn touched(&self, conn: &mut DbConn) -> AppResult<()> {
        diesel::update(introductions::table.find(self.id))
            .set(introductions::updated_at.eq(crate::db::now()))
            .execute(conn)?;
        Ok(())
    }
}

/// The caller's organisation proposed it.
pub fn is_broker_rel(rel: Relation) -> bool {
    rel.role == Some(MemberRole::Lead)
}

/// The caller's organisation is one of those introduced.
pub fn is_party_rel(rel: Relation) -> bool {
    rel.role == Some(MemberRole::Partner)
}

pub fn view(rel: Relation) -> Action {
    Action::ViewIntroduction {
        broker: is_broker_rel(rel),
        party: is_party_rel(rel),
    }
}

pub fn respond(rel: Relation) -> Action {
    Action::RespondToIntroduction {
        party: is_party_rel(rel),
    }
}

pub fn convert(rel: Relation) -> Action {
    Action::ConvertIntroduction {
        broker: is_broker_rel(rel),
        party: is_party_rel(rel),
    }
}

fn is_party(conn: &mut DbConn, id: i64, organisation_id: i64) -> AppResult<bool> {
    Ok(introduction_parties::table
        .find((id, organisation_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn party_ids(conn: &mut DbConn, id: i64) -> AppResult<Vec<i64>> {
    Ok(introduction_parties::table
        .filter(introduction_parties::introduction_id.eq(id))
        .order(introduction_parties::organisation_id)
        .select(introduction_parties::organisation_id)
        .load(conn)?)
}

/// SQL twin of `ViewIntroduction`, for lists: the actor's organisation is
/// the broker or a party. A test checks it agrees with the policy.
macro_rules! introduction_visible_to {
    ($actor:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::{introduction_parties as ip_, introductions as i_};
        let actor: Option<&$crate::policy::Actor> = $actor;
        let org = actor.map(|a| a.organisation_id).unwrap_or(-1);
        i_::broker_organisation_id.eq(org).or(i_::id.eq_any(
            ip_::table
                .filter(ip_::organisation_id.eq(org))
                .select(ip_::introduction_id),
        ))
    }};
}

pub(crate) use introduction_visible_to;

/// Audit entries the actor may read, as far as introductions go: those
/// about no introduction, and those of introductions the actor may see.
pub fn audit_readable_by(actor: Option<&Actor>) -> crate::audit::Readable {
    use crate::db::schema::audit_log;
    let visible = introductions::table
        .filter(introduction_visible_to!(actor))
        .select(introductions::id.nullable());
    Box::new(
        audit_log::scope_type
            .is_null()
            .nullable()
            .or(audit_log::scope_type.ne("introduction"))
            .or(audit_log::scope_id.eq_any(visible)),
    )
}
