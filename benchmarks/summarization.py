"""Summarization benchmark (BiLSTM encoder -> pointer-generator decoder with coverage) on the
synthetic news.

    python -m benchmarks.summarization [--epochs N] # figures into benchmarks/results.{json,md}

Throughput counts documents and summary tokens (the decoder's targets, end of summary included:
the tokens the loss is taken over, as translation counts target tokens); padding counts document
and summary positions of the length-bucketed batches. Decoding is what suite-predict runs on a
batch of documents: one encoding, greedy or beam 4 (See et al.'s and the recipe's) search with the
recipe's length limits, then ids to words with the copied out-of-vocabulary words put back.
"""
from __future__ import annotations

from benchmarks.harness import TaskSpec, run
from tasks.summarization import TOKENIZER


def observe(module, batch: dict) -> dict:
    pad = module.vocab.pad
    real = sum(int((batch[k] != pad).sum()) for k in ("src", "tgt_out"))
    total = batch["src"].numel() + batch["tgt_out"].numel()
    return {"items": batch["size"], "units": int((batch["tgt_out"] != pad).sum()), "real": real, "padded": total - real}


def decode(module, batch: dict, beam: int) -> None:
    hyps = module.summarize(batch, beam_size=beam)
    for tokens, oovs in zip(hyps.tokens.tolist(), batch["oovs"]):
        TOKENIZER.detokenize(module.words(tokens, oovs))  # as suite-predict: extended ids -> words -> text


SPEC = TaskSpec(name="summarization", item="documents", unit="summary_tokens", observe=observe, decode=decode,
                beams=(1, 4), monitor="val/rouge2", keep=("rouge2", "repeated_trigrams"), steps=20)

if __name__ == "__main__":
    run(SPEC)
