//! Inferring LGSL services from text, and the vocabulary the engine knows.
//!
//! People rarely use the same words for one need, but both descriptions usually land
//! near the same LGSL service: "bin collection app" and "household waste reporting"
//! both read like *Household waste collection*. So each need's words are scored
//! against every LGSL service's label and description (BM25, the label counting
//! three times), and the best few services become part of what the need is about.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::text::{tokens, Token};
use super::thesaurus::Thesaurus;

const LGSL_CSV: &str = include_str!("../../../data/lgsl_services.csv");

/// BM25 constants, the usual ones.
pub(crate) const K1: f64 = 1.2;
pub(crate) const B: f64 = 0.75;
/// A label word counts this many times a description word: labels are short and exact.
const LABEL_BOOST: f32 = 3.0;
/// At most this many services are inferred for one text...
const MAX_INFERRED: usize = 8;
/// ...each scoring at least this share of the best one...
const RATIO: f64 = 0.35;
/// ...and the best must score at least this (one fairly rare word of a label does):
/// below it the text says too little about any service to guess.
const MIN_SCORE: f64 = 4.0;
/// A best score this high is full confidence; below it inferred weights shrink.
const FULL_SCORE: f64 = 12.0;

pub struct Service {
    pub id: i64,
    pub label: String,
    /// The label's words (stopwords and boilerplate dropped, compounds joined).
    pub words: Vec<Token>,
}

/// The LGSL services, indexed by their words.
pub struct Lgsl {
    pub services: Vec<Service>,
    by_id: HashMap<i64, usize>,
    postings: HashMap<String, Vec<(u32, f32)>>,
    lengths: Vec<f32>,
    avg_len: f64,
}

/// Everything the engine knows before it sees a need: the thesaurus, the LGSL index and
/// the stems that two adjacent words may join into.
pub struct Vocabulary {
    pub thesaurus: Thesaurus,
    pub lgsl: Lgsl,
    known: HashSet<String>,
}

impl Vocabulary {
    /// Whether a joined pair of words ("lampposts", "counciltax") is a word we know:
    /// a thesaurus word, a word of LGSL, or a pair found in two or more LGSL labels.
    pub fn knows(&self, stem: &str) -> bool {
        self.known.contains(stem)
    }
}

/// The vocabulary, built once per process from compiled-in data (a few milliseconds).
pub fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(build)
}

fn read_lgsl() -> Vec<(i64, String, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(LGSL_CSV.as_bytes());
    let mut rows: Vec<(i64, String, String)> = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let id = r.get(0)?.trim().parse().ok()?;
            Some((
                id,
                r.get(1)?.split_whitespace().collect::<Vec<_>>().join(" "),
                r.get(2).unwrap_or("").to_string(),
            ))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    rows
}

fn build() -> Vocabulary {
    let thesaurus = Thesaurus::builtin();
    let rows = read_lgsl();
    let mut known: HashSet<String> = thesaurus.stems().map(str::to_string).collect();
    let mut label_pairs: HashMap<String, usize> = HashMap::new();
    for (_, label, description) in &rows {
        for t in tokens(&format!("{label}. {description}"), &|_| false) {
            known.insert(t.stem);
        }
        let pairs: HashSet<String> = tokens(label, &|_| true)
            .into_iter()
            .filter(|t| t.joined)
            .map(|t| t.stem)
            .collect();
        for p in pairs {
            *label_pairs.entry(p).or_default() += 1;
        }
    }
    known.extend(
        label_pairs
            .into_iter()
            .filter(|(_, n)| *n >= 2)
            .map(|(p, _)| p),
    );

    let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
    let mut lengths = Vec::with_capacity(rows.len());
    let mut services = Vec::with_capacity(rows.len());
    for (doc, (id, label, description)) in rows.into_iter().enumerate() {
        let mut tf: HashMap<String, f32> = HashMap::new();
        let mut words: Vec<Token> = tokens(&label, &|s| known.contains(s));
        for t in &words {
            *tf.entry(t.stem.clone()).or_default() += LABEL_BOOST * t.weight();
        }
        words.sort_by(|a, b| a.stem.cmp(&b.stem));
        words.dedup_by(|a, b| a.stem == b.stem);
        for t in tokens(&description, &|s| known.contains(s)) {
            let weight = t.weight();
            *tf.entry(t.stem).or_default() += weight;
        }
        lengths.push(tf.values().sum());
        for (stem, f) in tf {
            postings.entry(stem).or_default().push((doc as u32, f));
        }
        services.push(Service { id, label, words });
    }
    for list in postings.values_mut() {
        list.sort_by_key(|p| p.0);
    }
    let avg_len = lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / lengths.len().max(1) as f64;
    let by_id = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    Vocabulary {
        thesaurus,
        lgsl: Lgsl {
            services,
            by_id,
            postings,
            lengths,
            avg_len,
        },
        known,
    }
}

impl Lgsl {
    /// The label of an LGSL service, for reasons ("Both chose Street lighting").
    pub fn label(&self, id: i64) -> Option<&str> {
        self.by_id
            .get(&id)
            .map(|&i| self.services[i].label.as_str())
    }

    /// The words of an LGSL service's label.
    pub fn label_words(&self, id: i64) -> &[Token] {
        self.by_id
            .get(&id)
            .map_or(&[], |&i| &self.services[i].words)
    }

    /// The services a text's words point to, best first as `(id, weight)` with weights
    /// in (0, 1], sorted by id. `words` are `(stem, weight)`, sorted by stem so the
    /// sums run in one order everywhere.
    pub fn infer(&self, words: &[(&str, f32)]) -> Vec<(i64, f32)> {
        let n = self.services.len() as f64;
        let mut scores = vec![0f64; self.services.len()];
        for &(stem, weight) in words {
            let Some(list) = self.postings.get(stem) else {
                continue;
            };
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                let norm =
                    K1 * (1.0 - B + B * f64::from(self.lengths[doc as usize]) / self.avg_len);
                scores[doc as usize] += f64::from(weight) * idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(usize, f64)> = scores
            .into_iter()
            .enumerate()
            .filter(|&(_, s)| s > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(_, best)) = ranked.first() else {
            return Vec::new();
        };
        if best < MIN_SCORE {
            return Vec::new();
        }
        let confidence = (best / FULL_SCORE).min(1.0);
        let mut out: Vec<(i64, f32)> = ranked
            .into_iter()
            .take(MAX_INFERRED)
            .filter(|&(_, s)| s >= RATIO * best)
            .map(|(doc, s)| {
                (
                    self.services[doc].id,
                    super::terms::quantise(s / best * confidence),
                )
            })
            .filter(|&(_, w)| w > 0.0)
            .collect();
        out.sort_by_key(|s| s.0);
        out
    }
}
