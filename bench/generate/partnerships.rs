//! The partnership register: N partnerships with 2–6 member councils,
//! ledger entries, in one transaction per 1,000.

use chrono::{Duration, NaiveDate};
use concord::db::schema::{ledger_entries, organisations, partnership_members, partnerships};
use concord::db::Db;
use concord::partnerships::model::{Degree, Kind, Status, Visibility};
use diesel::prelude::*;

use crate::Rng;

pub fn generate(url: &str, count: usize) -> anyhow::Result<()> {
    let db = Db::connect(url, 2)?;
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
