"""Summarization data: reader by data name -> one shared vocabulary -> items with extended-vocabulary
ids (each document's out-of-vocabulary words get ids V, V+1, ... so a pointer can copy them)."""
from __future__ import annotations

import logging

import torch

from suite.data.collate import pad_sequences
from suite.data.datamodule import SuiteDataModule
from suite.data.splits import Splits
from suite.data.vocab import Vocab
from suite.errors import UserError
from tasks.summarization import TOKENIZER, SummarizationMeta, readers

log = logging.getLogger(__name__)
def extend(tokens: list[str], vocab: Vocab) -> tuple[list[int], list[int], list[str]]:
    """Document tokens -> (ids with <unk>, extended ids, the document's OOV words in order of
    first appearance); OOV word j has extended id len(vocab) + j."""
    ids, ext, oovs = [], [], []
    for t in tokens:
        i = vocab.stoi.get(t)
        if i is None:
            if t not in oovs:
                oovs.append(t)
            ids.append(vocab.unk)
            ext.append(len(vocab) + oovs.index(t))
        else:
            ids.append(i)
            ext.append(i)
    return ids, ext, oovs


def target_ids(tokens: list[str], vocab: Vocab, oovs: list[str]) -> tuple[list[int], list[int]]:
    """Summary tokens -> (ids with <unk>: the decoder's inputs, extended ids: what the pointer learns,
    a summary word that is OOV but in the document pointing at its copy slot)."""
    ids = [vocab.stoi.get(t, vocab.unk) for t in tokens]
    ext = [vocab.stoi[t] if t in vocab.stoi else (len(vocab) + oovs.index(t) if t in oovs else vocab.unk)
           for t in tokens]
    return ids, ext


def encode_document(text: str, vocab: Vocab, max_tokens: int) -> dict:
    tokens = TOKENIZER.tokenize(text)
    ids, ext, oovs = extend(tokens[:max_tokens], vocab)
    return {"src": ids, "src_ext": ext, "oovs": oovs, "truncated": len(tokens) > max_tokens}


def collate(items: list[dict], vocab: Vocab) -> dict:
    src, src_len = pad_sequences([it["src"] for it in items], vocab.pad)  # (B, S), (B,)
    src_ext, _ = pad_sequences([it["src_ext"] for it in items], vocab.pad)  # (B, S) extended ids
    batch = {"src": src, "src_lengths": src_len, "src_ext": src_ext, "size": len(items),
             "n_oov": max(len(it["oovs"]) for it in items), "oovs": [it["oovs"] for it in items]}
    if "tgt" in items[0]:
        batch["tgt_in"], _ = pad_sequences([[vocab.bos, *it["tgt"]] for it in items], vocab.pad)  # (B, T)
        batch["tgt_out"], _ = pad_sequences([[*it["tgt"], vocab.eos] for it in items], vocab.pad)  # (B, T)
        batch["tgt_ext"], _ = pad_sequences([[*it["tgt_ext"], vocab.eos] for it in items], vocab.pad)  # (B, T)
        batch.update(refs=[it["ref"] for it in items], documents=[it["document"] for it in items],
                     ids=[it["id"] for it in items])
    batch["n_oov"] = torch.tensor(batch["n_oov"])  # a tensor: moved with the batch, read as int(...)
    return batch


class SummarizationDataModule(SuiteDataModule):
    meta_type = SummarizationMeta
    item_kind = "document-summary pairs"
    length_key = "src"  # bucket by document length: the encoder's work
    path_keys = ("root", "train", "val", "test")

    def _synthetic(self) -> dict:
        d = self.data
        return dict(n_train=int(d["n_train"]), n_val=int(d["n_val"]), n_test=int(d["n_test"]), seed=int(d["seed"]))

    def generate(self) -> None:
        if self.data["name"] == "synthetic_news":
            readers.generate_news(self.data["root"], **self._synthetic())

    def read(self) -> Splits:
        name = self.data["name"]
        if name == "synthetic_news":
            root = readers.generate_news(self.data["root"], **self._synthetic())
            return readers.read_article_title({**self.data, "root": str(root)})
        if name == "article_title":
            return readers.read_article_title(self.data)
        if name == "jsonl_pairs":
            return readers.read_jsonl_pairs(self.data)
        if name == "csv_pairs":
            return readers.read_csv_pairs(self.data)
        raise UserError(f"unknown summarization data '{name}': use data=synthetic_news, article_title, jsonl_pairs "
                        f"or csv_pairs")

    def build_meta(self, train: list) -> SummarizationMeta:
        d = self.data
        cap = int(d["max_doc_len"])
        docs = [TOKENIZER.tokenize(p.document)[:cap] for p in train]
        sums = [TOKENIZER.tokenize(p.summary) for p in train]
        full = Vocab.build([*docs, *sums], int(d["min_word_count"]))
        vocab = Vocab(full.itos[: int(d["vocab_size"])])  # the most frequent words; the rest are copied
        lead = round(sum(map(len, sums)) / max(len(sums), 1))
        return SummarizationMeta(data=d, vocab=vocab, lead_words=max(lead, 1))

    def encode(self, pairs: list, split: str) -> list[dict]:
        vocab, d = self.meta.vocab, self.data
        max_doc, max_sum = int(d["max_doc_len"]), int(d["max_summary_len"])
        items, cut_docs, cut_sums = [], 0, 0
        for i, p in enumerate(pairs):
            item = encode_document(p.document, vocab, max_doc)
            cut_docs += item.pop("truncated")
            tokens = TOKENIZER.tokenize(p.summary)
            cut_sums += len(tokens) > max_sum
            # the decoder learns (and the loss is computed on) at most max_summary_len tokens;
            # ROUGE always compares with the whole reference
            item["tgt"], item["tgt_ext"] = target_ids(tokens[:max_sum], vocab, item["oovs"])
            item.update(ref=p.summary, document=p.document, id=i)
            items.append(item)
        if cut_docs or cut_sums:
            log.info("%s: %d documents cut to data.max_doc_len=%d tokens, %d summaries to data.max_summary_len=%d",
                     split, cut_docs, max_doc, cut_sums, max_sum)
        return items

    def collate(self, items: list[dict]) -> dict:
        return collate(items, self.meta.vocab)
