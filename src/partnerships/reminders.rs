//! Reminders about partnerships' dates, run hourly as a job: reviews due in
//! 30 days or overdue, review actions and objectives due or overdue,
//! agreements up for renewal, and invitations unanswered for 14 days. Each
//! goes to the people who must act, once; while something stays overdue it
//! goes again each week, never daily. `reminders_sent` remembers what went.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::model::{MemberRole, MemberStatus, Status};
use super::notify::people_of;
use crate::db::schema::{
    agreements as ag, objectives as ob, partnership_members as pm, partnerships as p,
    reminders_sent as rs, review_actions as ra, reviews as rv, users,
};
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::notifications::store::not_yet_reminded;
use crate::notifications::{deliver, Note, NotificationKind, Subject};

pub const JOB: crate::jobs::Kind = crate::jobs::Kind {
    name: "partnerships.reminders",
    run,
    schedule: crate::jobs::Schedule::Hourly,
};

/// How far ahead each reminder looks.
pub const REVIEW_NOTICE_DAYS: i64 = 30;
pub const ACTION_NOTICE_DAYS: i64 = 7;
pub const OBJECTIVE_NOTICE_DAYS: i64 = 14;
pub const RENEWAL_NOTICE_DAYS: i64 = 60;
pub const INVITATION_WAIT_DAYS: i64 = 14;

/// Reminders written per transaction.
const BATCH: usize = 500;

fn run(db: &Db, _: &serde_json::Value) -> AppResult<()> {
    send(db, crate::db::now().date()).map(|_| ())
}

/// Who must act: the lead's people, an owner organisation's people, or an
/// invited organisation's admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    PeopleOf(i64),
    AdminsOf(i64),
}

/// One reminder to consider.
#[derive(Clone, Debug)]
struct Due {
    /// Names this reminder for this period: the same key never goes twice.
    key: String,
    kind: NotificationKind,
    partnership: i64,
    what: String,
    link: String,
    who: Who,
}

/// "overdue since", or "due on", and the key's period: one key before the
/// date, then one per week after it.
fn period(today: NaiveDate, due: NaiveDate) -> (String, String) {
    if today <= due {
        ("due".into(), format!("due on {}", long(due)))
    } else {
        let weeks = (today - due).num_days() / 7;
        (
            format!("overdue-w{weeks}"),
            format!("overdue since {}", long(due)),
        )
    }
}

fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Finds what is due on `today`, and tells whoever has not been told.
/// Returns how many people were reminded (a person counts once per thing).
pub fn send(db: &Db, today: NaiveDate) -> AppResult<usize> {
    let due = db.read_blocking(|c| due_on(c, today))?;
    // Who belongs where, once for the whole run.
    let mut people: HashMap<Who, Vec<i64>> = HashMap::new();
    let mut told = 0;
    for chunk in due.chunks(BATCH) {
        told += db.write_blocking(|c| {
            // What already went, in one query: an hour with nothing new
            // writes nothing.
            let keys: Vec<&str> = chunk.iter().map(|d| d.key.as_str()).collect();
            let sent: std::collections::HashSet<(String, i64)> = rs::table
                .filter(rs::reminder_key.eq_any(&keys))
                .select((rs::reminder_key, rs::user_id))
                .load::<(String, i64)>(c)?
                .into_iter()
                .collect();
            let mut told = 0;
            for d in chunk {
                if let std::collections::hash_map::Entry::Vacant(slot) = people.entry(d.who) {
                    slot.insert(match d.who {
                        Who::PeopleOf(org) => people_of(c, &[org])?,
                        Who::AdminsOf(org) => admins_of(c, org)?,
                    });
                }
                let unsent = people[&d.who]
                    .iter()
                    .copied()
                    .filter(|user| !sent.contains(&(d.key.clone(), *user)));
                let fresh = not_yet_reminded(c, &d.key, unsent)?;
                if fresh.is_empty() {
                    continue;
                }
                told += deliver(
                    c,
                    &fresh,
                    &Note {
                        kind: d.kind,
                        subject: Subject::new("partnership", d.partnership),
                        what: d.what.clone(),
                        link: Some(d.link.clone()),
                        audit_id: None,
                    },
                )?;
            }
            Ok(told)
        })?;
    }
    Ok(told)
}

fn admins_of(conn: &mut DbConn, org: i64) -> AppResult<Vec<i64>> {
    Ok(users::table
        .filter(users::organisation_id.eq(org))
        .filter(users::is_active.eq(true))
        .filter(users::role.eq_any(["org_admin"]))
        .select(users::id)
        .load(conn)?)
}

/// Everything that needs a reminder on `today`.
fn due_on(conn: &mut DbConn, today: NaiveDate) -> AppResult<Vec<Due>> {
    let open = [
        Status::Proposed,
        Status::Active,
        Status::UnderReview,
        Status::Exiting,
    ];
    let mut due = Vec::new();

    // The lead of each partnership that has a date coming up.
    let leads: HashMap<i64, i64> = pm::table
        .inner_join(p::table)
        .filter(pm::role.eq(MemberRole::Lead))
        .filter(pm::status.eq(MemberStatus::Active))
        .filter(p::status.eq_any(open))
        .filter(
            p::next_review_due
                .le(today + Duration::days(REVIEW_NOTICE_DAYS))
                .or(diesel::dsl::exists(
                    ag::table
                        .filter(ag::partnership_id.eq(p::id))
                        .filter(ag::renewal_due.le(today + Duration::days(RENEWAL_NOTICE_DAYS))),
                )),
        )
        .select((pm::partnership_id, pm::organisation_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();

    let reviews: Vec<(i64, NaiveDate)> = p::table
        .filter(p::status.eq_any(open))
        .filter(p::next_review_due.le(today + Duration::days(REVIEW_NOTICE_DAYS)))
        .select((p::id, p::next_review_due.assume_not_null()))
        .load(conn)?;
    for (id, date) in reviews {
        let Some(&lead) = leads.get(&id) else {
            continue;
        };
        let (when, words) = period(today, date);
        due.push(Due {
            key: format!("review:{id}:{date}:{when}"),
            kind: NotificationKind::ReviewDue,
            partnership: id,
            what: format!("review {words}"),
            link: format!("/partnerships/{id}/reviews"),
            who: Who::PeopleOf(lead),
        });
    }

    let actions: Vec<(i64, i64, String, i64, NaiveDate)> = ra::table
        .inner_join(rv::table.inner_join(p::table))
        .filter(p::status.eq_any(open))
        .filter(ra::done_on.is_null())
        .filter(ra::due_on.le(today + Duration::days(ACTION_NOTICE_DAYS)))
        .select((
            ra::id,
            p::id,
            ra::description,
            ra::owner_organisation_id,
            ra::due_on,
        ))
        .load(conn)?;
    for (id, partnership, description, owner, date) in actions {
        let (when, words) = period(today, date);
        due.push(Due {
            key: format!("action:{id}:{date}:{when}"),
            kind: NotificationKind::ActionDue,
            partnership,
            what: format!(
                "action \"{}\" {words}",
                crate::text::truncate(&description, 80)
            ),
            link: format!("/partnerships/{partnership}/reviews"),
            who: Who::PeopleOf(owner),
        });
    }

    let objectives: Vec<(i64, i64, String, i64, NaiveDate)> = ob::table
        .inner_join(p::table)
        .filter(p::status.eq_any(open))
        .filter(ob::due_date.le(today + Duration::days(OBJECTIVE_NOTICE_DAYS)))
        .select((
            ob::id,
            p::id,
            ob::title,
            ob::owner_organisation_id,
            ob::due_date,
        ))
        .load(conn)?;
    let partnership_ids: Vec<i64> = objectives.iter().map(|o| o.1).collect();
    let green: std::collections::HashSet<i64> =
        super::summary::latest_rags(conn, &partnership_ids)?
            .into_iter()
            .filter(|(_, _, rag)| rag == "green")
            .map(|(_, objective, _)| objective)
            .collect();
    for (id, partnership, title, owner, date) in objectives {
        // Met or on track: nothing to chase once the date has passed.
        if today > date && green.contains(&id) {
            continue;
        }
        let (when, words) = period(today, date);
        due.push(Due {
            key: format!("objective:{id}:{date}:{when}"),
            kind: NotificationKind::ActionDue,
            partnership,
            what: format!(
                "objective \"{}\" {words}",
                crate::text::truncate(&title, 80)
            ),
            link: format!("/partnerships/{partnership}/objectives"),
            who: Who::PeopleOf(owner),
        });
    }

    let renewals: Vec<(i64, i64, String, NaiveDate)> = ag::table
        .inner_join(p::table)
        .filter(p::status.eq_any(open))
        .filter(ag::renewal_due.le(today + Duration::days(RENEWAL_NOTICE_DAYS)))
        .select((ag::id, p::id, ag::title, ag::renewal_due.assume_not_null()))
        .load(conn)?;
    for (id, partnership, title, date) in renewals {
        let Some(&lead) = leads.get(&partnership) else {
            continue;
        };
        let (when, words) = period(today, date);
        due.push(Due {
            key: format!("renewal:{id}:{date}:{when}"),
            kind: NotificationKind::RenewalDue,
            partnership,
            what: format!(
                "agreement \"{}\" up for renewal: {words}",
                crate::text::truncate(&title, 80)
            ),
            link: format!("/partnerships/{partnership}/governance"),
            who: Who::PeopleOf(lead),
        });
    }

    let waited = (today - Duration::days(INVITATION_WAIT_DAYS))
        .and_hms_opt(23, 59, 59)
        .expect("a time of day");
    let invitations: Vec<(i64, i64, i64, chrono::NaiveDateTime)> = pm::table
        .inner_join(p::table)
        .filter(p::status.eq_any(open))
        .filter(pm::status.eq(MemberStatus::Invited))
        .filter(pm::invited_at.le(waited))
        .select((pm::id, p::id, pm::organisation_id, pm::invited_at))
        .load(conn)?;
    for (id, partnership, org, invited_at) in invitations {
        let weeks = (today - invited_at.date())
            .num_days()
            .saturating_sub(INVITATION_WAIT_DAYS)
            / 7;
        due.push(Due {
            key: format!("invitation:{id}:w{weeks}"),
            kind: NotificationKind::Invitation,
            partnership,
            what: format!(
                "your organisation's invitation, sent on {}, is waiting for an answer",
                long(invited_at.date())
            ),
            link: format!("/partnerships/{partnership}"),
            who: Who::AdminsOf(org),
        });
    }
    Ok(due)
}
