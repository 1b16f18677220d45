//! Needs for bench/matching.sh, and the matching prefilter's agreement
//! with a full scan.

use concord::db::schema::organisations;
use concord::db::Db;
use diesel::prelude::*;

use crate::Rng;

/// Topics: (titles, problem sentences, LGSL services). Phrases recombine into
/// many texts about the same twenty needs in different words.
const TOPICS: &[(&[&str], &[&str], &[i64])] = &[
    (
        &[
            "Report a missed bin collection online",
            "Digital household waste reporting",
            "Bin collection app",
        ],
        &[
            "Residents phone when their bin is not emptied.",
            "Crews log missed streets on tablets but nobody can see it.",
            "Households want to track a missed refuse collection.",
            "Damaged containers take weeks to replace.",
        ],
        &[524],
    ),
    (
        &[
            "Fix lamp posts faster",
            "Street lighting fault reporting",
            "Broken street lights on a map",
        ],
        &[
            "Faults in lamp posts are reported by phone and letter.",
            "Our street lighting maintenance contract ends soon.",
            "Residents should report a broken light on a map.",
            "The contractor should receive faults the same day.",
        ],
        &[564],
    ),
    (
        &[
            "Pest control bookings online",
            "Rats and mice treatment booking",
            "Book a pest control visit",
        ],
        &[
            "People book pest control visits by phone.",
            "Many visits are missed because nobody is in.",
            "We want online booking with text reminders.",
            "Bedbugs and wasps nests take up most calls.",
        ],
        &[431],
    ),
    (
        &[
            "Report fly-tipping with a photo",
            "Illegal dumping reports",
            "Fly-tipping enforcement app",
        ],
        &[
            "Fly-tipping reports arrive without a location or a photo.",
            "Crews drive around looking for dumped rubbish.",
            "We want a map pin and a photo routed to the right crew.",
            "Enforcement officers need evidence for fixed penalty notices.",
        ],
        &[587],
    ),
    (
        &[
            "Plan home to school transport routes",
            "SEND transport route planning",
            "School bus routes for children with special needs",
        ],
        &[
            "Routes for children with special educational needs are planned by hand.",
            "Families cannot see pick-up times.",
            "Taxi contracts cost more every year.",
            "Drivers and escorts need their rounds on a phone.",
        ],
        &[891],
    ),
    (
        &[
            "Council tax reminders by text message",
            "Nudge council tax payers",
            "Council tax payment reminders",
        ],
        &[
            "First reminders for council tax go unread in the post.",
            "We want to send reminders by text and email.",
            "Payments should come in earlier.",
            "Direct debit take-up is low.",
        ],
        &[58],
    ),
    (
        &[
            "Rough sleeping outreach app",
            "Homelessness prevention case management",
            "Temporary accommodation booking",
        ],
        &[
            "Outreach workers record rough sleepers on paper.",
            "Households at risk of homelessness come to us too late.",
            "Bed and breakfast costs keep rising.",
            "Housing officers need one view of each case.",
        ],
        &[],
    ),
    (
        &[
            "Library opening hours with self-service",
            "Open libraries in the evening",
            "Library self-service kiosks",
        ],
        &[
            "Libraries close at five when people finish work.",
            "Self-service kiosks could keep them open.",
            "Volunteers run some branches.",
            "Book loans fall every year.",
        ],
        &[],
    ),
    (
        &[
            "Garden waste subscriptions online",
            "Green bin subscription renewals",
            "Brown bin garden waste permits",
        ],
        &[
            "Garden waste subscriptions are renewed by phone each spring.",
            "Permits are posted as stickers.",
            "Grass cuttings and hedge trimmings fill the bins in summer.",
            "Payments should be taken online.",
        ],
        &[],
    ),
    (
        &[
            "Parking permits online",
            "Resident parking permit renewals",
            "Virtual parking permits",
        ],
        &[
            "Residents queue for paper parking permits.",
            "Wardens cannot check virtual permits.",
            "Visitor vouchers are misused.",
            "Renewals should be automatic.",
        ],
        &[],
    ),
    (
        &[
            "Potholes reported and fixed faster",
            "Pothole reporting with photos",
            "Road defect reporting",
        ],
        &[
            "Potholes are reported by phone and email.",
            "Highways inspectors duplicate visits.",
            "Claims for damaged tyres cost us money.",
            "Residents want to know when a repair is booked.",
        ],
        &[],
    ),
    (
        &[
            "Blue badge applications online",
            "Disabled parking badge renewals",
            "Blue badge assessments",
        ],
        &[
            "Blue badge applications arrive on paper.",
            "Assessments take weeks.",
            "Renewals are missed.",
            "Evidence is checked by hand.",
        ],
        &[],
    ),
    (
        &[
            "Adult social care assessments online",
            "Care needs self-assessment",
            "Carers assessments",
        ],
        &[
            "People wait weeks for a care needs assessment.",
            "Carers want to apply for support online.",
            "Social workers re-type forms.",
            "Care providers need referrals the same day.",
        ],
        &[],
    ),
    (
        &[
            "Planning application validation",
            "Local plan consultation online",
            "Planning applications tracking",
        ],
        &[
            "Planning applications are often invalid when they arrive.",
            "Agents cannot track progress.",
            "Consultation responses arrive by letter.",
            "Validation takes officers days.",
        ],
        &[],
    ),
    (
        &[
            "Noise complaints recording app",
            "Antisocial noise reporting",
            "Record noise nuisance with a phone",
        ],
        &[
            "Noise complaints need evidence.",
            "Residents keep diaries on paper.",
            "Officers visit at night.",
            "Recordings would save visits.",
        ],
        &[],
    ),
    (
        &[
            "Food hygiene inspections on tablets",
            "Food safety inspection app",
            "Restaurant inspections digital",
        ],
        &[
            "Food safety officers write reports twice.",
            "Inspections are planned on spreadsheets.",
            "Ratings are published late.",
            "Businesses want advice online.",
        ],
        &[],
    ),
    (
        &[
            "Electoral registration canvass",
            "Household enquiry forms online",
            "Register to vote reminders",
        ],
        &[
            "The annual canvass costs a lot in postage.",
            "Households ignore the enquiry form.",
            "Students move every year.",
            "Reminders by email would help.",
        ],
        &[],
    ),
    (
        &[
            "Business rates relief applications",
            "Small business rate relief online",
            "Business rates billing",
        ],
        &[
            "Businesses apply for rate relief on paper.",
            "Reliefs change every year.",
            "Bills go to the wrong address.",
            "Ratepayers want an online account.",
        ],
        &[],
    ),
    (
        &[
            "Tree maintenance requests",
            "Report a dangerous tree",
            "Tree works on highways",
        ],
        &[
            "Trees overhanging paths are reported by phone.",
            "Arborists inspect on paper.",
            "Storm damage comes in waves.",
            "Residents want to know who owns a tree.",
        ],
        &[],
    ),
    (
        &[
            "Bulky waste collection booking",
            "Book a large item collection",
            "Furniture and white goods collection",
        ],
        &[
            "Bulky waste collections are booked by phone.",
            "Crews arrive to find nothing put out.",
            "Reuse charities want the furniture.",
            "Payment should be online.",
        ],
        &[],
    ),
];
const OPENERS: &[&str] = &[
    "We want to improve this for residents.",
    "The council wants a digital service.",
    "Staff time is wasted.",
    "Costs keep rising.",
    "",
];
const PLACES: &[&str] = &[
    "in rural villages",
    "across the city",
    "in coastal towns",
    "on estates",
    "in the county",
    "in the borough",
];

pub fn generate_needs(url: &str, count: usize, orgs: usize) -> anyhow::Result<()> {
    use concord::db::schema::{need_services, need_terms, needs};
    use concord::needs::{matches, matching};
    use std::collections::HashMap;
    let db = Db::connect(url, 2)?;
    db.migrate()?;
    println!("{}", concord::demo::load_with(&db, false)?);
    let existing: i64 = db.read_blocking(|c| Ok(needs::table.count().get_result(c)?))?;
    if existing >= count as i64 {
        println!("already {existing} needs; nothing to do");
        return Ok(());
    }
    type Real = (String, String, Option<i64>, Option<String>, Option<String>);
    let real: Vec<Real> = db.read_blocking(|c| {
        Ok(organisations::table
            .filter(organisations::is_current.eq(true))
            .filter(organisations::tier.is_not_null())
            .order(organisations::id)
            .select((
                organisations::type_code,
                organisations::type_name,
                organisations::population,
                organisations::similarity_label,
                organisations::nation,
            ))
            .load(c)?)
    })?;
    let mut rng = Rng(0x5eed_0000_0000_0010);
    let now = concord::db::now();
    // Generated organisations copy a real council's type, profile and population.
    let have: i64 = db.read_blocking(|c| Ok(organisations::table.count().get_result(c)?))?;
    let mut n = have as usize;
    while n < orgs {
        let batch = (orgs - n).min(1000);
        db.write_blocking(|c| {
            for i in 0..batch {
                let (t, tn, pop, label, nation) = real[rng.below(real.len())].clone();
                let code = format!("G{:05}", n + i);
                diesel::insert_into(organisations::table)
                    .values((
                        organisations::code.eq(&code),
                        organisations::name.eq(format!("Generated Council {code}")),
                        organisations::short_name.eq(format!("Generated {code}")),
                        organisations::type_code.eq(t),
                        organisations::type_name.eq(tn),
                        organisations::population.eq(pop),
                        organisations::similarity_label.eq(label),
                        organisations::nation.eq(nation),
                        organisations::is_current.eq(true),
                        organisations::search_text.eq(code.to_lowercase()),
                        organisations::created_at.eq(now),
                        organisations::updated_at.eq(now),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })?;
        n += batch;
    }
    let org_ids: Vec<i64> = db.read_blocking(|c| {
        Ok(organisations::table
            .filter(organisations::is_current.eq(true))
            .order(organisations::id)
            .select(organisations::id)
            .load(c)?)
    })?;
    let mut analysed: HashMap<String, matching::Terms> = HashMap::new();
    let visibilities = ["public", "public", "signed_in", "organisation"];
    let started = std::time::Instant::now();
    let mut made = existing as usize;
    while made < count {
        let batch = (count - made).min(2000);
        let mut rows = Vec::with_capacity(batch);
        for _ in 0..batch {
            let (titles, sentences, services) = TOPICS[rng.below(TOPICS.len())];
            let title = format!(
                "{} {}",
                titles[rng.below(titles.len())],
                PLACES[rng.below(PLACES.len())]
            );
            let a = rng.below(sentences.len());
            let b = (a + 1 + rng.below(sentences.len() - 1)) % sentences.len();
            let problem = format!(
                "{} {} {}",
                OPENERS[rng.below(OPENERS.len())],
                sentences[a],
                sentences[b]
            );
            let text = format!("{title}\n{problem}\n\n\n");
            let terms = analysed
                .entry(text.clone())
                .or_insert_with(|| matching::analyse(&text))
                .clone();
            let chosen: Vec<i64> = if rng.below(3) > 0 {
                services.to_vec()
            } else {
                Vec::new()
            };
            let org = org_ids[rng.below(org_ids.len())];
            let visibility = visibilities[rng.below(visibilities.len())];
            rows.push((title, problem, terms, chosen, org, visibility));
        }
        db.write_blocking(|c| {
            for (title, problem, terms, chosen, org, visibility) in &rows {
                let id: i64 = diesel::insert_into(needs::table)
                    .values((
                        needs::organisation_id.eq(org),
                        needs::title.eq(title),
                        needs::problem.eq(problem),
                        needs::phase.eq("discovery"),
                        needs::visibility.eq(visibility),
                        needs::status.eq("open"),
                        needs::terms.eq(terms.to_string()),
                        needs::created_at.eq(now),
                        needs::updated_at.eq(now),
                    ))
                    .returning(needs::id)
                    .get_result(c)?;
                for s in chosen {
                    diesel::insert_into(need_services::table)
                        .values((
                            need_services::need_id.eq(id),
                            need_services::service_id.eq(s),
                        ))
                        .execute(c)?;
                }
                // The index rows the application writes (needs::matches::index).
                let index = matches::index_terms(terms, chosen);
                if !index.is_empty() {
                    // Literals, for one statement per need: quotes doubled.
                    let values: Vec<String> = index
                        .iter()
                        .map(|t| format!("({id}, '{}')", t.replace('\'', "''")))
                        .collect();
                    diesel::sql_query(format!(
                        "INSERT INTO need_terms (need_id, term) VALUES {}",
                        values.join(", ")
                    ))
                    .execute(c)?;
                }
                let _ = need_terms::table;
            }
            Ok(())
        })?;
        made += batch;
        eprintln!(
            "{made} needs ({} distinct texts), {:.0?}",
            analysed.len(),
            started.elapsed()
        );
    }
    Ok(())
}

/// Prefiltered top 10 against a full scan (see the module docs).
pub fn match_agreement(url: &str, sample: usize) -> anyhow::Result<()> {
    use concord::db::schema::{need_services, needs};
    use concord::needs::matches::{self, Budget};
    use concord::needs::matching::{Analysed, Terms};
    use concord::needs::model::Need;
    use std::collections::{HashMap, HashSet};
    const TOP: usize = 10;
    let db = Db::connect(url, 1)?;
    let mut conn = db.conn()?;
    let c = &mut *conn;
    let counts = matches::corpus(c)?;
    // Every candidate a signed-out viewer may see: public, open.
    let rows: Vec<(i64, i64, String)> = needs::table
        .filter(needs::status.eq("open"))
        .filter(needs::visibility.eq("public"))
        .order(needs::id)
        .select((needs::id, needs::organisation_id, needs::terms))
        .load(c)?;
    let mut chosen: HashMap<i64, Vec<i64>> = HashMap::new();
    for (n, s) in need_services::table
        .select((need_services::need_id, need_services::service_id))
        .load::<(i64, i64)>(c)?
    {
        chosen.entry(n).or_default().push(s);
    }
    let all: Vec<Analysed> = rows
        .iter()
        .map(|(id, org, t)| {
            let terms: Terms = t.parse().unwrap_or_default();
            Analysed::new(
                *id,
                *org,
                chosen.get(id).cloned().unwrap_or_default(),
                terms,
            )
        })
        .collect();
    let index: HashMap<i64, usize> = all.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    // A fixed sample spread over the table.
    let step = (all.len() / sample.max(1)).max(1);
    let picks: Vec<i64> = all
        .iter()
        .step_by(step)
        .take(sample)
        .map(|a| a.id)
        .collect();
    let mut full: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    let started = std::time::Instant::now();
    for id in &picks {
        let q = &all[index[id]];
        // Same-organisation needs are the caller's to drop: ask for enough more.
        let top: Vec<(i64, f64)> = counts
            .corpus
            .rank(q, &all, TOP + 200)
            .into_iter()
            .filter(|m| m.organisation_id != q.organisation_id)
            .map(|m| (m.id, m.score))
            .take(TOP)
            .collect();
        full.insert(*id, top);
    }
    println!(
        "{} public open needs; {} sampled; full scans took {:.1} ms each",
        all.len(),
        picks.len(),
        started.elapsed().as_secs_f64() * 1000.0 / picks.len().max(1) as f64
    );
    println!();
    println!("found: share of the full scan's top 10 in the prefiltered top 10; same order: identical lists;");
    println!("same scores: the same ten scores (only equal-scored needs swapped); score kept: sum of top-10 scores, prefiltered / full.");
    println!();
    println!("| postings | shortlist | found | same order | same scores | score kept | ms per ranking (warm, serial) |");
    println!("| -------: | --------: | ----: | ---------: | ----------: | ---------: | ----------------------------: |");
    let budgets = [
        (4_000, 400),
        (4_000, 300),
        (4_000, 200),
        (4_000, 100),
        (2_000, 200),
        (2_000, 100),
        (1_000, 100),
    ];
    for (postings, shortlist) in budgets {
        let budget = Budget {
            postings,
            shortlist,
        };
        let (mut found, mut wanted, mut same, mut same_scores) = (0usize, 0usize, 0usize, 0usize);
        let (mut kept, mut best) = (0.0f64, 0.0f64);
        let mut took = std::time::Duration::ZERO;
        for id in &picks {
            let need: Need = needs::table.find(id).select(Need::as_select()).first(c)?;
            // Once to warm the parsed-terms cache, once timed.
            matches::engine_ranking(c, &need, None, TOP, budget)?;
            let t = std::time::Instant::now();
            let got: Vec<(i64, f64)> = matches::engine_ranking(c, &need, None, TOP, budget)?
                .into_iter()
                .take(TOP)
                .collect();
            took += t.elapsed();
            let want = &full[id];
            let got_set: HashSet<i64> = got.iter().map(|g| g.0).collect();
            found += want.iter().filter(|w| got_set.contains(&w.0)).count();
            wanted += want.len();
            same += usize::from(got.iter().map(|g| g.0).eq(want.iter().map(|w| w.0)));
            same_scores += usize::from(
                got.len() == want.len()
                    && got.iter().zip(want).all(|(g, w)| (g.1 - w.1).abs() < 1e-9),
            );
            kept += got.iter().map(|g| g.1).sum::<f64>();
            best += want.iter().map(|w| w.1).sum::<f64>();
        }
        let n = picks.len().max(1) as f64;
        println!(
            "| {postings:>8} | {shortlist:>9} | {:>4.1}% | {:>9.1}% | {:>10.1}% | {:>9.1}% | {:>29.2} |",
            100.0 * found as f64 / wanted.max(1) as f64,
            100.0 * same as f64 / n,
            100.0 * same_scores as f64 / n,
            100.0 * kept / best.max(1e-9),
            took.as_secs_f64() * 1000.0 / n
        );
    }
    Ok(())
}
