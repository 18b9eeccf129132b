"""suite-predict for speech: an audio file (WAV, FLAC, OGG) or a folder of them -> transcripts."""
from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.data.audio import AUDIO_EXTENSIONS, load_audio
from suite.errors import UserError

MAX_SECONDS = 600  # longer recordings are refused: the BiLSTM holds the whole utterance in memory


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
    results = []
    for start in range(0, len(files), int(cfg.batch_size)):
        chunk = files[start:start + int(cfg.batch_size)]
        waves = [load_audio(p, module.sample_rate) for p in chunk]  # AudioError: one line, the run ends
        for p, w in zip(chunk, waves):
            if len(w) > MAX_SECONDS * module.sample_rate:
                raise UserError(f"'{p}' is {len(w) / module.sample_rate:.0f} s long, over the limit of "
                                f"{MAX_SECONDS} s: cut it into shorter pieces")
        lengths = torch.tensor([len(w) for w in waves])  # (B,)
        batch = torch.zeros(len(waves), int(lengths.max()))  # (B, N)
        for i, w in enumerate(waves):
            batch[i, : len(w)] = w
        with torch.no_grad():
            texts = module.transcribe(batch, lengths, beam_size=cfg.beam_size)
        results += [{"input": str(p), "text": t, "seconds": round(len(w) / module.sample_rate, 3)}
                    for p, w, t in zip(chunk, waves, texts)]
    return results
