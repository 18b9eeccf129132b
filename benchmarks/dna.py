"""DNA benchmark (DanQ: conv motif detectors -> max-pool -> BiLSTM -> dense) on the synthetic grammar.

    python -m benchmarks.dna [--epochs N]           # figures into benchmarks/results.{json,md}

Throughput counts sequences and bases; the grammar's sequences all have one length, so there is
no padding. Inference (a classifier: no beams) is what suite-predict runs: both strands of each
validation sequence (data.rc_average), probabilities out.
"""
from __future__ import annotations

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    bases = int(batch["lengths"].sum())
    return {"items": batch["size"], "units": bases, "real": bases, "padded": batch["seq"].numel() - bases}


def decode(module, batch: dict, beam: int) -> None:
    module.probabilities(batch["seq"], batch["lengths"])


SPEC = TaskSpec(name="dna", item="sequences", unit="bases", observe=observe, decode=decode, beams=(1,),
                monitor="val/acc", keep=("val/acc", "test/acc"), steps=30, decode_items=1000)

if __name__ == "__main__":
    run(SPEC)
