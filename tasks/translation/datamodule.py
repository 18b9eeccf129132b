"""Translation data: reader by data name -> tokenised, length-filtered pairs -> bucketed batches."""
from __future__ import annotations

import logging

from suite.data.collate import pad_sequences
from suite.data.datamodule import SuiteDataModule
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.translation import readers
from tasks.translation.meta import Side, TranslationMeta
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


def collate(items: list[dict], bos: int, eos: int, pad: int) -> dict:
    src, src_len = pad_sequences([it["src"] for it in items], pad)  # (B, S), (B,)
    tgt_in, _ = pad_sequences([[bos, *it["tgt"]] for it in items], pad)  # (B, T)
    tgt_out, _ = pad_sequences([[*it["tgt"], eos] for it in items], pad)  # (B, T)
    return {"src": src, "src_lengths": src_len, "tgt_in": tgt_in, "tgt_out": tgt_out, "size": len(items),
            "refs": [it["ref"] for it in items], "sources": [it["source"] for it in items],
            "ids": [it["id"] for it in items]}


class TranslationDataModule(SuiteDataModule):
    meta_type = TranslationMeta
    item_kind = "sentence pairs"
    synthetic = ("synthetic_pairs", generate_pairs)  # generated once into the cache
    length_key = "src"  # bucket by source length: the encoder's work

    def read(self) -> Splits:
        pairs = read_splits(self.data)
        return Splits(pairs.train, pairs.val, pairs.test, uncounted=pairs.skipped_empty, notes=pairs.notes)

    def build_meta(self, train: list) -> TranslationMeta:
        d = self.data
        return TranslationMeta(data=d, src=Side.build([p.src for p in train], d["tokenizer"], d["vocab_size"],
                                                      d["min_word_count"]),
                               tgt=Side.build([p.tgt for p in train], d["tokenizer"], d["vocab_size"],
                                              d["min_word_count"]))

    def encode(self, pairs: list, split: str) -> list[dict]:
        max_len, train = int(self.data["max_len"]), split == "train"
        items, too_long = [], 0
        for i, p in enumerate(pairs):
            src, tgt = self.meta.src.encode(p.src), self.meta.tgt.encode(p.tgt)
            if train and (len(src) > max_len or len(tgt) > max_len):
                too_long += 1  # long pairs dominate padding and memory; training drops them
                continue
            # evaluation keeps every pair; an over-long source is cut so one sentence cannot exhaust memory
            items.append({"src": src[: 4 * max_len], "tgt": tgt[:max_len], "ref": p.tgt, "source": p.src, "id": i})
        if too_long:
            log.warning("skipped %d training pairs longer than data.max_len=%d tokens", too_long, max_len)
        return items

    def collate(self, items: list[dict]) -> dict:
        v = self.meta.tgt.vocab
        return collate(items, bos=v.bos, eos=v.eos, pad=v.pad)
