//! The daily digest: one email a person, listing what waited for it. Each
//! item is checked again against what the person may see today.

use std::collections::HashMap;

use diesel::prelude::*;

use super::store::{self, compose, Item};
use super::subjects::{self, Subject};
use crate::db::schema::users;
use crate::db::Db;
use crate::error::AppResult;

/// People handled per transaction: a failure repeats at most this many.
const BATCH: i64 = 2_000;

/// The job: sends every waiting digest. Returns how many emails it queued.
pub fn run(db: &Db, _: &serde_json::Value) -> AppResult<()> {
    send_all(db).map(|_| ())
}

pub fn send_all(db: &Db) -> AppResult<usize> {
    let mut sent = 0;
    loop {
        let batch = db.write_blocking(|c| {
            let waiting = store::undigested(c, BATCH)?;
            let mut emails = 0;
            for (user_id, items) in &waiting {
                let now = crate::db::now();
                let ids: Vec<i64> = items.iter().map(|n| n.id).collect();
                let actor = subjects::actor_of(c, *user_id)?;
                let mut visible: HashMap<Subject, bool> = HashMap::new();
                let mut lines = Vec::new();
                for item in items {
                    let subject = Subject::new(&item.subject_type, item.subject_id);
                    let may_see = match visible.get(&subject) {
                        Some(v) => *v,
                        None => {
                            let v = actor.is_some()
                                && subjects::shown(c, &subject, actor.as_ref())?.is_some();
                            visible.insert(subject, v);
                            v
                        }
                    };
                    if may_see {
                        lines.push(Item {
                            title: item.title.clone(),
                            link: item.link.clone(),
                        });
                    }
                }
                if !lines.is_empty() {
                    let email: String =
                        users::table.find(*user_id).select(users::email).first(c)?;
                    let heading = match lines.len() {
                        1 => "Your Concord digest: 1 thing".to_string(),
                        n => format!("Your Concord digest: {n} things"),
                    };
                    let mail = compose(c, *user_id, &email, None, &heading, &lines)?;
                    crate::outbox::enqueue(c, &mail)?;
                    emails += 1;
                }
                store::mark_digested(c, &ids, now)?;
            }
            Ok((waiting.len(), emails))
        })?;
        sent += batch.1;
        // Every row read is marked digested, so this ends.
        if batch.0 == 0 {
            return Ok(sent);
        }
    }
}
