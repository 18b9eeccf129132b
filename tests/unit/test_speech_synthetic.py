"""spoken_digits: deterministic specs, held-out voices, a generated set in the audio_manifest layout."""
import json

import numpy as np
import soundfile as sf

from tasks.speech import synthetic
from tasks.speech.synthetic import TEST_VARIANTS, TRAIN_VARIANTS, VAL_VARIANTS, WORDS, utterance_spec


def test_specs_are_deterministic_and_val_test_voices_are_unseen_in_training():
    assert utterance_spec(0, "train", 7) == utterance_spec(0, "train", 7) != utterance_spec(1, "train", 7)
    assert not set(TRAIN_VARIANTS) & set(VAL_VARIANTS) and not set(TRAIN_VARIANTS) & set(TEST_VARIANTS)
    assert not set(VAL_VARIANTS) & set(TEST_VARIANTS)
    for split, variants in (("train", TRAIN_VARIANTS), ("val", VAL_VARIANTS), ("test", TEST_VARIANTS)):
        specs = [utterance_spec(0, split, i) for i in range(200)]
        assert {s["voice"].split("+")[1] for s in specs} <= set(variants)
        counts = {len(s["text"].split()) for s in specs}
        assert counts == set(range(1, 8)) and {w for s in specs for w in s["text"].split()} == set(WORDS)


def test_generated_set_is_readable_by_the_manifest_reader(tmp_path):
    root = synthetic.generate_digits(tmp_path / "sd", n_train=6, n_val=2, n_test=2, workers=1)
    voices = json.loads((root / synthetic.MARKER).read_text())
    assert not set(voices["train"]) & set(voices["val"])
    rows = [json.loads(line) for line in (root / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    wave, rate = sf.read(str(root / rows[0]["audio"]))
    assert rate == 16000 and abs(len(wave) / rate - rows[0]["duration"]) < 1e-3
    assert np.abs(wave).max() > 0.01  # speech, not silence
    again = synthetic.generate_digits(tmp_path / "sd", n_train=6, n_val=2, n_test=2, workers=1)
    assert again == root and (root / "train.jsonl").read_text() == "".join(json.dumps(r) + "\n" for r in rows)
