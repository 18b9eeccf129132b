"""benchmarks/dna.py counts what the DNA model computes: sequences, real bases and padding."""
from benchmarks.dna import SPEC, observe
from tasks.dna.datamodule import collate, to_indices


def test_observe_counts_sequences_bases_and_padding():
    batch = collate([{"id": "a", "seq": to_indices("ACGTACGTAC", 100), "target": 1.0},
                     {"id": "b", "seq": to_indices("ACG", 100), "target": 0.0}], "binary")
    assert observe(None, batch) == {"items": 2, "units": 13, "real": 13, "padded": 7}  # (2, 10) tensor
    assert SPEC.name == "dna" and SPEC.beams == (1,) and SPEC.unit == "bases"
