//! The matching engine: which needs are like this one, and why. Pure Rust, no database.
//!
//! # How it works
//! People describe one need in different everyday words ("bin collection app",
//! "digital household waste reporting"), so plain keyword overlap is not enough, and
//! the words every council uses ("council", "service", "improve", "residents",
//! "digital") must count for nothing. A need's text is [`analyse`]d once into
//! [`Terms`]:
//!
//! 1. words: lowercased, English stopwords and council boilerplate dropped, Snowball
//!    English stems ("collections" → "collect"), and adjacent words joined when the
//!    joined word is known ("lamp posts" → "lampposts", "council tax"; the two
//!    parts then count half);
//! 2. thesaurus: each word brings its WordNet synonyms (weight 0.5) and nearest
//!    broader, narrower or part/whole words (0.3) from `data/thesaurus.tsv`
//!    ("rubbish" → "waste", "lamppost" → "streetlight");
//! 3. services: the words are scored against the ~1,500 LGSL service labels and
//!    descriptions and the best few services are kept ("bins" and "household rubbish"
//!    both read like *Household waste collection*); the words of those services'
//!    labels join the need's words at a low weight.
//!
//! A [`Corpus`] counts how many needs use each word and service (IDF: rare shared words
//! count more) and [`Corpus::rank`] scores candidates on three [`Components`]: shared
//! words (BM25), shared LGSL services read from the text, and LGSL services both owners
//! chose; it returns the best with plain-English [`Reason`]s.
//!
//! # Why this engine
//! * Deterministic: the analysis is a pure function of the text and of data compiled
//!   into the binary, weights are stored to hundredths, corpus counts are integers, and
//!   ties go to the lower id. The same need gets the same matches on SQLite and
//!   PostgreSQL, and on any instance — nothing depends on a database's text search.
//! * No index of its own: the caller stores each need's [`Terms`] (a short string) and
//!   passes candidates in, so two app instances sharing one database rank from the same
//!   rows; only the [`Corpus`] counts are kept in memory, and they drift slowly.
//! * Cheap: ranking is linear in candidates, a merge of short sorted lists each.
//!
//! # What helps (measured on the labelled set in `labelled.rs`: 58 needs, 20 groups)
//!
//! Recall@10 (share of known matches in the top 10, averaged over the 43 needs with
//! matches) and MRR (mean of 1 / rank of the first known match), ranking each need
//! against the other 57:
//!
//! | variant | recall@10 | MRR |
//! |---|---|---|
//! | plain words (stems, stopwords, boilerplate, joined pairs) | 0.84 | 0.66 |
//! | + thesaurus | 0.92 | 0.74 |
//! | + service inference | 0.90 | 0.79 |
//! | both (the default) | 0.93 | 0.83 |
//!
//! Both steps help and they help differently: the thesaurus finds more of the matches
//! (recall), LGSL inference puts the first one higher (MRR); together they do best.
//! Three matches stay outside the top 10 (garden waste ~ grass cuttings, and both
//! ways homelessness ~ rough sleeping): neither WordNet nor LGSL holds that knowledge.
//! They are listed in `labelled::KNOWN_MISSES`, as is one neighbour that outranks a
//! match (a local plan ~ a planning application). The set is small and written by the
//! same hand as the engine; treat the figures as a regression check, not a promise.
//! `cargo test --lib needs::matching::tests::figures -- --nocapture` prints them.
//!
//! # Not here
//! Organisation-level factors (similar council profile, distance, existing
//! partnerships) and visibility are the caller's: add them to [`Match::score`] from
//! [`Match::components`], and filter candidates before ranking.

mod rank;
mod services;
mod terms;
mod text;
mod thesaurus;

#[cfg(test)]
mod labelled;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use rank::{Components, Corpus, Match, Reason, ReasonKind, Weights};
pub use terms::{ParseTermsError, Terms, Word};

use services::vocabulary;
use terms::quantise;

/// A need as the engine sees it: title, problem, users and tags joined into `text`,
/// with the LGSL service ids its owner chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: i64,
    pub organisation_id: i64,
    pub text: String,
    pub services: Vec<i64>,
}

impl Profile {
    pub fn analyse(&self) -> Analysed {
        Analysed::new(
            self.id,
            self.organisation_id,
            self.services.clone(),
            analyse(&self.text),
        )
    }
}

/// A need ready to rank: its chosen services and its analysed text, which the caller
/// may have stored (`terms.to_string()`) and parsed back instead of analysing again.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysed {
    pub id: i64,
    pub organisation_id: i64,
    /// Chosen LGSL service ids, sorted and without repeats (see [`Analysed::new`]).
    pub services: Vec<i64>,
    pub terms: Terms,
}

impl Analysed {
    pub fn new(id: i64, organisation_id: i64, mut services: Vec<i64>, terms: Terms) -> Analysed {
        services.sort_unstable();
        services.dedup();
        Analysed {
            id,
            organisation_id,
            services,
            terms,
        }
    }
}

/// Which analysis steps run. The default is all of them; turning them off is for
/// measuring what each adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub thesaurus: bool,
    pub infer_services: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            thesaurus: true,
            infer_services: true,
        }
    }
}

/// Weight of a thesaurus synonym, and of a broader/narrower/part word, against 1 for a
/// word written: a word offered is weaker evidence than a word written.
const SYNONYM_WEIGHT: f64 = 0.5;
const RELATED_WEIGHT: f64 = 0.3;
/// Weight of a word of an inferred service's label, times the service's weight.
const SERVICE_WORD_WEIGHT: f64 = 0.3;
/// A word written many times counts up to this many times.
const MAX_REPEATS: f32 = 3.0;

/// Analyses a need's text with every step. See the module docs.
pub fn analyse(text: &str) -> Terms {
    analyse_with(text, Options::default())
}

/// Analyses a need's text with the chosen steps.
pub fn analyse_with(text: &str, options: Options) -> Terms {
    let vocab = vocabulary();
    // BTreeMaps: every step runs in stem order, whatever the hash seed.
    let mut written: BTreeMap<String, (String, f32)> = BTreeMap::new();
    for t in text::tokens(text, &|s| vocab.knows(s)) {
        let weight = t.weight();
        let entry = written.entry(t.stem).or_insert((t.surface, 0.0));
        entry.1 = (entry.1 + weight).min(MAX_REPEATS);
    }
    let mut offered = Offered::default();
    if options.thesaurus {
        for (stem, (surface, _)) in &written {
            let Some(entry) = vocab.thesaurus.get(stem) else {
                continue;
            };
            let synonyms = entry.synonyms.iter().map(|r| (r, SYNONYM_WEIGHT));
            for (r, weight) in synonyms.chain(entry.related.iter().map(|r| (r, RELATED_WEIGHT))) {
                offered.offer(&written, &r.stem, &r.surface, surface, weight);
            }
        }
    }
    if !options.infer_services {
        return Terms::new(offered.words(&written), Vec::new());
    }
    let before = offered.words(&written);
    let weighted: Vec<(&str, f32)> = before.iter().map(|w| (&*w.stem, w.weight)).collect();
    let services = vocab.lgsl.infer(&weighted);
    // The labels of the services inferred bring their words too, weakly: LGSL's own
    // wording joins everyday words ("bin collection" reads like *Household waste
    // containers*, which brings "household" and "waste").
    for &(id, weight) in &services {
        let via = format!("#{id}");
        for t in vocab.lgsl.label_words(id) {
            let weight = SERVICE_WORD_WEIGHT * f64::from(weight);
            offered.offer(&written, &t.stem, &t.surface, &via, weight);
        }
    }
    Terms::new(offered.words(&written), services)
}

/// Words offered for the words written: by stem, (surface, via, weight), the highest
/// weight kept (the first offer on a tie, in stem order).
#[derive(Default)]
struct Offered(BTreeMap<String, (String, String, f64)>);

impl Offered {
    fn offer(
        &mut self,
        written: &BTreeMap<String, (String, f32)>,
        stem: &str,
        surface: &str,
        via: &str,
        weight: f64,
    ) {
        if written.contains_key(stem) {
            return;
        }
        let e = self
            .0
            .entry(stem.to_string())
            .or_insert_with(|| (surface.to_string(), via.to_string(), weight));
        if weight > e.2 {
            *e = (surface.to_string(), via.to_string(), weight);
        }
    }

    fn words(&self, written: &BTreeMap<String, (String, f32)>) -> Vec<Word> {
        let written = written.iter().map(|(stem, (surface, weight))| Word {
            stem: stem.as_str().into(),
            surface: surface.as_str().into(),
            weight: *weight,
            via: None,
        });
        let offered = self.0.iter().map(|(stem, (surface, via, weight))| Word {
            stem: stem.as_str().into(),
            surface: surface.as_str().into(),
            weight: quantise(*weight),
            via: Some(via.as_str().into()),
        });
        let mut words: Vec<Word> = written.chain(offered).collect();
        words.sort_by(|a, b| a.stem.cmp(&b.stem));
        words
    }
}

/// The word stems a search for `text` looks up (`w:<stem>` in a need's index,
/// `needs::matches::index_terms`): its words as [`analyse`] reads them,
/// stopwords and boilerplate dropped, sorted, without repeats.
pub fn search_stems(text: &str) -> Vec<String> {
    let vocab = vocabulary();
    let mut stems: Vec<String> = text::tokens(text, &|s| vocab.knows(s))
        .into_iter()
        .map(|t| t.stem)
        .collect();
    stems.sort();
    stems.dedup();
    stems
}

/// The label of an LGSL service, e.g. `service_label(564)` is "Street lighting".
pub fn service_label(id: i64) -> Option<&'static str> {
    vocabulary().lgsl.label(id)
}
