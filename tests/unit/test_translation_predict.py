"""Translation predict: the source-length limit is the task option max_source_tokens
(conf/task/translation.yaml), and an input over it is one line naming the option."""
from types import SimpleNamespace

import pytest
import torch
from omegaconf import OmegaConf

from suite.config import with_task_options
from suite.errors import UserError
from tasks.translation.predict import predict


class _Words:
    """A source side that maps each whitespace word to one id (pad 0)."""
    pad = 0

    @staticmethod
    def encode(text: str) -> list[int]:
        return [1] * len(text.split())


class _Stub:
    """Just what predict reads of a translation module: src, translate, texts."""
    src = SimpleNamespace(encode=_Words.encode, vocab=_Words)

    def translate(self, src: torch.Tensor, lengths: torch.Tensor, beam_size=None):
        return SimpleNamespace(lengths=lengths, alphas=None)

    def texts(self, hyps) -> list[str]:
        return [f"{n} words" for n in hyps.lengths.tolist()]


def _cfg(text: str, **options):
    cfg = with_task_options(OmegaConf.create({"input": text, "batch_size": 4, "beam_size": None}), "translation")
    for key, value in options.items():
        cfg[key] = value
    return cfg


def test_the_limit_is_the_task_option_and_a_sentence_at_it_translates():
    assert _cfg("a b").max_source_tokens == 400  # conf/task/translation.yaml's default
    assert [r["text"] for r in predict(_Stub(), _cfg("a b c", max_source_tokens=3))] == ["3 words"]


@pytest.mark.parametrize("limit, expected", [
    (3, "input sentence has 4 tokens, over the limit of max_source_tokens=3: split it into shorter sentences, "
        "or raise it (max_source_tokens=4)"),
    (0, "max_source_tokens=0 must be a positive whole number of tokens"),
    ("abc", "max_source_tokens=abc must be a positive whole number of tokens")])
def test_over_the_limit_or_a_bad_limit_is_one_line_naming_the_option(limit, expected):
    with pytest.raises(UserError) as err:
        predict(_Stub(), _cfg("a b c d", max_source_tokens=limit))
    assert str(err.value).startswith(expected) and "\n" not in str(err.value)
