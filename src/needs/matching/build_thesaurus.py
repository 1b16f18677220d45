#!/usr/bin/env python3
"""Derive data/thesaurus.tsv, the matching engine's small synonym file, from WordNet 3.0.

Run by hand, once, when the vocabulary or the rules below change — never at build time:

    apt-get install -y wordnet-base
    python3 src/needs/matching/build_thesaurus.py > data/thesaurus.tsv

Why a derived file and not WordNet itself: WordNet is ~30 MB and mostly words no council
need will use. We keep only the words that matter here — the words of the LGSL service
labels and descriptions (data/lgsl_services.csv) and a short list of everyday words people
use about council services (COMMON below) — and for each, the words WordNet says mean the
same or nearly the same:

  * synonyms: the other words of the word's commonest senses (2 noun senses, 1 verb
    sense, 1 adjective sense), e.g. rubbish -> trash, scrap, kept only when made of
    vocabulary words (which drops WordNet's rarer words: "cod" for "collection");
  * related: one step up or down the noun hierarchy and part/whole links of the two
    commonest noun senses, kept only when that word is itself in the vocabulary (so the
    file stays small and every related word can meet another need's words), e.g.
    rubbish -> waste, lamppost -> streetlight. Very general words ("container",
    "person") are skipped, and so are the narrower words of a very general word: a word
    with more than MAX_FANOUT narrower words links too much together to say anything.

Output: one line per word, sorted, `word<TAB>synonym,synonym<TAB>related,related`. Words
of several parts are written with spaces ("street lamp"); the engine joins them
("streetlamp") so they meet the same words written as one ("streetlamp") or found as two
adjacent words in a need ("street lamp").

WordNet 3.0 licence (Princeton University) allows use and redistribution of derived data
with its copyright notice: see data/SOURCES.md.
"""

import csv
import os
import re
import sys

WN = os.environ.get("WNDIR", "/usr/share/wordnet")
HERE = os.path.dirname(os.path.abspath(__file__))
LGSL = os.path.join(HERE, "..", "..", "..", "data", "lgsl_services.csv")

NOUN_SENSES, VERB_SENSES, ADJ_SENSES = 2, 1, 1
RELATED_NOUN_SENSES = 2
MAX_FANOUT = 30
MAX_SYNONYMS = 12
MAX_RELATED = 12

# Everyday words for council services that LGSL's formal wording may lack. Written
# from general knowledge of what councils do, not from any test set.
COMMON = """
bin bins wheelie rubbish litter recycling recycle tip dump dumping pothole potholes pavement
footpath road roads street lamp lamps lamppost streetlight light lighting parking permit
badge bus coach school pupil pupils child children care carer carers elderly adult
assessment housing tenant tenants landlord repair repairs damp mould homeless homelessness
eviction planning application applications building extension pest pests rat rats mice
mouse wasp wasps cockroach bedbug infestation garden green compost subscription tax bill
payment arrears reminder debt benefit fly tipping graffiti noise nuisance dog fouling
library libraries book books leisure swimming park playground cemetery burial
crematorium marriage wedding registration birth death election voter licence licensing
taxi cab minicab driver food hygiene inspection restaurant takeaway flood flooding drain
gully grit gritting snow tree hedge allotment youth foster fostering adoption
safeguarding disability disabled wheelchair equipment meal meals appointment booking
form report reporting chatbot app application website portal online phone telephone
text message email notification alert missed collection visitor tourism business
rates grant loan energy insulation heating boiler solar climate carbon vehicle electric
charging cycle bike bicycle walking air quality pollution asbestos contaminated land
trash garbage refuse waste lorry crew household home house flat estate council
transport travel journey commute accessibility mobility parent parents family families
older vulnerable loneliness isolation health wellbeing hospital discharge benefits
welfare poverty food bank warm cost living rent mortgage shop shops town village market
fraud complaint complaints enquiry enquiries data records archive map maps mapping
sensor sensors camera cctv drone vandalism crime antisocial behaviour alcohol drugs
""".split()

STOP = set("""
a an and are as at be been being but by can could did do does for from had has have
how if in into is it its may might more most must no not of on or other our shall should
so some such than that the their them then there these they this those through to under
up upon use used very was we were what when where which while who whom why will with
within without would you your also any all each either both every etc per via
""".split())

POS_FILES = {"n": "noun", "v": "verb", "a": "adj"}
# WordNet's detachment rules (morphy): how inflected words reach their base form.
RULES = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
          ("shes", "sh"), ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
          ("ing", "e"), ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
}


def load_index(pos):
    """lemma -> synset offsets of its tagged senses, commonest sense first."""
    index = {}
    with open(os.path.join(WN, "index." + POS_FILES[pos]), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            parts = line.split()
            lemma, synset_cnt, p_cnt = parts[0], int(parts[2]), int(parts[3])
            tagged = int(parts[4 + p_cnt + 1])
            offsets = parts[4 + p_cnt + 2:][:synset_cnt]
            # Senses come commonest first; those never seen in WordNet's tagged texts
            # (slang, rare senses: "rat" for a strikebreaker) are dropped, except the first.
            index[lemma] = offsets[: max(1, tagged)]
    return index


def load_data(pos):
    """offset -> (lemmas, pointers[(symbol, offset, pos)])."""
    data = {}
    with open(os.path.join(WN, "data." + POS_FILES[pos]), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            head = line.split("|")[0].split()
            offset, w_cnt = head[0], int(head[3], 16)
            words = [head[4 + 2 * i].lower() for i in range(w_cnt)]
            words = [re.sub(r"\(.*\)$", "", w) for w in words]
            i = 4 + 2 * w_cnt
            p_cnt = int(head[i])
            ptrs = []
            for k in range(p_cnt):
                sym, off, ppos = head[i + 1 + 4 * k: i + 4 + 4 * k]
                ptrs.append((sym, off, "a" if ppos == "s" else ppos))
            data[offset] = (words, ptrs)
    return data


def load_exceptions(pos):
    exc = {}
    with open(os.path.join(WN, POS_FILES[pos] + ".exc"), encoding="latin-1") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                exc.setdefault(parts[0], parts[1])
    return exc


INDEX = {p: load_index(p) for p in POS_FILES}
DATA = {p: load_data(p) for p in POS_FILES}
EXC = {p: load_exceptions(p) for p in POS_FILES}


def lemmas(word, pos):
    """Base forms of `word` that WordNet knows as `pos` (morphy, simplified)."""
    found = []
    if word in EXC[pos]:
        found.append(EXC[pos][word])
    if word in INDEX[pos]:
        found.append(word)
    for suffix, ending in RULES[pos]:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + ending
            if base in INDEX[pos]:
                found.append(base)
    return list(dict.fromkeys(found))


def fanout(offset):
    return sum(1 for sym, _, _ in DATA["n"][offset][1] if sym in ("~", "~i"))


def words_of(offset, pos):
    return [w.replace("_", " ") for w in DATA[pos][offset][0]]


def tokens(text):
    return [t for t in re.findall(r"[a-z]+", text.lower()) if len(t) > 2 and t not in STOP]


def vocabulary():
    surfaces = set(COMMON)
    bigrams = set()
    with open(LGSL, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            toks = tokens(row["Label"] + " . " + row["Description"])
            surfaces.update(toks)
            bigrams.update(zip(toks, toks[1:]))
    for a, b in zip(COMMON, COMMON[1:]):
        bigrams.add((a, b))
    vocab = set()
    for w in surfaces:
        for pos in POS_FILES:
            vocab.update(lemmas(w, pos))
    # Two adjacent words that WordNet knows as one word ("street lamp", "lamppost").
    for a, b in bigrams:
        for joined in (a + "_" + b, a + b):
            for pos in ("n",):
                for lemma in lemmas(joined, pos):
                    vocab.add(lemma)
                if b.endswith("s"):
                    for lemma in lemmas(joined[:-1], pos):
                        vocab.add(lemma)
    return vocab, surfaces


def main():
    vocab, surfaces = vocabulary()
    vocab_spaced = {v.replace("_", " ") for v in vocab}
    vocab_words = {w for v in vocab_spaced for w in v.split(" ")} - STOP
    rows = []
    for word in sorted(vocab):
        spaced = word.replace("_", " ")
        synonyms, related = [], []
        for pos, senses in (("n", NOUN_SENSES), ("v", VERB_SENSES), ("a", ADJ_SENSES)):
            for offset in INDEX[pos].get(word, [])[:senses]:
                synonyms.extend(words_of(offset, pos))
        for offset in INDEX["n"].get(word, [])[:RELATED_NOUN_SENSES]:
            broad = fanout(offset) > MAX_FANOUT
            for sym, off, ppos in DATA["n"][offset][1]:
                if ppos != "n":
                    continue
                if sym in ("@", "@i") and fanout(off) > MAX_FANOUT:
                    continue
                if sym in ("~", "~i") and broad:
                    continue
                if sym in ("@", "@i", "~", "~i", "#p", "%p", "#m", "%m"):
                    related.extend(w for w in words_of(off, "n") if w in vocab_spaced)
        synonyms = [s for s in dict.fromkeys(synonyms)
                    if s != spaced and s.count(" ") < 2
                    and all(part in vocab_words for part in s.split(" "))]
        related = [r for r in dict.fromkeys(related) if r != spaced and r not in synonyms]
        synonyms, related = synonyms[:MAX_SYNONYMS], related[:MAX_RELATED]
        if synonyms or related:
            rows.append((spaced, synonyms, related))
    # Irregular forms ("children", "mice") stem apart from their base word, so each
    # gets a line offering the base word.
    irregular = {}
    for surface in sorted(surfaces):
        for pos in ("n", "v"):
            base = EXC[pos].get(surface)
            if base and base != surface and base in INDEX[pos]:
                irregular.setdefault(surface, base)
    keyed = {row[0]: row for row in rows}
    for surface, base in irregular.items():
        if surface in keyed:
            keyed[surface][1].insert(0, base)
        else:
            keyed[surface] = (surface, [base], [])
    rows = [keyed[k] for k in sorted(keyed)]
    out = sys.stdout
    out.write("# Derived from WordNet 3.0 (c) 2006 Princeton University; see data/SOURCES.md.\n")
    out.write("# Made by src/needs/matching/build_thesaurus.py. word<TAB>synonyms<TAB>related\n")
    for word, synonyms, related in rows:
        out.write(f"{word}\t{','.join(synonyms)}\t{','.join(related)}\n")


if __name__ == "__main__":
    main()
