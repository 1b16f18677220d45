//! Generates a UK-scale partnership register for benchmarks: real councils,
//! N partnerships (default 50,000) with 2–6 member councils each, ledger
//! entries and objective updates, in one transaction per 1,000.
//!
//!   cargo run --release --example generate -- --database-url sqlite://bench/out/bench.db --partnerships 50000
//!
//! Deterministic (fixed seed), so figures are comparable between runs.
//!
//! Two more subcommands for bench/notifications.sh:
//!
//!   generate notifications --database-url URL --email lead@birmingham.example --count 10000
//!
//! gives one person COUNT notifications (on a demo database; nothing else),
//! newest last, a fifth of them unread, and
//!
//!   generate reminders --database-url URL [--today YYYY-MM-DD]
//!
//! runs the hourly reminder job's work once (`partnerships::reminders::send`),
//! timing it and counting every SQL statement it sends.

use chrono::{Duration, NaiveDate};
use concord::db::schema::{
    ledger_entries, notifications, organisations, outbox, partnership_members, partnerships,
    reminders_sent, unsubscribe_tokens, users,
};
use concord::db::Db;
use concord::partnerships::model::{Degree, Kind, Status, Visibility};
use diesel::prelude::*;

/// A small, fixed-seed generator (xorshift), so no extra crate is needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let url = arg("--database-url").unwrap_or_else(|| "sqlite://bench/out/bench.db".into());
    match args.get(1).map(String::as_str) {
        Some("notifications") => {
            let email = arg("--email").unwrap_or_else(|| "lead@birmingham.example".into());
            let count: i64 = arg("--count")
                .map(|n| n.parse())
                .transpose()?
                .unwrap_or(10_000);
            return notifications(&url, &email, count);
        }
        Some("reminders") => {
            let today = arg("--today")
                .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
                .transpose()?
                .unwrap_or_else(|| concord::db::now().date());
            return reminders(&url, today);
        }
        _ => {}
    }
    let count: usize = arg("--partnerships")
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50_000);

    let db = Db::connect(&url, 2)?;
    db.migrate()?;
    println!("{}", concord::demo::load_with(&db, false)?);
    let existing: i64 = db.read_blocking(|c| Ok(partnerships::table.count().get_result(c)?))?;
    if existing >= count as i64 {
        println!("already {existing} partnerships; nothing to do");
        return Ok(());
    }
    let councils: Vec<i64> = db.read_blocking(|c| {
        Ok(organisations::table
            .filter(organisations::is_current.eq(true))
            .filter(organisations::tier.is_not_null())
            .select(organisations::id)
            .load(c)?)
    })?;
    let mut rng = Rng(0x5eed_c0c0_ffee_1234);
    let start = NaiveDate::from_ymd_opt(2015, 4, 1).unwrap();
    let now = concord::db::now();
    let mut made = existing as usize;
    while made < count {
        let batch = (count - made).min(1000);
        db.write_blocking(|c| {
            for i in 0..batch {
                let n = made + i;
                let kind = Kind::ALL[rng.below(Kind::ALL.len())];
                let visibility = Visibility::ALL[rng.below(Visibility::ALL.len())];
                let started = start + Duration::days(rng.below(3650) as i64);
                let id: i64 = diesel::insert_into(partnerships::table)
                    .values((
                        partnerships::name.eq(format!("{} {n}", kind.label())),
                        partnerships::kind.eq(kind.code()),
                        partnerships::degree.eq(Degree::ALL[rng.below(Degree::ALL.len())].code()),
                        partnerships::stage.eq(1 + rng.below(8) as i32),
                        partnerships::status.eq(Status::ALL[rng.below(Status::ALL.len())].code()),
                        partnerships::visibility.eq(visibility.code()),
                        partnerships::start_date.eq(Some(started)),
                        partnerships::review_cadence_months.eq(Some(12)),
                        partnerships::next_review_due
                            .eq(Some(started + Duration::days(365 + rng.below(900) as i64))),
                        partnerships::created_at.eq(now),
                        partnerships::updated_at.eq(now),
                    ))
                    .returning(partnerships::id)
                    .get_result(c)?;
                let size = 2 + rng.below(5);
                let mut chosen: Vec<i64> = Vec::with_capacity(size);
                while chosen.len() < size {
                    let org = councils[rng.below(councils.len())];
                    if !chosen.contains(&org) {
                        chosen.push(org);
                    }
                }
                let members: Vec<_> = chosen
                    .iter()
                    .enumerate()
                    .map(|(j, org)| {
                        (
                            partnership_members::partnership_id.eq(id),
                            partnership_members::organisation_id.eq(*org),
                            partnership_members::role.eq(if j == 0 { "lead" } else { "partner" }),
                            partnership_members::status.eq("active"),
                            partnership_members::invited_at.eq(now),
                        )
                    })
                    .collect();
                concord::per_backend!(&mut *c, |c| diesel::insert_into(
                    partnership_members::table
                )
                .values(&members)
                .execute(c))?;
                let year = 2018 + rng.below(8) as i32;
                let entries = vec![
                    (
                        ledger_entries::partnership_id.eq(id),
                        ledger_entries::organisation_id.eq(chosen[0]),
                        ledger_entries::entry_type.eq("cost"),
                        ledger_entries::basis.eq("realised"),
                        ledger_entries::financial_year.eq(year),
                        ledger_entries::amount_pence.eq((rng.below(200_000) as i64 + 1_000) * 100),
                        ledger_entries::created_at.eq(now),
                    ),
                    (
                        ledger_entries::partnership_id.eq(id),
                        ledger_entries::organisation_id.eq(chosen[1]),
                        ledger_entries::entry_type.eq("cashable_saving"),
                        ledger_entries::basis.eq("realised"),
                        ledger_entries::financial_year.eq(year),
                        ledger_entries::amount_pence.eq((rng.below(300_000) as i64 + 1_000) * 100),
                        ledger_entries::created_at.eq(now),
                    ),
                ];
                concord::per_backend!(&mut *c, |c| diesel::insert_into(ledger_entries::table)
                    .values(&entries)
                    .execute(c))?;
            }
            Ok(())
        })?;
        made += batch;
        eprintln!("{made} partnerships");
    }
    println!("done: {made} partnerships");
    Ok(())
}

/// Gives `email` `count` notifications in all (adding only what is missing):
/// about the partnerships their organisation belongs to (or the organisation
/// itself), every kind, spread over the past year, the newest fifth unread.
fn notifications(url: &str, email: &str, count: i64) -> anyhow::Result<()> {
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
fn reminders(url: &str, today: NaiveDate) -> anyhow::Result<()> {
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
