"""Audio front-end: waveform -> normalised log-mel -> SpecAugment (training) -> 2-D conv subsampling.

Lengths are exact throughout: log-mel frames are computed per utterance (no padded samples leak
into the last frames), normalised over the utterance's own frames, and every conv layer zeroes
the positions past each sequence's end, so a padded batch gives the same outputs as one sample.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
import torchaudio
from torch import nn

from suite.errors import UserError


class LogMel(nn.Module):
    """(B, N) waveforms + (B,) sample counts -> (B, T, n_mels) per-utterance-normalised log-mel, (B,) frames."""

    # the sizes come from the task's YAML (model.features), the one place that holds their defaults
    def __init__(self, sample_rate: int, *, n_mels: int, win_ms: float, hop_ms: float):
        super().__init__()
        self.sample_rate, self.n_mels = sample_rate, n_mels
        win = int(round(sample_rate * win_ms / 1000))
        self.hop = int(round(sample_rate * hop_ms / 1000))
        self.n_fft = 1 << (win - 1).bit_length()  # next power of two: the FFT's fast size
        # center=False: each utterance gets its own reflection padding below, as a centred STFT of it alone would
        self.mel = torchaudio.transforms.MelSpectrogram(sample_rate, n_fft=self.n_fft, win_length=win,
                                                        hop_length=self.hop, n_mels=n_mels, center=False)

    def frames(self, samples: torch.Tensor) -> torch.Tensor:
        return samples // self.hop + 1  # centred STFT frames

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        half = self.n_fft // 2
        padded = wave.new_zeros(wave.size(0), wave.size(1) + 2 * half)  # (B, N + n_fft)
        for i, n in enumerate(lengths.tolist()):
            x = wave[i, :n].float()
            mode = "reflect" if n > half else "constant"  # reflection needs more samples than it mirrors
            padded[i, : n + 2 * half] = F.pad(x[None, None], (half, half), mode=mode)[0, 0]
        frames = self.frames(lengths)
        logmel = torch.log(self.mel(padded) + 1e-6).transpose(1, 2)  # (B, T, M)
        logmel = logmel[:, : int(frames.max())]
        mask = (torch.arange(logmel.size(1), device=wave.device) < frames.to(wave.device)[:, None])[..., None]  # (B, T, 1)
        count = frames.to(wave.device)[:, None, None].clamp(min=1)
        mean = (logmel * mask).sum(1, keepdim=True) / count  # (B, 1, M)
        var = (((logmel - mean) * mask) ** 2).sum(1, keepdim=True) / count
        # per utterance: invariant to gain and channel; padding frames are exactly zero
        return (logmel - mean) / (var.sqrt() + 1e-5) * mask, frames


class SpecAugment(nn.Module):
    """Frequency and time masks (Park et al., 2019) on (B, T, M) features; identity in eval mode."""

    # the policy comes from the task's YAML (model.specaugment), the one place that holds its defaults
    def __init__(self, *, freq_masks: int, freq_width: int, time_masks: int, time_width: int,
                 max_time_fraction: float):
        super().__init__()
        self.freq = nn.ModuleList(torchaudio.transforms.FrequencyMasking(freq_width, iid_masks=True)
                                  for _ in range(freq_masks))
        self.time = nn.ModuleList(torchaudio.transforms.TimeMasking(time_width, iid_masks=True, p=max_time_fraction)
                                  for _ in range(time_masks))

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        if not self.training or not (len(self.freq) or len(self.time)):
            return feats
        x = feats.transpose(1, 2).unsqueeze(1)  # (B, 1, M, T): torchaudio masks (..., freq, time)
        for mask in [*self.freq, *self.time]:
            x = mask(x)  # masked to 0 = the per-utterance mean
        return x.squeeze(1).transpose(1, 2)  # (B, T, M)


class ConvSubsampler(nn.Module):
    """Conv2d + ReLU layers over (time, mel); each layer's time stride shortens the sequence."""

    def __init__(self, n_mels: int, *, channels: list[int], time_strides: list[int], proj_size: int):
        super().__init__()
        if len(channels) != len(time_strides):
            raise UserError(f"model.encoder.channels has {len(channels)} layers but time_strides "
                            f"{len(time_strides)}: give one time stride per conv layer")
        self.strides = list(time_strides)
        layers, c_in, freq = [], 1, n_mels
        for c_out, s in zip(channels, time_strides):
            layers.append(nn.Conv2d(c_in, c_out, kernel_size=3, stride=(s, 2), padding=1))
            c_in, freq = c_out, (freq - 1) // 2 + 1
        self.convs = nn.ModuleList(layers)
        self.proj = nn.Linear(c_in * freq, proj_size)

    def out_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        for s in self.strides:
            lengths = (lengths - 1) // s + 1  # kernel 3, padding 1
        return lengths

    @property
    def factor(self) -> int:
        f = 1
        for s in self.strides:
            f *= s
        return f

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = feats.unsqueeze(1)  # (B, 1, T, M)
        for conv, s in zip(self.convs, self.strides):
            lengths = (lengths - 1) // s + 1
            x = torch.relu(conv(x))  # (B, C, T', M')
            keep = torch.arange(x.size(2), device=x.device) < lengths.to(x.device).unsqueeze(1)  # (B, T')
            x = x * keep[:, None, :, None]  # padding stays zero, as a lone utterance's conv padding is
        b, c, t, m = x.shape
        return self.proj(x.permute(0, 2, 1, 3).reshape(b, t, c * m)), lengths  # (B, T', D)
