"""suite.data.audio: every format, rate and channel count reads; every broken file is one AudioError line."""
import pytest
import torch

from suite.data.audio import AudioError, audio_duration, load_audio
from tests.fixtures.audio_formats import write_audio, write_broken


@pytest.mark.parametrize("name, rate, channels", [("a.wav", 16000, 1), ("b.flac", 8000, 2), ("c.ogg", 44100, 1),
                                                  ("d.wav", 22050, 6)])
def test_any_format_rate_and_channel_count_becomes_mono_at_the_model_rate(tmp_path, name, rate, channels):
    path = write_audio(tmp_path / name, seconds=0.5, rate=rate, channels=channels)
    wave = load_audio(path, 16000)
    assert wave.dtype == torch.float32 and wave.dim() == 1
    assert abs(len(wave) - 8000) <= 2  # 0.5 s at 16 kHz whatever the file's rate
    assert audio_duration(path) == pytest.approx(0.5, abs=1e-3)


def test_stereo_is_mixed_down_with_equal_weights(tmp_path):
    import soundfile as sf
    import numpy as np

    left = np.full(1600, 0.5, dtype=np.float32)
    sf.write(str(tmp_path / "s.wav"), np.stack([left, -0.25 * np.ones_like(left)], 1), 16000, subtype="FLOAT")
    assert torch.allclose(load_audio(tmp_path / "s.wav", 16000), torch.full((1600,), 0.125))


@pytest.mark.parametrize("kind, expected", [("empty", "empty (0 bytes)"), ("zero-length", "no samples"),
                                            ("silent", "silent"), ("corrupt", "cannot read audio")])
def test_broken_files_are_one_clear_line(tmp_path, kind, expected):
    path = write_broken(tmp_path)[kind]
    with pytest.raises(AudioError) as err:
        load_audio(path, 16000)
    msg = str(err.value)
    assert expected in msg and str(path) in msg and "\n" not in msg


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nope.wav", 16000)
    with pytest.raises(AudioError, match="directory"):
        audio_duration(tmp_path)


def test_audio_error_survives_pickling_for_loader_workers(tmp_path):
    import pickle

    err = AudioError(tmp_path / "x.wav", "it is silent", "give speech")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.reason == "it is silent"
