//! Words from text: tokens, stopwords, boilerplate, Snowball stems and joined compounds.
//!
//! Everything here is a pure function of the text, so the same need gives the same words
//! on every instance and database.

use std::collections::HashSet;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// Common English words (Snowball's English stop list, lightly extended): they say
/// nothing about what a need is about.
const ENGLISH_STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "eg",
    "etc",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "ie",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
];

/// Words found in almost every council need or LGSL description. Two needs sharing
/// them share nothing: "improve digital services for residents across the council"
/// is not a match for anything. Compared before stemming, so "service" stays a
/// stopword without making "serviced" one.
const BOILERPLATE: &[&str] = &[
    "across",
    "authorities",
    "authority",
    "better",
    "citizen",
    "citizens",
    "council",
    "councils",
    "customer",
    "customers",
    "deliver",
    "delivering",
    "delivery",
    "digital",
    "easier",
    "easy",
    "help",
    "helping",
    "improve",
    "improved",
    "improvement",
    "improvements",
    "improving",
    "local",
    "locally",
    "make",
    "making",
    "need",
    "needs",
    "new",
    "people",
    "person",
    "platform",
    "process",
    "processes",
    "project",
    "projects",
    "provide",
    "provided",
    "provides",
    "providing",
    "provision",
    "public",
    "resident",
    "residents",
    "service",
    "services",
    "solution",
    "solutions",
    "support",
    "supporting",
    "system",
    "systems",
    "transform",
    "transformation",
    "use",
    "used",
    "user",
    "users",
    "using",
    "want",
    "way",
    "ways",
    "work",
    "working",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The Snowball English stem of a lowercase word.
pub fn stem(word: &str) -> String {
    stemmer().stem(word).into_owned()
}

/// A word joined from its parts: "street lamp", "street-lamp" and "streetlamp" are the
/// same word here, whether they come from a need or from the thesaurus.
pub fn join(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn set(words: &'static [&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

fn is_stopword(word: &str) -> bool {
    static SET: OnceLock<HashSet<&str>> = OnceLock::new();
    SET.get_or_init(|| set(ENGLISH_STOPWORDS)).contains(word)
}

pub(crate) fn is_boilerplate(word: &str) -> bool {
    static SET: OnceLock<HashSet<&str>> = OnceLock::new();
    SET.get_or_init(|| set(BOILERPLATE)).contains(word)
}

/// One word of a text, as written (lowercase; two joined words hyphenated,
/// "street-lights") and stemmed (always `stem(join(surface))`).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub surface: String,
    pub stem: String,
    /// Two adjacent words joined into one.
    pub joined: bool,
    /// One of two words that were also joined: the joined word carries the meaning
    /// ("lamp posts" is about lampposts more than posts), so it counts less.
    pub part: bool,
}

impl Token {
    /// How much one occurrence counts: less for a part of a joined pair.
    pub fn weight(&self) -> f32 {
        if self.part {
            PART_WEIGHT
        } else {
            1.0
        }
    }
}

/// Weight of each of two words also joined into one ("lamp" and "posts" of "lamp posts").
pub const PART_WEIGHT: f32 = 0.5;

/// The lowercase words of a text, in order, with `None` where a stopword, a number or
/// punctuation broke the run (so compounds join only words written next to each other).
fn raw_words(text: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Option<String>>, boundary: bool| {
        // Single letters ("s" of "children's", "e" of "e-books") are skipped, not breaks.
        if word.chars().count() >= 2 {
            let keep = word.chars().any(|c| c.is_alphabetic()) && !is_stopword(word);
            out.push(keep.then(|| std::mem::take(word)));
        }
        word.clear();
        if boundary && out.last().is_some_and(Option::is_some) {
            out.push(None);
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            // "residents'" and "children's": the possessive is not a word.
            flush(&mut word, &mut out, false);
        } else {
            let boundary = !(c.is_whitespace() || c == '-');
            flush(&mut word, &mut out, boundary);
        }
    }
    flush(&mut word, &mut out, true);
    out
}

/// The words of a text that can say what it is about: lowercased, without stopwords or
/// boilerplate, stemmed; plus each pair of adjacent words joined ("lamp posts" →
/// "lampposts", "council tax" → "counciltax") when `known` says the joined word is a
/// word of the vocabulary — people write "street lights", "streetlights" and
/// "street-lights" for one thing. Boilerplate is dropped after joining, so "council
/// tax" survives as one word.
pub fn tokens(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<Token> {
    let raw = raw_words(text);
    let joins: Vec<Option<String>> = (0..raw.len())
        .map(|i| match (&raw[i], raw.get(i + 1)) {
            (Some(word), Some(Some(next))) => {
                Some(stem(&format!("{word}{next}"))).filter(|s| known(s))
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (i, word) in raw.iter().enumerate() {
        let Some(word) = word else { continue };
        if let (Some(stemmed), Some(Some(next))) = (&joins[i], raw.get(i + 1)) {
            out.push(Token {
                surface: format!("{word}-{next}"),
                stem: stemmed.clone(),
                joined: true,
                part: false,
            });
        }
        if !is_boilerplate(word) {
            let part = joins[i].is_some() || i > 0 && joins[i - 1].is_some();
            out.push(Token {
                surface: word.clone(),
                stem: stem(word),
                joined: false,
                part,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<String> {
        tokens(text, known).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn drops_stopwords_and_boilerplate_and_stems() {
        let none = |_: &str| false;
        assert_eq!(
            stems(
                "Improve digital services for residents across the Council",
                &none
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            stems("Missed bins, collections", &none),
            ["miss", "bin", "collect"]
        );
        assert_eq!(stems("residents' children's 2024 a", &none), ["children"]);
    }

    #[test]
    fn joins_adjacent_words_the_vocabulary_knows() {
        let known = |s: &str| s == "lamppost" || s == "counciltax";
        assert_eq!(
            stems("broken lamp-posts", &known),
            ["broken", "lamppost", "lamp", "post"]
        );
        assert_eq!(
            stems("Council tax reminders", &known),
            ["counciltax", "tax", "remind"]
        );
        // Not across punctuation or a stopword.
        assert_eq!(stems("lamp. posts", &known), ["lamp", "post"]);
        assert_eq!(stems("lamp and posts", &known), ["lamp", "post"]);
    }
}
