"""Translation data: reader by data name -> tokenised, length-filtered pairs -> bucketed batches."""
from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pytorch_lightning as pl
from torch.utils.data import DataLoader

from suite.data.collate import pad_sequences
from suite.data.loader_options import loader_kwargs
from suite.data.sampler import BucketBatchSampler
from suite.data.split_loaders import SplitLoaders
from suite.data.tokenizers import build_tokenizer, tokenizer_from_dict
from suite.data.vocab import Vocab
from suite.errors import UserError
from tasks.translation import readers
from tasks.translation.synthetic import generate_pairs

log = logging.getLogger(__name__)


def read_splits(data: dict) -> readers.PairSplits:
    name = data["name"]
    if name == "synthetic_pairs":
        root = generate_pairs(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                              seed=data.get("seed", 0))
        return readers.read_parallel(root, data["src"], data["tgt"])
    if name == "parallel":
        return readers.read_parallel(data["root"], data["src"], data["tgt"], train=data["train_prefix"],
                                     val=data["val_prefix"], test=data["test_prefix"], val_fraction=data["val_fraction"],
                                     seed=data["seed"], strict=bool(data.get("strict", False)))
    if name == "tsv_pairs":
        return readers.read_tsv_pairs(data["path"], val_fraction=data["val_fraction"],
                                      test_fraction=data["test_fraction"], seed=data["seed"],
                                      strict=bool(data.get("strict", False)))
    raise UserError(f"unknown translation data '{name}': use data=synthetic_pairs, parallel or tsv_pairs")


class Side:
    """Tokeniser + vocabulary of one language; plain data in and out."""

    def __init__(self, tokenizer, vocab: Vocab):
        self.tokenizer, self.vocab = tokenizer, vocab

    @classmethod
    def build(cls, sentences: list[str], kind: str, vocab_size: int, min_count: int) -> "Side":
        tok = build_tokenizer(kind, sentences, vocab_size)
        return cls(tok, Vocab.build((tok.tokenize(s) for s in sentences), min_count))

    @classmethod
    def from_dict(cls, d: dict) -> "Side":
        return cls(tokenizer_from_dict(d["tokenizer"]), Vocab.from_dict(d["vocab"]))

    def to_dict(self) -> dict:
        return {"tokenizer": self.tokenizer.to_dict(), "vocab": self.vocab.to_dict()}

    def encode(self, text: str) -> list[int]:
        return self.vocab.encode(self.tokenizer.tokenize(text))

    def decode(self, ids) -> str:
        return self.tokenizer.detokenize(self.vocab.decode(ids))


def collate(items: list[dict], bos: int, eos: int, pad: int) -> dict:
    src, src_len = pad_sequences([it["src"] for it in items], pad)  # (B, S), (B,)
    tgt_in, _ = pad_sequences([[bos, *it["tgt"]] for it in items], pad)  # (B, T)
    tgt_out, _ = pad_sequences([[*it["tgt"], eos] for it in items], pad)  # (B, T)
    return {"src": src, "src_lengths": src_len, "tgt_in": tgt_in, "tgt_out": tgt_out, "size": len(items),
            "refs": [it["ref"] for it in items], "sources": [it["source"] for it in items],
            "ids": [it["id"] for it in items]}


class TranslationDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.src = Side.from_dict(vocab["src"]) if vocab else None
        self.tgt = Side.from_dict(vocab["tgt"]) if vocab else None
        self.items: dict[str, list[dict]] = {}

    def prepare_data(self) -> None:
        if self.data["name"] == "synthetic_pairs":  # rank 0 generates; the other ranks find it cached
            read_splits(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return
        d = self.data
        splits = read_splits(d)
        for note in splits.notes:
            log.info(note)
        if splits.skipped_empty:
            log.warning("skipped %d sentence pairs with an empty side (see the notes above); set data.strict=true "
                        "to fail instead", splits.skipped_empty)
        self.skipped_at_setup = splits.skipped_empty  # counted in the module's data/skipped
        if self.src is None:
            self.src = Side.build([p.src for p in splits.train], d["tokenizer"], d["vocab_size"], d["min_word_count"])
            self.tgt = Side.build([p.tgt for p in splits.train], d["tokenizer"], d["vocab_size"], d["min_word_count"])
        for name in ("train", "val", "test"):
            self.items[name] = self._encode(getattr(splits, name), train=name == "train")
        log.info("translation data: %d train / %d val / %d test pairs; vocabularies %d (%s) and %d (%s)",
                 *(len(self.items[s]) for s in ("train", "val", "test")), len(self.src.vocab), d["src"],
                 len(self.tgt.vocab), d["tgt"])

    def _encode(self, pairs, train: bool) -> list[dict]:
        max_len = int(self.data["max_len"])
        items, too_long = [], 0
        for i, p in enumerate(pairs):
            src, tgt = self.src.encode(p.src), self.tgt.encode(p.tgt)
            if train and (len(src) > max_len or len(tgt) > max_len):
                too_long += 1  # long pairs dominate padding and memory; training drops them
                continue
            # evaluation keeps every pair; an over-long source is cut so one sentence cannot exhaust memory
            items.append({"src": src[: 4 * max_len], "tgt": tgt[:max_len], "ref": p.tgt, "source": p.src, "id": i})
        if too_long:
            log.warning("skipped %d training pairs longer than data.max_len=%d tokens", too_long, max_len)
        return items

    def metadata(self) -> dict:
        data = dict(self.data)
        for key in ("root", "path"):  # absolute, so suite-eval works from any directory
            if data.get(key):
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": {"src": self.src.to_dict(), "tgt": self.tgt.to_dict()}, "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.items.get("test"))

    def _loader(self, name: str, train: bool) -> DataLoader:
        items = self.items[name]
        sampler = BucketBatchSampler([len(it["src"]) for it in items], int(self.data["batch_size"]), shuffle=train,
                                     seed=int(self.data.get("seed", 0)))
        v = self.tgt.vocab
        return DataLoader(items, batch_sampler=sampler, **loader_kwargs(self.data),
                          collate_fn=partial(collate, bos=v.bos, eos=v.eos, pad=v.pad))


DataModule = TranslationDataModule  # the name suite.registry looks up
