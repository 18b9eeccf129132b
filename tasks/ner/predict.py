"""suite-predict for NER: a sentence, or a file with one sentence a line -> tagged entities."""
from __future__ import annotations

import re

from omegaconf import DictConfig
from seqeval.metrics.sequence_labeling import get_entities

from suite.data.inputs import read_lines
from suite.errors import UserError
from tasks.ner.batch import collate

# words (with inner hyphens / dots: "2-1", "U.S"), the possessive 's as CoNLL splits it, single marks
_TOKEN = re.compile(r"'s\b|\w+(?:[-.]\w+)*|[^\w\s]")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token, char start, char end) of each token."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def bracketed(tokens: list[str], tags: list[str]) -> str:
    """ "[PER John Smith] works at [ORG Acme] ." """
    out, k = [], 0
    for kind, start, end in sorted(get_entities(list(tags)), key=lambda e: e[1]):
        out += tokens[k:start] + [f"[{kind} {' '.join(tokens[start:end + 1])}]"]
        k = end + 1
    return " ".join(out + tokens[k:])


def max_tokens(cfg: DictConfig) -> int:
    """task.predict.max_tokens (conf/task/ner.yaml holds its default and why), checked."""
    value = cfg.max_tokens
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"max_tokens={value} must be a positive whole number of tokens, e.g. max_tokens=1000")
    return value


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per sentence: {"input", "text" (bracketed), "tokens", "tags", "entities": [{type, text,
    start, end (character offsets in the input), token_start, token_end (exclusive)}]}."""
    sentences = read_lines(cfg.input, "sentence")
    limit = max_tokens(cfg)
    results = []
    for start in range(0, len(sentences), int(cfg.batch_size)):
        chunk = sentences[start:start + int(cfg.batch_size)]
        spans = [tokenize(s) for s in chunk]
        for s, sp in zip(chunk, spans):
            if not sp:
                raise UserError(f"nothing to tag in {s!r}: give a sentence with words")
            if len(sp) > limit:
                raise UserError(f"input sentence has {len(sp)} tokens, over the limit of max_tokens={limit}: put "
                                f"one sentence a line, or raise it (max_tokens={len(sp)}) for longer sentences")
        items = [{**module.enc.encode([t for t, _, _ in sp]), "id": k} for k, sp in enumerate(spans)]
        tags = module.tag(collate(items, module.enc.words.pad))
        for sentence, sp, tg in zip(chunk, spans, tags):
            tokens = [t for t, _, _ in sp]
            entities = [{"type": kind, "text": sentence[sp[a][1]:sp[b][2]], "start": sp[a][1], "end": sp[b][2],
                         "token_start": a, "token_end": b + 1}
                        for kind, a, b in sorted(get_entities(tg), key=lambda e: e[1])]
            results.append({"input": sentence, "text": bracketed(tokens, tg), "tokens": tokens, "tags": tg,
                            "entities": entities})
    return results
