"""DNA readers on fixtures in the real formats, bad records, sequence handling, the network's masking."""
import numpy as np
import pytest
import torch

from suite.errors import UserError
from tasks.dna import readers
from tasks.dna.datamodule import DnaDataModule, kmer_counts, to_indices
from tasks.dna.module import DanQ, one_hot, reverse_complement
from tests.fixtures import dna_formats as fx


def read(data: dict):
    base = {"val_fraction": 0.2, "test_fraction": 0.2, "seed": 0, "max_length": 1000, "strict": False}
    return DnaDataModule({**base, **data}).read()


@pytest.mark.parametrize("style, gz", [("label=", False), ("|", True)])
def test_fasta_labels_from_the_header(tmp_path, style, gz):
    records = fx.sequences(20)
    path = fx.write_fasta(tmp_path / ("train.fa.gz" if gz else "train.fa"), records, style, gz)
    splits = read({"name": "fasta", "train": str(path)})
    got = {r.id: r for r in splits.train + splits.val + splits.test}
    assert got.keys() == {rid for rid, _, _ in records} and not splits.skipped
    assert all(got[rid].seq == seq and got[rid].label == label for rid, seq, label in records)  # wrapped lines joined
    assert len(splits.val) == len(splits.test) == 4 and any("carved" in n for n in splits.notes)
    assert {r.label for r in splits.val} == {"0", "1"}  # stratified


def test_fasta_labels_from_a_file_with_missing_ids_and_bad_records(tmp_path):
    records = fx.sequences(10)
    bad = [("odd", "ACGTXZACGT", "1"), ("empty", "", "0"), ("amb", "acgtRYNacgt", "1")]
    fasta = fx.write_fasta(tmp_path / "train.fasta", records + bad, "none")
    labels = fx.write_label_tsv(tmp_path / "labels.tsv", (records + bad)[1:])  # seq0 has no label
    splits = read({"name": "fasta", "train": str(fasta), "labels": str(labels), "val_fraction": 0,
                   "test_fraction": 0})
    reasons = dict(splits.skipped)
    assert {r.id for r in splits.train} == {rid for rid, _, _ in records[1:]} | {"amb"}
    assert "label file" in reasons["train.fasta:seq0"] and "IUPAC" in reasons["train.fasta:odd"]
    assert "empty" in reasons["train.fasta:empty"]
    assert next(r for r in splits.train if r.id == "amb").seq == "ACGTNNNACGT"  # lower case read, R/Y -> N
    assert any("2 ambiguous" in n for n in splits.notes)


def test_strict_makes_a_bad_record_fatal_naming_file_and_record(tmp_path):
    fasta = fx.write_fasta(tmp_path / "train.fa", fx.sequences(4) + [("odd", "ACGT!!", "1")])
    with pytest.raises(UserError, match=r"train\.fa: record odd: letters outside IUPAC") as err:
        read({"name": "fasta", "train": str(fasta), "strict": True})
    assert "\n" not in str(err.value)


def test_wrong_file_kind_and_missing_file_are_one_line(tmp_path):
    csv = fx.write_seq_csv(tmp_path / "x.csv", fx.sequences(4))
    with pytest.raises(UserError, match="not a FASTA file.*data=seq_csv"):
        read({"name": "fasta", "train": str(csv)})
    with pytest.raises(UserError, match="does not exist"):
        read({"name": "fasta", "train": str(tmp_path / "nope.fa")})


def test_seq_csv_single_and_multilabel(tmp_path):
    records = fx.sequences(10)
    splits = read({"name": "seq_csv", "train": str(fx.write_seq_csv(tmp_path / "a.csv", records)),
                   "sequence_column": "sequence", "label_columns": ["label"], "id_column": "id",
                   "val_fraction": 0, "test_fraction": 0})
    assert [(r.id, r.seq, r.label) for r in splits.train] == records
    path = fx.write_seq_csv(tmp_path / "b.csv", records, multilabel=True)
    dm = DnaDataModule({"name": "seq_csv", "train": str(path), "sequence_column": "sequence",
                        "label_columns": ["bound", "open"], "id_column": None, "val_fraction": 0,
                        "test_fraction": 0, "seed": 0, "max_length": 100, "label_type": "auto"})
    train = dm.read().train
    assert train[0].label == ("bound", "open") and train[1].label == ()
    meta = dm.meta = dm.build_meta(train)
    assert meta.label_type == "multilabel" and meta.classes == ["bound", "open"]
    assert dm.encode(train[:2], "train")[0]["target"] == [1.0, 1.0]
    with pytest.raises(UserError, match="no column 'seq'.*data.sequence_column"):
        read({"name": "seq_csv", "train": str(path), "sequence_column": "seq", "label_columns": ["bound"]})


def test_bed_windows_strand_and_intervals_past_the_end(tmp_path):
    genome = fx.write_genome(tmp_path / "ref.fa", {"chr1": 300, "chr2": 120})
    bed = fx.write_bed(tmp_path / "a.bed", [("chr1", 100, 120, "r1", 1, "+"), ("chr1", 100, 120, "r2", 0, "-"),
                                            ("chr2", 100, 130, "r3", 1, "+"), ("chrX", 1, 5, "r4", 0, "+")])
    splits = read({"name": "bed", "train": str(bed), "reference": str(tmp_path / "ref.fa"), "length": 40,
                   "label_column": 5, "val_fraction": 0, "test_fraction": 0})
    window = genome["chr1"][90:130]  # centred on 110, 40 bp
    assert [(r.seq, r.label) for r in splits.train] == [(window, "1"), (readers.reverse_complement(window), "0")]
    reasons = dict(splits.skipped)
    assert "past the end of chr2" in reasons["a.bed:chr2:100-130"]
    assert "not in the reference" in reasons["a.bed:chrX:1-5"]


def test_labels_binary_positive_class_and_one_label_only(tmp_path):
    dm = DnaDataModule({"name": "fasta", "label_type": "auto", "max_length": 100})
    meta = dm.build_meta([readers.Record("a", "ACGT", "+"), readers.Record("b", "ACGT", "-")])
    assert meta.label_type == "binary" and meta.classes == ["-", "+"]  # '+' is the positive class
    assert dm.build_meta([readers.Record(str(i), "A", str(i)) for i in range(3)]).label_type == "multiclass"
    with pytest.raises(UserError, match="one label only"):
        dm.build_meta([readers.Record("a", "ACGT", "1")])


def test_one_hot_reverse_complement_and_kmers():
    seq = to_indices("ACGTN", 100).unsqueeze(0)  # (1, 5)
    assert one_hot(seq)[0].tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    padded = torch.cat([to_indices("AACGN", 100), torch.tensor([4, 4], dtype=torch.uint8)]).unsqueeze(0)
    assert reverse_complement(padded, torch.tensor([5]))[0].tolist() == to_indices("NCGTT", 100).tolist() + [4, 4]
    assert to_indices("AAACCCCGGG", 4).tolist() == to_indices("CCCC", 9).tolist()  # the centre is kept
    counts = kmer_counts([to_indices("AAAT", 10), to_indices("ATTT", 10)], 3)
    assert np.allclose(counts[0], counts[1])  # a k-mer and its reverse complement count as one


@pytest.mark.parametrize("rnn, skip", [(None, False), ({"cell": "gru", "hidden_size": 8, "num_layers": 1,
                                                        "bidirectional": True}, False),
                                       ({"cell": "lstm", "hidden_size": 8, "num_layers": 1, "bidirectional": True}, True)])
def test_padding_never_changes_a_prediction(rnn, skip):
    torch.manual_seed(0)
    net = DanQ(3, {"filters": 6, "kernel_size": 5, "pool": 4, "dropout": 0.0}, rnn,
               {"pooling": "max", "hidden_size": 8, "dropout": 0.0, "conv_skip": skip}).eval()
    assert net.head[1].in_features == (6 if rnn is None else 16 + 6 * skip)  # the skip adds the filters
    short = torch.randint(0, 4, (1, 37))
    alone = net(one_hot(short), torch.tensor([37]))
    for pad in (1, 3, 40):
        padded = torch.cat([short, torch.randint(0, 5, (1, pad))], 1)  # whatever sits in the padding
        assert torch.allclose(net(one_hot(padded), torch.tensor([37])), alone, atol=1e-6)


def test_synthetic_multilabel_targets_follow_the_motifs_each_sequence_carries(tmp_path):
    from tasks.dna.synthetic import MOTIF_A, MOTIF_B

    base = {"name": "synthetic_grammar", "root": str(tmp_path), "n_train": 300, "n_val": 20, "n_test": 20,
            "length": 120, "gc": 0.42, "gap": 20, "mutation_rate": 0.0, "seed": 0, "max_length": 1000,
            "strict": False, "labels": None}
    dm = DnaDataModule({**base, "label_type": "multilabel"})
    dm.prepare_data()
    splits = dm.read()
    assert not splits.skipped and len(splits.train) == 300  # backgrounds ('label=') are read as no target
    meta = dm.build_meta(splits.train)
    assert meta.label_type == "multilabel" and meta.classes == ["grammar", "motif_a", "motif_b"]
    kinds = {line.split()[0][1:]: line.split("kind=")[1].strip()
             for line in (tmp_path / "train.fa").read_text().splitlines() if line.startswith(">")}
    rc = str.maketrans("ACGT", "TGCA")
    for r in splits.train:
        both = r.seq + " " + r.seq.translate(rc)[::-1]
        expected = {name for name, m in (("motif_a", MOTIF_A), ("motif_b", MOTIF_B)) if m in both}
        assert set(r.label) == expected | ({"grammar"} if kinds[r.id] == "positive" else set()), (r, kinds[r.id])
    seen = {r.label for r in splits.train}
    assert () in seen and ("grammar", "motif_a", "motif_b") in seen and ("motif_a",) in seen
    # binary data from the same generator: unchanged by the multilabel option
    binary = DnaDataModule({**base, "root": str(tmp_path / "b"), "label_type": "binary"})
    binary.prepare_data()
    labels = {r.id: r.label for r in binary.read().train}
    assert all(labels[rid] == ("1" if kind == "positive" else "0") for rid, kind in kinds.items())
