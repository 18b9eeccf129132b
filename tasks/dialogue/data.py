"""Dialogue data: the synthetic task dialogues, the four real readers, and the datamodule.

Every reader gives dialogues `{"id", "turns", "speakers"?, "slots"?, "acts"?}`; empty turns are
dropped and counted, a dialogue left with fewer than two turns is skipped. The datamodule turns
every turn boundary into one (history, reply) example (`data.reply_turns=bot`: only the turns
whose speaker is "bot").
"""
from __future__ import annotations

import ast
import json
import logging
import random
from pathlib import Path

from suite.data.checks import check_fractions, check_root
from suite.data.collate import pad_sequences
from suite.data.datamodule import SuiteDataModule
from suite.data.generated import build_once
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.dialogue.meta import DialogueMeta

log = logging.getLogger(__name__)

# --- synthetic task dialogues ------------------------------------------------------------------
VALUES = {
    "day": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "time": ["10am", "11am", "noon", "5pm", "6pm", "7pm", "8pm", "9pm"],
    "people": ["two", "three", "four", "five", "six", "seven", "eight"],
    "place": ["airport", "station", "museum", "harbour", "stadium", "library"],
    "item": ["pizza", "flowers", "cake", "books", "groceries", "coffee"],
}
DOMAINS = {  # domain -> (request openers, slot phrases, confirmations); slot order in requests is shuffled
    "restaurant": (["i need a table", "can i book a table", "i would like to reserve a table", "book me a table"],
                   {"people": ["for {people}", "for {people} people"], "day": ["on {day}"], "time": ["at {time}"]},
                   ["ok, a table for {people} on {day} at {time} is booked.", "done: {people} people, {day}, {time}.",
                    "your table for {people} is reserved for {day} at {time}."]),
    "taxi": (["i need a taxi", "can you get me a cab", "book a taxi", "i would like a taxi"],
             {"place": ["to the {place}"], "day": ["on {day}"], "time": ["at {time}", "for {time}"]},
             ["ok, a taxi to the {place} on {day} at {time}.", "done: the {place}, {day} at {time}.",
              "your cab to the {place} is booked for {day} at {time}."]),
    "delivery": (["please deliver", "can you send", "i want a delivery of", "i would like to order"],
                 {"item": ["{item}"], "day": ["on {day}"], "time": ["at {time}", "around {time}"]},
                 ["ok, {item} will arrive on {day} at {time}.", "done: {item} on {day} at {time}.",
                  "your {item} is scheduled for {day} at {time}."]),
}
CLARIFY = {  # the user changes one slot; only the history says what the other slots (and the domain) are
    "day": ["and what about {v}?", "how about {v} instead?", "actually, make it {v}.", "could we do {v}?"],
    "time": ["and what about {v}?", "how about {v} instead?", "actually, make it {v}.", "could we do {v}?"],
    "people": ["and what about {v} people?", "make it {v} people.", "could we be {v} instead?"],
    "place": ["and what about the {v}?", "actually, to the {v}.", "how about the {v} instead?"],
    "item": ["and what about {v}?", "actually, {v} instead.", "how about {v} instead?"],
}
GREET = ["hi", "hello", "hello there", "good morning", "hey"]
GREET_BACK = ["hello, how can i help?", "hi! what can i do for you?", "good day, how may i help you?"]
THANKS = ["thanks", "thank you", "great, thanks!", "perfect, thank you."]
BYE = ["you are welcome, goodbye!", "my pleasure. bye!", "glad to help, bye."]
SYNTHETIC_VERSION = 1  # bump when the generator changes: cached data regenerates


def synthetic_dialogue(rng: random.Random, index: int) -> dict:
    """greeting, request with slots, confirmation, 1-2 clarifications each confirmed, thanks."""
    domain = rng.choice(sorted(DOMAINS))
    openers, phrases, confirms = DOMAINS[domain]
    slots = {k: rng.choice(VALUES[k]) for k in phrases}
    order = list(phrases)
    rng.shuffle(order)
    request = " ".join([rng.choice(openers), *(rng.choice(phrases[k]).format(**slots) for k in order)])
    turns = [(rng.choice(GREET), "user", None, None), (rng.choice(GREET_BACK), "bot", None, "greet"),
             (request + rng.choice(["", " please", "."]), "user", None, None),
             (rng.choice(confirms).format(**slots), "bot", dict(slots), "confirm")]
    for _ in range(rng.choice([1, 2])):
        slot = rng.choice(order)
        slots[slot] = rng.choice([v for v in VALUES[slot] if v != slots[slot]])
        turns += [(rng.choice(CLARIFY[slot]).format(v=slots[slot]), "user", None, None),
                  (rng.choice(["", "no problem, ", "sure, "]) + rng.choice(confirms).format(**slots), "bot",
                   dict(slots), "clarify")]
    turns += [(rng.choice(THANKS), "user", None, None), (rng.choice(BYE), "bot", None, "bye")]
    text, speakers, slot_list, acts = map(list, zip(*turns))
    return {"id": f"d{index}", "turns": text, "speakers": speakers, "slots": slot_list, "acts": acts}


def generate_dialogues(root, *, n_train: int, n_val: int, n_test: int, seed: int) -> Path:
    """Write {train,val,test}.jsonl in the dialogue_jsonl format (once, cached)."""
    def build(tmp: Path) -> None:
        rng, k = random.Random(seed), 0
        for split, n in (("val", n_val), ("test", n_test), ("train", n_train)):  # train last: it is the marker
            with open(tmp / f"{split}.jsonl", "w", encoding="utf-8") as f:
                for _ in range(n):
                    f.write(json.dumps(synthetic_dialogue(rng, k)) + "\n")
                    k += 1

    params = {"version": SYNTHETIC_VERSION, "n": [n_train, n_val, n_test], "seed": seed}
    return build_once(root, params, build, marker="train.jsonl")


# --- readers -----------------------------------------------------------------------------------
class Reader:
    """Collects dialogues, dropping empty turns (counted) and dialogues under two turns (named);
    `strict` makes a broken line or dialogue fatal, naming the file and line."""

    def __init__(self, strict: bool):
        self.strict, self.skipped, self.empty_turns = strict, [], 0

    def bad(self, where: str, why: str) -> None:
        if self.strict:
            raise UserError(f"{where}: {why} (data.strict=true; fix the line or drop strict to skip and count it)")
        self.skipped.append((where, why))

    def dialogue(self, where: str, turns: list, **extra) -> dict | None:
        keep = [i for i, t in enumerate(turns) if isinstance(t, str) and t.strip()]
        self.empty_turns += len(turns) - len(keep)
        if len(keep) < 2:
            self.bad(where, "fewer than two non-empty turns")
            return None
        out = {"id": where, "turns": [turns[i].strip() for i in keep]}
        for key, values in extra.items():
            if values is not None:
                if not isinstance(values, list) or len(values) != len(turns):
                    self.bad(where, f'"{key}" must be a list with one entry per turn')
                    return None
                out[key] = [values[i] for i in keep]
        return out

    def splits(self, train: list, val: list, test: list, notes: list[str]) -> Splits:
        if not train:
            raise UserError(f"no usable training dialogues ({len(self.skipped)} skipped, e.g. "
                            f"{self.skipped[0][0] if self.skipped else 'none'}): check the data files")
        if self.empty_turns:
            notes.append(f"dropped {self.empty_turns} empty turns")
        return Splits(train, val, test, skipped=self.skipped, uncounted=self.empty_turns, notes=notes)


def carve(dialogues: list[dict], val_fraction: float, test_fraction: float, seed: int) -> tuple[list, list, list]:
    """Seeded val / test parts; dialogues opening with the same turn stay in one part (chatterbot
    lists several answers to one question: a test question is then never seen in training)."""
    check_fractions(val_fraction=val_fraction, test_fraction=test_fraction)
    groups: dict[str, list[dict]] = {}
    for d in dialogues:
        groups.setdefault(d["turns"][0].lower(), []).append(d)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    parts, k = [], 0
    for f in (val_fraction, test_fraction):
        want, taken = (max(1, round(f * len(dialogues))) if f > 0 else 0), []
        while len(taken) < want and k < len(keys) - 1:  # train keeps at least one group
            taken += groups[keys[k]]
            k += 1
        parts.append(taken)
    return [d for key in keys[k:] for d in groups[key]], parts[0], parts[1]


def _lines(path: Path, encoding: str = "utf-8") -> list[str]:
    try:
        return path.read_text(encoding=encoding).splitlines()
    except UnicodeDecodeError as e:
        raise UserError(f"'{path}' is not {encoding} text ({e.reason}): save it as {encoding}") from e
    except OSError as e:
        raise UserError(f"cannot read '{path}' ({e.strerror}): check that it is a readable file") from e


def read_jsonl(paths: dict, *, val_fraction: float, test_fraction: float, seed: int, strict: bool) -> Splits:
    """{"turns": [...], "speakers"?: [...], "slots"?: [...], "acts"?: [...]} a line; a missing val or
    test file is carved from train (seeded)."""
    paths = {k: v for k, v in paths.items() if v not in (None, "", "???")}  # ???: the config's "not set"
    if not paths.get("train"):
        raise UserError("data=dialogue_jsonl needs data.train: add data.train=/path/to/train.jsonl")
    reader, out, notes = Reader(strict), {}, []
    for split in ("train", "val", "test"):
        if not paths.get(split):
            out[split] = []
            continue
        path = Path(str(paths[split])).expanduser()
        if not path.is_file():
            raise UserError(f"data.{split} '{path}' does not exist: point data.{split} at a .jsonl file")
        dialogues = []
        for n, line in enumerate(_lines(path), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                obj = json.loads(line)
            except ValueError as e:
                reader.bad(where, f"not JSON ({e.msg})")
                continue
            turns = obj.get("turns") if isinstance(obj, dict) else None
            if not isinstance(turns, list) or not all(isinstance(t, (str, dict)) for t in turns):
                reader.bad(where, 'no "turns" list of strings')
                continue
            if turns and all(isinstance(t, dict) for t in turns):  # [{"speaker": ..., "text": ...}]
                obj = {"speakers": [t.get("speaker") for t in turns], **obj}
                turns = [t.get("text") for t in turns]
            d = reader.dialogue(where, turns, speakers=obj.get("speakers"), slots=obj.get("slots"),
                                acts=obj.get("acts"))
            if d:
                dialogues.append(d)
        out[split] = dialogues
    if not paths.get("val") and not paths.get("test") and (val_fraction or test_fraction):
        out["train"], out["val"], out["test"] = carve(out["train"], val_fraction, test_fraction, seed)
        notes.append(f"val and test carved from train (seed {seed})")
    return reader.splits(out["train"], out["val"], out["test"], notes)


DAILYDIALOG_SPLITS = {"train": "train", "val": "validation", "test": "test"}


def read_dailydialog(root, *, val_fraction: float, test_fraction: float, seed: int, strict: bool) -> Splits:
    """The official archive unpacked: {train,validation,test}/dialogues_<split>.txt (or at the root),
    else dialogues_text.txt carved into splits; turns end in __eou__; act/emotion files ignored.
    A dialogue already in an earlier split is dropped from the later one (counted)."""
    root = check_root(root, "dialogues_text.txt or train/dialogues_train.txt")
    reader, notes = Reader(strict), []

    def read(path: Path) -> list[dict]:
        out = []
        for n, line in enumerate(_lines(path), 1):
            if line.strip():
                turns = line.split("__eou__")
                if not turns[-1].strip():
                    turns.pop()  # the text after the last __eou__ ends the line; it is not a turn
                d = reader.dialogue(f"{path.name}:{n}", turns)
                if d:
                    out.append(d)
        return out

    files = {s: next((p for p in (root / name / f"dialogues_{name}.txt", root / f"dialogues_{name}.txt")
                      if p.is_file()), None) for s, name in DAILYDIALOG_SPLITS.items()}
    if files["train"] is not None:
        parts = {s: read(p) if p else [] for s, p in files.items()}
    elif (root / "dialogues_text.txt").is_file():
        parts = dict(zip(("train", "val", "test"), carve(read(root / "dialogues_text.txt"), val_fraction,
                                                         test_fraction, seed)))
        notes.append(f"val and test carved from dialogues_text.txt (seed {seed})")
    else:
        raise UserError(f"no DailyDialog files in '{root}': set data.root to the folder holding dialogues_text.txt "
                        "or train/dialogues_train.txt")
    seen, repeated = set(), 0
    for split in ("train", "val", "test"):
        kept = []
        for d in parts[split]:
            key = tuple(t.lower() for t in d["turns"])
            if key in seen and split != "train":
                repeated += 1
                continue
            seen.add(key)
            kept.append(d)
        parts[split] = kept
    if repeated:
        notes.append(f"dropped {repeated} val/test dialogues that already appear in an earlier split")
    splits = reader.splits(parts["train"], parts["val"], parts["test"], notes)
    splits.uncounted += repeated
    return splits


CORNELL_SEP = " +++$+++ "


def read_cornell(root, *, val_fraction: float, test_fraction: float, seed: int, strict: bool) -> Splits:
    """movie_lines.txt (lineID, characterID, movieID, name, text) + movie_conversations.txt (char1,
    char2, movieID, ['L1', 'L2', ...]), ' +++$+++ '-separated, ISO-8859-1; seeded carve."""
    root = check_root(root, "movie_lines.txt and movie_conversations.txt")
    for name in ("movie_lines.txt", "movie_conversations.txt"):
        if not (root / name).is_file():
            raise UserError(f"'{root}' has no {name}: set data.root to the cornell movie-dialogs corpus folder")
    reader, lines = Reader(strict), {}
    for n, line in enumerate(_lines(root / "movie_lines.txt", "iso-8859-1"), 1):
        fields = line.split(CORNELL_SEP)
        if len(fields) == 5:
            lines[fields[0].strip()] = fields[4]
        elif line.strip():
            reader.bad(f"movie_lines.txt:{n}", "not 5 ' +++$+++ '-separated fields")
    dialogues = []
    for n, line in enumerate(_lines(root / "movie_conversations.txt", "iso-8859-1"), 1):
        where, fields = f"movie_conversations.txt:{n}", line.split(CORNELL_SEP)
        if not line.strip():
            continue
        try:
            ids = ast.literal_eval(fields[3].strip()) if len(fields) == 4 else None
        except (ValueError, SyntaxError):
            ids = None
        if not isinstance(ids, list):
            reader.bad(where, "not 4 fields ending in a list of line ids")
            continue
        if any(i not in lines for i in ids):
            reader.bad(where, f"line id {next(i for i in ids if i not in lines)} is not in movie_lines.txt")
            continue
        d = reader.dialogue(where, [lines[i] for i in ids])
        if d:
            dialogues.append(d)
    train, val, test = carve(dialogues, val_fraction, test_fraction, seed)
    return reader.splits(train, val, test, [f"val and test carved from the conversations (seed {seed})"])


def chatterbot_dir(language: str) -> Path:
    try:
        import chatterbot_corpus
    except ImportError as e:
        raise UserError("data=chatterbot needs the chatterbot-corpus package: pip install chatterbot-corpus") from e
    folder = Path(chatterbot_corpus.__file__).parent / "data" / language
    if not folder.is_dir():
        have = sorted(p.name for p in folder.parent.iterdir() if p.is_dir())
        raise UserError(f"chatterbot-corpus has no '{language}' corpus: use data.language= one of {', '.join(have)}")
    return folder


def read_chatterbot(language: str, topics, *, val_fraction: float, test_fraction: float, seed: int,
                    strict: bool) -> Splits:
    """The chatterbot-corpus YAML files (categories + conversations: lists of turns); `topics`
    picks files by name (null: all)."""
    import yaml

    folder = chatterbot_dir(language)
    files = {p.stem: p for p in sorted(folder.glob("*.yml"))}
    wanted = list(topics) if topics else sorted(files)
    unknown = [t for t in wanted if t not in files]
    if unknown:
        raise UserError(f"no chatterbot topic '{unknown[0]}': use data.topics=[...] from {', '.join(sorted(files))}")
    reader, dialogues = Reader(strict), []
    for topic in wanted:
        try:
            doc = yaml.safe_load(files[topic].read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            reader.bad(files[topic].name, f"not YAML ({str(e).splitlines()[0]})")
            continue
        for k, conv in enumerate(doc.get("conversations") or []):
            if isinstance(conv, list):
                d = reader.dialogue(f"{topic}.yml#{k}", [str(t) if isinstance(t, (int, float)) else t for t in conv])
                if d:
                    dialogues.append(d)
    train, val, test = carve(dialogues, val_fraction, test_fraction, seed)
    return reader.splits(train, val, test, [f"val and test carved from {len(wanted)} topics (seed {seed})"])


def read_splits(data: dict) -> Splits:
    name, strict = data["name"], bool(data.get("strict", False))
    fractions = dict(val_fraction=float(data.get("val_fraction", 0.1)), test_fraction=float(data.get("test_fraction", 0.1)),
                     seed=int(data.get("seed", 0)), strict=strict)
    if name == "synthetic_dialogues":
        root = generate_dialogues(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                                  seed=data["seed"])
        return read_jsonl({s: root / f"{s}.jsonl" for s in ("train", "val", "test")}, **fractions)
    if name == "dialogue_jsonl":
        return read_jsonl({s: data.get(s) for s in ("train", "val", "test")}, **fractions)
    if name == "dailydialog":
        return read_dailydialog(data["root"], **fractions)
    if name == "cornell_movie":
        return read_cornell(data["root"], **fractions)
    if name == "chatterbot":
        return read_chatterbot(data["language"], data.get("topics"), **fractions)
    raise UserError(f"unknown dialogue data '{name}': use data=synthetic_dialogues, dailydialog, cornell_movie, "
                    "dialogue_jsonl or chatterbot")


# --- the datamodule ----------------------------------------------------------------------------
def examples(dialogues: list[dict], reply_turns: str) -> list[dict]:
    """Each turn boundary -> {"history": turns before, "reply", "slots", "act", "id"}."""
    out = []
    for d in dialogues:
        speakers = d.get("speakers")
        for i in range(1, len(d["turns"])):
            if reply_turns == "bot" and speakers and speakers[i] != "bot":
                continue
            out.append({"id": f"{d['id']}@{i}", "history": d["turns"][:i], "reply": d["turns"][i],
                        "slots": (d.get("slots") or [None] * (i + 1))[i], "act": (d.get("acts") or [None] * (i + 1))[i]})
    return out


class DialogueDataModule(SuiteDataModule):
    meta_type = DialogueMeta
    item_kind = "dialogues"
    path_keys = ("root", "train", "val", "test")

    def generate(self) -> None:
        d = self.data
        if d["name"] == "synthetic_dialogues":
            generate_dialogues(d["root"], n_train=d["n_train"], n_val=d["n_val"], n_test=d["n_test"], seed=d["seed"])

    def read(self) -> Splits:
        if self.data.get("reply_turns", "all") not in ("all", "bot"):
            raise UserError(f"data.reply_turns={self.data['reply_turns']}: use all (every turn) or bot")
        return read_splits(self.data)

    def build_meta(self, train: list) -> DialogueMeta:
        slots: dict[str, set] = {}
        for d in train:
            for s in d.get("slots") or []:
                for k, v in (s or {}).items():
                    slots.setdefault(k, set()).add(str(v))
        return DialogueMeta.build(self.data, [t for d in train for t in d["turns"]], slots)

    def encode(self, dialogues: list, split: str) -> list[dict]:
        max_reply, items, too_long = int(self.data["max_reply_tokens"]), [], 0
        for ex in examples(dialogues, self.data.get("reply_turns", "all")):
            reply = self.meta.side.encode(ex["reply"])
            if split == "train" and len(reply) > max_reply:
                too_long += 1  # long replies dominate padding and memory; training drops them
                continue
            ctx = self.meta.context(ex["history"])
            items.append({**ex, "src": ctx.flat, "turns": ctx.turns, "tgt": reply[:4 * max_reply],
                          "context": " | ".join(ex["history"][-self.meta.window:])})
        if too_long:
            log.warning("skipped %d training replies longer than data.max_reply_tokens=%d", too_long, max_reply)
        return items

    def length(self, item: dict) -> int:
        return len(item["src"]) + len(item["tgt"])

    def collate(self, items: list[dict]) -> dict:
        return collate(items, self.meta.side.vocab)


def collate(items: list[dict], vocab) -> dict:
    """Flat contexts (B, S) for seq2seq_chat, per-turn contexts (B, U, W) for hred, replies (B, T)."""
    pad = vocab.pad
    src, src_len = pad_sequences([it["src"] for it in items], pad)  # (B, S), (B,)
    n_turns = max(len(it["turns"]) for it in items)
    width = max(len(t) for it in items for t in it["turns"])
    turns = src.new_full((len(items), n_turns, width), pad)  # (B, U, W)
    turn_len = src.new_zeros(len(items), n_turns)  # (B, U): 0 past each context's last turn
    for b, it in enumerate(items):
        for u, t in enumerate(it["turns"]):
            turns[b, u, :len(t)] = src.new_tensor(t)
            turn_len[b, u] = len(t)
    tgt_in, _ = pad_sequences([[vocab.bos, *it["tgt"]] for it in items], pad)  # (B, T)
    tgt_out, _ = pad_sequences([[*it["tgt"], vocab.eos] for it in items], pad)  # (B, T)
    return {"src": src, "src_lengths": src_len, "turns": turns, "turn_lengths": turn_len, "tgt_in": tgt_in,
            "tgt_out": tgt_out, "size": len(items), "ids": [it["id"] for it in items],
            "refs": [it["reply"] for it in items], "contexts": [it["context"] for it in items],
            "slots": [it["slots"] for it in items], "acts": [it["act"] for it in items]}
