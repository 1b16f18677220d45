//! `Terms`: what a need's text is about, analysed once and stored as a short string.
//!
//! Analysing a need (stemming, thesaurus, LGSL inference) costs far more than comparing
//! two analysed needs, so the caller stores `Terms` beside the need (a text column) and
//! ranks from the stored value. The string form is exact: parsing it gives back equal
//! `Terms`, so a stored need and a freshly analysed one rank the same.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::text::{join, stem};

/// Weights are kept to hundredths: short to store, and sums over them do not depend on
/// which instance or database computed them.
pub(crate) fn quantise(x: f64) -> f32 {
    ((x * 100.0).round() / 100.0) as f32
}

/// One word of a need: written in the text, or offered by the thesaurus for a word that
/// was (`via`). The strings are shared (`Arc<str>`): parsed terms intern them, so the
/// same word in a thousand needs is kept once.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// What matching compares: `stem(join(surface))`.
    pub stem: Arc<str>,
    /// How to show it: lowercase, joined words hyphenated ("street-lights").
    pub surface: Arc<str>,
    /// How much it counts: the number of times written, or the thesaurus's lower weight.
    pub weight: f32,
    /// For a thesaurus word, the word of the text it came from.
    pub via: Option<Arc<str>>,
}

/// The analysed text of a need: its words sorted by stem, and the LGSL services it
/// reads like, sorted by id. Build with [`super::analyse`]; store with `to_string()`
/// or serde (a string); read back with `parse()`. Cloning is cheap (shared lists), so
/// a caller may keep parsed terms and hand out copies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Terms {
    pub(crate) words: Arc<[Word]>,
    pub(crate) services: Arc<[(i64, f32)]>,
    /// Sum of word weights: BM25's document length.
    pub(crate) len: f32,
}

/// The version of the string form, first in it, so a later change can be told apart.
const VERSION: &str = "t1";

impl Terms {
    pub(crate) fn new(mut words: Vec<Word>, mut services: Vec<(i64, f32)>) -> Terms {
        words.sort_by(|a, b| a.stem.cmp(&b.stem));
        services.sort_by_key(|s| s.0);
        let len = words.iter().map(|w| w.weight).sum();
        Terms {
            words: words.into(),
            services: services.into(),
            len,
        }
    }

    /// The words, sorted by stem.
    pub fn words(&self) -> &[Word] {
        &self.words
    }

    /// Inferred LGSL services as `(id, weight in (0, 1])`, sorted by id.
    pub fn services(&self) -> &[(i64, f32)] {
        &self.services
    }

    /// True when the text said nothing beyond stopwords and boilerplate.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.services.is_empty()
    }
}

/// `t1 bins=1 collection=1 rubbish<bins=0.5 | 524=1 526=0.62`
impl fmt::Display for Terms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(VERSION)?;
        for w in self.words.iter() {
            match &w.via {
                Some(via) => write!(f, " {}<{}={}", w.surface, via, w.weight)?,
                None => write!(f, " {}={}", w.surface, w.weight)?,
            }
        }
        f.write_str(" |")?;
        for (id, weight) in self.services.iter() {
            write!(f, " {id}={weight}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not a stored matching terms string: {0}")]
pub struct ParseTermsError(String);

impl FromStr for Terms {
    type Err = ParseTermsError;

    fn from_str(s: &str) -> Result<Terms, ParseTermsError> {
        let err = |what: &str| ParseTermsError(what.to_string());
        let mut parts = s.split_whitespace();
        if parts.next() != Some(VERSION) {
            return Err(err("unknown version"));
        }
        let mut words = Vec::new();
        let mut services = Vec::new();
        let mut in_services = false;
        for part in parts {
            if part == "|" {
                in_services = true;
                continue;
            }
            let (key, weight) = part.rsplit_once('=').ok_or_else(|| err(part))?;
            let weight: f32 = weight.parse().map_err(|_| err(part))?;
            if in_services {
                services.push((key.parse().map_err(|_| err(part))?, weight));
            } else {
                let (surface, via) = match key.split_once('<') {
                    Some((s, v)) => (s, Some(intern(v).0)),
                    None => (key, None),
                };
                let (surface, stem) = intern(surface);
                words.push(Word {
                    stem,
                    surface,
                    weight,
                    via,
                });
            }
        }
        Ok(Terms::new(words, services))
    }
}

/// `stem(join(word))`, remembered (see [`intern`]).
pub(crate) fn stem_of_word(word: &str) -> Arc<str> {
    intern(word).1
}

/// A surface word shared, with its stem `stem(join(surface))`, remembered: reading
/// stored terms back is what matching does per request (some 100 words a need), and
/// stemming and allocating are most of its cost, while the words themselves repeat
/// across needs. Bounded: forgotten when it grows large (words already handed out
/// stay valid; they are reference-counted).
fn intern(surface: &str) -> (Arc<str>, Arc<str>) {
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    type Memo = RwLock<HashMap<Arc<str>, Arc<str>>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some((s, stem)) = memo
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get_key_value(surface)
    {
        return (s.clone(), stem.clone());
    }
    let stemmed = stem(&join(surface));
    let mut memo = memo.write().unwrap_or_else(|p| p.into_inner());
    if memo.len() >= 200_000 {
        memo.clear();
    }
    let s: Arc<str> = surface.into();
    // The stem is often the surface itself: share it then.
    let stemmed: Arc<str> = if stemmed == surface {
        s.clone()
    } else {
        stemmed.into()
    };
    memo.insert(s.clone(), stemmed.clone());
    (s, stemmed)
}

impl Serialize for Terms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Terms, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
