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
//! 3. Candidates: the needs that share the query's rarest terms (rarest
//!    first, until about [`POSTINGS`] index rows, read from the term index
//!    alone), by how many of those terms they share (ties by id); in that
//!    order, those visible to the viewer, open and of other organisations,
//!    until there are [`SHORTLIST`]. Which those are is decided in memory:
//!    the corpus keeps each open need's organisation, visibility and
//!    `updated_at` from its build, and each request reads the needs written
//!    since (by `updated_at` or id past the corpus's key; none while the key
//!    has not moved), so no needs row is read to choose. The shortlist is
//!    ranked by the engine; candidates' stored terms and chosen services are
//!    read and parsed once and kept ([`PARSED`]: bounded, checked against
//!    the row's `updated_at`, so an edited need is read again). The few
//!    returned are then checked in SQL as they are now (the visibility rule,
//!    open, other organisation, `updated_at` unchanged); if any is not, the
//!    shortlist is chosen again from the rows ([`rank_from_rows`]: a chunk of
//!    ids at a time). So the visibility rule in SQL has the last word, and a
//!    request sends a handful of statements. Every step is ordered, so
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

/// The candidate-index terms of an analysed need with its chosen services:
/// what [`index`] stores in `need_terms` (the benchmark's generator calls it
/// too, so its index is the application's).
pub fn index_terms(terms: &Terms, chosen: &[i64]) -> Vec<String> {
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

/// When a need row last changed: `updated_at`, which every change to a need
/// moves (its store sets it, and each audited change touches it).
type Stamp = chrono::NaiveDateTime;

/// A need as ranking reads it: chosen services and parsed terms.
#[derive(Clone, Default)]
struct Parsed {
    services: Vec<i64>,
    terms: Terms,
}

/// Parsed stored terms and chosen services of needs recently ranked, by need
/// id, with the `updated_at` of the row they were read from. Parsing some 100
/// words for each of a few hundred candidates was a third of a request, and
/// reading the 2 KB stored string of each most of the rest; most candidates
/// come back request after request. Two generations: when the newer is full
/// it becomes the older and the oldest is forgotten, so what is used stays.
#[derive(Default)]
struct ParsedCache {
    new: HashMap<i64, (Stamp, Parsed)>,
    old: HashMap<i64, (Stamp, Parsed)>,
}

static PARSED: Mutex<Option<ParsedCache>> = Mutex::new(None);

/// The cached needs among `wanted` (id, stamp) whose rows have not changed
/// since they were parsed, by position; `None` where not cached.
fn cached(wanted: &[(i64, Stamp)]) -> Vec<Option<Parsed>> {
    let mut guard = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    let cache = guard.get_or_insert_with(Default::default);
    wanted
        .iter()
        .map(|(id, stamp)| {
            if let Some((s, p)) = cache.new.get(id) {
                return (s == stamp).then(|| p.clone());
            }
            // Used again: moved to the newer generation.
            let (s, p) = cache.old.remove(id)?;
            let hit = (s == *stamp).then(|| p.clone());
            if hit.is_some() {
                cache.new.insert(*id, (s, p));
            }
            hit
        })
        .collect()
}

fn keep(fresh: Vec<(i64, Stamp, Parsed)>) {
    if fresh.is_empty() {
        return;
    }
    let mut guard = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    let cache = guard.get_or_insert_with(Default::default);
    for (id, stamp, parsed) in fresh {
        if cache.new.len() >= PARSED_KEEP {
            cache.old = std::mem::take(&mut cache.new);
        }
        cache.old.remove(&id);
        cache.new.insert(id, (stamp, parsed));
    }
}

/// Chosen services of `ids`, by need.
fn services_of(conn: &mut DbConn, ids: &[i64]) -> AppResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for (n, s) in need_services::table
        .filter(need_services::need_id.eq_any(ids))
        .select((need_services::need_id, need_services::service_id))
        .load::<(i64, i64)>(conn)?
    {
        out.entry(n).or_default().push(s);
    }
    Ok(out)
}

/// Services and parsed terms of rows already read (`(id, stamp, stored
/// terms)`), from [`PARSED`] where the row is unchanged; services of the
/// others are read in one query. Rows whose terms are not yet stored are
/// analysed now (and not kept).
fn parsed_rows(conn: &mut DbConn, rows: &[(i64, Stamp, &str)]) -> AppResult<Vec<Parsed>> {
    let wanted: Vec<(i64, Stamp)> = rows.iter().map(|r| (r.0, r.1)).collect();
    let mut out = cached(&wanted);
    let missing: Vec<i64> = rows
        .iter()
        .zip(&out)
        .filter(|(_, o)| o.is_none())
        .map(|(r, _)| r.0)
        .collect();
    let mut services = services_of(conn, &missing)?;
    let mut fresh = Vec::new();
    for (i, (id, stamp, stored)) in rows.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let services = services.remove(id).unwrap_or_default();
        let parsed = match stored.parse::<Terms>() {
            Ok(terms) => {
                let p = Parsed { services, terms };
                fresh.push((*id, *stamp, p.clone()));
                p
            }
            Err(_) => Parsed {
                services,
                terms: terms_of(stored, *id, conn)?,
            },
        };
        out[i] = Some(parsed);
    }
    keep(fresh);
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}

/// Services and parsed terms of `wanted` (id, stamp) by position: from
/// [`PARSED`], the rest read (terms, `updated_at`) in one query. A row that
/// changed since its stamp is read as it is now.
fn parsed_by_id(conn: &mut DbConn, wanted: &[(i64, Stamp)]) -> AppResult<Vec<Parsed>> {
    let mut out = cached(wanted);
    let missing: Vec<i64> = wanted
        .iter()
        .zip(&out)
        .filter(|(_, o)| o.is_none())
        .map(|(w, _)| w.0)
        .collect();
    if !missing.is_empty() {
        let rows: Vec<(i64, Stamp, String)> = needs::table
            .filter(needs::id.eq_any(&missing))
            .select((needs::id, needs::updated_at, needs::terms))
            .load(conn)?;
        let read: Vec<(i64, Stamp, &str)> = rows.iter().map(|r| (r.0, r.1, r.2.as_str())).collect();
        let parsed = parsed_rows(conn, &read)?;
        let mut by_id: HashMap<i64, Parsed> = read.iter().map(|r| r.0).zip(parsed).collect();
        for (slot, w) in out.iter_mut().zip(wanted) {
            if slot.is_none() {
                *slot = by_id.remove(&w.0);
            }
        }
    }
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}

/// The corpus and how many open needs carry each index term.
pub struct Counts {
    pub corpus: Corpus,
    pub postings: HashMap<String, u64>,
    /// The key the corpus was built at (see [`corpus`]).
    key: Key,
    /// Every open need at `key`: enough to choose a shortlist without
    /// reading needs rows.
    open: HashMap<i64, Meta>,
}

/// The largest need id and the latest `updated_at`: when either moves, a
/// need was written.
type Key = (Option<i64>, Option<Stamp>);

/// What choosing candidates needs of an open need: whose it is, who may see
/// it, and when its row last changed.
#[derive(Clone, Copy, Debug)]
struct Meta {
    org: i64,
    visibility: NeedVisibility,
    updated_at: Stamp,
}

struct Cached {
    key: Key,
    built: Instant,
    counts: Arc<Counts>,
}

static CACHE: Mutex<Option<Cached>> = Mutex::new(None);

/// The corpus of all open needs, from this process's cache when it is
/// current enough (see the module docs).
pub fn corpus(conn: &mut DbConn) -> AppResult<Arc<Counts>> {
    Ok(corpus_at(conn)?.0)
}

/// The corpus, and the key as it is now (which may have moved since the
/// corpus was built).
fn corpus_at(conn: &mut DbConn) -> AppResult<(Arc<Counts>, Key)> {
    let key: Key = (
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
                return Ok((c.counts.clone(), key));
            }
        }
    }
    // Built outside the lock: two requests may both build; both get the same.
    let counts = Arc::new(build_counts(conn, key)?);
    *CACHE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
        key,
        built: Instant::now(),
        counts: counts.clone(),
    });
    Ok((counts, key))
}

/// Forgets the cached corpus and parsed terms (tests that compare databases,
/// the benchmark).
pub fn forget_corpus() {
    *CACHE.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *PARSED.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

fn build_counts(conn: &mut DbConn, key: Key) -> AppResult<Counts> {
    type Row = (i64, i64, NeedVisibility, Stamp, String);
    let rows: Vec<Row> = needs::table
        .filter(needs::status.eq(NeedStatus::Open))
        .order(needs::id)
        .select((
            needs::id,
            needs::organisation_id,
            needs::visibility,
            needs::updated_at,
            needs::terms,
        ))
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
    let mut open = HashMap::with_capacity(rows.len());
    for (id, org, visibility, updated_at, stored) in rows {
        let terms = terms_of(&stored, id, conn)?;
        let services = chosen.remove(&id).unwrap_or_default();
        for t in index_terms(&terms, &services) {
            *postings.entry(t).or_default() += 1;
        }
        corpus.add(&Analysed::new(id, org, services, terms));
        open.insert(
            id,
            Meta {
                org,
                visibility,
                updated_at,
            },
        );
    }
    Ok(Counts {
        corpus,
        postings,
        key,
        open,
    })
}

/// Needs written since the corpus was built (`updated_at` or id past its
/// key), as they are now: `None` for one no longer open. Usually none are
/// read: the key has not moved.
fn changed_since(
    conn: &mut DbConn,
    counts: &Counts,
    now: Key,
) -> AppResult<HashMap<i64, Option<Meta>>> {
    if counts.key == now {
        return Ok(HashMap::new());
    }
    type Row = (i64, i64, NeedStatus, NeedVisibility, Stamp);
    let mut q = needs::table
        .select((
            needs::id,
            needs::organisation_id,
            needs::status,
            needs::visibility,
            needs::updated_at,
        ))
        .into_boxed();
    if let (Some(id), Some(at)) = counts.key {
        q = q.filter(needs::updated_at.gt(at).or(needs::id.gt(id)));
    }
    Ok(q.load::<Row>(conn)?
        .into_iter()
        .map(|(id, org, status, visibility, updated_at)| {
            let meta = (status == NeedStatus::Open).then_some(Meta {
                org,
                visibility,
                updated_at,
            });
            (id, meta)
        })
        .collect())
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
    let (counts, now) = corpus_at(conn)?;
    let query = query_of(conn, need)?;
    let chosen: Vec<i64> = query.services.clone();
    let mut wanted: Vec<(u64, String)> = index_terms(&query.terms, &chosen)
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
    // organisations, until the shortlist is full: decided from what the
    // corpus keeps of every open need, brought up to date with the needs
    // written since it was built (usually none), so no needs row is read.
    let changed = changed_since(conn, &counts, now)?;
    let mut short: Vec<(i64, Meta)> = Vec::with_capacity(budget.shortlist);
    for &(_, id) in &order {
        if short.len() == budget.shortlist {
            break;
        }
        let meta = match changed.get(&id) {
            Some(m) => *m,
            None => counts.open.get(&id).copied(),
        };
        let Some(m) = meta else { continue };
        if m.org != need.organisation_id && scope.may_see(&m) {
            short.push((id, m));
        }
    }
    let stamps: Vec<(i64, Stamp)> = short.iter().map(|(id, m)| (*id, m.updated_at)).collect();
    let parsed = parsed_by_id(conn, &stamps)?;
    let candidates: Vec<Analysed> = short
        .iter()
        .zip(parsed)
        .map(|((id, m), p)| Analysed::new(*id, m.org, p.services, p.terms))
        .collect();
    // A few more than asked: council-level evidence may reorder the tail.
    let matches = counts.corpus.rank(&query, &candidates, limit + 5);

    // What is returned is checked against the rows as they are now, with the
    // visibility rule in SQL: each must be visible, open, of another
    // organisation and unchanged since the corpus (or the delta) saw it.
    // Otherwise (a need changed without its `updated_at` moving, or a race
    // with a write) the shortlist is chosen again from the rows themselves.
    let ids: Vec<i64> = matches.iter().map(|m| m.id).collect();
    let mut q = needs::table
        .filter(needs::id.eq_any(&ids))
        .filter(needs::organisation_id.ne(need.organisation_id))
        .select((needs::id, needs::status, needs::updated_at, needs::title))
        .into_boxed();
    if let Scope::Viewer(viewer) = scope {
        q = q.filter(need_visible_to!(viewer));
    }
    let mut now_rows: HashMap<i64, (NeedStatus, Stamp, String)> = q
        .load::<(i64, NeedStatus, Stamp, String)>(conn)?
        .into_iter()
        .map(|(id, status, at, title)| (id, (status, at, title)))
        .collect();
    let stamps: HashMap<i64, Stamp> = stamps.into_iter().collect();
    let current = matches.iter().all(|m| {
        now_rows
            .get(&m.id)
            .is_some_and(|r| r.0 == NeedStatus::Open && stamps.get(&m.id) == Some(&r.1))
    });
    if !current {
        return rank_from_rows(conn, need, &counts, &query, scope, limit, budget, &order);
    }
    Ok(matches
        .into_iter()
        .map(|m| {
            let title = now_rows.remove(&m.id).map(|r| r.2).unwrap_or_default();
            ranked(m, title)
        })
        .collect())
}

impl Scope<'_> {
    /// The in-memory twin of `need_visible_to!` (checked in SQL again for
    /// what is returned).
    fn may_see(&self, m: &Meta) -> bool {
        match self {
            Scope::Owners => true,
            Scope::Viewer(viewer) => {
                m.visibility == NeedVisibility::Public
                    || (viewer.is_some() && m.visibility == NeedVisibility::SignedIn)
                    || viewer.is_some_and(|a| a.organisation_id == m.org)
            }
        }
    }
}

/// The need being matched, ready to rank: from [`PARSED`] when its row is
/// unchanged since it was kept, else from the record (not kept: the record
/// may be older than the row).
fn query_of(conn: &mut DbConn, need: &Need) -> AppResult<Analysed> {
    let p = match cached(&[(need.id, need.updated_at.0)]).pop().flatten() {
        Some(p) => p,
        None => {
            let services: Vec<i64> = need_services::table
                .filter(need_services::need_id.eq(need.id))
                .select(need_services::service_id)
                .load(conn)?;
            Parsed {
                services,
                terms: terms_of(&need.terms, need.id, conn)?,
            }
        }
    };
    Ok(Analysed::new(
        need.id,
        need.organisation_id,
        p.services,
        p.terms,
    ))
}

fn ranked(m: matching::Match, title: String) -> Ranked {
    Ranked {
        need_id: m.id,
        organisation_id: m.organisation_id,
        title,
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
    }
}

/// The shortlist chosen from the needs rows themselves: in `order`, by id a
/// chunk at a time with the visibility rule in SQL and `status` checked on
/// the rows, until the shortlist is full — reading about twice the
/// shortlist of rows. What [`rank_need_with`] falls back to when the
/// corpus's picture of a returned need was out of date. (`status` stays out
/// of SQL: given `status = 'open'`, SQLite starts from the status index and
/// reads every open need.)
#[allow(clippy::too_many_arguments)]
fn rank_from_rows(
    conn: &mut DbConn,
    need: &Need,
    counts: &Counts,
    query: &Analysed,
    scope: Scope<'_>,
    limit: usize,
    budget: Budget,
    order: &[(usize, i64)],
) -> AppResult<Vec<Ranked>> {
    type Row = (i64, i64, Stamp, String, String);
    let mut rows: Vec<Row> = Vec::new();
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
                needs::updated_at,
                needs::title,
                needs::terms,
            ))
            .into_boxed();
        if let Scope::Viewer(viewer) = scope {
            q = q.filter(need_visible_to!(viewer));
        }
        let mut found: HashMap<i64, Row> = q
            .load::<(i64, i64, NeedStatus, Stamp, String, String)>(conn)?
            .into_iter()
            .filter(|r| r.2 == NeedStatus::Open)
            .map(|(id, org, _, at, title, terms)| (id, (id, org, at, title, terms)))
            .collect();
        for id in chunk {
            if rows.len() == budget.shortlist {
                break;
            }
            if let Some(row) = found.remove(&id) {
                rows.push(row);
            }
        }
    }
    let read: Vec<(i64, Stamp, &str)> = rows.iter().map(|r| (r.0, r.2, r.4.as_str())).collect();
    let parsed = parsed_rows(conn, &read)?;
    let mut titles = HashMap::new();
    let mut candidates = Vec::with_capacity(rows.len());
    for ((id, org, _, title, _), p) in rows.into_iter().zip(parsed) {
        titles.insert(id, title);
        candidates.push(Analysed::new(id, org, p.services, p.terms));
    }
    let matches = counts.corpus.rank(query, &candidates, limit + 5);
    Ok(matches
        .into_iter()
        .map(|m| {
            let title = titles.remove(&m.id).unwrap_or_default();
            ranked(m, title)
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
