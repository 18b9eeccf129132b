"""DNA: suite-train on a FASTA fixture -> suite-predict on a FASTA file with bad records in it."""
import json
import math
from pathlib import Path

import pytest
from PIL import Image

from tests.fixtures import dna_formats as fx
from tests.integration.cli import error_line, run
from tests.tiny import SIZES

# a real reader: the tiny model sizes without the synthetic data's sizes
READER_RUN = ["task=dna", "debug=tiny", *(o for o in SIZES["dna"] if not o.startswith("data."))]


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dna")
    fa = fx.write_fasta(tmp / "train.fa", fx.sequences(40))
    run("suite-train", *READER_RUN, "data=fasta", f"data.train={fa}", "data.batch_size=8",
        f"hydra.run.dir={tmp / 'run'}")
    return tmp / "run" / "checkpoints" / "last.ckpt"


def test_predict_writes_one_row_per_good_record_and_one_line_per_bad(ckpt, tmp_path):
    good = fx.sequences(5, seed=3)
    fa = fx.write_fasta(tmp_path / "in.fa", good[:2] + [("bad", "ACGT#ACGT", "1"), ("empty", "", "0")] + good[2:],
                        "none")
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"input={fa}", "output=json")
    rows = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert [r["id"] for r in rows] == [rid for rid, _, _ in good]
    assert all(r["label"] in ("0", "1") and abs(sum(r["probabilities"].values()) - 1) < 1e-3 for r in rows)
    bad = [ln for ln in proc.stderr.splitlines() if ln.startswith("skipped record")]
    assert len(bad) == 2 and "bad: letters outside IUPAC" in bad[0] and "empty: empty sequence" in bad[1]
    text = run("suite-predict", f"ckpt_path={ckpt}", "input=acgtacgtTGATTCAGCCAATGGTacgt").stdout.strip().split("\t")
    assert text[0] == "input" and text[1] in ("0", "1")


def test_predict_with_nothing_usable_is_one_clear_line(ckpt):
    proc = run("suite-predict", f"ckpt_path={ckpt}", "input=ACGT-XYZ", check=False)
    assert proc.returncode == 2 and "no usable record" in error_line(proc.__class__(
        proc.args, proc.returncode, proc.stdout, "\n".join(ln for ln in proc.stderr.splitlines()
                                                           if not ln.startswith("skipped record"))))


def test_predict_save_saliency_writes_a_png_per_record_and_the_logos(ckpt, tmp_path):
    """The option's plumbing on a trained tiny checkpoint (which has learnt little: values are only
    checked finite here; tests/unit/test_dna_interpret.py checks where they peak on a known model)."""
    fa = fx.write_fasta(tmp_path / "in.fa", fx.sequences(2, seed=5), "none")
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"input={fa}", "output=json", "save_saliency=true",
               f"out_dir={tmp_path / 'out'}")
    rows = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert len(rows) == 2 and all(Path(r["saliency"]).is_file() for r in rows)
    for r in rows:
        with Image.open(r["saliency"]) as image:
            assert image.format == "PNG" and image.size == (1600, 260)  # one row: 60 bases
        values = [float(line.split("\t")[2]) for line in Path(r["saliency"]).with_suffix(".tsv").read_text().splitlines()[1:]]
        assert len(values) == 60 and all(math.isfinite(v) for v in values)
    assert (tmp_path / "out" / "filter_logos.png").is_file()
