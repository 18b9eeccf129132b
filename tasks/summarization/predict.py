"""suite-predict for summarization: a text, a file with one document a line, or a JSONL file."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.errors import UserError
from tasks.summarization.attention_plot import save_summary_heatmap, summary_heatmap
from tasks.summarization.datamodule import TOKENIZER, collate, encode_document

log = logging.getLogger(__name__)


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).expanduser().is_file()
    except OSError:  # a long text is not a valid file name
        return False


def documents(spec: str, key: str) -> list[str]:
    """The documents of input=: a file (JSONL when its lines are JSON objects with `key`, else one
    document a line; empty lines skipped) or the text itself."""
    if not _is_file(str(spec)):
        text = str(spec).strip()
        if not text:
            raise UserError('input is empty: give input="a document" or input=FILE with one document a line')
        return [text]
    path = Path(str(spec)).expanduser()
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    except UnicodeDecodeError as e:
        raise UserError(f"input file '{path}' is not UTF-8 text ({e.reason}): save it as UTF-8") from e
    if not lines:
        raise UserError(f"input file '{path}' has no documents: put one document a line (or JSON lines)")
    if path.suffix == ".jsonl" or all(ln.startswith("{") for ln in lines):
        docs = []
        for i, line in enumerate(lines, start=1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise UserError(f"'{path}' line {i} is not JSON ({e.msg}): fix it, or give one document a line "
                                f"in a .txt file") from e
            if not isinstance(row, dict) or not str(row.get(key, "")).strip():
                raise UserError(f"'{path}' line {i} has no '{key}' text: give each line a \"{key}\" key")
            docs.append(str(row[key]).strip())
        return docs
    return lines


def attention_image(module, doc: str, cap: int, oovs: list[str], ids: list[int], alphas: torch.Tensor,
                    p_gen: torch.Tensor):
    """The heatmap of one output: ids (T,) up to and with EOS, alphas (T, S), p_gen (T,)."""
    doc_tokens = TOKENIZER.tokenize(doc)[:cap]  # the words the model read (S of them)
    words = [(module.words([i], oovs) or ["</s>"])[0] for i in ids]  # EOS -> </s>: its attention is shown too
    oov = [i >= len(module.vocab) for i in ids]  # an id past the vocabulary: a copied document word
    return summary_heatmap(doc_tokens, words, oov, alphas[:, :len(doc_tokens)], p_gen, module.decoder.copy)


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per document: {"input", "text", "copied"} (copied: the OOV words taken from the input),
    + "attention" (a PNG in out_dir) with save_attention=true."""
    data = module.meta.data
    docs = documents(cfg.input, data.get("document_key") or "document")
    cap, vocab = int(data["max_doc_len"]), module.vocab
    module.eval()
    results = []
    for start in range(0, len(docs), int(cfg.batch_size)):
        chunk = docs[start:start + int(cfg.batch_size)]
        items = [encode_document(d, vocab, cap) for d in chunk]
        for k, item in enumerate(items):
            if item.pop("truncated"):  # as in training: the model never saw more than max_doc_len tokens
                log.warning("input %d has more than data.max_doc_len=%d tokens: summarising its first %d",
                            start + k + 1, cap, cap)
        batch = collate(items, vocab)
        with torch.no_grad():
            if cfg.save_attention:
                hyps, alphas, p_gen = module.summarize_explained(batch, beam_size=cfg.beam_size)  # (B, T, S), (B, T)
            else:
                hyps = module.summarize(batch, beam_size=cfg.beam_size)
        for k, (doc, item) in enumerate(zip(chunk, items)):
            words = module.words(hyps.tokens[k].tolist(), item["oovs"])
            result = {"input": doc, "text": TOKENIZER.detokenize(words),
                      "copied": [w for w in words if w in item["oovs"]]}
            if cfg.save_attention:
                n = int(hyps.lengths[k])  # output tokens with EOS
                image = attention_image(module, doc, cap, item["oovs"], hyps.tokens[k, :n].tolist(),
                                        alphas[k, :n].cpu(), p_gen[k, :n].cpu())
                path = Path(str(cfg.out_dir)) / f"attention_{start + k:04d}.png"
                result["attention"] = str(save_summary_heatmap(image, path))
            results.append(result)
    return results
