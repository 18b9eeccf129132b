"""DNA learning check: a short DanQ run beats the task's own k-mer baseline by a margin, and the
trained model's saliency (in-silico mutagenesis) peaks on the motif it learnt.

The data are tests.fixtures.dna_formats.split_motif (FASTA): positives carry an 8-base motif
whole, negatives its two halves apart, so the canonical 5-mer counts of the two classes match and
the baseline sits near chance. Not the synthetic grammar: DanQ needs 400+ steps of the default
model on 6,000+ sequences to leave chance there (and at 6,000 sequences x 5 epochs did so for 1 seed of 3),
a minute or more, where this fixture is learnt in 300 steps of a small model.
"""
import numpy as np
import pytest

from suite.checkpoint import load_module
from suite.engine import train
from suite.registry import get_task
from tasks.dna.datamodule import to_indices
from tasks.dna.interpret import mutagenesis
from tests.conftest import compose_train
from tests.fixtures import dna_formats as fx

# 2,048 training sequences, 10 epochs of 64 batches at a constant learning rate (the one-cycle schedule
# anneals it while DanQ is still on its plateau, about 130-300 steps here). Measured (training seed /
# fixture seed 42/0 as here, 3/1, 4/0, 5/2): test accuracy 1.000 / 0.984 / 0.965 / 0.996 against the
# k-mer baseline's 0.645 / 0.691 / 0.645 / 0.672; val accuracy first passed 0.9 after 3-5 epochs;
# 33-90 s on the shared 2-core machine at load 7-13.
MARGIN = 0.2  # DanQ's test accuracy must pass the k-mer baseline's by this much (measured: 0.29-0.36)
LEARNS = ["task=dna", "debug=tiny", "data=fasta", "data.batch_size=32", "model.conv.filters=32",
          "model.rnn.hidden_size=32", "model.classifier.hidden_size=16", "trainer.max_epochs=10",
          "model.scheduler=null", "threads=1"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dna_learning")
    records = fx.split_motif(2048 + 256 + 256, seed=0)
    files = {}
    for split, part in (("train", records[:2048]), ("val", records[2048:2304]), ("test", records[2304:])):
        files[split] = fx.write_fasta(tmp / f"{split}.fa", [r[:3] for r in part])
    metrics = train(compose_train(tmp / "run", [*LEARNS, *(f"data.{s}={p}" for s, p in files.items())]))
    return metrics, tmp / "run", records[2304:]


def test_danq_beats_the_kmer_baseline_by_a_margin(trained):
    metrics, _, _ = trained
    assert metrics["test/acc_kmer"] < 0.75, metrics  # 5-mer counts cannot see the motif whole
    assert metrics["test/acc"] > metrics["test/acc_kmer"] + MARGIN, metrics
    assert metrics["val/acc"] > 0.9 and metrics["test/auroc"] > 0.95, metrics


def test_saliency_of_the_trained_model_peaks_on_the_motif(trained):
    _, run, test = trained
    module = load_module(next((run / "checkpoints").glob("best-*.ckpt")), get_task("dna"))
    positives = [r for r in test if r[3] >= 0][:8]
    hits = 0
    for _, seq, _, at in positives:
        importance, cls = mutagenesis(module, to_indices(seq, 1000))
        assert cls == 1 and np.isfinite(importance.numpy()).all()
        hits += at <= int(importance.argmax()) < at + len(fx.SPLIT_MOTIF)
    assert hits >= 7, hits  # the most important base lies in the motif in (nearly) every positive
