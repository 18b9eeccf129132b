"""Captioning benchmark (small CNN -> Show, Attend and Tell decoder).

    python -m benchmarks.captioning [--epochs N]    # figures into benchmarks/results.{json,md}

Throughput counts images and caption tokens. The decoder runs each step on the captions still
going only, so no recurrent step computes padding (padding_fraction 0); the batch tensors' own
padding is reported beside it. Decoding is greedy and batched beam 5 on validation images (the
encoder included).
"""
from __future__ import annotations

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    real = int((batch["captions_out"] != 0).sum())
    return {"items": batch["size"], "units": real, "real": real, "padded": 0,
            "tensor_padded": batch["captions_out"].numel() - real}


def decode(module, batch: dict, beam: int) -> None:
    module.caption(batch["images"], beam_size=beam)


SPEC = TaskSpec(name="captioning", item="images", unit="caption_tokens", observe=observe, decode=decode,
                monitor="val/bleu4", keep=("bleu4", "cider"), steps=12)

if __name__ == "__main__":
    run(SPEC)
