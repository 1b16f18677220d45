//! The thesaurus: `data/thesaurus.tsv`, derived once from WordNet 3.0 by
//! `build_thesaurus.py` and compiled in, so every instance expands words the same way.

use std::collections::HashMap;

use super::text::{is_boilerplate, join, stem};

const TSV: &str = include_str!("../../../data/thesaurus.tsv");

/// A word the thesaurus offers for another: its stem (what matching compares) and how
/// to write it ("street-lamp"; parts joined by hyphens, so it re-stems the same).
#[derive(Debug, Clone)]
pub struct Related {
    pub stem: String,
    pub surface: String,
}

/// What one stem expands to.
#[derive(Debug, Default)]
pub struct Entry {
    /// Same meaning (WordNet synonyms of the commonest senses).
    pub synonyms: Vec<Related>,
    /// One step broader or narrower, or part/whole ("lamppost" → "streetlight").
    pub related: Vec<Related>,
}

pub struct Thesaurus {
    entries: HashMap<String, Entry>,
}

fn surface(word: &str) -> String {
    word.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

impl Thesaurus {
    /// Parses the TSV. Keys are stemmed, so "lighting", "lights" and "light" share one
    /// entry (their words merged in file order, which is sorted: deterministic).
    pub fn parse(tsv: &str) -> Thesaurus {
        let mut entries: HashMap<String, Entry> = HashMap::new();
        for line in tsv.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let key = cols.next().unwrap_or_default();
            let key_stem = stem(&join(key));
            let parse = |col: Option<&str>| -> Vec<Related> {
                col.unwrap_or_default()
                    .split(',')
                    .map(surface)
                    .filter(|w| !w.is_empty() && !is_boilerplate(w))
                    .map(|surface| Related {
                        stem: stem(&join(&surface)),
                        surface,
                    })
                    .filter(|r| r.stem != key_stem && r.stem.len() > 1)
                    .collect()
            };
            let synonyms = parse(cols.next());
            let related = parse(cols.next());
            let entry = entries.entry(key_stem).or_default();
            for r in synonyms {
                if !entry.synonyms.iter().any(|s| s.stem == r.stem) {
                    entry.synonyms.push(r);
                }
            }
            for r in related {
                let known = |s: &Related| s.stem == r.stem;
                if !entry.synonyms.iter().any(known) && !entry.related.iter().any(known) {
                    entry.related.push(r);
                }
            }
        }
        Thesaurus { entries }
    }

    pub fn builtin() -> Thesaurus {
        Thesaurus::parse(TSV)
    }

    pub fn get(&self, stem: &str) -> Option<&Entry> {
        self.entries.get(stem)
    }

    /// Every stem the thesaurus knows, as a key or as a word offered.
    pub fn stems(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().flat_map(|(k, e)| {
            std::iter::once(k.as_str())
                .chain(e.synonyms.iter().map(|r| r.stem.as_str()))
                .chain(e.related.iter().map(|r| r.stem.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_file_links_everyday_words() {
        let t = Thesaurus::builtin();
        let related = |a: &str, b: &str| {
            t.get(&stem(a)).is_some_and(|e| {
                e.synonyms
                    .iter()
                    .chain(&e.related)
                    .any(|r| r.stem == stem(&join(b)))
            })
        };
        assert!(related("rubbish", "waste"));
        assert!(related("lamppost", "streetlight"));
        assert!(related("streetlight", "street lamp"));
    }

    #[test]
    fn parses_multiword_words_and_merges_keys_by_stem() {
        let t = Thesaurus::parse("lights\tlamp\t\nlighting\tstreet lamp\tservice\n");
        let e = t.get("light").unwrap();
        let words: Vec<_> = e.synonyms.iter().map(|r| r.surface.as_str()).collect();
        assert_eq!(words, ["lamp", "street-lamp"]);
        assert_eq!(e.synonyms[1].stem, "streetlamp");
        assert!(e.related.is_empty(), "boilerplate is never offered");
    }
}
