"""POS and chunk columns of the synthetic CoNLL files, from the words alone (never from the entity tags).

A word's POS is a Penn Treebank tag looked up in a lexicon of the template words (synthetic.py adds
its titles, jobs and adverbs; case folded, so a capitalised sentence start gets its word's tag); a
capitalised word the lexicon lacks is a proper noun (NNP: names, days and months alike, entity or not), a token with a digit CD, any other
unknown word NN. Chunks (IOB1, as CoNLL-2003 writes them) group the POS sequence: runs of
determiners, adjectives, nouns and numbers are NP, verbs VP, each preposition its own PP, adverbs
ADVP. So the two columns tell a model nothing the words do not: the same word has the same POS
whatever its entity tag, and the chunks follow from the POS.
"""
from __future__ import annotations

LEXICON = {
    # closed classes
    "the": "DT", "a": "DT", "his": "PRP$", "its": "PRP$", "who": "WP", "and": "CC", "will": "MD", "to": "TO",
    "in": "IN", "on": "IN", "against": "IN", "after": "IN", "with": "IN", "as": "IN", "at": "IN", "for": "IN",
    "without": "IN", "near": "IN", "from": "IN", "between": "IN", "that": "IN", "of": "IN", "de": "FW",
    "'s": "POS", "million": "CD", "twice": "RB", ".": ".", ",": ",",
    # verbs
    "told": "VBD", "scored": "VBD", "said": "VBD", "were": "VBD", "was": "VBD", "appointed": "VBD", "won": "VBD",
    "met": "VBD", "signed": "VBD", "arrested": "VBD", "thanked": "VBD", "hit": "VBD", "ended": "VBD",
    "opened": "VBD", "grew": "VBD", "rose": "VBD", "fell": "VBD", "declined": "VBD", "agreed": "VBD",
    "beat": "VBD", "drew": "VBD", "sacked": "VBD", "left": "VBD", "criticised": "VBD", "moved": "VBD",
    "celebrated": "VBD", "resigned": "VBD", "joined": "VBD", "hired": "VBD", "born": "VBN", "cancelled": "VBN",
    "closed": "VBN", "according": "VBG", "resume": "VB", "comment": "VB", "buy": "VB", "starts": "VBZ",
    "works": "VBZ",
    # adjectives
    "tired": "JJ", "chief": "JJ", "two-year": "JJ", "heavy": "JJ", "new": "JJ", "last": "JJ", "next": "JJ",
    "second": "JJ",
    # nouns
    "reporters": "NNS", "players": "NNS", "talks": "NNS", "doubles": "NNS", "officials": "NNS", "police": "NNS",
    "flights": "NNS", "prices": "NNS", "shares": "NNS", "profits": "NNS", "dollars": "NNS", "troops": "NNS",
    "diplomats": "NNS", "fans": "NNS", "match": "NN", "executive": "NN", "title": "NN", "contract": "NN",
    "invitation": "NN", "rain": "NN", "agreement": "NN", "factory": "NN", "border": "NN", "economy": "NN",
    "percent": "NN", "year": "NN", "statement": "NN", "spokesman": "NN", "club": "NN", "coach": "NN",
    "week": "NN", "government": "NN", "time": "NN",
}
_CHUNK = {"DT": "NP", "PRP$": "NP", "WP": "NP", "JJ": "NP", "NN": "NP", "NNS": "NP", "NNP": "NP", "CD": "NP",
          "FW": "NP", "POS": "NP", "MD": "VP", "TO": "VP", "VB": "VP", "VBD": "VP", "VBG": "VP", "VBN": "VP",
          "VBZ": "VP", "IN": "PP", "RB": "ADVP"}  # others (punctuation, CC) are outside every chunk


def pos_tag(word: str, lexicon: dict[str, str] = LEXICON) -> str:
    """The Penn Treebank tag of a word, from the word alone (lexicon: lowercase word -> tag)."""
    if word.lower() in lexicon:
        return lexicon[word.lower()]
    if any(c.isdigit() for c in word):
        return "CD"  # 42, 1987, 2-1
    return "NNP" if word[:1].isupper() else "NN"


def chunk_tags(pos: list[str]) -> list[str]:
    """IOB1 chunk tags of a POS sequence: a chunk starts where the type changes, at every
    preposition and at a possessive 's (which opens the next NP, as CoNLL-2003 chunks it); B- marks
    a chunk that directly follows one of the same type."""
    out, previous = [], None
    for tag in pos:
        kind = _CHUNK.get(tag)
        if kind is None:
            out.append("O")
        else:
            starts = kind != previous or tag in ("IN", "POS")
            out.append(("B-" if starts and kind == previous else "I-") + kind)
        previous = kind
    return out
