"""The synthetic English -> Portuguese pairs: grammar, alignment, held-out splits, caching."""

import collections
import json
import re
from pathlib import Path

import pytest

from suite.errors import UserError
from tasks.translation import synthetic as syn
from tasks.translation.synthetic import (ADJECTIVES, HELD_OUT_PAIRS, HELD_OUT_VERBS, NOUNS, TENSES, VERBS,
                                         act, at, be, generate_pairs, go, noun_phrase, pronoun, relative,
                                         sentence)

SMALL = dict(n_train=40, n_val=10, n_test=10)  # every split present, generated in milliseconds
FILES = [f"{s}.{lang}" for s in ("train", "val", "test") for lang in ("en", "pt")]
_WORD = re.compile(r"\w+|[^\w\s]")  # words and punctuation, as the word tokeniser splits them


def _lines(root: Path) -> dict[str, list[str]]:
    return {name: (root / name).read_text(encoding="utf-8").splitlines() for name in FILES}


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.iterdir()}


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """The default dataset (21k pairs, ~3 s): the statistics below need its size."""
    root = generate_pairs(tmp_path_factory.mktemp("pairs") / "data")
    return root, _lines(root)


def np(noun, **kw):
    return noun_phrase(noun, **kw)


def pair(clause) -> tuple[str, str]:
    return sentence(clause)


# --- the grammar, checked by hand ---------------------------------------------------------

@pytest.mark.parametrize("phrase,en,pt", [
    (np("car", adj="red"), "the red car", "o carro vermelho"),
    (np("house", plural=True, adj="red"), "the red houses", "as casas vermelhas"),
    (np("dog", plural=True), "the dogs", "os cães"),
    (np("box", plural=True, adj="blue"), "the blue boxes", "as caixas azuis"),
    (np("apple", article="a"), "an apple", "uma maçã"),
    (np("car", article="a", adj="old"), "an old car", "um carro velho"),
    (np("lion", plural=True, article="a", adj="big"), "some big lions", "uns leões grandes"),
    (np("sister", plural=True, article="a", adj="tall"), "some tall sisters", "umas irmãs altas"),
    (np("loaf", plural=True, adj="hot"), "the hot loaves", "os pães quentes"),
])
def test_articles_and_adjectives_agree_and_follow_the_noun(phrase, en, pt):
    assert (" ".join(phrase.en), " ".join(phrase.pt)) == (en, pt)


PERSONS = ("I", "you", "he", "she", "we", "they")
CONJUGATIONS = {  # (verb, tense): Portuguese forms for PERSONS; English verb after I, after he
    ("buy", "present"): ("compro compras compra compra compramos compram", "buy", "buys"),
    ("buy", "past"): ("comprei compraste comprou comprou comprámos compraram", "bought", "bought"),
    ("buy", "future"): ("comprarei comprarás comprará comprará compraremos comprarão", "will buy", "will buy"),
    ("sell", "present"): ("vendo vendes vende vende vendemos vendem", "sell", "sells"),
    ("sell", "past"): ("vendi vendeste vendeu vendeu vendemos venderam", "sold", "sold"),
    ("sell", "future"): ("venderei venderás venderá venderá venderemos venderão", "will sell", "will sell"),
    ("open", "present"): ("abro abres abre abre abrimos abrem", "open", "opens"),
    ("open", "past"): ("abri abriste abriu abriu abrimos abriram", "opened", "opened"),
    ("open", "future"): ("abrirei abrirás abrirá abrirá abriremos abrirão", "will open", "will open"),
    ("see", "present"): ("vejo vês vê vê vemos veem", "see", "sees"),
    ("have", "present"): ("tenho tens tem tem temos têm", "have", "has"),
    ("make", "past"): ("fiz fizeste fez fez fizemos fizeram", "made", "made"),
    ("make", "future"): ("farei farás fará fará faremos farão", "will make", "will make"),
    ("go", "past"): ("fui foste foi foi fomos foram", "went", "went"),
}


@pytest.mark.parametrize("verb,tense", list(CONJUGATIONS))
def test_regular_ar_er_ir_and_irregular_verbs_conjugate_for_every_person(verb, tense):
    forms, en_i, en_he = CONJUGATIONS[verb, tense]
    obj = np("book") if verb != "go" else None
    for person, form, subject in zip(PERSONS, forms.split(), "Eu Tu Ele Ela Nós Eles".split()):
        if verb == "go":
            en, pt = pair(go(pronoun(person), np("park"), tense=tense))
            assert pt == f"{subject} {form} ao parque."
            continue
        en, pt = pair(act(pronoun(person), verb, obj, tense=tense))
        assert pt == f"{subject} {form} o livro."
        en_verb = en_he if person in ("he", "she") else en_i
        assert en == f"{person[0].upper() + person[1:]} {en_verb} the book."


@pytest.mark.parametrize("clause,expected", [
    (lambda: act(np("man"), "see", np("dog"), tense="present", negative=True),
     ("The man does not see the dog.", "O homem não vê o cão.")),
    (lambda: act(pronoun("I"), "open", np("door"), tense="past", negative=True),
     ("I did not open the door.", "Eu não abri a porta.")),
    (lambda: act(np("boy", plural=True), "eat", np("apple", plural=True), tense="future", negative=True),
     ("The boys will not eat the apples.", "Os meninos não comerão as maçãs.")),
    (lambda: be(np("girl", plural=True), "tired", tense="present", negative=True),
     ("The girls are not tired.", "As meninas não estão cansadas.")),
])
def test_negation(clause, expected):
    assert pair(clause()) == expected


def test_relative_clauses():
    man = relative(np("man"), "see", np("dog"), tense="present")
    assert (" ".join(man.en), " ".join(man.pt)) == ("the man who sees the dog", "o homem que vê o cão")
    assert pair(act(man, "buy", np("car", adj="red"), tense="past")) == (
        "The man who sees the dog bought the red car.", "O homem que vê o cão comprou o carro vermelho.")
    cats = relative(np("cat", plural=True), "see", pronoun("she"), tense="past", gap="object")
    assert pair(act(pronoun("we"), "wash", cats, tense="future")) == (
        "We will wash the cats that she saw.", "Nós lavaremos os gatos que ela viu.")
    women = relative(np("woman", plural=True), "help", np("king"), tense="past", negative=True)
    assert pair(be(women, "sad", tense="past")) == (
        "The women who did not help the king were sad.", "As mulheres que não ajudaram o rei estavam tristes.")


def test_contractions_of_em_de_a():
    assert pair(be(pronoun("she"), at("in", np("house")), tense="present")) == (
        "She is in the house.", "Ela está na casa.")
    assert pair(be(np("book", plural=True), at("on", np("table", plural=True)), tense="past")) == (
        "The books were on the tables.", "Os livros estavam nas mesas.")
    assert pair(be(np("cat"), at("under", np("chair")), tense="future")) == (
        "The cat will be under the chair.", "O gato estará debaixo da cadeira.")
    assert pair(be(pronoun("I"), at("near", np("river", plural=True)), tense="present")) == (
        "I am near the rivers.", "Eu estou perto dos rios.")
    assert pair(act(pronoun("you"), "see", np("bird", article="a"), tense="past",
                    where=at("in", np("garden", article="a")))) == (
        "You saw a bird in a garden.", "Tu viste um pássaro num jardim.")
    king = np("dog", of=np("king"))
    assert pair(act(king, "bite", np("cake"), tense="present")) == (
        "The dog of the king bites the cake.", "O cão do rei morde o bolo.")
    assert pair(go(pronoun("we"), np("school"), tense="past")) == ("We went to the school.", "Nós fomos à escola.")
    assert pair(go(np("man", plural=True), np("market", plural=True), tense="future")) == (
        "The men will go to the markets.", "Os homens irão aos mercados.")


def test_ser_or_estar_by_adjective_and_coordination():
    assert pair(be(np("house", plural=True), "red", tense="past")) == (
        "The houses were red.", "As casas eram vermelhas.")
    assert pair(be(np("loaf"), "hot", tense="present")) == ("The loaf is hot.", "O pão está quente.")
    assert pair(be(pronoun("she"), ("tall", "strong"), tense="future")) == (
        "She will be tall and strong.", "Ela será alta e forte.")
    assert pair(be(pronoun("they"), ("sad", "sick"), tense="present", negative=True)) == (
        "They are not sad and sick.", "Eles não estão tristes e doentes.")
    with pytest.raises(ValueError):
        be(pronoun("I"), ("tall", "tired"), tense="present")


def test_tables_are_consistent():
    for noun, (_, _, _, _, gender, tags) in NOUNS.items():
        assert gender in "mf" and tags[0] in "hatfp", noun
    for adj, entry in ADJECTIVES.items():
        assert len(entry) == 7 and entry[5] in ("ser", "estar"), adj
    regular = [v for v in VERBS.values() if v[0] not in ("ver", "ter", "fazer", "ir")]
    assert collections.Counter(v[0][-2:] for v in regular) == {"ar": 12, "er": 10, "ir": 8}
    for noun, adj in HELD_OUT_PAIRS:  # each held-out pair is one the grammar can say
        assert adj in syn._adjectives(NOUNS[noun][5]), (noun, adj)
    for verb, tense, who in HELD_OUT_VERBS:
        assert tense in TENSES and who in ("he", "she", "they") and "h" in VERBS[verb][4]


# --- the files ----------------------------------------------------------------------------

def test_parallel_layout_and_line_counts(tmp_path):
    root = generate_pairs(tmp_path / "d", **SMALL)
    assert root == (tmp_path / "d").absolute()
    assert sorted(p.name for p in root.iterdir()) == sorted([*FILES, ".complete", "held_out.json"])
    lines = _lines(root)
    for split, n in (("train", 40), ("val", 10), ("test", 10)):
        assert len(lines[f"{split}.en"]) == len(lines[f"{split}.pt"]) == n
    for name in FILES:
        for line in lines[name]:
            assert line[0].isupper() and line.endswith(".") and line == line.strip(), (name, line)
    held = json.loads((root / "held_out.json").read_text())
    assert len(held["noun_adjective"]) == len(HELD_OUT_PAIRS) and len(held["verb_tense_pronoun"]) == 34


def test_the_real_parallel_reader_reads_it(tmp_path):
    from tasks.translation.readers import read_parallel

    splits = read_parallel(generate_pairs(tmp_path / "d", **SMALL), "en", "pt")
    assert (len(splits.train), len(splits.val), len(splits.test)) == (40, 10, 10)
    assert splits.val[0].src == sentence(syn.draw(0, "val", 0))[0]


def test_regeneration_is_byte_identical_and_the_seed_matters(tmp_path):
    a = _files(generate_pairs(tmp_path / "a", **SMALL))
    assert _files(generate_pairs(tmp_path / "b", **SMALL)) == a
    assert _files(generate_pairs(tmp_path / "c", **SMALL, seed=1))["train.en"] != a["train.en"]


def test_val_and_test_do_not_depend_on_n_train(tmp_path):
    a = _lines(generate_pairs(tmp_path / "a", **SMALL))
    b = _lines(generate_pairs(tmp_path / "b", **{**SMALL, "n_train": 5}))
    assert {k: v for k, v in a.items() if not k.startswith("train")} == \
           {k: v for k, v in b.items() if not k.startswith("train")}


def test_second_call_rewrites_nothing_and_new_parameters_regenerate(tmp_path):
    root = generate_pairs(tmp_path / "d", **SMALL)
    stamps = {p.name: p.stat().st_mtime_ns for p in root.iterdir()}
    assert generate_pairs(tmp_path / "d", **SMALL) == root
    assert {p.name: p.stat().st_mtime_ns for p in root.iterdir()} == stamps
    generate_pairs(tmp_path / "d", **{**SMALL, "n_val": 3})
    assert len(_lines(root)["val.pt"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".d.lock", "d"]  # no temporary folders


def test_refuses_to_overwrite_real_parallel_data(tmp_path):
    (tmp_path / "multi30k").mkdir()
    (tmp_path / "multi30k" / "train.en").write_text("A man.\n")
    with pytest.raises(UserError):
        generate_pairs(tmp_path / "multi30k", **SMALL)
    assert (tmp_path / "multi30k" / "train.en").read_text() == "A man.\n"


@pytest.mark.parametrize("bad", [{"n_train": 0}, {"n_val": -1}, {"seed": -2}])
def test_bad_sizes_are_user_errors(tmp_path, bad):
    with pytest.raises(UserError):
        generate_pairs(tmp_path / "d", **{**SMALL, **bad})


# --- the default dataset --------------------------------------------------------------------

def _english_plural(tokens: list[str]) -> bool:
    """Whether the first noun of a sentence is plural (English plurals never equal a singular)."""
    plurals, singulars = {e[1] for e in NOUNS.values()}, {e[0] for e in NOUNS.values()}
    return next(t in plurals for t in tokens if t in plurals or t in singulars)


def test_line_i_of_both_sides_is_one_sentence(full):
    _, lines = full
    subjects = dict(zip("I You He She We They".split(), "Eu Tu Ele Ela Nós Eles".split()))
    for split in ("train", "val", "test"):
        for en, pt in zip(lines[f"{split}.en"], lines[f"{split}.pt"]):
            e, p = _WORD.findall(en), _WORD.findall(pt)
            assert e.count("not") == p.count("não"), (en, pt)  # negation on both sides
            assert e.count("who") + e.count("that") == p.count("que"), (en, pt)  # relatives
            if e[0] in subjects:
                assert p[0] == subjects[e[0]], (en, pt)
                continue
            if e[0] in ("A", "An", "Some"):
                articles = "Umas Uns" if e[0] == "Some" else "Um Uma"
            else:
                articles = "Os As" if _english_plural(e) else "O A"
            assert p[0] in articles.split(), (en, pt)


def test_every_val_test_sentence_holds_out_something_train_never_has(full):
    _, lines = full
    train = set(zip(lines["train.en"], lines["train.pt"]))
    for split in ("val", "test"):
        held = list(zip(lines[f"{split}.en"], lines[f"{split}.pt"]))
        assert not train & set(held)
        assert not set(lines["train.en"]) & set(lines[f"{split}.en"])
    # Surface checks on the text: no held-out attributive pair or pronoun + verb in train, while
    # val/test have them (so the strings searched for are the ones the grammar writes).
    def text(split, lang):
        return " " + " ".join(line.lower()[:-1] for line in lines[f"{split}.{lang}"]) + " "

    train_en, train_pt = text("train", "en"), text("train", "pt")
    held_en, held_pt = text("val", "en") + text("test", "en"), text("val", "pt") + text("test", "pt")
    found = collections.Counter()
    for noun, adj in HELD_OUT_PAIRS:
        en_sg, en_pl, pt_sg, pt_pl, gender, _ = NOUNS[noun]
        for plural, en_noun, pt_noun in ((False, en_sg, pt_sg), (True, en_pl, pt_pl)):
            en, pt = f" {adj} {en_noun} ", f" {pt_noun} {syn._adj_pt(adj, gender, plural)} "
            assert en not in train_en and pt not in train_pt, (en, pt)
            found["pair"] += en in held_en and pt in held_pt
    for verb, tense, who in HELD_OUT_VERBS:
        pt_who, person, _ = syn.PRONOUNS[who]
        for negative in (False, True):
            en = f" {who} {' '.join(syn._english(verb, tense, person, negative))} "
            pt = f" {pt_who}{' não' * negative} {syn._forms(VERBS[verb][0], tense)[person]} "
            assert en not in train_en and pt not in train_pt, (en, pt)
            found["verb"] += en in held_en and pt in held_pt
    assert found["pair"] >= 50 and found["verb"] >= 30, found
    # ... and val/test, drawn by the same function, cover every held-out combination.
    covered = collections.Counter()
    for split in ("val", "test"):
        for k, en in enumerate(lines[f"{split}.en"]):
            clause = syn.draw(0, split, k)
            assert sentence(clause)[0] == en
            found = [c for c in clause.combos if c in HELD_OUT_PAIRS | HELD_OUT_VERBS]
            assert found
            covered.update(found)
    assert set(covered) == HELD_OUT_PAIRS | HELD_OUT_VERBS


def test_vocabulary_lengths_and_repeats(full):
    _, lines = full
    for lang, (lo, hi) in (("en", (200, 400)), ("pt", (400, 900))):
        train = {t for line in lines[f"train.{lang}"] for t in _WORD.findall(line)}
        held = {t for s in ("val", "test") for line in lines[f"{s}.{lang}"] for t in _WORD.findall(line)}
        assert lo <= len(train | held) <= hi, (lang, len(train | held))
        assert held <= train, held - train  # every word of val/test was seen in training
        assert {"não", "está", "irmã", "cão"} <= train or lang == "en"
        lengths = [len(_WORD.findall(line)) for s in ("train", "val", "test") for line in lines[f"{s}.{lang}"]]
        assert 4 <= min(lengths) and max(lengths) <= syn.MAX_WORDS + 1  # words + the full stop
        assert 7 <= sum(lengths) / len(lengths) <= 12
    repeats = len(lines["train.en"]) - len(set(lines["train.en"]))
    assert repeats < 0.02 * len(lines["train.en"]), repeats
