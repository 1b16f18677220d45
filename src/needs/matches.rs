//! Partners for a need, and for an organisation: other organisations' open
//! needs that the viewer may see, ranked by the matching engine and by how
//! alike the two councils are, each with its reasons in words.
//!
//! # How one need is matched (fast enough for 100,000 needs)
//! 1. Each need's analysed text is stored when it is written (`needs.terms`,
//!    [`index`]), with its candidate terms in `need_terms`: written word stems
//!    and their thesaurus synonyms (`w:<stem>`), and LGSL services chosen or
//!    read from the text (`s:<id>`).
//! 2. The corpus (how many needs use each word and service) is built from the
//!    stored terms of every open need and kept in this process ([`corpus`]).
//!    Each request checks it with one cheap query — the largest need id and the
//!    latest `updated_at`, two index look-ups — so another app instance's writes
//!    to the same PostgreSQL are seen: a small corpus is rebuilt as soon as the
//!    key moves; a large one (over [`REBUILD_AT_ONCE`] needs, seconds to
//!    rebuild) at most every [`STALE_FOR`], because document frequencies drift
//!    slowly and one new need hardly moves them. Counted over all open needs,
//!    whoever may see them: a per-viewer corpus could not be shared, and a count
//!    of needs using a word reveals nothing about any one need.
//! 3. Candidates are chosen in SQL: the needs that share the query's rarest
//!    terms (rarest first, until about [`POSTINGS`] index rows, read from the
//!    term index alone), by how many of those terms they share (ties by id);
//!    in that order, a chunk at a time by id, those visible to the viewer, open
//!    and of other organisations, until there are [`SHORTLIST`]. So only about
//!    twice the shortlist of needs rows is read, not one per posting, and no
//!    `status` condition reaches SQL (given one, SQLite starts from the status
//!    index and reads all 100,000 open needs). The shortlist is ranked by the
//!    engine; candidates' stored terms are parsed once and kept
//!    ([`parsed_terms`]: bounded, checked against a fingerprint of the stored
//!    string, so an edited need is parsed again). Every step is ordered, so
//!    SQLite and PostgreSQL give the same matches.
//! 4. Council-level evidence is added to the engine's score for the best few:
//!    a similar profile and an existing partnership add a little; distance is
//!    only shown. Neither can make a match of a council without a like need:
//!    only needs the engine scored above 0 are candidates at all.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::access::need_visible_to;
use super::matching::{self, Analysed, Corpus, Terms};
use super::model::{Need, NeedStatus, NeedVisibility};
use crate::db::schema::{
    need_services, need_tags, need_terms, needs, organisations, partnership_members, partnerships,
};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::orgs::model::OrgRef;
use crate::policy::Actor;

/// A need in a match.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct NeedRef {
    pub id: i64,
    pub title: String,
}

/// Why two needs or councils match, in words: `shared_services`,
/// `inferred_services`, `similar_words`, `related_words`, `similar_profile`,
/// `existing_partnership` or `distance`.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct MatchReason {
    pub kind: String,
    pub text: String,
}

/// An organisation, and its need that resembles this one.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct NeedMatch {
    pub organisation: OrgRef,
    /// The matching need (null when the match is an organisation alone).
    pub need: Option<NeedRef>,
    /// Higher is closer; comparable within one list only.
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

/// Corpora up to this many needs are rebuilt as soon as any need changes.
pub const REBUILD_AT_ONCE: u64 = 5_000;
/// How stale a larger corpus may be.
pub const STALE_FOR: Duration = Duration::from_secs(60);
/// About how many `need_terms` rows the candidate query may read.
pub const POSTINGS: u64 = 4_000;
/// How many candidates the engine ranks exactly.
pub const SHORTLIST: usize = 400;

/// How much work one ranking may do: index rows read, candidates ranked.
/// [`Budget::DEFAULT`] everywhere but the benchmark's agreement check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub postings: u64,
    pub shortlist: usize,
}

impl Budget {
    pub const DEFAULT: Budget = Budget {
        postings: POSTINGS,
        shortlist: SHORTLIST,
    };
}
/// Inferred services and thesaurus words this weak are left out of the index.
const INDEX_WEIGHT: f32 = 0.3;

/// Score added for council-level evidence (the engine's scores run 0–1).
const SAME_GROUP: f64 = 0.03;
const SAME_TYPE: f64 = 0.02;
const SAME_POPULATION: f64 = 0.01;
const PARTNERS: f64 = 0.04;

/// The text the engine reads for a need.
fn text_of(title: &str, problem: &str, users: &str, why: &str, tags: &[String]) -> String {
    format!("{title}\n{problem}\n{users}\n{why}\n{}", tags.join(" "))
}

/// The candidate-index terms of an analysed need.
fn index_terms(terms: &Terms, chosen: &[i64]) -> Vec<String> {
    let mut out: Vec<String> = terms
        .words()
        .iter()
        .filter(|w| {
            w.via.is_none() || (w.weight >= 0.5 && !w.via.as_deref().unwrap_or("").starts_with('#'))
        })
        .map(|w| format!("w:{}", w.stem))
        .collect();
    out.extend(
        terms
            .services()
            .iter()
            .filter(|s| s.1 >= INDEX_WEIGHT)
            .map(|s| s.0)
            .chain(chosen.iter().copied())
            .map(|id| format!("s:{id}")),
    );
    out.sort();
    out.dedup();
    out
}

/// Analyses a need's text and stores the result (`needs.terms`, `need_terms`),
/// in the caller's transaction. Called whenever a need's text, tags or
/// services are written.
pub fn index(conn: &mut DbConn, id: i64) -> AppResult<Terms> {
    let (title, problem, users, why): (String, String, String, String) = needs::table
        .find(id)
        .select((
            needs::title,
            needs::problem,
            needs::users_affected,
            needs::why_now,
        ))
        .first(conn)?;
    let tags: Vec<String> = need_tags::table
        .filter(need_tags::need_id.eq(id))
        .order(need_tags::tag)
        .select(need_tags::tag)
        .load(conn)?;
    let chosen: Vec<i64> = need_services::table
        .filter(need_services::need_id.eq(id))
        .select(need_services::service_id)
        .load(conn)?;
    let terms = matching::analyse(&text_of(&title, &problem, &users, &why, &tags));
    diesel::update(needs::table.find(id))
        .set(needs::terms.eq(terms.to_string()))
        .execute(conn)?;
    diesel::delete(need_terms::table.filter(need_terms::need_id.eq(id))).execute(conn)?;
    // One row at a time: batch inserts are not portable across the two backends here.
    for t in index_terms(&terms, &chosen) {
        diesel::insert_into(need_terms::table)
            .values((need_terms::need_id.eq(id), need_terms::term.eq(t)))
            .execute(conn)?;
    }
    Ok(terms)
}

/// Stores terms for the needs that have none (written before terms were
/// stored); returns how many. Run at start-up, in batches of 200.
pub fn fill_missing(db: &crate::db::Db) -> AppResult<usize> {
    let mut done = 0;
    loop {
        let ids: Vec<i64> = db.read_blocking(|c| {
            Ok(needs::table
                .filter(needs::terms.eq(""))
                .order(needs::id)
                .limit(200)
                .select(needs::id)
                .load(c)?)
        })?;
        if ids.is_empty() {
            return Ok(done);
        }
        db.write_blocking(|c| {
            for &id in &ids {
                index(c, id)?;
            }
            Ok(())
        })?;
        done += ids.len();
    }
}

/// Stored terms, or (for a row not yet filled) analysed now.
fn terms_of(stored: &str, id: i64, conn: &mut DbConn) -> AppResult<Terms> {
    if let Ok(t) = stored.parse() {
        return Ok(t);
    }
    let (title, problem, users, why): (String, String, String, String) = needs::table
        .find(id)
        .select((
            needs::title,
            needs::problem,
            needs::users_affected,
            needs::why_now,
        ))
        .first(conn)?;
    let tags: Vec<String> = need_tags::table
        .filter(need_tags::need_id.eq(id))
        .order(need_tags::tag)
        .select(need_tags::tag)
        .load(conn)?;
    Ok(matching::analyse(&text_of(
        &title, &problem, &users, &why, &tags,
    )))
}

/// Parsed terms kept per generation; two generations are kept, so at most
/// twice this many needs (about 6 KB each at 100 words: some 60 MB).
const PARSED_KEEP: usize = 5_000;

/// Parsed stored terms of needs recently ranked, by need id, with the
/// fingerprint of the string they were parsed from. Parsing some 100 words for
/// each of a few hundred candidates was a third of a request; most candidates
/// come back request after request. Two generations: when the newer is full
/// it becomes the older and the oldest is forgotten, so what is used stays.
#[derive(Default)]
struct ParsedCache {
    new: HashMap<i64, (u64, Terms)>,
    old: HashMap<i64, (u64, Terms)>,
}

static PARSED: Mutex<Option<ParsedCache>> = Mutex::new(None);

/// A fast fingerprint of a stored terms string (about 2 KB): its length and
/// a multiply-rotate hash of its 8-byte words. Not a defence against anyone:
/// only a need's own earlier text could collide with it, and only for its
/// own matches.
fn fingerprint(s: &str) -> u64 {
    let mut h = (s.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut chunks = s.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x5170_85b3_2e3e_6d3b);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x5170_85b3_2e3e_6d3b);
    }
    h ^ (h >> 29)
}

/// The parsed terms of each `(id, stored)` in order, from [`PARSED`] where
/// the stored string is the one parsed before; rows whose terms are not yet
/// stored are analysed now (and not kept).
fn parsed_terms(conn: &mut DbConn, rows: &[(i64, &str)]) -> AppResult<Vec<Terms>> {
    let prints: Vec<u64> = rows.iter().map(|(_, s)| fingerprint(s)).collect();
    let mut out: Vec<Option<Terms>> = {
        let mut guard = PARSED.lock().unwrap_or_else(|p| p.into_inner());
        let cache = guard.get_or_insert_with(Default::default);
        rows.iter()
            .zip(&prints)
            .map(|((id, _), print)| {
                if let Some((p, t)) = cache.new.get(id) {
                    return (p == print).then(|| t.clone());
                }
                // Used again: moved to the newer generation.
                let (p, t) = cache.old.remove(id)?;
                let hit = (p == *print).then(|| t.clone());
                if hit.is_some() {
                    cache.new.insert(*id, (p, t));
                }
                hit
            })
            .collect()
    };
    let mut fresh = Vec::new();
    for (i, ((id, stored), print)) in rows.iter().zip(&prints).enumerate() {
        if out[i].is_some() {
            continue;
        }
        match stored.parse::<Terms>() {
            Ok(t) => {
                fresh.push((*id, *print, t.clone()));
                out[i] = Some(t);
            }
            Err(_) => out[i] = Some(terms_of(stored, *id, conn)?),
        }
    }
    if !fresh.is_empty() {
        let mut guard = PARSED.lock().unwrap_or_else(|p| p.into_inner());
        let cache = guard.get_or_insert_with(Default::default);
        for (id, print, t) in fresh {
            if cache.new.len() >= PARSED_KEEP {
                cache.old = std::mem::take(&mut cache.new);
            }
            cache.old.remove(&id);
            cache.new.insert(id, (print, t));
        }
    }
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}

/// The corpus and how many open needs carry each index term.
pub struct Counts {
    pub corpus: Corpus,
    pub postings: HashMap<String, u64>,
}

struct Cached {
    key: (Option<i64>, Option<chrono::NaiveDateTime>),
    built: Instant,
    counts: Arc<Counts>,
}

static CACHE: Mutex<Option<Cached>> = Mutex::new(None);

/// The corpus of all open needs, from this process's cache when it is
/// current enough (see the module docs).
pub fn corpus(conn: &mut DbConn) -> AppResult<Arc<Counts>> {
    let key: (Option<i64>, Option<chrono::NaiveDateTime>) = (
        needs::table
            .select(diesel::dsl::max(needs::id))
            .first(conn)?,
        needs::table
            .select(diesel::dsl::max(needs::updated_at))
            .first(conn)?,
    );
    {
        let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref() {
            let small = c.counts.corpus.len() <= REBUILD_AT_ONCE;
            if c.key == key || (!small && c.built.elapsed() < STALE_FOR) {
                return Ok(c.counts.clone());
            }
        }
    }
    // Built outside the lock: two requests may both build; both get the same.
    let counts = Arc::new(build_counts(conn)?);
    *CACHE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
        key,
        built: Instant::now(),
        counts: counts.clone(),
    });
    Ok(counts)
}

/// Forgets the cached corpus and parsed terms (tests that compare databases,
/// the benchmark).
pub fn forget_corpus() {
    *CACHE.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *PARSED.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

fn build_counts(conn: &mut DbConn) -> AppResult<Counts> {
    let rows: Vec<(i64, i64, String)> = needs::table
        .filter(needs::status.eq(NeedStatus::Open))
        .order(needs::id)
        .select((needs::id, needs::organisation_id, needs::terms))
        .load(conn)?;
    let mut chosen: HashMap<i64, Vec<i64>> = HashMap::new();
    for (n, s) in need_services::table
        .inner_join(needs::table)
        .filter(needs::status.eq(NeedStatus::Open))
        .select((need_services::need_id, need_services::service_id))
        .load::<(i64, i64)>(conn)?
    {
        chosen.entry(n).or_default().push(s);
    }
    let mut corpus = Corpus::new();
    let mut postings: HashMap<String, u64> = HashMap::new();
    for (id, org, stored) in rows {
        let terms = terms_of(&stored, id, conn)?;
        let services = chosen.remove(&id).unwrap_or_default();
        for t in index_terms(&terms, &services) {
            *postings.entry(t).or_default() += 1;
        }
        corpus.add(&Analysed::new(id, org, services, terms));
    }
    Ok(Counts { corpus, postings })
}

/// Whose needs a ranking may return.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    /// What this viewer may see (`None`: signed out).
    Viewer(Option<&'a Actor>),
    /// Every open need: for telling owners, whose own needs these are.
    Owners,
}

/// A ranked need before it is put in words for a viewer.
struct Ranked {
    need_id: i64,
    organisation_id: i64,
    title: String,
    score: f64,
    reasons: Vec<MatchReason>,
}

/// The best `limit` matches for `need` among what `viewer` may see, other
/// organisations' only.
pub fn for_need(
    conn: &mut DbConn,
    need: &Need,
    viewer: Option<&Actor>,
    limit: usize,
) -> AppResult<Vec<NeedMatch>> {
    let ranked = rank_need(conn, need, Scope::Viewer(viewer), limit)?;
    let mut out = explain(conn, need.organisation_id, ranked, viewer)?;
    out.truncate(limit);
    Ok(out)
}

fn reason(kind: &str, text: String) -> MatchReason {
    MatchReason {
        kind: kind.to_string(),
        text,
    }
}

/// For the benchmark's agreement check (`bench/generate.rs`, `match-agreement`)
/// only: the engine's best `limit` needs for `need` as `viewer` may see them,
/// `(need id, engine score)`, with the candidate prefilter at `budget`.
#[doc(hidden)]
pub fn engine_ranking(
    conn: &mut DbConn,
    need: &Need,
    viewer: Option<&Actor>,
    limit: usize,
    budget: Budget,
) -> AppResult<Vec<(i64, f64)>> {
    Ok(
        rank_need_with(conn, need, Scope::Viewer(viewer), limit, budget)?
            .into_iter()
            .map(|r| (r.need_id, r.score))
            .collect(),
    )
}

/// The engine's ranking of other organisations' open needs against `need`.
fn rank_need(
    conn: &mut DbConn,
    need: &Need,
    scope: Scope<'_>,
    limit: usize,
) -> AppResult<Vec<Ranked>> {
    rank_need_with(conn, need, scope, limit, Budget::DEFAULT)
}

fn rank_need_with(
    conn: &mut DbConn,
    need: &Need,
    scope: Scope<'_>,
    limit: usize,
    budget: Budget,
) -> AppResult<Vec<Ranked>> {
    let counts = corpus(conn)?;
    let chosen: Vec<i64> = need_services::table
        .filter(need_services::need_id.eq(need.id))
        .select(need_services::service_id)
        .load(conn)?;
    let terms = parsed_terms(conn, &[(need.id, need.terms.as_str())])?
        .pop()
        .unwrap_or_default();
    let mut wanted: Vec<(u64, String)> = index_terms(&terms, &chosen)
        .into_iter()
        .map(|t| (counts.postings.get(&t).copied().unwrap_or(0), t))
        .filter(|(n, _)| *n > 0)
        .collect();
    // Rarest first (ties by the term itself): rare shared terms are what the
    // engine scores highest, so they find the best candidates cheaply.
    wanted.sort();
    let mut picked: Vec<String> = Vec::new();
    let mut read = 0;
    for (n, t) in wanted {
        if !picked.is_empty() && read + n > budget.postings {
            break;
        }
        read += n;
        picked.push(t);
    }
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    let query = Analysed::new(need.id, need.organisation_id, chosen, terms);

    // The postings of the picked terms, from the term index alone (no join:
    // given one, SQLite reads a 2 KB needs row for every posting, or starts
    // from the status index and reads every open need).
    let mut shared: Vec<i64> = need_terms::table
        .filter(need_terms::term.eq_any(&picked))
        .select(need_terms::need_id)
        .load(conn)?;
    shared.sort_unstable();
    // (terms shared, id) per need.
    let mut order: Vec<(usize, i64)> = Vec::new();
    for id in shared {
        match order.last_mut() {
            Some((n, last)) if *last == id => *n += 1,
            _ => order.push((1, id)),
        }
    }
    // Most shared first, ties by id: the same on every database.
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));

    // Then, in that order, the needs the viewer may see, open and of other
    // organisations, read by id a chunk at a time until the shortlist is
    // full: the same shortlist as filtering every posting first, for the
    // cost of reading about twice the shortlist. `status` is checked here,
    // not in SQL (given `status = 'open'`, SQLite starts from the status
    // index and reads every open need).
    let mut rows: Vec<(i64, i64, String, String)> = Vec::new();
    let mut next = 0;
    while rows.len() < budget.shortlist && next < order.len() {
        let want = budget.shortlist - rows.len();
        let chunk: Vec<i64> = order[next..(next + 2 * want + 16).min(order.len())]
            .iter()
            .map(|o| o.1)
            .collect();
        next += chunk.len();
        let mut q = needs::table
            .filter(needs::id.eq_any(&chunk))
            .filter(needs::organisation_id.ne(need.organisation_id))
            .select((
                needs::id,
                needs::organisation_id,
                needs::status,
                needs::title,
                needs::terms,
            ))
            .into_boxed();
        if let Scope::Viewer(viewer) = scope {
            q = q.filter(need_visible_to!(viewer));
        }
        let mut found: HashMap<i64, (i64, String, String)> = q
            .load::<(i64, i64, NeedStatus, String, String)>(conn)?
            .into_iter()
            .filter(|r| r.2 == NeedStatus::Open)
            .map(|(id, org, _, title, terms)| (id, (org, title, terms)))
            .collect();
        for id in chunk {
            if rows.len() == budget.shortlist {
                break;
            }
            if let Some((org, title, terms)) = found.remove(&id) {
                rows.push((id, org, title, terms));
            }
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut services: HashMap<i64, Vec<i64>> = HashMap::new();
    for (n, s) in need_services::table
        .filter(need_services::need_id.eq_any(&ids))
        .select((need_services::need_id, need_services::service_id))
        .load::<(i64, i64)>(conn)?
    {
        services.entry(n).or_default().push(s);
    }
    let stored: Vec<(i64, &str)> = rows.iter().map(|r| (r.0, r.3.as_str())).collect();
    let parsed = parsed_terms(conn, &stored)?;
    let mut titles = HashMap::new();
    let mut candidates = Vec::with_capacity(rows.len());
    for ((id, org, title, _), terms) in rows.into_iter().zip(parsed) {
        titles.insert(id, title);
        candidates.push(Analysed::new(
            id,
            org,
            services.remove(&id).unwrap_or_default(),
            terms,
        ));
    }
    // A few more than asked: council-level evidence may reorder the tail.
    let matches = counts.corpus.rank(&query, &candidates, limit + 5);
    Ok(matches
        .into_iter()
        .map(|m| Ranked {
            need_id: m.id,
            organisation_id: m.organisation_id,
            title: titles.remove(&m.id).unwrap_or_default(),
            score: m.score,
            reasons: m
                .reasons
                .into_iter()
                .map(|r| MatchReason {
                    kind: serde_json::to_value(r.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    text: r.text,
                })
                .collect(),
        })
        .collect())
}

/// What matching reads of an organisation.
#[derive(Clone)]
struct Council {
    org: OrgRef,
    type_code: String,
    type_name: String,
    population: Option<i64>,
    /// The similarity profile without its region ("Urban Mainstream; …").
    profile: Option<String>,
}

fn councils(conn: &mut DbConn, ids: &[i64]) -> AppResult<HashMap<i64, Council>> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((
            organisations::id,
            organisations::code,
            organisations::name,
            organisations::short_name,
            organisations::type_code,
            organisations::type_name,
            organisations::population,
            organisations::similarity_label,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, code, name, short_name, type_code, type_name, population, label)| {
                (
                    id,
                    Council {
                        org: OrgRef {
                            code,
                            name,
                            short_name,
                        },
                        type_code,
                        type_name,
                        population,
                        profile: label
                            .map(|l| l.split_once("; ").map(|(_, p)| p.to_string()).unwrap_or(l)),
                    },
                )
            },
        )
        .collect())
}

fn population_band(p: Option<i64>) -> Option<&'static str> {
    Some(match p? {
        ..=100_000 => "up to 100,000",
        100_001..=250_000 => "100,000 to 250,000",
        250_001..=500_000 => "250,000 to 500,000",
        _ => "over 500,000",
    })
}

/// How alike two councils are: score and reason.
fn profile_evidence(a: &Council, b: &Council) -> Option<(f64, MatchReason)> {
    let mut score = 0.0;
    let mut parts = Vec::new();
    if let (Some(pa), Some(pb)) = (&a.profile, &b.profile) {
        if pa == pb {
            score += SAME_GROUP;
            parts.push(format!("the same mySociety group ({pa})"));
        }
    }
    if a.type_code == b.type_code {
        score += SAME_TYPE;
        parts.push(format!("both {}", a.type_name.to_lowercase()));
    }
    if let (Some(ba), Some(bb)) = (population_band(a.population), population_band(b.population)) {
        if ba == bb {
            score += SAME_POPULATION;
            parts.push(format!("both with a population of {ba}"));
        }
    }
    // A shared type or population alone is too common to be a reason.
    (score >= SAME_GROUP).then(|| {
        (
            score,
            reason(
                "similar_profile",
                format!("A similar council: {}", parts.join(", ")),
            ),
        )
    })
}

/// Partnerships the viewer may see that both organisations are active members of.
fn shared_partnerships(
    conn: &mut DbConn,
    of: i64,
    others: &[i64],
    viewer: Option<&Actor>,
) -> AppResult<BTreeMap<i64, Vec<String>>> {
    use crate::partnerships::access::partnership_visible_to;
    let theirs: Vec<i64> = partnership_members::table
        .filter(partnership_members::organisation_id.eq(of))
        .filter(partnership_members::status.eq("active"))
        .select(partnership_members::partnership_id)
        .load(conn)?;
    if theirs.is_empty() || others.is_empty() {
        return Ok(BTreeMap::new());
    }
    let pairs: Vec<(i64, i64)> = partnership_members::table
        .filter(partnership_members::partnership_id.eq_any(&theirs))
        .filter(partnership_members::organisation_id.eq_any(others))
        .filter(partnership_members::status.eq("active"))
        .select((
            partnership_members::partnership_id,
            partnership_members::organisation_id,
        ))
        .load(conn)?;
    let pids: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    // Only partnerships the viewer may see are named.
    let names: HashMap<i64, String> = partnerships::table
        .filter(partnerships::id.eq_any(&pids))
        .filter(partnership_visible_to!(viewer))
        .select((partnerships::id, partnerships::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut rows: Vec<(i64, String)> = pairs
        .into_iter()
        .filter_map(|(p, o)| Some((o, names.get(&p)?.clone())))
        .collect();
    rows.sort();
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (org, name) in rows {
        out.entry(org).or_default().push(name);
    }
    Ok(out)
}

/// Per organisation: score added and reasons.
type Evidence = HashMap<i64, (f64, Vec<MatchReason>)>;

/// Council-level evidence between `of` and each other organisation: added
/// score and reasons (profile, partnerships, distance).
fn council_evidence(
    conn: &mut DbConn,
    of: i64,
    others: &[i64],
    viewer: Option<&Actor>,
) -> AppResult<(HashMap<i64, Council>, Evidence)> {
    let mut ids = others.to_vec();
    ids.push(of);
    ids.sort_unstable();
    ids.dedup();
    let all = councils(conn, &ids)?;
    let partners = shared_partnerships(conn, of, others, viewer)?;
    let mut out = HashMap::new();
    let Some(me) = all.get(&of).cloned() else {
        return Ok((all, out));
    };
    for &o in others {
        let Some(them) = all.get(&o) else { continue };
        let mut score = 0.0;
        let mut reasons = Vec::new();
        if let Some((s, r)) = profile_evidence(&me, them) {
            score += s;
            reasons.push(r);
        }
        if let Some(names) = partners.get(&o) {
            score += PARTNERS;
            let shown: Vec<&str> = names.iter().take(2).map(String::as_str).collect();
            reasons.push(reason(
                "existing_partnership",
                format!("Already partners in {}", shown.join(" and ")),
            ));
        }
        if let Some(text) = super::places::describe(
            &me.org.code,
            &them.org.code,
            &them.org.short_name,
            &me.org.short_name,
        ) {
            reasons.push(reason("distance", text));
        }
        out.insert(o, (score, reasons));
    }
    Ok((all, out))
}

/// Adds council-level evidence to the engine's ranking and puts it in words.
fn explain(
    conn: &mut DbConn,
    of: i64,
    ranked: Vec<Ranked>,
    viewer: Option<&Actor>,
) -> AppResult<Vec<NeedMatch>> {
    let others: Vec<i64> = ranked.iter().map(|r| r.organisation_id).collect();
    let (orgs, evidence) = council_evidence(conn, of, &others, viewer)?;
    let mut out: Vec<(f64, i64, NeedMatch)> = ranked
        .into_iter()
        .filter_map(|r| {
            let (extra, more) = evidence
                .get(&r.organisation_id)
                .cloned()
                .unwrap_or_default();
            let score = r.score + extra;
            let mut reasons = r.reasons;
            reasons.extend(more);
            Some((
                score,
                r.need_id,
                NeedMatch {
                    organisation: orgs.get(&r.organisation_id)?.org.clone(),
                    need: Some(NeedRef {
                        id: r.need_id,
                        title: r.title,
                    }),
                    score: (score * 1000.0).round() / 1000.0,
                    reasons,
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(out.into_iter().map(|(_, _, m)| m).collect())
}

/// "Councils and projects like this": other organisations' needs like this
/// organisation's own open needs (those the viewer may see), then councils
/// of the same profile with no such need (`need` null), best first.
pub fn for_organisation(
    conn: &mut DbConn,
    org_id: i64,
    viewer: Option<&Actor>,
    limit: usize,
) -> AppResult<Vec<NeedMatch>> {
    let own: Vec<Need> = needs::table
        .filter(needs::organisation_id.eq(org_id))
        .filter(needs::status.eq(NeedStatus::Open))
        .filter(need_visible_to!(viewer))
        .order((needs::updated_at.desc(), needs::id.desc()))
        .limit(5)
        .select(Need::as_select())
        .load(conn)?;
    // Best score per matching need across the organisation's needs.
    let mut best: HashMap<i64, Ranked> = HashMap::new();
    for need in &own {
        for r in rank_need(conn, need, Scope::Viewer(viewer), limit)? {
            match best.get(&r.need_id) {
                Some(b) if b.score >= r.score => {}
                _ => {
                    best.insert(r.need_id, r);
                }
            }
        }
    }
    let mut ranked: Vec<Ranked> = best.into_values().collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.need_id.cmp(&b.need_id)));
    ranked.truncate(limit);
    let mut out = explain(conn, org_id, ranked, viewer)?;

    // Councils alike with no matching need: the same similarity profile.
    let me = councils(conn, &[org_id])?;
    if let Some(profile) = me.get(&org_id).and_then(|c| c.profile.clone()) {
        let listed: Vec<String> = out.iter().map(|m| m.organisation.code.clone()).collect();
        let alike: Vec<i64> = organisations::table
            .filter(
                organisations::similarity_label
                    .like(format!("%; {}", crate::db::escape_like(&profile)))
                    .escape('\\'),
            )
            .filter(organisations::id.ne(org_id))
            .filter(organisations::is_current.eq(true))
            .filter(organisations::code.ne_all(&listed))
            .order(organisations::code)
            .select(organisations::id)
            .load(conn)?;
        let (orgs, evidence) = council_evidence(conn, org_id, &alike, viewer)?;
        let mut alone: Vec<(f64, String, NeedMatch)> = alike
            .iter()
            .filter_map(|o| {
                let (score, reasons) = evidence.get(o)?.clone();
                let org = orgs.get(o)?.org.clone();
                Some((
                    score,
                    org.code.clone(),
                    NeedMatch {
                        organisation: org,
                        need: None,
                        score: (score * 1000.0).round() / 1000.0,
                        reasons,
                    },
                ))
            })
            .collect();
        alone.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        out.extend(alone.into_iter().map(|(_, _, m)| m));
    }
    out.truncate(limit);
    Ok(out)
}

/// Below this engine score a need is not "like yours" enough to tell anyone.
pub const TELL_ABOVE: f64 = 0.25;
/// How many owners' needs are told of one new need.
const TELL_AT_MOST: usize = 3;

/// Tells the owners of the few open needs most like a new one, if they may
/// see it (an organisation-only need is told to nobody outside), in the
/// caller's transaction. Returns how many people were told.
pub fn tell_owners(conn: &mut DbConn, need: &Need) -> AppResult<usize> {
    if need.visibility == NeedVisibility::Organisation {
        return Ok(0);
    }
    let ranked = rank_need(conn, need, Scope::Owners, TELL_AT_MOST)?;
    let mut told = 0;
    for r in ranked
        .into_iter()
        .filter(|r| r.score >= TELL_ABOVE)
        .take(TELL_AT_MOST)
    {
        let people = crate::partnerships::notify::people_of(conn, &[r.organisation_id])?;
        // `deliver` checks, for each person, that they may see the new need.
        told += crate::notifications::deliver(
            conn,
            &people,
            &crate::notifications::Note {
                kind: crate::notifications::NotificationKind::SimilarNeed,
                subject: crate::notifications::Subject::new("need", need.id),
                what: format!("a new need like yours, “{}”", r.title),
                link: None,
                audit_id: None,
            },
        )?;
    }
    Ok(told)
}
