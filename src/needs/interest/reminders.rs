//! Interest nobody answered: once an organisation's interest has waited 14
//! days for the need's owner, the owner's people are reminded, once.
//! `reminders_sent` remembers who was told; the key names the interest as
//! it was last expressed, so a changed interest that waits again is
//! reminded about again.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::model::InterestStatus;
use crate::db::schema::{need_interests as ni, needs, organisations};
use crate::db::Db;
use crate::error::AppResult;
use crate::needs::model::NeedStatus;
use crate::notifications::store::not_yet_reminded;
use crate::notifications::{deliver, Note, NotificationKind, Subject};

pub const JOB: crate::jobs::Kind = crate::jobs::Kind {
    name: "needs.interest_reminders",
    run,
    schedule: crate::jobs::Schedule::Daily(match chrono::NaiveTime::from_hms_opt(6, 30, 0) {
        Some(t) => t,
        None => panic!("06:30 is a time"),
    }),
};

/// How long interest may wait for an answer before the owner is reminded.
pub const WAIT_DAYS: i64 = 14;

fn run(db: &Db, _: &serde_json::Value) -> AppResult<()> {
    send(db, crate::db::now().date()).map(|_| ())
}

/// Reminds the owners of open needs about interest pending since 14 days
/// before `today` or earlier. Returns how many people were told.
pub fn send(db: &Db, today: NaiveDate) -> AppResult<usize> {
    let waited = (today - Duration::days(WAIT_DAYS))
        .and_hms_opt(23, 59, 59)
        .expect("a time of day");
    db.write_blocking(move |c| {
        let due: Vec<(i64, i64, i64, String, chrono::NaiveDateTime)> = ni::table
            .inner_join(needs::table)
            .inner_join(organisations::table)
            .filter(ni::status.eq(InterestStatus::Pending))
            .filter(needs::status.eq(NeedStatus::Open))
            .filter(ni::updated_at.le(waited))
            .order(ni::id)
            .select((
                ni::id,
                ni::need_id,
                needs::organisation_id,
                organisations::name,
                ni::updated_at,
            ))
            .load(c)?;
        let mut people: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut told = 0;
        for (id, need, owner, interested, since) in due {
            let key = format!("need-interest:{id}:{}", since.format("%Y%m%d%H%M%S"));
            if let std::collections::hash_map::Entry::Vacant(slot) = people.entry(owner) {
                slot.insert(crate::partnerships::notify::people_of(c, &[owner])?);
            }
            let fresh = not_yet_reminded(c, &key, people[&owner].iter().copied())?;
            if fresh.is_empty() {
                continue;
            }
            told += deliver(
                c,
                &fresh,
                &Note {
                    kind: NotificationKind::ActionDue,
                    subject: Subject::new("need", need),
                    what: format!(
                        "{interested}'s interest has waited since {} for an answer",
                        since.format("%-d %B %Y")
                    ),
                    link: Some(format!("/needs/{need}#interest")),
                    audit_id: None,
                },
            )?;
        }
        Ok(told)
    })
}
