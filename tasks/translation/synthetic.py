"""The built-in translation data `synthetic_pairs`: English -> European Portuguese from a grammar.

Written once into the `parallel` layout (root/{train,val,test}.{en,pt}, line-aligned UTF-8), so
the real reader loads it unchanged. The grammar has what makes translation more than a word
lookup: articles and adjectives agree in gender and number with their noun, adjectives follow
it, verbs are conjugated by person, number and tense (present; past = pretérito perfeito;
future = synthetic future "verá"), negation ("does not see" -> "não vê"), subject and object
relative clauses ("o homem que vê o cão", "o cão que ela viu"), possessors and places with
contractions ("do rei", "na casa", "ao mercado", "debaixo da mesa"), ser vs estar.
Conventions: "you" is "tu"; "they" is "eles"; I/you/we/they take masculine adjectives; "some" is
uns/umas; the past of "be" is the imperfeito (era, estava), as Portuguese says it.

Held out for val/test (`HELD_OUT_PAIRS`, `HELD_OUT_VERBS`; also listed in root/held_out.json):
- (noun, adjective) pairs, attributive or predicative: "the red car", "the car is red";
- (verb, tense, pronoun) triples, e.g. ("see", "past", "she"): "she saw" -> "ela viu".
Training sentences contain none of them and every val/test sentence has at least one, so no
val/test sentence is in train, while every word and construction still occurs in training
(the verb form of a held-out triple comes with noun subjects: "the woman saw" -> "a mulher viu").
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from suite.data.generated import build_once
from suite.errors import UserError

GENERATOR_VERSION = 1  # bump when the grammar changes: stale caches regenerate
MARKER = "held_out.json"  # written into every generated dataset; lists what val/test hold out
MAX_WORDS = 20  # longer samples are redrawn: sentences stay 3-20 words a side
_SPLITS = ("train", "val", "test")

# Nouns: English singular/plural, Portuguese singular/plural, gender, tags. The first tag is the
# kind (h human, a animal, t thing, f food, p place); the others say what verbs and prepositions
# fit: w written, o opens, s has a surface, c container, b breakable, m made by hand.
NOUNS = {e[0]: e for e in (tuple(line.split()) for line in """
man men homem homens m h
woman women mulher mulheres f h
boy boys menino meninos m h
girl girls menina meninas f h
brother brothers irmão irmãos m h
sister sisters irmã irmãs f h
father fathers pai pais m h
mother mothers mãe mães f h
son sons filho filhos m h
daughter daughters filha filhas f h
king kings rei reis m h
queen queens rainha rainhas f h
uncle uncles tio tios m h
aunt aunts tia tias f h
grandfather grandfathers avô avôs m h
grandmother grandmothers avó avós f h
dog dogs cão cães m a
cat cats gato gatos m a
horse horses cavalo cavalos m a
bird birds pássaro pássaros m a
mouse mice rato ratos m a
lion lions leão leões m a
cow cows vaca vacas f a
hen hens galinha galinhas f a
goat goats cabra cabras f a
spider spiders aranha aranhas f a
fox foxes raposa raposas f a
car cars carro carros m tosc
book books livro livros m two
glass glasses copo copos m tcb
hat hats chapéu chapéus m tm
shoe shoes sapato sapatos m t
newspaper newspapers jornal jornais m tw
pencil pencils lápis lápis m tb
picture pictures quadro quadros m twm
balloon balloons balão balões m t
clock clocks relógio relógios m tb
table tables mesa mesas f tsbm
chair chairs cadeira cadeiras f tsbm
letter letters carta cartas f tw
bottle bottles garrafa garrafas f tocb
door doors porta portas f tob
window windows janela janelas f tob
key keys chave chaves f t
box boxes caixa caixas f toscm
ball balls bola bolas f tm
bag bags bolsa bolsas f toc
knife knives faca facas f t
apple apples maçã maçãs f f
loaf loaves pão pães m f
cake cakes bolo bolos m f
orange oranges laranja laranjas f f
egg eggs ovo ovos m f
banana bananas banana bananas f f
potato potatoes batata batatas f f
house houses casa casas f p
garden gardens jardim jardins m p
school schools escola escolas f p
market markets mercado mercados m p
street streets rua ruas f p
park parks parque parques m p
city cities cidade cidades f p
kitchen kitchens cozinha cozinhas f p
river rivers rio rios m p
beach beaches praia praias f p
church churches igreja igrejas f p
museum museums museu museus m p
hospital hospitals hospital hospitais m p
""".strip().splitlines())}

# Adjectives: English, Portuguese m.sg f.sg m.pl f.pl, the copula of "X is <adj>" (ser for what
# a thing is, estar for the state it is in), and the noun tags it describes.
ADJECTIVES = {e[0]: e for e in (tuple(line.split()) for line in """
red vermelho vermelha vermelhos vermelhas ser tf
white branco branca brancos brancas ser taf
black preto preta pretos pretas ser ta
yellow amarelo amarela amarelos amarelas ser tf
green verde verde verdes verdes ser tf
blue azul azul azuis azuis ser t
big grande grande grandes grandes ser htap
small pequeno pequena pequenos pequenas ser htapf
old velho velha velhos velhas ser htap
new novo nova novos novas ser tp
beautiful bonito bonita bonitos bonitas ser htapf
ugly feio feia feios feias ser htap
tall alto alta altos altas ser h
young jovem jovem jovens jovens ser ha
strong forte forte fortes fortes ser ha
fast rápido rápida rápidos rápidas ser ha
expensive caro cara caros caras ser tf
cheap barato barata baratos baratas ser tf
heavy pesado pesada pesados pesadas ser ta
tired cansado cansada cansados cansadas estar ha
sad triste triste tristes tristes estar ha
angry zangado zangada zangados zangadas estar ha
sick doente doente doentes doentes estar ha
dirty sujo suja sujos sujas estar tap
clean limpo limpa limpos limpas estar tap
broken partido partida partidos partidas estar b
hot quente quente quentes quentes estar f
cold frio fria frios frias estar f
""".strip().splitlines())}

# Verbs: Portuguese infinitive, English base / 3rd singular / past, subject tags, object tags.
# 12 -ar, 10 -er and 8 -ir verbs conjugate regularly (none changes its spelling); the last four
# are irregular (`_IRREGULAR`). "go" takes a place after "to" instead of an object.
VERBS = {e[1]: e for e in (tuple(line.split()) for line in """
comprar buy buys bought h tfa
lavar wash washes washed h taf
ajudar help helps helped h ha
encontrar find finds found ha htaf
levar take takes took h htaf
pintar paint paints painted h tp
visitar visit visits visited h hp
chamar call calls called h ha
mostrar show shows showed h taf
cozinhar cook cooks cooked h f
fechar close closes closed h o
observar watch watches watched ha hap
comer eat eats ate ha f
vender sell sells sold h taf
escrever write writes wrote h w
receber receive receives received h tf
esconder hide hides hid ha taf
defender defend defends defended ha hap
morder bite bites bit ha haf
escolher choose chooses chose h htafp
temer fear fears feared ha ha
varrer sweep sweeps swept h p
abrir open opens opened h o
partir break breaks broke ha b
dividir share shares shared h f
discutir discuss discusses discussed h w
imprimir print prints printed h w
aplaudir applaud applauds applauded h h
invadir invade invades invaded ha p
persuadir persuade persuades persuaded h h
ver see sees saw ha htafp
ter have has had ha htafp
fazer make makes made h fm
ir go goes went ha p
""".strip().splitlines())}

TENSES = ("present", "past", "future")
_REGULAR = {  # endings for eu, tu, ele/ela, nós, eles; the future adds them to the infinitive
    "ar": {"present": "o as a amos am", "past": "ei aste ou ámos aram"},
    "er": {"present": "o es e emos em", "past": "i este eu emos eram"},
    "ir": {"present": "o es e imos em", "past": "i iste iu imos iram"},
}
_FUTURE = "ei ás á emos ão".split()
_IRREGULAR = {  # present, past; future stem
    "ver": ("vejo vês vê vemos veem", "vi viste viu vimos viram", "ver"),
    "ter": ("tenho tens tem temos têm", "tive tiveste teve tivemos tiveram", "ter"),
    "fazer": ("faço fazes faz fazemos fazem", "fiz fizeste fez fizemos fizeram", "far"),
    "ir": ("vou vais vai vamos vão", "fui foste foi fomos foram", "ir"),
    # The copulas: their past is the imperfeito (states), see the module docstring.
    "ser": ("sou és é somos são", "era eras era éramos eram", "ser"),
    "estar": ("estou estás está estamos estão", "estava estavas estava estávamos estavam", "estar"),
}

PRONOUNS = {"I": ("eu", 0, "m"), "you": ("tu", 1, "m"), "he": ("ele", 2, "m"),  # person index,
            "she": ("ela", 2, "f"), "we": ("nós", 3, "m"), "they": ("eles", 4, "m")}  # gender
_PREPOSITIONS = {"in": ("em", "pc"), "on": ("em", "s"), "under": ("debaixo de", "s"),
                 "near": ("perto de", "ps")}  # Portuguese, tags of the nouns they take
_CONTRACTIONS = {(p, a): c for p, row in (("em", "no na nos nas num numa nuns numas"),
                                          ("de", "do da dos das"), ("a", "ao à aos às"))
                 for a, c in zip("o a os as um uma uns umas".split(), row.split())}

# Held out of training (see the module docstring): per adjective, one masculine and one
# feminine noun it may describe.
HELD_OUT_PAIRS = frozenset((n, a) for a, ns in {
    "red": "car door", "white": "horse bottle", "black": "cat chair", "yellow": "balloon banana",
    "green": "hat apple", "blue": "book box", "big": "lion city", "small": "garden spider",
    "old": "king church", "new": "clock school", "beautiful": "picture queen",
    "ugly": "shoe goat", "tall": "brother mother", "young": "son cow", "strong": "father hen",
    "fast": "dog fox", "expensive": "pencil bag", "cheap": "cake key", "heavy": "glass table",
    "tired": "man girl", "sad": "boy sister", "angry": "uncle woman",
    "sick": "grandfather aunt", "dirty": "market street", "clean": "river kitchen",
    "broken": "clock window", "hot": "loaf potato", "cold": "egg orange",
}.items() for n in ns.split())
# Per verb one (tense, he/she/they) cell, rotating so each of the 9 cells is held out ~4 times.
HELD_OUT_VERBS = frozenset(
    (v, TENSES[i % 3], ("he", "she", "they")[i // 3 % 3]) for i, v in enumerate(VERBS)
)


def _forms(pt: str, tense: str) -> list[str]:
    """The five forms (eu, tu, ele/ela, nós, eles) of a Portuguese verb in a tense."""
    if pt in _IRREGULAR:
        present, past, stem = _IRREGULAR[pt]
        if tense != "future":
            return (present if tense == "present" else past).split()
    else:
        stem = pt
        if tense != "future":
            return [pt[:-2] + e for e in _REGULAR[pt[-2:]][tense].split()]
    return [stem + e for e in _FUTURE]


@cache
def _nouns(tags: str) -> tuple[str, ...]:
    """Nouns with any of the tags."""
    return tuple(n for n, e in NOUNS.items() if any(t in tags for t in e[5]))


@cache
def _adjectives(tags: str) -> tuple[str, ...]:
    """Adjectives that describe a noun with these tags."""
    return tuple(a for a, e in ADJECTIVES.items() if any(t in e[6] for t in tags))


@dataclass(frozen=True)
class Phrase:
    """Aligned English and Portuguese words, and what agreement and held-out checks need."""

    en: tuple[str, ...]
    pt: tuple[str, ...]
    person: int = 2  # 0 eu, 1 tu, 2 ele/ela, 3 nós, 4 eles: the verb agrees with this
    gender: str = "m"  # adjectives agree with this
    noun: str = ""  # the head noun (English singular); "" for a pronoun
    combos: tuple = ()  # (noun, adj) pairs and (verb, tense, pronoun) triples inside

    @property
    def plural(self) -> bool:
        return self.person >= 3

    @property
    def tags(self) -> str:
        return NOUNS[self.noun][5] if self.noun else "h"


def pronoun(en: str) -> Phrase:
    pt, person, gender = PRONOUNS[en]
    return Phrase((en,), (pt,), person, gender)


def _adj_pt(adj: str, gender: str, plural: bool) -> str:
    return ADJECTIVES[adj][1 + (gender == "f") + 2 * plural]


def _with(prep_pt: str, np: Phrase) -> tuple[str, ...]:
    """Portuguese preposition + noun phrase, contracted with its article: de + o -> do."""
    *words, last = prep_pt.split()
    joined = _CONTRACTIONS.get((last, np.pt[0]))
    return (*words, joined, *np.pt[1:]) if joined else (*words, last, *np.pt)


def noun_phrase(noun: str, *, plural: bool = False, article: str = "the", adj: str | None = None,
                of: Phrase | None = None) -> Phrase:
    """ "the red cars of the king" -> "os carros vermelhos do rei"; article "a" is "some" in the plural."""
    en_sg, en_pl, pt_sg, pt_pl, gender, _ = NOUNS[noun]
    en, pt = [en_pl if plural else en_sg], [pt_pl if plural else pt_sg]
    if adj:
        en.insert(0, adj)
        pt.append(_adj_pt(adj, gender, plural))
    fem = gender == "f"
    if article == "the":
        en_art, pt_art = "the", ("os", "as", "o", "a")[2 * (not plural) + fem]
    else:
        en_art = "some" if plural else "an" if en[0][0] in "aeiou" else "a"
        pt_art = ("uns", "umas", "um", "uma")[2 * (not plural) + fem]
    en, pt, combos = [en_art, *en], [pt_art, *pt], ((noun, adj),) if adj else ()
    if of is not None:
        en, pt, combos = [*en, "of", *of.en], [*pt, *_with("de", of)], combos + of.combos
    return Phrase(tuple(en), tuple(pt), 4 if plural else 2, gender, noun, combos)


def _english(verb: str, tense: str, person: int, negative: bool) -> list[str]:
    """The English verb group; `verb` is a key of VERBS or "be"."""
    if tense == "future":
        return ["will", *["not"] * negative, "be" if verb == "be" else VERBS[verb][1]]
    if verb == "be":
        forms = "am are is are are" if tense == "present" else "was were was were were"
        return [forms.split()[person], *["not"] * negative]
    _, base, third, past = VERBS[verb][:4]
    if negative:
        return ["did" if tense == "past" else "does" if person == 2 else "do", "not", base]
    return [past if tense == "past" else third if person == 2 else base]


def _clause(subject: Phrase, verb: str, rest: Phrase, tense: str, negative: bool) -> Phrase:
    """Subject, verb agreeing with it, rest; `verb` is a key of VERBS, "ser" or "estar"."""
    copula = verb in ("ser", "estar")
    en = _english("be" if copula else verb, tense, subject.person, negative)
    pt = ["não"] * negative + [_forms(verb if copula else VERBS[verb][0], tense)[subject.person]]
    triple = () if copula or subject.noun else ((verb, tense, subject.en[0]),)
    return Phrase((*subject.en, *en, *rest.en), (*subject.pt, *pt, *rest.pt), subject.person,
                  subject.gender, subject.noun, subject.combos + triple + rest.combos)


def act(subject: Phrase, verb: str, obj: Phrase, *, tense: str, negative: bool = False,
        where: Phrase | None = None) -> Phrase:
    """Subject verb object [place]: "the man does not see the dog" -> "o homem não vê o cão"."""
    if where is not None:
        obj = Phrase((*obj.en, *where.en), (*obj.pt, *where.pt), combos=obj.combos + where.combos)
    return _clause(subject, verb, obj, tense, negative)


def go(subject: Phrase, place: Phrase, *, tense: str, negative: bool = False) -> Phrase:
    """ "she went to the school" -> "ela foi à escola". """
    to = Phrase(("to", *place.en), _with("a", place), combos=place.combos)
    return _clause(subject, "go", to, tense, negative)


def at(prep: str, np: Phrase) -> Phrase:
    """A place: "under the table" -> "debaixo da mesa"; `prep` is in, on, under or near."""
    return Phrase((prep, *np.en), _with(_PREPOSITIONS[prep][0], np), combos=np.combos)


def be(subject: Phrase, what: str | tuple[str, ...] | Phrase, *, tense: str,
       negative: bool = False) -> Phrase:
    """Subject be place (estar), or adjectives joined by "and" (agreeing; ser or estar as the
    adjectives say, one copula for all): "she was tall and strong" -> "ela era alta e forte"."""
    if isinstance(what, Phrase):
        return _clause(subject, "estar", what, tense, negative)
    adjs = (what,) if isinstance(what, str) else what
    copulas = {ADJECTIVES[a][5] for a in adjs}
    if len(copulas) != 1:
        raise ValueError(f"{adjs} need different copulas")
    en = [w for a in adjs for w in ("and", a)][1:]
    pt = [w for a in adjs for w in ("e", _adj_pt(a, subject.gender, subject.plural))][1:]
    combos = tuple((subject.noun, a) for a in adjs) if subject.noun else ()
    return _clause(subject, copulas.pop(), Phrase(tuple(en), tuple(pt), combos=combos), tense, negative)


def relative(head: Phrase, verb: str, other: Phrase, *, tense: str, negative: bool = False,
             gap: str = "subject") -> Phrase:
    """ "the man who sees the dog" (gap subject; other = the object) -> "o homem que vê o cão";
    "the dog that she saw" (gap object; other = the subject) -> "o cão que ela viu"."""
    if gap == "subject":
        who = "who" if head.tags[0] == "h" else "that"
        inner = _clause(replace(head, en=(who,), pt=("que",), combos=()), verb, other, tense, negative)
    else:
        inner = _clause(other, verb, Phrase((), ()), tense, negative)
        inner = replace(inner, en=("that", *inner.en), pt=("que", *inner.pt))
    return replace(head, en=head.en + inner.en, pt=head.pt + inner.pt, combos=head.combos + inner.combos)


def sentence(clause: Phrase) -> tuple[str, str]:
    """The raw English and Portuguese lines: first word capitalised, a full stop at the end."""
    def line(words: tuple[str, ...]) -> str:
        text = " ".join(words) + "."
        return text[0].upper() + text[1:]
    return line(clause.en), line(clause.pt)


# --- sampling -------------------------------------------------------------------------------

_P_PRONOUN = 0.35  # subjects that are pronouns: each of the 6 persons is still common
_P_PRONOUN_BE = 0.15  # fewer before "be": "she is sad" has few variants, so would repeat
_P_PLURAL = 0.4  # enough plurals that number agreement is learnt on every noun
_P_DEFINITE = 0.65  # "the" over "a"/"some", roughly as in running text
_P_ADJECTIVE = 0.45  # most noun phrases with an adjective carry a (noun, adj) combination
_P_OF = 0.1  # possessors ("of the king"): rare, they lengthen sentences
_P_RELATIVE = 0.3  # per sentence at most one relative clause, tried on the subject first
_P_NEGATIVE = 0.25  # negation is frequent but never the default
_P_WHERE = 0.2  # a place after the object ("in the garden")
_P_SECOND = 0.25  # "the car is old and red": coordination; always after a pronoun subject
_FRAMES = {"act": 0.55, "be_adjective": 0.2, "be_at": 0.15, "go": 0.1}  # what the sentence says
_OPPOSITES = {frozenset(p.split("/")) for p in (  # never "the cake is hot and cold"
    "big/small old/new old/young beautiful/ugly expensive/cheap dirty/clean hot/cold".split())}
_ACTIONS = tuple(v for v in VERBS if v != "go")
_HELD_OUT = HELD_OUT_PAIRS | HELD_OUT_VERBS


def _subject(rng: random.Random, tags: str, budget: dict, p_pronoun: float = _P_PRONOUN) -> Phrase:
    if "h" in tags and rng.random() < p_pronoun:
        return pronoun(rng.choice(tuple(PRONOUNS)))
    return _np(rng, tags, budget)


def _np(rng: random.Random, tags: str, budget: dict) -> Phrase:
    """A random noun phrase of a noun with one of the tags; `budget` limits relatives and "of"."""
    noun = rng.choice(_nouns(tags))
    adj = rng.choice(_adjectives(NOUNS[noun][5])) if rng.random() < _P_ADJECTIVE else None
    article = "the" if rng.random() < _P_DEFINITE else "a"
    of = None
    if article == "the" and budget["of"] and rng.random() < _P_OF:
        budget["of"] -= 1
        of = noun_phrase(rng.choice(_nouns("h")), plural=rng.random() < _P_PLURAL,
                         adj=rng.choice(_adjectives("h")) if rng.random() < _P_ADJECTIVE else None)
    np = noun_phrase(noun, plural=rng.random() < _P_PLURAL, article=article, adj=adj, of=of)
    if budget["relative"] and rng.random() < _P_RELATIVE:
        budget["relative"] -= 1
        np = _relative(rng, np)
    return np


def _relative(rng: random.Random, head: Phrase) -> Phrase:
    none = {"relative": 0, "of": 0}
    as_subject = [v for v in _ACTIONS if any(t in VERBS[v][4] for t in head.tags)]
    as_object = [v for v in _ACTIONS if any(t in VERBS[v][5] for t in head.tags)]
    tense, negative = rng.choice(TENSES), rng.random() < _P_NEGATIVE
    if as_subject and (not as_object or rng.random() < 0.6):
        verb = rng.choice(as_subject)
        return relative(head, verb, _np(rng, VERBS[verb][5], none), tense=tense, negative=negative)
    verb = rng.choice(as_object)
    return relative(head, verb, _subject(rng, VERBS[verb][4], none), tense=tense,
                    negative=negative, gap="object")


def sample(rng: random.Random) -> Phrase:
    """One random sentence (as a clause; `sentence` makes the two lines)."""
    frame = rng.choices(tuple(_FRAMES), weights=tuple(_FRAMES.values()))[0]
    tense, negative = rng.choice(TENSES), rng.random() < _P_NEGATIVE
    budget, none = {"relative": 1, "of": 1}, {"relative": 0, "of": 0}
    if frame == "act":
        verb = rng.choice(_ACTIONS)
        subject = _subject(rng, VERBS[verb][4], budget)
        obj = _np(rng, VERBS[verb][5], budget)
        where = None
        if rng.random() < _P_WHERE:
            where = at(rng.choice(("in", "near")), _np(rng, "p", none))
        return act(subject, verb, obj, tense=tense, negative=negative, where=where)
    if frame == "go":
        subject = _subject(rng, VERBS["go"][4], budget)
        return go(subject, _np(rng, "p", budget), tense=tense, negative=negative)
    if frame == "be_at":
        prep = rng.choice(tuple(_PREPOSITIONS))
        place = at(prep, _np(rng, _PREPOSITIONS[prep][1], none))
        return be(_subject(rng, "htaf", budget, _P_PRONOUN_BE), place, tense=tense, negative=negative)
    subject = _subject(rng, "htafp", budget, _P_PRONOUN_BE)
    said = {a for n, a, *_ in subject.combos if n == subject.noun}  # not "the red car is red"
    first = rng.choice([a for a in _adjectives(subject.tags) if a not in said])
    second = [a for a in _adjectives(subject.tags) if a not in said and a != first
              and ADJECTIVES[a][5] == ADJECTIVES[first][5] and frozenset((a, first)) not in _OPPOSITES]
    adjs = [first]
    if second and (not subject.noun or rng.random() < _P_SECOND):  # pronoun + 1 adjective: too few
        adjs.append(rng.choice(second))
    return be(subject, tuple(adjs), tense=tense, negative=negative)


def draw(seed: int, split: str, index: int) -> Phrase:
    """Clause `index` of a split: redrawn until it holds no held-out combination (train) or
    at least one (val/test), and has at most MAX_WORDS words a side."""
    rng = random.Random(f"{seed}/{split}/{index}")  # per pair: val/test don't move with n_train
    while True:
        clause = sample(rng)
        if max(len(clause.en), len(clause.pt)) <= MAX_WORDS and (
            any(c in _HELD_OUT for c in clause.combos) == (split != "train")
        ):
            return clause


def _write(out: Path, params: dict) -> None:
    for split in _SPLITS:
        pairs = [sentence(draw(params["seed"], split, k)) for k in range(params[f"n_{split}"])]
        for side, lang in enumerate(("en", "pt")):
            (out / f"{split}.{lang}").write_text("".join(p[side] + "\n" for p in pairs), encoding="utf-8")
    held_out = {"noun_adjective": sorted(HELD_OUT_PAIRS), "verb_tense_pronoun": sorted(HELD_OUT_VERBS)}
    (out / MARKER).write_text(json.dumps(held_out, indent=1) + "\n", encoding="utf-8")


def generate_pairs(
    root: str | Path,
    *,
    n_train: int = 20000,  # every word and construction recurs many times
    n_val: int = 500,  # a BLEU stable to about a point, decoded in seconds
    n_test: int = 500,  # same as val, so the two numbers are comparable
    seed: int = 0,  # fixed, so every user gets the same bytes
) -> Path:
    """Write root/{train,val,test}.{en,pt} (line-aligned, UTF-8, one sentence a line) once (cached
    via suite.data.generated.build_once) and return root. Safe to call from every rank."""
    params = {"n_train": n_train, "n_val": n_val, "n_test": n_test, "seed": seed,
              "version": GENERATOR_VERSION}
    if min(n_val, n_test, seed) < 0 or n_train < 1:
        raise UserError(f"synthetic_pairs needs n_train >= 1 and n_val/n_test/seed >= 0; got {params}")
    return build_once(root, params, lambda out: _write(out, params), marker=MARKER)
