"""Captioning benchmark (small CNN -> Show, Attend and Tell decoder).

    python -m benchmarks.captioning [--epochs N]    # figures into benchmarks/results.{json,md}

Throughput counts images and caption tokens. The decoder runs each step on the captions still
going only, so no recurrent step computes padding (padding_fraction 0); the batch tensors' own
padding is reported beside it. Decoding is greedy, beam 3 (the recipe's own,
conf/model/show_attend_tell.yaml) and batched beam 5 on validation images (the encoder included).
"""
from __future__ import annotations

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    real = int((batch["captions_out"] != 0).sum())
    return {"items": batch["size"], "units": real, "real": real, "padded": 0,
            "tensor_padded": batch["captions_out"].numel() - real}


def decode(module, batch: dict, beam: int) -> None:
    module.caption(batch["images"], beam_size=beam)


def eval_two_passes(module, batch: dict) -> None:
    """The evaluation step before the task contract: the loss and the beam search each encode."""
    module._losses(batch)
    module.caption(batch["images"], keys=batch.get("paths"))


SPEC = TaskSpec(name="captioning", item="images", unit="caption_tokens", observe=observe, decode=decode,
                monitor="val/bleu4", keep=("bleu4", "cider"), steps=12, beams=(1, 3, 5), eval_two_passes=eval_two_passes)

if __name__ == "__main__":
    run(SPEC)
