"""Text -> int16 samples with eSpeak NG, driven through ctypes from the espeakng-loader wheel.

The wheel ships libespeak-ng.so and its voice data, so nothing is installed system-wide. The C
library keeps global state (one voice, one set of parameters, one callback), so a process uses
one `Speaker` at a time; the generator runs one per worker process.
"""
from __future__ import annotations

import ctypes

import numpy as np

AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_Synth returns when the text is spoken, samples via the callback
POS_CHARACTER, CHARS_UTF8 = 1, 1
RATE, VOLUME, PITCH, RANGE, WORDGAP = 1, 2, 3, 4, 7  # espeak_PARAMETER values
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class Speaker:
    """One initialised eSpeak NG library; `say` returns mono int16 samples at `sample_rate`."""

    def __init__(self):
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, ctypes.c_char_p(data), 0)
        if self.sample_rate <= 0:
            raise RuntimeError(f"eSpeak NG failed to initialise with data at {data.decode()}")
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)  # kept on self: the C side holds only a raw pointer
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]

    def _collect(self, wav, n, events) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0  # 0: keep synthesising

    def say(self, text: str, voice: str, *, rate: int = 175, pitch: int = 50, pitch_range: int = 50,
            word_gap: int = 0) -> np.ndarray:
        """`voice` is a language with an optional variant, e.g. "en-us+f2"; rate in words per minute."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"eSpeak NG has no voice '{voice}'")
        for param, value in ((RATE, rate), (PITCH, pitch), (RANGE, pitch_range), (WORDGAP, word_gap)):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self._chunks = []
        raw = text.encode("utf-8") + b"\0"
        err = self.lib.espeak_Synth(raw, len(raw), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        if err != 0:
            raise RuntimeError(f"eSpeak NG could not speak {text!r} (error {err})")
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
