"""Dialogue benchmark (seq2seq_chat: the context turns joined with speaker tokens -> BiLSTM ->
Luong attention LSTM decoder) on the synthetic task dialogues.

    python -m benchmarks.dialogue [--epochs N]      # figures into benchmarks/results.{json,md}

Throughput counts replies (one (context, reply) example each) and reply tokens (the decoder's
targets, end of reply included, as translation counts target tokens); padding counts context and
reply positions of the length-bucketed batches (hred's per-turn grid for model=hred). Decoding is
what suite-predict and suite-chat run on a batch of contexts (tasks.dialogue.chat.reply): one
encoding, then greedy, beam 5 or sampling (the "sample" beam: the recipe's temperature and top-p,
a seeded generator) with the recipe's length limits and repeated-trigram ban, then ids to text.
"""
from __future__ import annotations

import torch

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    pad = module.meta.side.vocab.pad
    context = batch["turns"] if module.hierarchical else batch["src"]  # (B, U, W) or (B, S)
    real = sum(int((t != pad).sum()) for t in (context, batch["tgt_out"]))
    total = context.numel() + batch["tgt_out"].numel()
    return {"items": batch["size"], "units": int((batch["tgt_out"] != pad).sum()), "real": real, "padded": total - real}


def options(beam: int | str) -> dict:
    """generate() overrides for a harness beam, as suite-chat's decode_options makes them."""
    if beam == "sample":
        return {"strategy": "sample"}  # temperature, top_k, top_p: the recipe's model.decode
    return {"strategy": "beam" if beam > 1 else "greedy", "beam_size": beam}


def decode(module, batch: dict, beam: int | str) -> None:
    generator = torch.Generator().manual_seed(0)  # suite-chat's seed=: the same replies every time
    module.texts(module.generate(module.start(batch), options(beam), generator))


SPEC = TaskSpec(name="dialogue", item="replies", unit="reply_tokens", observe=observe, decode=decode,
                beams=(1, 5, "sample"), monitor="val/ppl", keep=("ppl", "bleu", "slot_acc", "distinct"), steps=30)

if __name__ == "__main__":
    run(SPEC)
