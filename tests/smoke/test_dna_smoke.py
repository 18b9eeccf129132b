"""DNA through train(cfg): the synthetic default and each real reader on its fixture, end to end;
the metrics.json keys; the learning check against the task's own k-mer baseline."""
import json

import pytest
import torch
from PIL import Image

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures import dna_formats as fx
from tests.tiny import SIZES, tiny

# a real reader: the tiny model sizes without the synthetic data's sizes
READER_RUN = ["task=dna", "debug=tiny", *(o for o in SIZES["dna"] if not o.startswith("data."))]

KEYS = {"val/acc", "val/f1", "val/auroc", "val/auprc", "test/acc", "test/auroc", "test/auprc", "test/acc_kmer"}


def test_synthetic_default_writes_metrics_a_checkpoint_and_filter_logos(tmp_path):
    metrics = train(compose_train(tmp_path, tiny("dna", "model.rnn.cell=gru", "logger=wandb")))
    assert KEYS <= set(metrics) and json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    assert all(0.0 <= metrics[k] <= 1.0 for k in KEYS)
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "dna" and ckpt["hyper_parameters"]["meta"]["classes"] == ["0", "1"]
    with Image.open(tmp_path / "filter_logos.png") as logos:  # the first conv's 8 filters, 2 rows of 4
        assert logos.format == "PNG" and logos.size == (1280, 330)
    assert (tmp_path / "filter_motifs.meme").read_text().startswith("MEME version 4")
    (run,) = (tmp_path / "wandb").glob("offline-run-*")
    assert list(run.glob("files/media/images/filters/logos_*.png"))  # the same logos in W&B


def _formats(tmp_path):
    records = fx.sequences(40)
    fa = fx.write_fasta(tmp_path / "train.fa", records)
    csv = fx.write_seq_csv(tmp_path / "train.csv", records, multilabel=True)
    genome = tmp_path / "ref.fa"
    fx.write_genome(genome, {"chr1": 4000})
    bed = fx.write_bed(tmp_path / "train.bed", [("chr1", 50 + 90 * i, 110 + 90 * i, f"r{i}", i % 2, "+-"[i % 3 == 0])
                                                for i in range(40)])
    return {
        "fasta": ["data=fasta", f"data.train={fa}"],
        "seq_csv": ["data=seq_csv", f"data.train={csv}", "data.label_columns=[bound,open]", "data.id_column=id",
                    "task.monitor=val/auprc"],
        "bed": ["data=bed", f"data.train={bed}", f"data.reference={genome}", "data.length=60"],
    }


@pytest.mark.parametrize("name", ["fasta", "seq_csv", "bed"])
def test_each_reader_trains_end_to_end_on_its_fixture(tmp_path, name):
    metrics = train(compose_train(tmp_path / "run", [*READER_RUN, *_formats(tmp_path)[name], "data.batch_size=8"]))
    assert {"val/acc", "test/acc", "test/auprc", "test/acc_kmer"} <= set(metrics)
    if name == "seq_csv":  # multi-label: a per-class AUPRC beside the macro one
        assert {"test/auprc_bound", "test/auprc_open"} <= set(metrics)
