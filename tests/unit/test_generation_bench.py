"""benchmarks/{music,summarization,dialogue}.py count what their models compute and decode through
the task's own inference path; the harness names sampling and counts generated steps. Untrained
tiny models: the counts and the paths, not the quality."""
import pytest
import torch

from benchmarks import dialogue, harness, music, summarization
from suite.config import to_plain
from suite.registry import get_task
from tests.conftest import compose_train
from tests.tiny import tiny


def _built(name: str, tmp_path):
    """(untrained tiny module, a training batch, a validation batch) of `name`."""
    cfg = compose_train(tmp_path, tiny(name))
    task = get_task(name)
    dm = task.datamodule_class(to_plain(cfg.data))
    dm.prepare_data()
    dm.setup("fit")
    torch.manual_seed(0)
    module = task.module_class(model=to_plain(cfg.model), meta=dm.metadata()).eval()
    return module, next(iter(dm.train_dataloader())), next(iter(dm.val_dataloader()))


def _grid(*tensors) -> int:
    return sum(t.numel() for t in tensors)


def test_music_counts_events_and_samples_each_validation_piece_through_predict(tmp_path, monkeypatch):
    module, train, val = _built("music", tmp_path)
    counts = music.observe(module, train)
    events = int((train["y"] != 0).sum())  # 0: PAD
    assert counts == {"items": train["size"], "units": events, "real": events, "padded": train["y"].numel() - events}
    import tasks.music.predict as predict

    seeds = []
    real = predict.sample_notes
    monkeypatch.setattr(predict, "sample_notes", lambda m, cfg, *a, **k: seeds.append(int(cfg.seed)) or real(m, cfg, *a, **k))
    pieces = {"ids": val["ids"][:2], "lengths": torch.tensor([16, 8])}  # two short pieces: seconds, not minutes
    assert music.decode(module, pieces, "sample") == 24  # one sample per piece, as long as it
    assert seeds == val["ids"][:2]  # seeded by the piece: the same samples every run
    assert music.SPEC.beams == ("sample",) and music.SPEC.unit == "events"


def test_summarization_counts_summary_tokens_and_decodes_greedy_and_beam_4(tmp_path):
    module, train, val = _built("summarization", tmp_path)
    counts = summarization.observe(module, train)
    assert counts["items"] == train["size"] and counts["units"] == int((train["tgt_out"] != module.vocab.pad).sum())
    assert counts["real"] + counts["padded"] == _grid(train["src"], train["tgt_out"]) and counts["padded"] > 0
    assert summarization.SPEC.beams == (1, 4)
    for beam in summarization.SPEC.beams:
        summarization.decode(module, val, beam)


def test_dialogue_options_follow_suite_chat_and_every_decoder_runs(tmp_path):
    module, train, val = _built("dialogue", tmp_path)
    pad = module.meta.side.vocab.pad
    counts = dialogue.observe(module, train)
    assert counts["units"] == int((train["tgt_out"] != pad).sum())
    assert counts["real"] + counts["padded"] == _grid(train["src"], train["tgt_out"])
    assert dialogue.options(1)["strategy"] == "greedy" and dialogue.options(5) == {"strategy": "beam", "beam_size": 5}
    assert dialogue.options("sample") == {"strategy": "sample"}
    for beam in dialogue.SPEC.beams:
        dialogue.decode(module, val, beam)


def test_harness_names_sampling_and_times_generated_steps():
    spec = harness.TaskSpec(name="x", item="pieces", unit="events", observe=None, beams=(1, 4, "sample"),
                            decode=lambda module, batch, beam: 10 if beam == "sample" else None)
    out = harness._decode(spec, torch.nn.Linear(1, 1), [{"size": 2}, {"size": 3}])
    assert {"decode_beam1_pieces_per_s", "decode_beam4_pieces_per_s", "decode_sample_pieces_per_s",
            "decode_sample_events_per_s", "beam4_over_greedy"} == set(out)
    # 20 events for 5 pieces: the steps figure is 4x the pieces figure (same timing)
    assert out["decode_sample_events_per_s"] == pytest.approx(4 * out["decode_sample_pieces_per_s"], rel=0.01)
