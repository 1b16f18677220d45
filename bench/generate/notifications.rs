//! Notifications for one person, and the reminder job's cost.

use chrono::{Duration, NaiveDate};
use concord::db::schema::{
    notifications, outbox, partnership_members, partnerships, reminders_sent, unsubscribe_tokens,
    users,
};
use concord::db::Db;
use diesel::prelude::*;

use crate::Rng;

/// Gives `email` `count` notifications in all (adding only what is missing):
/// about the partnerships their organisation belongs to (or the organisation
/// itself), every kind, spread over the past year, the newest fifth unread.
pub fn notifications(url: &str, email: &str, count: i64) -> anyhow::Result<()> {
    use concord::notifications::{Delivery, NotificationKind as Kind};
    let db = Db::connect(url, 2)?;
    db.migrate()?;
    let (user_id, org_id): (i64, i64) = db.read_blocking(|c| {
        Ok(users::table
            .filter(users::email.eq(email))
            .select((users::id, users::organisation_id))
            .first(c)?)
    })?;
    let existing: i64 = db.read_blocking(|c| {
        Ok(notifications::table
            .filter(notifications::user_id.eq(user_id))
            .count()
            .get_result(c)?)
    })?;
    if existing >= count {
        println!("{email} already has {existing} notifications; nothing to do");
        return Ok(());
    }
    let mut subjects: Vec<(String, i64, String)> = db.read_blocking(|c| {
        Ok(partnership_members::table
            .inner_join(partnerships::table)
            .filter(partnership_members::organisation_id.eq(org_id))
            .select((partnerships::id, partnerships::name))
            .order(partnerships::id)
            .load::<(i64, String)>(c)?
            .into_iter()
            .map(|(id, name)| ("partnership".to_string(), id, name))
            .collect())
    })?;
    if subjects.is_empty() {
        subjects.push(("organisation".into(), org_id, "Your organisation".into()));
    }
    let whats = [
        "review due on 5 January 2027",
        "review overdue since 1 October 2026",
        "action \"Agree the shared service's budget for next year\" due on 12 December 2026",
        "agreement \"Memorandum of understanding\" up for renewal: due on 1 March 2027",
        "the partnership's status changed from proposed to active",
        "your organisation's invitation, sent on 2 November 2026, is waiting for an answer",
    ];
    let mut rng = Rng(0x0b0e_5eed_1234_abcd);
    let now = concord::db::now();
    let first = now - Duration::days(365);
    let step = Duration::days(365).num_seconds() / count.max(1);
    let unread_from = count - count / 5;
    let mut made = existing;
    while made < count {
        let batch = (count - made).min(1000);
        let rows: Vec<_> = (made..made + batch)
            .map(|i| {
                let (subject_type, subject_id, name) = &subjects[rng.below(subjects.len())];
                let kind = Kind::ALL[rng.below(Kind::ALL.len())];
                let created = first + Duration::seconds(step * i);
                let link = if subject_type == "partnership" {
                    format!("/partnerships/{subject_id}")
                } else {
                    "/organisations".to_string()
                };
                (
                    notifications::user_id.eq(user_id),
                    notifications::kind.eq(kind),
                    notifications::subject_type.eq(subject_type.clone()),
                    notifications::subject_id.eq(*subject_id),
                    notifications::title.eq(format!("{name}: {}", whats[rng.below(whats.len())])),
                    notifications::link.eq(link),
                    notifications::delivery.eq(Delivery::InApp),
                    notifications::created_at.eq(created),
                    notifications::read_at
                        .eq((i < unread_from).then(|| created + Duration::hours(6))),
                )
            })
            .collect();
        db.write_blocking(|c| {
            concord::per_backend!(&mut *c, |c| diesel::insert_into(notifications::table)
                .values(&rows)
                .execute(c))?;
            Ok(())
        })?;
        made += batch;
    }
    println!(
        "{email} has {made} notifications ({} unread)",
        count - unread_from
    );
    Ok(())
}

/// Every SQL statement a connection sends, counted by its text (binds apart).
static STATEMENTS: std::sync::Mutex<Vec<(String, u64)>> = std::sync::Mutex::new(Vec::new());

fn count_statement(event: diesel::connection::InstrumentationEvent<'_>) {
    if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = event {
        let text = query.to_string();
        let sql = text
            .split(" -- binds:")
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let mut all = STATEMENTS.lock().unwrap_or_else(|p| p.into_inner());
        match all.iter_mut().find(|(s, _)| *s == sql) {
            Some((_, n)) => *n += 1,
            None => all.push((sql, 1)),
        }
    }
}

/// Runs the reminders' work once for `today` and says what it cost.
pub fn reminders(url: &str, today: NaiveDate) -> anyhow::Result<()> {
    let db = Db::connect(url, 2)?;
    db.migrate()?;
    concord::wire(&concord::config::Config::new("http://127.0.0.1:8080", None));
    let rows = |db: &Db| -> anyhow::Result<[i64; 4]> {
        Ok(db.read_blocking(|c| {
            Ok([
                notifications::table.count().get_result(c)?,
                reminders_sent::table.count().get_result(c)?,
                outbox::table.count().get_result(c)?,
                unsubscribe_tokens::table.count().get_result(c)?,
            ])
        })?)
    };
    let before = rows(&db)?;
    // Connections made from here on count what they send: a new pool.
    diesel::connection::set_default_instrumentation(|| Some(Box::new(count_statement)))?;
    let counted = Db::connect(url, 2)?;
    STATEMENTS.lock().unwrap_or_else(|p| p.into_inner()).clear();
    let started = std::time::Instant::now();
    let told = concord::partnerships::reminders::send(&counted, today)?;
    let elapsed = started.elapsed();
    let mut statements = std::mem::take(&mut *STATEMENTS.lock().unwrap_or_else(|p| p.into_inner()));
    drop(counted);
    let after = rows(&db)?;
    let total: u64 = statements.iter().map(|(_, n)| n).sum();
    println!(
        "reminders for {today}: {told} people reminded in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "rows written: {} notifications, {} reminders_sent, {} outbox, {} unsubscribe_tokens",
        after[0] - before[0],
        after[1] - before[1],
        after[2] - before[2],
        after[3] - before[3]
    );
    println!(
        "SQL statements: {total} in all ({} different)",
        statements.len()
    );
    statements.sort_by_key(|s| std::cmp::Reverse(s.1));
    for (sql, n) in statements.iter().take(12) {
        let short: String = sql.chars().take(110).collect();
        println!("  {n:>8}  {short}");
    }
    Ok(())
}
