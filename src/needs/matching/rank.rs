//! The corpus (how common each word and service is) and ranking against it.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use serde::Serialize;

use super::services::{vocabulary, B, K1};
use super::terms::{stem_of_word, Word};
use super::Analysed;

/// How the score is made from its components. The defaults weigh the text most: two
/// needs described alike are the best evidence; services the owners chose are exact
/// but often missing or chosen differently.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    pub words: f64,
    pub inferred_services: f64,
    pub shared_services: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            words: 0.6,
            inferred_services: 0.25,
            shared_services: 0.15,
        }
    }
}

/// The parts of a match's score, each in [0, 1], so a caller can show them or add
/// organisation-level parts (similar councils, distance, partnerships) of its own.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Components {
    /// How much of the query's wording (with thesaurus words) the candidate shares,
    /// rare words counting more (BM25 against the query's score with itself).
    pub words: f64,
    /// Overlap of the LGSL services both read like (chosen or inferred), rare services
    /// counting more (weighted Jaccard).
    pub inferred_services: f64,
    /// Overlap of the LGSL services both owners chose (weighted Dice).
    pub shared_services: f64,
}

/// What a reason is about. Serialised in snake_case for the API's `{kind, text}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Both owners chose the same LGSL service.
    SharedServices,
    /// Both texts read like the same LGSL service.
    InferredServices,
    /// Both texts use the same words.
    SimilarWords,
    /// The texts use different words the thesaurus links.
    RelatedWords,
}

/// One plain-English reason, for council staff: "Both chose Street lighting".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub text: String,
}

/// One ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: i64,
    pub organisation_id: i64,
    /// The weighted sum of `components`; higher is better.
    pub score: f64,
    pub components: Components,
    pub reasons: Vec<Reason>,
}

/// How common each word and service is among needs, for IDF: a word most needs use
/// ("online", "app") says little; a rare one both use ("bedbugs") says a lot.
///
/// Counts are kept in hundredths of a need (thesaurus words and inferred services
/// count by their weight), as integers, so adding needs in any order gives the same
/// corpus and so the same ranking on every instance and database. Build it from every
/// need a ranking may consider (`add` and `remove` keep it current); IDF drifts slowly,
/// so an instance may rebuild it from stored terms now and then rather than on every
/// write elsewhere.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    docs: u64,
    total_len: u64,
    words: HashMap<std::sync::Arc<str>, u64>,
    services: HashMap<i64, u64>,
    pub weights: Weights,
}

fn hundredths(w: f32) -> u64 {
    (f64::from(w) * 100.0).round().max(0.0) as u64
}

fn idf(n: f64, df: f64) -> f64 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A need's LGSL services as one list: chosen ones at weight 1, inferred ones at their
/// weight, sorted by id. Merges two sorted lists without allocating.
fn service_vector<'a>(a: &'a Analysed) -> impl Iterator<Item = (i64, f64)> + 'a {
    let mut chosen = a.services.iter().peekable();
    let mut inferred = a.terms.services.iter().peekable();
    std::iter::from_fn(move || match (chosen.peek(), inferred.peek()) {
        (Some(&&c), Some(&&(i, w))) => match c.cmp(&i) {
            Ordering::Less => chosen.next().map(|&c| (c, 1.0)),
            Ordering::Greater => inferred.next().map(|&(i, w)| (i, f64::from(w))),
            Ordering::Equal => {
                chosen.next();
                inferred.next();
                Some((c, 1.0f64.max(f64::from(w))))
            }
        },
        (Some(_), None) => chosen.next().map(|&c| (c, 1.0)),
        (None, Some(_)) => inferred.next().map(|&(i, w)| (i, f64::from(w))),
        (None, None) => None,
    })
}

/// The query, weighed against the corpus once per ranking.
struct Query<'a> {
    /// Per word (in stem order): idf × weight.
    words: Vec<(&'a Word, f64)>,
    /// The query's BM25 score against itself: the words component's 1.
    self_score: f64,
    /// (id, weight, idf), sorted by id.
    services: Vec<(i64, f64, f64)>,
    /// (id, idf) of chosen services, and their idf sum.
    chosen: Vec<(i64, f64)>,
    chosen_sum: f64,
}

#[derive(PartialEq)]
struct Ranked {
    score: f64,
    id: i64,
    index: usize,
}

impl Eq for Ranked {}

impl Ord for Ranked {
    /// Greater is better: higher score, then lower id (ties broken the same everywhere).
    fn cmp(&self, other: &Ranked) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.id.cmp(&self.id))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Corpus {
    pub fn new() -> Corpus {
        Corpus::default()
    }

    /// A corpus of these needs.
    pub fn of<'a>(needs: impl IntoIterator<Item = &'a Analysed>) -> Corpus {
        let mut corpus = Corpus::new();
        for need in needs {
            corpus.add(need);
        }
        corpus
    }

    /// How many needs the corpus counts.
    pub fn len(&self) -> u64 {
        self.docs
    }

    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    pub fn add(&mut self, need: &Analysed) {
        self.docs += 1;
        self.total_len += hundredths(need.terms.len);
        for w in need.terms.words.iter() {
            *self.words.entry(w.stem.clone()).or_default() += hundredths(w.weight.min(1.0));
        }
        for (id, w) in service_vector(need) {
            *self.services.entry(id).or_default() += hundredths(w.min(1.0) as f32);
        }
    }

    /// Forgets a need added before (the same `Analysed`), e.g. when it is edited.
    pub fn remove(&mut self, need: &Analysed) {
        self.docs = self.docs.saturating_sub(1);
        self.total_len = self.total_len.saturating_sub(hundredths(need.terms.len));
        for w in need.terms.words.iter() {
            if let Some(df) = self.words.get_mut(&*w.stem) {
                *df = df.saturating_sub(hundredths(w.weight.min(1.0)));
                if *df == 0 {
                    self.words.remove(&*w.stem);
                }
            }
        }
        for (id, w) in service_vector(need) {
            if let Some(df) = self.services.get_mut(&id) {
                *df = df.saturating_sub(hundredths(w.min(1.0) as f32));
                if *df == 0 {
                    self.services.remove(&id);
                }
            }
        }
    }

    fn word_idf(&self, stem: &str) -> f64 {
        let df = self.words.get(stem).copied().unwrap_or(0) as f64 / 100.0;
        idf(self.docs as f64, df)
    }

    fn service_idf(&self, id: i64) -> f64 {
        let df = self.services.get(&id).copied().unwrap_or(0) as f64 / 100.0;
        idf(self.docs as f64, df)
    }

    fn avg_len(&self) -> f64 {
        if self.docs == 0 {
            return 1.0;
        }
        (self.total_len as f64 / 100.0 / self.docs as f64).max(1.0)
    }

    /// BM25's saturating term frequency for a word of weight `f` in a need of `len`.
    fn saturate(&self, f: f64, len: f32, avg_len: f64) -> f64 {
        f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * f64::from(len) / avg_len))
    }

    fn prepare<'a>(&self, query: &'a Analysed) -> Query<'a> {
        let avg_len = self.avg_len();
        let words: Vec<(&Word, f64)> = query
            .terms
            .words
            .iter()
            .map(|w| (w, self.word_idf(&w.stem) * f64::from(w.weight)))
            .collect();
        let self_score = words
            .iter()
            .map(|(w, q)| q * self.saturate(f64::from(w.weight), query.terms.len, avg_len))
            .sum();
        let services = service_vector(query)
            .map(|(id, w)| (id, w, self.service_idf(id)))
            .collect();
        let chosen: Vec<(i64, f64)> = query
            .services
            .iter()
            .map(|&id| (id, self.service_idf(id)))
            .collect();
        let chosen_sum = chosen.iter().map(|c| c.1).sum();
        Query {
            words,
            self_score,
            services,
            chosen,
            chosen_sum,
        }
    }

    /// Scores one candidate: a merge of sorted lists, no allocation.
    fn components(&self, q: &Query, c: &Analysed, avg_len: f64) -> Components {
        let mut words = 0.0;
        if q.self_score > 0.0 {
            let mut cw = c.terms.words.iter().peekable();
            for (qw, weight) in &q.words {
                while cw.next_if(|w| w.stem < qw.stem).is_some() {}
                if let Some(w) = cw.next_if(|w| w.stem == qw.stem) {
                    words += weight * self.saturate(f64::from(w.weight), c.terms.len, avg_len);
                }
            }
            words = (words / q.self_score).min(1.0);
        }

        let (mut min_sum, mut max_sum) = (0.0, 0.0);
        let mut qs = q.services.iter().peekable();
        for (id, w) in service_vector(c) {
            while let Some(&&(_, qw, qidf)) = qs.peek().filter(|s| s.0 < id) {
                max_sum += qidf * qw;
                qs.next();
            }
            match qs.next_if(|s| s.0 == id) {
                Some(&(_, qw, qidf)) => {
                    min_sum += qidf * qw.min(w);
                    max_sum += qidf * qw.max(w);
                }
                None => max_sum += self.service_idf(id) * w,
            }
        }
        max_sum += qs.map(|&(_, qw, qidf)| qidf * qw).sum::<f64>();
        let inferred_services = if max_sum > 0.0 {
            min_sum / max_sum
        } else {
            0.0
        };

        let mut shared_services = 0.0;
        if !q.chosen.is_empty() && !c.services.is_empty() {
            let (mut shared, mut c_sum) = (0.0, 0.0);
            let mut qc = q.chosen.iter().peekable();
            for &id in &c.services {
                while qc.next_if(|s| s.0 < id).is_some() {}
                match qc.next_if(|s| s.0 == id) {
                    Some(&(_, qidf)) => {
                        shared += qidf;
                        c_sum += qidf;
                    }
                    None => c_sum += self.service_idf(id),
                }
            }
            shared_services = 2.0 * shared / (q.chosen_sum + c_sum);
        }
        Components {
            words,
            inferred_services,
            shared_services,
        }
    }

    fn score(&self, c: &Components) -> f64 {
        let w = &self.weights;
        w.words * c.words
            + w.inferred_services * c.inferred_services
            + w.shared_services * c.shared_services
    }

    /// The `limit` candidates most like `query`, best first, each with its reasons.
    ///
    /// Linear in the candidates: each is scored by merging sorted lists, and only the
    /// best `limit` are kept (a heap) and explained. Candidates with the query's own id
    /// or a score of 0 are left out; ties go to the lower id, so the same inputs give
    /// the same order everywhere. Candidates of the query's own organisation are kept:
    /// whether to show them is the caller's choice.
    pub fn rank(&self, query: &Analysed, candidates: &[Analysed], limit: usize) -> Vec<Match> {
        if limit == 0 {
            return Vec::new();
        }
        let q = self.prepare(query);
        let avg_len = self.avg_len();
        let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(limit + 1);
        for (index, c) in candidates.iter().enumerate() {
            if c.id == query.id {
                continue;
            }
            let score = self.score(&self.components(&q, c, avg_len));
            if score <= 0.0 {
                continue;
            }
            let ranked = Ranked {
                score,
                id: c.id,
                index,
            };
            if best.len() < limit {
                best.push(Reverse(ranked));
            } else if best.peek().is_some_and(|Reverse(worst)| ranked > *worst) {
                best.pop();
                best.push(Reverse(ranked));
            }
        }
        let mut best: Vec<Ranked> = best.into_iter().map(|Reverse(r)| r).collect();
        best.sort_by(|a, b| b.cmp(a));
        best.into_iter()
            .map(|r| {
                let c = &candidates[r.index];
                let components = self.components(&q, c, avg_len);
                Match {
                    id: c.id,
                    organisation_id: c.organisation_id,
                    score: r.score,
                    components,
                    reasons: self.reasons(&q, c),
                }
            })
            .collect()
    }

    /// Plain-English reasons, strongest evidence first.
    fn reasons(&self, q: &Query, c: &Analysed) -> Vec<Reason> {
        let lgsl = &vocabulary().lgsl;
        let mut reasons = Vec::new();
        let label = |id: i64| {
            lgsl.label(id)
                .map(str::to_string)
                .unwrap_or_else(|| format!("LGSL {id}"))
        };

        let mut chosen: Vec<(i64, f64)> = q
            .chosen
            .iter()
            .filter(|(id, _)| c.services.binary_search(id).is_ok())
            .copied()
            .collect();
        chosen.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if !chosen.is_empty() {
            let labels: Vec<String> = chosen.iter().take(3).map(|&(id, _)| label(id)).collect();
            reasons.push(Reason {
                kind: ReasonKind::SharedServices,
                text: format!("Both chose {}", and_list(&labels)),
            });
        }

        let mut inferred: Vec<(i64, f64)> = Vec::new();
        let cs: Vec<(i64, f64)> = service_vector(c).collect();
        for &(id, qw, qidf) in &q.services {
            let both_chosen = chosen.iter().any(|s| s.0 == id);
            if let (false, Ok(i)) = (both_chosen, cs.binary_search_by_key(&id, |s| s.0)) {
                let overlap = qw.min(cs[i].1);
                if overlap >= 0.3 {
                    inferred.push((id, qidf * overlap));
                }
            }
        }
        inferred.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if !inferred.is_empty() {
            let labels: Vec<String> = inferred
                .iter()
                .take(2)
                .map(|&(id, _)| lowercase_first(&label(id)))
                .collect();
            reasons.push(Reason {
                kind: ReasonKind::InferredServices,
                text: format!("Both describe {}", and_list(&labels)),
            });
        }

        // Shared words, by how much each adds, then alphabetically.
        let mut same: Vec<(f64, &str)> = Vec::new();
        let mut related: Vec<(f64, String, String)> = Vec::new();
        for (qw, weight) in &q.words {
            let Ok(i) = c.terms.words.binary_search_by(|w| w.stem.cmp(&qw.stem)) else {
                continue;
            };
            let cw = &c.terms.words[i];
            let strength = weight * f64::from(cw.weight);
            match (&qw.via, &cw.via) {
                (None, None) => same.push((strength, &qw.surface)),
                // Words from an inferred service's label are told as that service; two
                // words both only offered are too loose a link to show.
                (Some(v), _) | (_, Some(v)) if v.starts_with('#') => {}
                (Some(_), Some(_)) => {}
                (qv, cv) => {
                    let here = qv.as_deref().unwrap_or(&qw.surface);
                    let there = cv.as_deref().unwrap_or(&cw.surface);
                    // `join` drops hyphens and spaces alike: the remembered stems.
                    if stem_of_word(here) != stem_of_word(there) {
                        related.push((strength, here.replace('-', " "), there.replace('-', " ")));
                    }
                }
            }
        }
        same.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut shown: Vec<String> = Vec::new();
        for (_, surface) in same {
            let covered = shown
                .iter()
                .any(|s| s.split(' ').any(|part| part == surface));
            if !covered && shown.len() < 5 {
                shown.push(surface.replace('-', " "));
            }
        }
        if !shown.is_empty() {
            reasons.push(Reason {
                kind: ReasonKind::SimilarWords,
                text: format!("Both mention: {}", shown.join(", ")),
            });
        }

        related.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut pairs: Vec<String> = Vec::new();
        for (_, here, there) in related {
            let pair = format!("{here} ~ {there}");
            if !pairs.contains(&pair) && pairs.len() < 3 {
                pairs.push(pair);
            }
        }
        if !pairs.is_empty() {
            reasons.push(Reason {
                kind: ReasonKind::RelatedWords,
                text: format!("Related words: {}", pairs.join(", ")),
            });
        }
        if reasons.is_empty() {
            // Only loose links (words both were offered): say so rather than nothing.
            reasons.push(Reason {
                kind: ReasonKind::RelatedWords,
                text: "Described in loosely related words".to_string(),
            });
        }
        reasons
    }
}

/// "A", "A and B", "A, B and C".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "Street lighting" → "street lighting", but "LGSL" and "Care Act" stay as they are.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}
