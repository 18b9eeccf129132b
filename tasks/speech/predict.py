"""suite-predict for speech: an audio file (WAV, FLAC, OGG) or a folder of them -> transcripts."""
from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.data.audio import AUDIO_EXTENSIONS, audio_duration, load_audio
from suite.errors import UserError


def _files(spec: str) -> list[Path]:
    path = Path(str(spec)).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()
                       and not p.name.startswith("."))
        if not files:
            raise UserError(f"input folder '{path}' has no {', '.join(AUDIO_EXTENSIONS)} files: point input= at "
                            "an audio file or a folder of them")
        return files
    return [path]  # load_audio says clearly when it is missing or unreadable


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per audio file: {"input", "text", "seconds"}."""
    files = _files(cfg.input)
    limit = _max_seconds(cfg)
    for p in files:  # from the headers, before decoding anything (AudioError: one line, the run ends)
        _check_length(p, audio_duration(p), limit)
    results = []
    for start in range(0, len(files), int(cfg.batch_size)):
        chunk = files[start:start + int(cfg.batch_size)]
        waves = [load_audio(p, module.sample_rate) for p in chunk]  # AudioError: one line, the run ends
        for p, w in zip(chunk, waves):  # again decoded: some headers under-report the length
            _check_length(p, len(w) / module.sample_rate, limit)
        lengths = torch.tensor([len(w) for w in waves])  # (B,)
        batch = torch.zeros(len(waves), int(lengths.max()))  # (B, N)
        for i, w in enumerate(waves):
            batch[i, : len(w)] = w
        with torch.no_grad():
            texts = module.transcribe(batch, lengths, beam_size=cfg.beam_size)
        results += [{"input": str(p), "text": t, "seconds": round(len(w) / module.sample_rate, 3)}
                    for p, w, t in zip(chunk, waves, texts)]
    return results


def _max_seconds(cfg: DictConfig) -> float:
    """task.predict.max_seconds (conf/task/speech.yaml holds its default), checked."""
    value = cfg.max_seconds
    try:
        limit = float(value)
    except (TypeError, ValueError):
        limit = -1.0
    if not limit > 0:
        raise UserError(f"max_seconds={value} must be a positive number of seconds, e.g. max_seconds=600")
    return limit


def _check_length(path: Path, seconds: float, limit: float) -> None:
    if seconds > limit:
        raise UserError(f"'{path}' is {seconds:.0f} s long, over max_seconds={limit:g}: cut it into shorter pieces"
                        f" (or raise max_seconds if the memory allows)")
