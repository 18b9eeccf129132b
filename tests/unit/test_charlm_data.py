"""Charlm: the text_file reader on fixtures, stream order for stateful BPTT (also per DDP rank),
the carried state, and bits per character."""
import math
import random

import pytest
import torch

from suite.errors import UserError
from tasks.charlm.compression import xz_bits_per_char
from tasks.charlm.datamodule import CharLMDataModule
from tasks.charlm.meta import CharLMMeta
from tasks.charlm.module import CharLMModule, bits_per_char, unigram_log2probs
from tasks.charlm.readers import read_text_file
from tasks.charlm.streams import make_streams
from tests.fixtures.text_formats import write_latin1, write_text


def test_reads_utf8_text_exactly_and_drops_a_bom(tmp_path):
    text = write_text(tmp_path / "a.txt", bom=True)
    assert read_text_file(tmp_path / "a.txt") == text


def test_empty_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(UserError) as err:
        read_text_file(tmp_path / "empty.txt")
    assert "\n" not in str(err.value) and f"{tmp_path / 'empty.txt'} is empty" in str(err.value)


def test_non_utf8_names_file_and_line(tmp_path):
    path = write_latin1(tmp_path / "l1.txt", line=7)
    with pytest.raises(UserError, match=rf"{path} line 7: not UTF-8"):
        read_text_file(path)


@pytest.mark.parametrize("max_chars", [100, 101, 102, 103, 5000])
def test_max_chars_reads_only_the_head_of_a_big_file(tmp_path, max_chars):
    text = write_text(tmp_path / "a.txt", repeat=40, bom=True)  # multi-byte characters: some cuts fall inside one
    head = read_text_file(tmp_path / "a.txt", max_chars=max_chars)
    assert head == text[:max_chars]


def test_a_text_file_over_data_max_chars_trains_on_its_head_and_says_so(tmp_path, caplog):
    (tmp_path / "t.txt").write_text("".join(chr(ord("a") + i % 26) for i in range(400)))
    dm = CharLMDataModule({"name": "text_file", "path": str(tmp_path / "t.txt"), "val_fraction": 0.1,
                           "max_chars": 200, "batch_size": 3, "bptt": 4, "num_workers": 0})
    with caplog.at_level("WARNING"):
        dm.setup("fit")
    assert dm.items["train"].numel() == 180 and dm.items["val"].numel() == 20 and not dm.has_test
    assert "t.txt holds more than data.max_chars=200 characters: training reads the first 200" in caplog.text


def _dm(tmp_path, text: str, batch_size=3, bptt=4):
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    dm = CharLMDataModule({"name": "text_file", "path": str(tmp_path / "t.txt"), "val_fraction": 0.1,
                           "batch_size": batch_size, "bptt": bptt, "num_workers": 0})
    dm.setup("fit")
    return dm


def test_batch_i_plus_1_continues_batch_i_in_every_row(tmp_path):
    text = "".join(chr(ord("a") + i % 26) for i in range(400))
    dm = _dm(tmp_path, text)
    assert dm.items["train"].numel() == 360 and dm.items["val"].numel() == 40  # first 90% / last 10%
    batches = list(dm.train_dataloader())
    assert [b["first"] for b in batches] == [True] + [False] * (len(batches) - 1)
    rows = torch.cat([b["x"] for b in batches], dim=1)  # (B, L): the loader kept the order
    length = (360 - 1) // 3
    for b in range(3):
        assert torch.equal(rows[b], dm.items["train"][b * length:(b + 1) * length])  # one contiguous stretch per row
    assert torch.equal(torch.cat([b["y"] for b in batches], dim=1)[:, :-1], rows[:, 1:])  # targets: next character


def test_each_ddp_rank_owns_its_own_streams():
    ids = torch.arange(101)
    parts = [make_streams(ids, 2, rank, 2)[0] for rank in (0, 1)]  # (2, 25) each
    assert parts[0].shape == parts[1].shape == (2, 25)
    assert torch.equal(torch.cat(parts).flatten(), ids[:100])  # disjoint, together the whole text in order
    with pytest.raises(UserError, match="too few"):
        make_streams(torch.arange(5), 4)


def _module(meta, cell="lstm"):
    torch.manual_seed(0)
    return CharLMModule({"cell": cell, "embed_size": 8, "hidden_size": 16, "num_layers": 2, "dropout": 0.0}, meta)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_stateful_bptt_carries_the_state_across_consecutive_batches(tmp_path, cell):
    dm = _dm(tmp_path, "the quick brown fox jumps over the lazy dog. " * 10, batch_size=2, bptt=5)
    m = _module(dm.meta, cell)
    batches = list(dm.train_dataloader())[:4]
    whole, _, _ = m.net(torch.cat([b["x"] for b in batches], dim=1))  # (B, 20, V): one pass over the streams
    chunks = []
    for i, b in enumerate(batches):
        carried = m._carried(b, "train")
        logits, _, state = m.net(b["x"], carried)
        m._state["train"] = state  # what training_step keeps (detached there)
        chunks.append(logits)
    assert torch.allclose(torch.cat(chunks, 1), whole, atol=1e-5)  # chunked with carried state == uninterrupted
    fresh, _, _ = m.net(batches[1]["x"])
    assert not torch.allclose(chunks[1], fresh, atol=1e-3)  # the carried state mattered
    assert m._carried(batches[0], "train") is None  # first=True: a new pass over the streams starts from zeros


def test_training_state_is_detached_between_batches(tmp_path):
    dm = _dm(tmp_path, "abcdefgh" * 30, batch_size=2, bptt=5)
    m = _module(dm.meta)
    b0, b1 = list(dm.train_dataloader())[:2]
    m.training_step(b0, 0)
    assert all(not s.requires_grad for s in m._state["train"])  # truncated: no graph into batch 0
    _, _, final = m.net(b0["x"])
    assert all(torch.allclose(a, b) for a, b in zip(m._state["train"], final))  # the values of batch 0's end state
    m.training_step(b1, 1).backward()  # would fail on a freed graph if the state were not detached


def test_bpc_of_a_uniform_model_is_log2_v():
    v = 37
    targets = torch.randint(v, (4, 9))
    assert float(bits_per_char(torch.zeros(4, 9, v), targets)) == pytest.approx(math.log2(v), rel=1e-6)
    assert unigram_log2probs([5] * v).tolist() == pytest.approx([-math.log2(v)] * v)  # uniform counts: log2 V too


def test_validation_scores_log2_v_for_a_uniform_output(tmp_path):
    dm = _dm(tmp_path, "".join(chr(ord("a") + (i * 7) % 26) for i in range(600)), batch_size=2, bptt=10)
    m = _module(dm.meta)
    with torch.no_grad():
        m.net.out.weight.zero_()
        m.net.out.bias.zero_()
        rows = [row for b in dm.val_dataloader() for row in m.eval_batch(b, "val")[1]]
    assert len(rows) == len(dm.val_dataloader())  # one row of sums per batch
    scored = m.score(rows, "val")
    assert scored["bpc"] == pytest.approx(math.log2(len(dm.meta.chars)), rel=1e-5)
    assert scored["bpc"] == pytest.approx(scored["loss"] / math.log(2))
    counts = torch.tensor(dm.meta.counts, dtype=torch.float64) + 1
    y = torch.cat([b["y"].flatten() for b in dm.val_dataloader()])
    assert scored["bpc_unigram"] == pytest.approx(float(-torch.log2(counts / counts.sum())[y].mean()), rel=1e-6)


def test_validation_rows_are_exact_sums_whatever_the_split_into_batches_and_ranks(tmp_path):
    """Stateful evaluation: the per-batch sums of the carried-state pass add up to the loss of one
    uninterrupted pass over each stream, in whatever order the ranks' rows are gathered."""
    dm = _dm(tmp_path, "the quick brown fox jumps over the lazy dog. " * 30, batch_size=2, bptt=7)
    m = _module(dm.meta).eval()
    batches = list(dm.val_dataloader())
    with torch.no_grad():
        rows = [row for b in batches for row in m.eval_batch(b, "val")[1]]
        x, y = torch.cat([b["x"] for b in batches], 1), torch.cat([b["y"] for b in batches], 1)  # (B, L)
        whole = torch.nn.functional.cross_entropy(m.net(x)[0].flatten(0, 1), y.flatten())
    assert len(batches) > 2 and m.score(rows, "val")["loss"] == pytest.approx(float(whole), rel=1e-5)
    assert m.score(rows[::2] + rows[1::2], "val") == pytest.approx(m.score(rows, "val"))


def test_a_validation_sample_is_shown_once_per_pass(tmp_path):
    dm = _dm(tmp_path, "def f(x):\n    return x\n" * 20, batch_size=2, bptt=5)
    m = _module(dm.meta).eval()
    m.keep_examples = True  # what the prediction table turns on under a W&B logger
    with torch.no_grad():
        rows = [row for b in dm.val_dataloader() for row in m.eval_batch(b, "val")[1]]
    shown = [m.example(r) for r in rows]
    assert shown[0] is not None and len(shown[0]["sample"]) == 200 and shown[1:] == [None] * (len(rows) - 1)


def test_meta_characters_counts_and_unknowns():
    meta = CharLMMeta.build("abca", {})
    assert meta.chars[1:] == ["a", "b", "c"] and meta.counts == [0, 2, 1, 1]
    assert meta.encode("cz").tolist() == [3, 0]  # unseen -> id 0
    assert CharLMMeta.from_dict(meta.to_dict()) == meta  # plain data in the checkpoint


def test_the_compressor_baseline_pays_little_for_text_it_has_read_and_about_8_bits_for_noise():
    rng = random.Random(0)
    train = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(20000))
    seen = xz_bits_per_char(train, train[5000:7000])  # a passage of the training text: LZMA copies it
    noise = xz_bits_per_char(train, "".join(chr(rng.randrange(32, 127)) for _ in range(2000)))  # 95 letters
    assert seen < 0.5 and 6 < noise < 8.5  # log2(95) = 6.6 bits, plus LZMA's literal overhead
    assert xz_bits_per_char(train, "") is None


def test_val_reports_the_compressor_baseline_once_and_only_when_asked(tmp_path):
    text = "the cat sat on the mat. " * 60
    for asked in (True, False):
        (tmp_path / "t.txt").write_text(text, encoding="utf-8")
        dm = CharLMDataModule({"name": "text_file", "path": str(tmp_path / "t.txt"), "val_fraction": 0.1,
                               "batch_size": 2, "bptt": 10, "num_workers": 0, "compressor_baseline": asked})
        dm.setup("fit")
        m = _module(dm.meta)
        rows = [row for b in dm.val_dataloader() for row in m.eval_batch(b, "val")[1]]
        scored = m.score(rows, "val")
        assert ("bpc_xz" in scored) is asked
        if asked:  # the val text repeats the training text: xz copies it for well under a bit a character
            assert sum("bpc_xz" in r for r in rows) == 1 and 0 <= scored["bpc_xz"] < 1
        assert not any("bpc_xz" in b for b in dm.train_dataloader())
