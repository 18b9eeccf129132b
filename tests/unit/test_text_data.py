"""Tokenisers round-trip through plain data; the bucket sampler covers every item once, sorted."""
import torch

from suite.data.sampler import BucketBatchSampler
from suite.data.tokenizers import WordTokenizer, build_tokenizer, tokenizer_from_dict


def test_word_tokenizer_round_trip_with_punctuation_and_accents():
    tok = WordTokenizer()
    text = "A irmã não está na casa, mas o homem (que vê) está."
    tokens = tok.tokenize(text)
    assert tokens[:4] == ["A", "irmã", "não", "está"] and "," in tokens and "(" in tokens
    assert tok.detokenize(tokens) == text


def test_sentencepiece_model_travels_as_plain_data():
    corpus = [f"the {c} {n} sees the {n2}." for c in ("red", "blue", "green") for n in ("dog", "cat", "man")
              for n2 in ("house", "car", "tree")] * 5
    sp = build_tokenizer("sentencepiece", corpus, 60)
    data = sp.to_dict()
    assert set(data) == {"kind", "model"} and isinstance(data["model"], str)  # no bytes, no objects
    again = tokenizer_from_dict(data)
    text = "the blue cat sees the tree."
    assert again.tokenize(text) == sp.tokenize(text)
    assert again.detokenize(again.tokenize(text)) == text


def test_bucket_sampler_covers_every_item_once_with_little_padding():
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(1, 60, (1000,), generator=g).tolist()
    sampler = BucketBatchSampler(lengths, 32, shuffle=True, seed=3)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1000))
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    assert sum(lengths) / padded > 0.9  # under 10% of the computed positions are padding
    assert list(sampler) != batches  # a new order every epoch
