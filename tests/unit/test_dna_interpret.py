"""DNA interpretation on a network whose weights are set by hand to detect one motif: in-silico
mutagenesis finds exactly the motif's bases, the filter's logo spells the motif, and
suite-predict's save_saliency writes PNGs (read back with PIL) and TSVs that say so."""
import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from PIL import Image

from tasks.dna import DnaMeta
from tasks.dna.interpret import filter_counts, information, mutagenesis
from tasks.dna.module import DnaModule
from tasks.dna.predict import predict
from tests.fixtures import dna_formats as fx

MOTIF = "TGATTCAG"  # the synthetic grammar's motif A
AT = 50  # where it is planted (0-based)
LENGTH = 120


def motif_detector() -> DnaModule:
    """Filter 0 scores +1 a matching base and -1 another over the motif (kernel columns 0-7, column 8
    blank), bias -6: it fires (2) on an exact match only; the head turns it into a logit of 6 against
    -2 without. Filter 1 is all zeros: never active."""
    model = {"conv": {"filters": 2, "kernel_size": 9, "pool": 8, "dropout": 0.0}, "rnn": None,
             "classifier": {"pooling": "max", "hidden_size": 2, "dropout": 0.0}}
    module = DnaModule(model, DnaMeta(data={"rc_average": True, "rc_augment": False}, label_type="binary",
                                      classes=["0", "1"])).eval()
    with torch.no_grad():
        for p in module.parameters():
            p.zero_()
        for j, base in enumerate(MOTIF):
            module.net.conv.weight[0, :, j] = -1.0
            module.net.conv.weight[0, "ACGT".index(base), j] = 1.0
        module.net.conv.bias[0] = -6.0
        first, last = module.net.head[1], module.net.head[4]
        first.weight[0, 0] = 1.0
        last.weight[0, 0], last.bias[0] = 4.0, -2.0
    return module


def background(rng: np.random.Generator) -> str:
    """A random sequence with the motif planted at AT (and nowhere else, nor within one mutation of it)."""
    while True:
        seq = "".join(rng.choice(list("ACGT"), LENGTH))
        seq = seq[:AT] + MOTIF + seq[AT + len(MOTIF):]
        windows = [seq[i:i + len(MOTIF)] for i in range(LENGTH - len(MOTIF) + 1) if i != AT]
        if all(sum(a != b for a, b in zip(w, MOTIF)) > 1 for w in windows):
            return seq


def indices(seq: str) -> torch.Tensor:
    return torch.tensor(["ACGT".index(b) for b in seq], dtype=torch.uint8)


def test_mutagenesis_marks_exactly_the_motif_bases():
    module, seq = motif_detector(), background(np.random.default_rng(0))
    importance, cls = mutagenesis(module, indices(seq), batch_size=100)  # several batches of variants
    assert cls == 1 and importance.shape == (LENGTH,) and torch.isfinite(importance).all()
    inside = torch.zeros(LENGTH, dtype=torch.bool)
    inside[AT:AT + len(MOTIF)] = True
    assert importance[inside].min() > 1.0  # breaking any motif base costs log-odds
    assert importance[~inside].abs().max() < 1e-6  # no other base can change the prediction


def test_mutagenesis_compares_an_n_with_all_four_bases():
    module = motif_detector()
    seq = background(np.random.default_rng(1))
    seq = seq[:AT] + "N" + seq[AT + 1:]  # the motif's first base unknown: T restores the motif, A/C/G break it
    codes = torch.tensor(["ACGTN".index(b) for b in seq], dtype=torch.uint8)
    importance, _ = mutagenesis(module, codes)
    variants = codes.repeat(5, 1)
    variants[:4, AT] = torch.arange(4)  # A, C, G, T at the N; the last row as it is
    p = module.probabilities(variants, torch.full((5,), LENGTH))[:, 1].double()
    logit = torch.log(p) - torch.log1p(-p)
    assert importance[AT].item() == pytest.approx((logit[4] - logit[:4].mean()).item(), abs=1e-4)
    assert importance[:AT].abs().max() < 1e-6 and importance[AT + len(MOTIF):].abs().max() < 1e-6


def test_filter_counts_spell_the_motif_and_a_dead_filter_has_no_sites():
    module, rng = motif_detector(), np.random.default_rng(2)
    seqs = [indices(background(rng)) for _ in range(6)]
    counts, sites = filter_counts(module.net.conv, seqs, batch_size=4)
    assert counts.shape == (2, 9, 4) and sites.tolist() == [6.0, 0.0]
    assert "".join("ACGT"[i] for i in counts[0, :8].argmax(-1)) == MOTIF
    freq, bits = information(counts)
    assert torch.allclose(freq.sum(-1), torch.ones(2, 9)) and (bits[0, :8] > 1.6).all() and bits[0, 8] < 1.0
    assert (bits[1] == 0).all()  # no sites: uniform pseudocounts carry no information


def test_predict_save_saliency_writes_png_and_tsv_per_record_and_the_logos(tmp_path):
    rng = np.random.default_rng(3)
    records = [(f"seq/{i}", background(rng), "1") for i in range(2)] + [("bad", "ACGT#", "0")]
    fa = fx.write_fasta(tmp_path / "in.fa", records, "none")
    cfg = OmegaConf.create({"input": str(fa), "batch_size": 16, "max_length": 100000, "save_saliency": True,
                            "saliency_max_length": 2000, "out_dir": str(tmp_path / "out")})
    results = predict(motif_detector(), cfg)
    assert [r["id"] for r in results] == ["seq/0", "seq/1"] and all(r["label"] == "1" for r in results)
    for r in results:
        with Image.open(r["saliency"]) as image:
            assert image.format == "PNG" and image.size == (1600, 480)  # two rows of 100 bases
            assert len(set(image.convert("RGB").getdata())) > 4  # drawn, not blank
        with open(r["saliency"].replace(".png", ".tsv")) as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        assert len(rows) == LENGTH and "".join(row["base"] for row in rows) == dict((a, b) for a, b, _ in records)[r["id"]]
        values = np.array([float(row["importance_1"]) for row in rows])
        assert AT <= int(values.argmax()) < AT + len(MOTIF) and r["saliency_class"] == "1"
    assert all(Path(r["saliency"]).parent == tmp_path / "out" for r in results)  # 'seq/0': no sub-folder
    with Image.open(tmp_path / "out" / "filter_logos.png") as logos:
        assert logos.size[0] > 600 and logos.size[1] > 100
    meme = (tmp_path / "out" / "filter_motifs.meme").read_text()
    assert "MOTIF filter0" in meme and "MOTIF filter1" not in meme and "nsites= 2" in meme


def test_predict_skips_saliency_over_its_length_limit_with_one_line(tmp_path, capsys):
    limit = 50
    fa = fx.write_fasta(tmp_path / "in.fa", [("long", background(np.random.default_rng(4)), "1")], "none")
    cfg = OmegaConf.create({"input": str(fa), "batch_size": 16, "max_length": 100000, "save_saliency": True,
                            "saliency_max_length": limit, "out_dir": str(tmp_path / "out")})
    (result,) = predict(motif_detector(), cfg)
    assert "saliency" not in result and result["label"] == "1"
    assert f"no saliency for record long: {LENGTH} bases, over saliency_max_length={limit}" in capsys.readouterr().err
    assert (tmp_path / "out" / "filter_logos.png").is_file()
