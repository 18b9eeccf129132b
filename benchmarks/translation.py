"""Translation benchmark (BiLSTM encoder -> Luong attention LSTM decoder, input feeding).

    python -m benchmarks.translation [--epochs N]   # figures into benchmarks/results.{json,md}

Throughput counts target tokens; padding counts source and target positions of the batches;
decoding is greedy and batched beam 5 (the recipe's default) on validation sentences.
"""
from __future__ import annotations

import torch

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    real = sum(int((batch[k] != 0).sum()) for k in ("src", "tgt_out"))
    total = batch["src"].numel() + batch["tgt_out"].numel()
    return {"items": batch["size"], "units": int((batch["tgt_out"] != 0).sum()), "real": real, "padded": total - real}


def decode(module, batch: dict, beam: int) -> None:
    module.translate(batch["src"], batch["src_lengths"], beam_size=beam)


def eval_two_passes(module, batch: dict) -> None:
    """The evaluation step before the task contract: the loss and the beam search each encode."""
    module._loss(batch)
    module.translate(batch["src"], batch["src_lengths"])


def random_batch_padding(dm, module) -> dict:
    """The padding the same batch size would carry without length bucketing (for comparison)."""
    loader = dm.train_dataloader()
    shuffled = torch.utils.data.DataLoader(dm.items["train"], batch_size=int(dm.data["batch_size"]), shuffle=True,
                                           collate_fn=loader.collate_fn)
    counts = [observe(module, b) for b in shuffled]
    padded, real = sum(c["padded"] for c in counts), sum(c["real"] for c in counts)
    return {"padding_fraction_random_batches": round(padded / (padded + real), 3)}


SPEC = TaskSpec(name="translation", item="sentences", unit="target_tokens", observe=observe, decode=decode,
                monitor="val/bleu", keep=("bleu", "chrf"), extras=random_batch_padding, steps=30,
                eval_two_passes=eval_two_passes)

if __name__ == "__main__":
    run(SPEC)
