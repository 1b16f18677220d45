//! How each kind of notification reaches a person: their own choice, else
//! their organisation's default (set by its admins), else Concord's.

use std::collections::HashMap;

use diesel::prelude::*;

use super::NotificationKind;
use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::schema::delivery_choices as dc;
use crate::db::DbConn;
use crate::error::AppResult;

crate::vocab::vocabulary!(
    /// Where a notification goes.
    Delivery {
        InApp = "in_app": "In Concord only",
        Email = "email": "By email at once",
        Digest = "digest": "In a daily email digest",
        Off = "off": "Not at all",
    }
);

/// One kind's delivery for a person, and where it comes from.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub kind: NotificationKind,
    /// What applies now.
    pub delivery: Delivery,
    /// The person's own choice, if they made one.
    pub own: Option<Delivery>,
    /// Their organisation's default, if its admins set one.
    pub organisation_default: Option<Delivery>,
}

fn stored(
    conn: &mut DbConn,
    user_id: Option<i64>,
    organisation_id: Option<i64>,
) -> AppResult<HashMap<NotificationKind, Delivery>> {
    let mut query = dc::table.select((dc::kind, dc::delivery)).into_boxed();
    query = match (user_id, organisation_id) {
        (Some(user), _) => query.filter(dc::user_id.eq(user)),
        (None, Some(org)) => query.filter(dc::organisation_id.eq(org)),
        (None, None) => return Ok(HashMap::new()),
    };
    Ok(query
        .load::<(NotificationKind, Delivery)>(conn)?
        .into_iter()
        .collect())
}

/// Every kind's delivery for a person of an organisation.
pub fn choices(conn: &mut DbConn, user_id: i64, organisation_id: i64) -> AppResult<Vec<Choice>> {
    let own = stored(conn, Some(user_id), None)?;
    let org = stored(conn, None, Some(organisation_id))?;
    Ok(NotificationKind::ALL
        .iter()
        .map(|kind| Choice {
            kind: *kind,
            delivery: own
                .get(kind)
                .or(org.get(kind))
                .copied()
                .unwrap_or(kind.default_delivery()),
            own: own.get(kind).copied(),
            organisation_default: org.get(kind).copied(),
        })
        .collect())
}

/// One kind's delivery for a person.
pub fn effective(
    conn: &mut DbConn,
    user_id: i64,
    organisation_id: i64,
    kind: NotificationKind,
) -> AppResult<Delivery> {
    let own: Option<Delivery> = dc::table
        .filter(dc::user_id.eq(user_id))
        .filter(dc::kind.eq(kind.code()))
        .select(dc::delivery)
        .first(conn)
        .optional()?;
    if let Some(own) = own {
        return Ok(own);
    }
    let org: Option<Delivery> = dc::table
        .filter(dc::organisation_id.eq(organisation_id))
        .filter(dc::kind.eq(kind.code()))
        .select(dc::delivery)
        .first(conn)
        .optional()?;
    Ok(org.unwrap_or(kind.default_delivery()))
}

/// Whose choice is being set.
#[derive(Clone, Copy, Debug)]
pub enum Chooser {
    Person(i64),
    Organisation(i64),
}

/// Sets (or with `None`, clears) one kind's choice. Returns what it was.
pub fn set(
    conn: &mut DbConn,
    who: Chooser,
    kind: NotificationKind,
    delivery: Option<Delivery>,
) -> AppResult<Option<Delivery>> {
    let mut existing = dc::table
        .select((dc::id, dc::delivery))
        .filter(dc::kind.eq(kind.code()))
        .into_boxed();
    existing = match who {
        Chooser::Person(user) => existing.filter(dc::user_id.eq(user)),
        Chooser::Organisation(org) => existing.filter(dc::organisation_id.eq(org)),
    };
    let before: Option<(i64, Delivery)> = existing.first(conn).optional()?;
    let now = crate::db::now();
    match (before, delivery) {
        (Some((id, _)), Some(d)) => {
            diesel::update(dc::table.find(id))
                .set((dc::delivery.eq(d), dc::updated_at.eq(now)))
                .execute(conn)?;
        }
        (Some((id, _)), None) => {
            diesel::delete(dc::table.find(id)).execute(conn)?;
        }
        (None, Some(d)) => {
            let (user, org) = match who {
                Chooser::Person(u) => (Some(u), None),
                Chooser::Organisation(o) => (None, Some(o)),
            };
            diesel::insert_into(dc::table)
                .values((
                    dc::user_id.eq(user),
                    dc::organisation_id.eq(org),
                    dc::kind.eq(kind.code()),
                    dc::delivery.eq(d),
                    dc::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        (None, None) => {}
    }
    Ok(before.map(|(_, d)| d))
}

/// An organisation's defaults, kind by kind (`None`: Concord's default).
pub fn organisation_defaults(
    conn: &mut DbConn,
    organisation_id: i64,
) -> AppResult<Vec<(NotificationKind, Option<Delivery>)>> {
    let org = stored(conn, None, Some(organisation_id))?;
    Ok(NotificationKind::ALL
        .iter()
        .map(|k| (*k, org.get(k).copied()))
        .collect())
}

/// Saves choices for a person or an organisation, auditing what changed.
pub fn save(
    conn: &mut DbConn,
    who: Chooser,
    by: &SessionUser,
    choices: &[(NotificationKind, Option<Delivery>)],
) -> AppResult<()> {
    let mut changed = Vec::new();
    for (kind, delivery) in choices {
        let before = set(conn, who, *kind, *delivery)?;
        if before != *delivery {
            changed.push(serde_json::json!({
                "kind": kind.code(),
                "before": before.map(|d| d.label()),
                "after": delivery.map(|d| d.label()),
            }));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let change = match who {
        Chooser::Person(user) => {
            Change::new("notifications.delivery", "user", user).in_organisation(by.organisation_id)
        }
        Chooser::Organisation(org) => {
            Change::new("notifications.organisation_defaults", "organisation", org)
                .in_organisation(org)
        }
    };
    audit::record(conn, &by.audit_actor(), change.after(changed))?;
    Ok(())
}
