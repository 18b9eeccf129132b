"""The synthetic NER data: deterministic CoNLL files, POS/chunk columns from the words alone, no
val/test sentence in train."""
import random
from collections import defaultdict

from tasks.ner import readers
from tasks.ner.lexicon import chunk_tags
from tasks.ner.synthetic import TEMPLATES, WORD_POS, generate_entities, sentence, split_sentences


def _token_lines(path):
    """[token, POS, chunk, tag] of every token line (sentence breaks and -DOCSTART- dropped)."""
    return [line.split() for line in path.read_text().splitlines() if line and not line.startswith("-DOCSTART-")]


def _sentences(path):
    out, current = [], []
    for line in path.read_text().splitlines() + [""]:
        if line and not line.startswith("-DOCSTART-"):
            current.append(line.split())
        elif current:
            out.append(current)
            current = []
    return out


def test_written_as_conll_deterministically_and_read_by_the_conll_reader(tmp_path):
    a = generate_entities(tmp_path / "a", n_train=60, n_val=20, n_test=20)
    b = generate_entities(tmp_path / "b", n_train=60, n_val=20, n_test=20)
    for name in ("train.txt", "valid.txt", "test.txt"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    out = readers.read_conll(a)
    assert (len(out.train), len(out.val), len(out.test)) == (60, 20, 20) and not out.skipped
    assert all(len(cols) == 4 for cols in _token_lines(a / "train.txt"))


def test_pos_and_chunk_columns_carry_nothing_beyond_the_words(tmp_path):
    root = generate_entities(tmp_path, n_train=1500, n_val=200, n_test=200)
    pos_of, tags_of = defaultdict(set), defaultdict(set)
    for name in ("train.txt", "valid.txt", "test.txt"):
        for sent in _sentences(root / name):
            for word, pos, _, tag in sent:
                pos_of[word].add(pos)
                tags_of[word].add(tag)
            # the chunks are a function of the POS sequence alone
            assert [c for _, _, c, _ in sent] == chunk_tags([p for _, p, _, _ in sent])
    assert all(len(p) == 1 for p in pos_of.values()), {w: p for w, p in pos_of.items() if len(p) > 1}
    # a name of several entity types still has its one POS: the column cannot tell the types apart
    typed = [w for w, tags in tags_of.items() if len({t[2:] for t in tags if t != "O"}) > 1]
    assert {"Jordan", "Washington"} <= set(typed) and pos_of["Jordan"] == {"NNP"}
    # and NNP is no entity marker: days and months are NNP with tag O, "of" in "Bank of Brazil" is IN
    assert pos_of["Monday"] == {"NNP"} and tags_of["Monday"] == {"O"}
    assert pos_of["of"] == {"IN"} and "O" in tags_of["of"] and "I-ORG" in tags_of["of"]

def test_every_template_word_is_in_the_pos_lexicon():
    words = {w.lower() for t in TEMPLATES for w in t.split() if not w.startswith("{")}
    assert not words - set(WORD_POS)  # no word falls through to the NN default by a typo


def test_chunks_on_a_hand_worked_sentence():
    # Jordan 's economy grew in the summer , said the minister .
    pos = ["NNP", "POS", "NN", "VBD", "IN", "DT", "NN", ",", "VBD", "DT", "NN", "."]
    assert chunk_tags(pos) == ["I-NP", "B-NP", "I-NP", "I-VP", "I-PP", "I-NP", "I-NP", "O", "I-VP", "I-NP",
                               "I-NP", "O"]
    assert chunk_tags(["IN", "IN", "NN"]) == ["I-PP", "B-PP", "I-NP"]  # each preposition its own chunk


def test_no_val_or_test_sentence_occurs_in_train():
    out = split_sentences({"n_train": 2000, "n_val": 300, "n_test": 300, "seed": 0})
    words = {s: {tuple(tok for tok, _ in pairs) for pairs, _ in out[s]} for s in out}
    assert not words["val"] & words["train"] and not words["test"] & (words["train"] | words["val"])
    # the draws that collided were redrawn, the rest kept as drawn
    first = [sentence(random.Random(f"0/val/{k}"), True) for k in range(300)]
    collided = [k for k, pairs in enumerate(first) if tuple(tok for tok, _ in pairs) in words["train"]]
    assert collided and [k for k, (pairs, _) in enumerate(out["val"]) if pairs != first[k]] == collided
