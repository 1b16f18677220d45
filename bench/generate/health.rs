//! A health-check portfolio for bench/health_portfolio.sh: N partnerships
//! led by Birmingham, each with Leeds and one other council as partners and
//! one closed round of Concord's questionnaire (two for one in five, so the
//! portfolio has trends), six stakeholders a round answering every
//! statement. Inserted directly, in one transaction per 250 partnerships.

use chrono::{Duration, NaiveDate};
use concord::db::schema::{
    health_answers as ha, health_invitations as hi, health_rounds as hr, organisations,
    partnership_members as pm, partnerships as p,
};
use concord::db::Db;
use concord::health::questionnaire::store as questionnaires;
use diesel::prelude::*;

use crate::Rng;

const ROLES: [&str; 3] = ["leadership", "management", "operational"];

pub fn generate(url: &str, count: usize) -> anyhow::Result<()> {
    let db = Db::connect(url, 2)?;
    db.migrate()?;
    println!("{}", concord::demo::load_with(&db, false)?);
    let existing: i64 = db.read_blocking(|c| {
        Ok(p::table
            .filter(p::name.like("Health portfolio %"))
            .count()
            .get_result(c)?)
    })?;
    if existing >= count as i64 {
        println!("already {existing} portfolio partnerships; nothing to do");
        return Ok(());
    }
    let (bir, lds, others, statements) = db.read_blocking(|c| {
        let code = |c: &mut concord::db::DbConn, code: &str| -> concord::error::AppResult<i64> {
            Ok(organisations::table
                .filter(organisations::code.eq(code))
                .select(organisations::id)
                .first(c)?)
        };
        let bir = code(c, "BIR")?;
        let lds = code(c, "LDS")?;
        let others: Vec<i64> = organisations::table
            .filter(organisations::is_current.eq(true))
            .filter(organisations::tier.is_not_null())
            .filter(organisations::id.ne_all([bir, lds]))
            .select(organisations::id)
            .load(c)?;
        let qid = questionnaires::default_id(c)?;
        let (version, _, _) =
            questionnaires::latest_version(c, qid)?.ok_or(concord::error::AppError::NotFound)?;
        let statements: Vec<i64> = questionnaires::factors(c, version)?
            .iter()
            .flat_map(|f| f.statements.iter().map(|s| s.id))
            .collect();
        Ok((bir, lds, others, (version, statements)))
    })?;
    let (version, statements) = statements;
    let mut rng = Rng(0x4ea1_7400_0000_0050);
    let now = concord::db::now();
    let today = now.date();
    let mut made = existing as usize;
    while made < count {
        let batch = (count - made).min(250);
        db.write_blocking(|c| {
            for i in 0..batch {
                let n = made + i;
                let id: i64 = diesel::insert_into(p::table)
                    .values((
                        p::name.eq(format!("Health portfolio {n:05}")),
                        p::kind.eq("shared_service"),
                        p::degree.eq("collaborating"),
                        p::stage.eq(5),
                        p::status.eq("active"),
                        p::visibility.eq("partners"),
                        p::created_at.eq(now),
                        p::updated_at.eq(now),
                    ))
                    .returning(p::id)
                    .get_result(c)?;
                let third = others[rng.below(others.len())];
                let members: Vec<_> = [(bir, "lead"), (lds, "partner"), (third, "partner")]
                    .iter()
                    .map(|(org, role)| {
                        (
                            pm::partnership_id.eq(id),
                            pm::organisation_id.eq(*org),
                            pm::role.eq(*role),
                            pm::status.eq("active"),
                            pm::invited_at.eq(now),
                        )
                    })
                    .collect();
                concord::per_backend!(&mut *c, |c| diesel::insert_into(pm::table)
                    .values(&members)
                    .execute(c))?;
                let rounds = if n.is_multiple_of(5) { 2 } else { 1 };
                for r in 0..rounds {
                    let closes: NaiveDate = today - Duration::days(20 + 365 * (rounds - 1 - r));
                    let round: i64 = diesel::insert_into(hr::table)
                        .values((
                            hr::partnership_id.eq(id),
                            hr::version_id.eq(version),
                            hr::title.eq(format!("Health check {}", r + 1)),
                            hr::opens_on.eq(closes - Duration::days(30)),
                            hr::closes_on.eq(closes),
                            hr::status.eq("closed"),
                            hr::created_at.eq(now),
                        ))
                        .returning(hr::id)
                        .get_result(c)?;
                    // Three people from each of the two named partners.
                    let mut answers = Vec::with_capacity(6 * statements.len());
                    for person in 0..6 {
                        let org = if person < 3 { bir } else { lds };
                        let invitation: i64 = diesel::insert_into(hi::table)
                            .values((
                                hi::round_id.eq(round),
                                hi::organisation_id.eq(org),
                                hi::email.eq(format!("person{person}.{round}@bench.example")),
                                hi::role.eq(ROLES[person % 3]),
                                hi::token_hash.eq(format!("bench-{round}-{person}")),
                                hi::expires_at.eq(now),
                                hi::invited_at.eq(now),
                                hi::responded_at.eq(Some(now)),
                            ))
                            .returning(hi::id)
                            .get_result(c)?;
                        let leaning = rng.below(3) as i32 - 1;
                        for s in &statements {
                            let dont_know = rng.below(10) == 0;
                            let score = 1 + ((rng.below(4) as i32 + leaning).clamp(0, 4));
                            answers.push((
                                ha::invitation_id.eq(invitation),
                                ha::statement_id.eq(*s),
                                ha::score.eq((!dont_know).then_some(score)),
                                ha::dont_know.eq(dont_know),
                            ));
                        }
                    }
                    concord::per_backend!(&mut *c, |c| diesel::insert_into(ha::table)
                        .values(&answers)
                        .execute(c))?;
                }
            }
            Ok(())
        })?;
        made += batch;
        eprintln!("{made} portfolio partnerships");
    }
    println!("done: {made} portfolio partnerships");
    Ok(())
}
