"""The built-in NER data `synthetic_entities`: template news sentences with PER/ORG/LOC/MISC entities.

Written once as CoNLL-2003 files (train.txt / valid.txt / test.txt: 4 columns, -DOCSTART- lines
between documents, IOB1 tags as the original release uses) so the real `conll` reader reads it.
What makes it more than a gazetteer lookup:
- the same name takes the type its context gives: "Jordan" is PER in "Jordan told reporters", LOC
  in "flights to Jordan", ORG in "Jordan beat Dallas 2-1" (sports teams are ORG in CoNLL); likewise
  Washington, Georgia, Sydney, Paris, Chelsea ...;
- a third of every name list (first names, surnames, places, brands, nationalities) is held out:
  val/test sentences fill about half their slots with names never seen in training, which the
  word embedding only knows as <unk> and the character encoder still reads ("Kowalczyk");
- titles, jobs and adverbs ("senator", "goalkeeper", "reportedly") next to names are held out as
  well, so an <unk> before or after a name may be part of it or not, and only its letters tell;
- multi-token entities ("New York", "Bank of Brazil", "Tour de France" as MISC) and capitalised
  non-entities (sentence starts, days, months) make boundaries more than capital letters.
The POS and chunk columns come from the words alone (lexicon.py), never from the tags; no val or
test sentence is a training sentence (nor a test sentence a val one): a sentence drawn again for a
held-out split is redrawn from its own seeded generator (2% of val repeated train before).
"""
from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

from suite.data.generated import build_once
from suite.errors import UserError
from tasks.ner.lexicon import LEXICON, chunk_tags, pos_tag

GENERATOR_VERSION = 4  # bump when the templates change: stale caches regenerate
MARKER = "entities.json"  # written into every generated dataset; lists the held-out names
FILES = {"train": "train.txt", "val": "valid.txt", "test": "test.txt"}  # the layout of CoNLL copies on the web

AMBIGUOUS = "Jordan Washington Georgia Sydney Paris Chelsea Lincoln Victoria Florence Austin Dallas Milan".split()
FIRST = ("John Mary Peter Anna Michael Sarah David Laura James Emma Robert Julia Thomas Elena Daniel Sofia Mark "
         "Nina Paul Clara Carlos Yuki Ahmed Olga Pierre Ingrid Marco Fatima Ivan Lucia Kenji Amara Lars Priya "
         "Diego Hana Tomasz Aiko Rafael Zanele").split()
LAST = ("Smith Johnson Brown Miller Davis Garcia Wilson Moore Taylor Anderson Martin Clark Lewis Walker Young "
        "King Wright Lopez Hill Scott Green Adams Baker Nelson Carter Mitchell Perez Roberts Turner Campbell "
        "Parker Evans Kowalczyk Nakamura Okafor Lindqvist Petrov Moreau Rossi Haddad").split()
PLACES = ("France Germany Spain Italy Brazil Canada Japan Egypt Kenya Norway Peru Chile India China Russia "
          "Poland Greece Turkey Mexico Sweden London Berlin Rome Tokyo Cairo Moscow Oslo Lima Toronto Boston "
          "Denver Seattle Miami Houston Vienna Prague Dublin Lisbon Athens Nairobi Havana Quito").split() + [
    "New York", "Buenos Aires", "South Africa", "Hong Kong", "Los Angeles", "New Zealand", "Sri Lanka",
    "Costa Rica", "San Diego", "Abu Dhabi"]
BRANDS = ("Acme Apex Nordic Vertex Orion Zenith Atlas Summit Pioneer Falcon Horizon Quantum Sterling Crescent "
          "Meridian Titan Vanguard Beacon Cobalt Evergreen Solaris Keystone Harbor Granite").split()
ORG_SUFFIX = ("Corp", "Group", "Holdings", "Airlines", "Motors", "Bank", "Energy", "Telecom")
SINGLE_ORGS = "Reuters Siemens Toyota UNESCO NATO FIFA Unilever Nestle Interpol Greenpeace Airbus Nokia".split()
TEAM_SUFFIX = ("United", "Rovers", "City", "Athletic", "Wanderers")
NATIONS = ("French German Spanish Italian Brazilian Canadian Japanese Egyptian Kenyan Norwegian Russian Chinese "
           "Indian Greek Polish Mexican Swedish Dutch Turkish Chilean Peruvian Danish").split()
EVENTS = ["World Cup", "Olympic Games", "Tour de France", "Nobel Prize", "Davis Cup", "Champions League"]
TITLES = ("minister coach president director senator captain judge general mayor chairman governor professor "
          "manager ambassador inspector spokeswoman sergeant commissioner").split()  # lowercase words before names
ADVERBS = ("reportedly later again privately quietly angrily briefly formally finally suddenly narrowly easily "
           "officially jointly secretly recently").split()  # lowercase words right after names
JOBS = "striker banker lawyer goalkeeper diplomat economist novelist surgeon architect midfielder".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November December".split()

# Slots: {PER} {LOC} {ORG} {TEAM} (ORG) {NAT} {EVENT} (MISC); {DAY} {MONTH} {NUM} {YEAR} {SCORE} {TITLE}
# {JOB} {ADV} are O (titles and jobs are held out too: an unseen lowercase word next to an unseen name);
# {X?} is an optional slot, present half the time.
TEMPLATES = """
{PER} {ADV?} told reporters in {LOC} on {DAY} .
{PER} , the {NAT} {JOB} , scored twice against {TEAM} .
{TITLE?} {PER} said his players were tired after the match in {LOC} .
{PER} was born in {LOC} in {YEAR} .
according to {PER} , talks with {ORG} will resume on {DAY} .
{ORG} {ADV?} appointed {PER} as chief executive on {DAY} .
{PER} and {PER} won the doubles title at the {EVENT} .
{TITLE?} {PER} met {NAT} officials in {LOC} .
{PER} {ADV?} signed a two-year contract with {TEAM} .
police in {LOC} arrested {PER} on {DAY} .
{PER} {ADV?} thanked {PER} for the invitation .
heavy rain hit {LOC} and {LOC} on {DAY} .
the talks in {LOC} ended without agreement in {MONTH} .
{ORG} opened a new factory near {LOC} .
flights from {LOC} to {LOC} were cancelled on {DAY} .
the border between {LOC} and {LOC} was closed .
{LOC} 's economy grew {NUM} percent last year .
prices in {LOC} rose {NUM} percent in {MONTH} .
{ORG} shares rose {NUM} percent in {LOC} .
{ORG} said in a statement that profits fell in {MONTH} .
a spokesman for {ORG} declined to comment .
{ORG} {ADV?} agreed to buy {ORG} for {NUM} million dollars .
{TEAM} {ADV?} beat {TEAM} {SCORE} on {DAY} .
{TEAM} drew {SCORE} with {TEAM} in {LOC} .
{NAT} club {TEAM} sacked its coach on {DAY} .
the {EVENT} starts in {LOC} next week .
{NAT} troops left {LOC} on {DAY} .
the {NAT} government criticised {ORG} .
{PER} {ADV?} won the {EVENT} for the second time .
{NAT} and {NAT} diplomats met in {LOC} .
{PER} , who works for {ORG} , moved to {LOC} in {YEAR} .
fans of {TEAM} celebrated in {LOC} on {DAY} .
{TITLE?} {PER} of {ORG} resigned on {DAY} .
the {NAT} {JOB} {PER} joined {TEAM} in {YEAR} .
{ORG} hired {TITLE?} {PER} from {LOC} .
""".strip().splitlines()
_P_AMBIGUOUS = 0.2  # slots that can take an ambiguous name do so this often, so context must decide
_P_HELD_OUT = 0.5  # val/test slots filled from the held-out names
_P_DOC = 0.15  # a -DOCSTART- line before a sentence (documents of ~7 sentences, as in CoNLL-2003)
_MAX_REDRAWS = 1000  # a held-out sentence repeats an earlier split's ~2% of the time: a few draws suffice


def _split_pool(names: list[str]) -> tuple[list[str], list[str]]:
    """(train names, held-out names): a fixed third held out, chosen by a hash of the name."""
    held = [n for n in names if zlib.crc32(n.encode()) % 3 == 0]
    return [n for n in names if n not in held], held


POOLS = {key: _split_pool(names) for key, names in (
    ("first", FIRST), ("last", LAST), ("place", PLACES), ("brand", BRANDS), ("org", SINGLE_ORGS),
    ("nation", NATIONS), ("title", TITLES), ("job", JOBS), ("adverb", ADVERBS))}
# the POS lexicon: the template words, and the lowercase slot words (held out or not: a word's POS is no secret)
WORD_POS = {**LEXICON, **{w.lower(): "NN" for w in (*TITLES, *JOBS)}, **{w: "RB" for w in ADVERBS}}


class _Filler:
    def __init__(self, rng: random.Random, held_out: bool):
        self.rng, self.held_out = rng, held_out

    def pick(self, pool: str) -> str:
        train, held = POOLS[pool]
        return self.rng.choice(held if self.held_out and self.rng.random() < _P_HELD_OUT else train)

    def ambiguous(self) -> bool:
        return self.rng.random() < _P_AMBIGUOUS

    def person(self) -> str:
        r = self.rng.random()
        first = self.rng.choice(AMBIGUOUS) if self.ambiguous() else self.pick("first")
        last = self.rng.choice(AMBIGUOUS) if self.ambiguous() else self.pick("last")
        return f"{self.pick('first')} {last}" if r < 0.45 else last if r < 0.75 else f"{first} {self.pick('last')}"

    def place(self) -> str:
        return self.rng.choice(AMBIGUOUS) if self.ambiguous() else self.pick("place")

    def org(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return f"{self.pick('brand')} {self.rng.choice(ORG_SUFFIX)}"
        if r < 0.65:
            return f"Bank of {self.place()}"  # one ORG holding a place name
        if r < 0.8:
            return f"{self.place()} {self.rng.choice(('Telecom', 'Airways', 'Railways'))}"
        return self.pick("org")

    def team(self) -> str:
        city = self.place()
        return city if self.rng.random() < 0.5 else f"{city} {self.rng.choice(TEAM_SUFFIX)}"

    def event(self) -> str:
        return self.rng.choice(EVENTS) if self.rng.random() < 0.6 else f"{self.place()} Open"


def sentence(rng: random.Random, held_out: bool) -> list[tuple[str, str]]:
    """(token, IOB2 tag) pairs of one random sentence."""
    fill = _Filler(rng, held_out)
    entity = {"PER": ("PER", fill.person), "LOC": ("LOC", fill.place), "ORG": ("ORG", fill.org),
              "TEAM": ("ORG", fill.team), "NAT": ("MISC", lambda: fill.pick("nation")), "EVENT": ("MISC", fill.event)}
    plain = {"DAY": lambda: rng.choice(DAYS), "MONTH": lambda: rng.choice(MONTHS),
             "NUM": lambda: str(rng.randint(2, 95)), "YEAR": lambda: str(rng.randint(1950, 2005)),
             "SCORE": lambda: f"{rng.randint(0, 5)}-{rng.randint(0, 5)}", "TITLE": lambda: fill.pick("title"),
             "JOB": lambda: fill.pick("job"), "ADV": lambda: fill.pick("adverb")}
    out: list[tuple[str, str]] = []
    for word in rng.choice(TEMPLATES).split():
        slot = word[1:-1] if word.startswith("{") else None
        if slot and slot.endswith("?"):  # optional: "{TITLE?} {PER}" is "senator Smith" or "Anna Smith"
            if rng.random() < 0.5:
                continue
            slot = slot[:-1]
        if slot in entity:
            kind, make = entity[slot]
            out += [(tok, ("B-" if k == 0 else "I-") + kind) for k, tok in enumerate(make().split())]
        elif slot in plain:
            out.append((plain[slot](), "O"))
        else:
            out.append((word, "O"))
    out[0] = (out[0][0][0].upper() + out[0][0][1:], out[0][1])  # sentences start with a capital
    return out


def to_iob1(tags: list[str]) -> list[str]:
    """IOB2 -> IOB1 (CoNLL-2003's scheme): B- only where an entity follows one of the same type."""
    out = []
    for k, tag in enumerate(tags):
        if tag.startswith("B-") and not (k and tags[k - 1] != "O" and tags[k - 1][2:] == tag[2:]):
            tag = "I-" + tag[2:]
        out.append(tag)
    return out


def split_sentences(params: dict) -> dict[str, list[tuple[list[tuple[str, str]], bool]]]:
    """(IOB2 (token, tag) pairs, -DOCSTART- before it) of each split's sentences; sentence k of a
    split comes from its own seeded generator, which draws again while the words are already an
    earlier split's sentence (train, then val), so val and test share no sentence with train, nor
    test with val."""
    seen: set[tuple[str, ...]] = set()
    out = {}
    for split in FILES:
        rows = []
        for k in range(params[f"n_{split}"]):
            rng = random.Random(f"{params['seed']}/{split}/{k}")
            held_out = split != "train"
            pairs, draws = sentence(rng, held_out), 1
            while tuple(tok for tok, _ in pairs) in seen:
                if draws == _MAX_REDRAWS:
                    raise UserError(f"synthetic_entities: no {split} sentence unlike the earlier splits' in "
                                    f"{_MAX_REDRAWS} draws: lower data.n_train")
                pairs, draws = sentence(rng, held_out), draws + 1
            rows.append((pairs, bool(k) and rng.random() < _P_DOC))
        seen.update(tuple(tok for tok, _ in pairs) for pairs, _ in rows)
        out[split] = rows
    return out


def conll_lines(pairs: list[tuple[str, str]]) -> list[str]:
    """One sentence's 4-column lines: token, POS and chunk (from the words alone), IOB1 tag."""
    tokens = [tok for tok, _ in pairs]
    pos = [pos_tag(tok, WORD_POS) for tok in tokens]
    return [" ".join(cols) for cols in zip(tokens, pos, chunk_tags(pos), to_iob1([t for _, t in pairs]))]


def _write(out: Path, params: dict) -> None:
    for split, rows in split_sentences(params).items():
        lines = ["-DOCSTART- -X- -X- O", ""]
        for pairs, doc_start in rows:
            if doc_start:
                lines += ["-DOCSTART- -X- -X- O", ""]
            lines += conll_lines(pairs) + [""]
        (out / FILES[split]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    held = {key: held for key, (_, held) in POOLS.items()}
    (out / MARKER).write_text(json.dumps({"held_out": held, "ambiguous": AMBIGUOUS}, indent=1) + "\n",
                              encoding="utf-8")


def generate_entities(root: str | Path, *, n_train: int = 8000, n_val: int = 1000, n_test: int = 1000,
                      seed: int = 0) -> Path:
    """Write root/{train,valid,test}.txt (CoNLL-2003 layout) once (cached via build_once); return root."""
    params = {"n_train": n_train, "n_val": n_val, "n_test": n_test, "seed": seed, "version": GENERATOR_VERSION}
    if min(n_val, n_test, seed) < 0 or n_train < 1:
        raise UserError(f"synthetic_entities needs n_train >= 1 and n_val/n_test/seed >= 0; got {params}")
    return build_once(root, params, lambda out: _write(out, params), marker=MARKER)
