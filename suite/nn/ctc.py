"""CTC decoding behind one interface: `decoder(log_probs (B, T, V), lengths (B,)) -> text per item`.

`decoder.ids(...)` gives the collapsed token ids (repeats merged, blanks removed) where they exist.
`GreedyCTCDecoder` takes the best token per frame; `BeamCTCDecoder` runs flashlight-text's beam
search through torchaudio's `ctc_decoder`: lexicon-free over characters, or, given a KenLM n-gram
(.arpa or .bin), over the words of a lexicon with the LM's scores (shallow fusion).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import torch

from suite.errors import UserError

BLANK, SPACE = "<blank>", " "  # token 0 is always the CTC blank; the space separates words
_SIL = "|"  # flashlight's name for the word separator


def ids_to_text(ids: list[int], itos: list[str]) -> str:
    """Collapsed token ids -> text with single spaces and none at the ends."""
    return " ".join("".join(itos[i] for i in ids if i > 0).split())


class GreedyCTCDecoder:
    """Best token per frame, repeats merged, blanks dropped (the usual CTC evaluation decoder)."""

    def __init__(self, itos: list[str], blank: int = 0):
        self.itos, self.blank = itos, blank

    def __call__(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[str]:
        return [ids_to_text(ids, self.itos) for ids in self.ids(log_probs, lengths)]

    def ids(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[list[int]]:
        best = log_probs.argmax(-1).cpu()  # (B, T)
        out = []
        for row, n in zip(best.tolist(), lengths.tolist()):
            ids, prev = [], self.blank
            for t in row[:n]:
                if t != prev and t != self.blank:
                    ids.append(t)
                prev = t
            out.append(ids)
        return out


class BeamCTCDecoder:
    """flashlight-text beam search; lexicon-free without an LM, lexicon + KenLM with one."""

    # the search settings come from the task's YAML (model.decode), the one place that holds their defaults
    def __init__(self, itos: list[str], *, beam_size: int, lm: str | None, lm_weight: float, word_score: float,
                 words: list[str] | None = None):
        from torchaudio.models.decoder import ctc_decoder

        if itos[0] != BLANK:
            raise ValueError(f"token 0 must be the CTC blank {BLANK!r}")
        self.itos = itos
        self.space = itos.index(SPACE) if SPACE in itos else -1
        tokens = [_SIL if t == SPACE else t for t in itos]
        self._tmp = None
        lexicon = None
        self.lexicon = bool(lm)
        if lm:
            path = Path(str(lm)).expanduser()
            if not path.is_file():
                raise UserError(f"n-gram LM '{lm}' does not exist: set model.decode.lm=<a KenLM .arpa or .bin file>"
                                " or model.decode.lm=null")
            lexicon = self._lexicon(words or [])
            lm = str(path)
        try:
            self.decoder = ctc_decoder(lexicon, tokens, lm=lm, beam_size=beam_size, lm_weight=lm_weight,
                                       word_score=word_score, blank_token=BLANK, sil_token=_SIL,
                                       sil_score=0.0, beam_threshold=50.0)
        except RuntimeError as e:  # KenLM's own message for an unreadable model
            why = [ln.strip() for ln in str(e).splitlines() if ln.strip()] or [type(e).__name__]
            raise UserError(f"cannot load n-gram LM '{lm}': {why[-1][:200]} (is it a KenLM .arpa or .bin file?)") from e

    def _lexicon(self, words: list[str]) -> str:
        """A flashlight lexicon (word, then its characters and the word separator) of spellable words."""
        known = set(self.itos[1:]) - {SPACE}
        rows = [f"{w}\t{' '.join(w)} {_SIL}" for w in sorted(set(words)) if w and set(w) <= known]
        if not rows:
            raise UserError("an n-gram LM needs a word list, and the checkpoint has none: retrain with this version")
        self._tmp = tempfile.NamedTemporaryFile("w", suffix=".lexicon", delete=False)
        self._tmp.write("\n".join(rows) + "\n")
        self._tmp.close()
        return self._tmp.name

    def _search(self, log_probs: torch.Tensor, lengths: torch.Tensor):
        emissions = log_probs.detach().float().cpu().contiguous()  # (B, T, V): flashlight runs on the CPU
        return self.decoder(emissions, lengths.cpu().to(torch.int32))

    def __call__(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[str]:
        results = self._search(log_probs, lengths)
        if self.lexicon:  # the words are exact; flashlight's token trace may be cut at a word's end
            return [" ".join(hyps[0].words) if hyps else "" for hyps in results]
        return [ids_to_text(self._trim(hyps[0].tokens.tolist()), self.itos) if hyps else "" for hyps in results]

    def ids(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[list[int]]:
        return [self._trim(hyps[0].tokens.tolist()) if hyps else [] for hyps in self._search(log_probs, lengths)]

    def _trim(self, ids: list[int]) -> list[int]:
        """flashlight brackets a hypothesis with word separators; greedy output has none there."""
        ids = [int(i) for i in ids if int(i) != 0]
        while ids and ids[0] == self.space:
            ids = ids[1:]
        while ids and ids[-1] == self.space:
            ids = ids[:-1]
        return ids


def build_ctc_decoder(itos: list[str], *, beam_size: int, lm: str | None, lm_weight: float, word_score: float,
                      words: list[str] | None = None):
    """Greedy when beam_size <= 1 and no LM; flashlight beam search otherwise (takes model.decode as **node)."""
    if beam_size <= 1 and not lm:
        return GreedyCTCDecoder(itos)
    return BeamCTCDecoder(itos, beam_size=max(int(beam_size), 1), lm=lm, words=words, lm_weight=lm_weight,
                          word_score=word_score)
