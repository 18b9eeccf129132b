"""Summarization readers on fixtures in the real formats, the synthetic default, and copying of
out-of-vocabulary words through the pointer (a hand-set decoder: no training needed)."""
import json

import pytest
import torch

from suite.data.vocab import Vocab
from suite.errors import UserError
from tasks.summarization import readers
from tasks.summarization.datamodule import collate, encode_document, target_ids
from tasks.summarization.pointer_decoder import PointerDecoder
from tests.fixtures.summarization_formats import pair, write_article_title, write_csv, write_jsonl

ARTICLE = {"name": "article_title", "train_prefix": "train", "val_prefix": "val", "test_prefix": "test",
           "article_suffix": ".article.txt", "title_suffix": ".title.txt", "val_fraction": 0.25, "seed": 0}
JSONL = {"name": "jsonl_pairs", "document_key": "document", "summary_key": "summary", "val_fraction": 0.25, "seed": 0}
CSV = {"name": "csv_pairs", "document_column": "document", "summary_column": "summary", "delimiter": None,
       "val_fraction": 0.25, "seed": 0}


def as_tuples(pairs):
    return [(p.document, p.summary) for p in pairs]


@pytest.mark.parametrize("gz", [False, True])
def test_article_title_reads_line_aligned_splits(tmp_path, gz):
    written = write_article_title(tmp_path, gz=gz)
    splits = readers.read_article_title({**ARTICLE, "root": str(tmp_path)})
    for split in ("train", "val", "test"):
        assert as_tuples(getattr(splits, split)) == written[split]


def test_article_title_skips_an_empty_document_or_fails_under_strict(tmp_path):
    write_article_title(tmp_path, empty_line_at=3)
    splits = readers.read_article_title({**ARTICLE, "root": str(tmp_path)})
    assert len(splits.train) == 11 and splits.skipped == [("train.article.txt line 4", "an empty document")]
    with pytest.raises(UserError, match=r"train.article.txt' line 4: an empty document"):
        readers.read_article_title({**ARTICLE, "root": str(tmp_path), "strict": True})


def test_article_title_mismatched_line_counts_name_both_files(tmp_path):
    write_article_title(tmp_path, mismatch=True)
    with pytest.raises(UserError) as err:
        readers.read_article_title({**ARTICLE, "root": str(tmp_path)})
    assert "train.article.txt has 12 lines but train.title.txt has 11" in str(err.value)


def test_article_title_without_val_carves_it_from_train(tmp_path):
    write_article_title(tmp_path, n=(12, 0, 0))
    for p in tmp_path.glob("val.*"):
        p.unlink()
    splits = readers.read_article_title({**ARTICLE, "root": str(tmp_path), "test_prefix": "none"})
    assert len(splits.train) == 9 and len(splits.val) == 3 and splits.test == []
    assert sorted(as_tuples(splits.train + splits.val)) == sorted(pair(i) for i in range(12))


def test_jsonl_reads_keys_skips_bad_lines_and_strict_names_the_line(tmp_path):
    usable = write_jsonl(tmp_path / "train.jsonl", bad_json_at=2, missing_key_at=5)
    val = write_jsonl(tmp_path / "val.jsonl", n=3, start=20)
    data = {**JSONL, "train": str(tmp_path / "train.jsonl"), "val": str(tmp_path / "val.jsonl"), "test": None}
    splits = readers.read_jsonl_pairs(data)
    assert as_tuples(splits.train) == usable and as_tuples(splits.val) == val and splits.test == []
    assert [s[0] for s in splits.skipped] == ["train.jsonl line 3", "train.jsonl line 6"]
    assert "not JSON" in splits.skipped[0][1] and "no key 'summary'" in splits.skipped[1][1]
    with pytest.raises(UserError, match=r"train.jsonl' line 3: not JSON"):
        readers.read_jsonl_pairs({**data, "strict": True})


def test_jsonl_other_keys_and_list_summaries(tmp_path):
    """CNN/DailyMail exports: article + highlights (a list of sentences, joined by newlines)."""
    write_jsonl(tmp_path / "cnn.jsonl", keys=("article", "highlights"), list_summary=True)
    splits = readers.read_jsonl_pairs({**JSONL, "train": str(tmp_path / "cnn.jsonl"), "document_key": "article",
                                       "summary_key": "highlights"})
    assert len(splits.train) + len(splits.val) == 12 and not splits.skipped


@pytest.mark.parametrize("name, delimiter", [("pairs.csv", ","), ("pairs.tsv", "\t")])
def test_csv_and_tsv_pairs(tmp_path, name, delimiter):
    written = write_csv(tmp_path / name, delimiter=delimiter)
    test = write_csv(tmp_path / f"test_{name}", n=2, start=50, delimiter=delimiter)
    splits = readers.read_csv_pairs({**CSV, "train": str(tmp_path / name), "test": str(tmp_path / f"test_{name}")})
    assert sorted(as_tuples(splits.train + splits.val)) == sorted(written) and as_tuples(splits.test) == test
    with pytest.raises(UserError, match="no column 'text'"):
        readers.read_csv_pairs({**CSV, "train": str(tmp_path / name), "document_column": "text"})


def test_synthetic_news_is_cached_and_its_test_entities_are_unseen(tmp_path):
    root = readers.generate_news(tmp_path / "news", n_train=400, n_val=20, n_test=40, seed=0)
    first = (root / "test.article.txt").read_text()
    assert readers.generate_news(tmp_path / "news", n_train=400, n_val=20, n_test=40, seed=0) == root
    assert (root / "test.article.txt").read_text() == first  # deterministic, read from the cache
    train_words = set((root / "train.article.txt").read_text().split()) | set((root / "train.title.txt").read_text().split())
    for doc, title in zip(first.splitlines(), (root / "test.title.txt").read_text().splitlines()):
        name, _kind, _verb, number, *_ = title.split()
        assert name in doc and number in doc  # the headline's entity and figure are in the article
        assert name not in train_words and number not in train_words  # ... and never in training
    assert 20 <= sum(map(len, (t.split() for t in first.splitlines()))) / 40 <= 45  # ~30 tokens an article


# ------------------------------------------------------------------------- extended vocabulary


def test_oov_words_get_extended_ids_and_targets_point_at_them():
    vocab = Vocab(["<pad>", "<bos>", "<eos>", "<unk>", "sells", "vans"])
    item = encode_document("Zorvak sells 4217 vans Zorvak", vocab, 100)
    assert item["src"] == [3, 4, 3, 5, 3] and item["src_ext"] == [6, 4, 7, 5, 6] and item["oovs"] == ["Zorvak", "4217"]
    ids, ext = target_ids(["Zorvak", "sells", "Quux"], vocab, item["oovs"])
    assert ids == [3, 4, 3] and ext == [6, 4, 3]  # an OOV word absent from the document stays <unk>


def test_an_oov_source_word_is_copied_as_itself_never_unk():
    """A decoder that always copies (p_gen ~ 0) outputs the document's OOV word; fed back, its
    extended id is read as <unk> (no index error), and the text is the word, not <unk>."""
    from suite.nn.search import beam_search, greedy_search
    from tasks.summarization.module import SummarizationModule
    from tasks.summarization.datamodule import SummarizationMeta

    torch.manual_seed(0)
    vocab = Vocab(["<pad>", "<bos>", "<eos>", "<unk>", "sells", "vans"])
    model = {"encoder": dict(cell="lstm", embed_size=8, hidden_size=8, num_layers=1, bidirectional=True, dropout=0.0),
             "decoder": dict(cell="lstm", embed_size=8, hidden_size=8, attention_size=8, dropout=0.0, copy=True,
                             coverage=True),
             "coverage": {"weight": 1.0, "start_step": 0}, "decode": {"beam_size": 2, "max_len": 3, "min_len": 0,
                                                                       "length_penalty": 0.0, "no_repeat_ngram_size": 1}}
    module = SummarizationModule(model, SummarizationMeta(vocab=vocab)).eval()
    with torch.no_grad():
        module.decoder.gen.weight.zero_()
        module.decoder.gen.bias.fill_(-30.0)  # p_gen ~ 0: all mass on the attention over the document
    item = encode_document("Zorvak", vocab, 100)
    batch = collate([item], vocab)
    for search in (greedy_search, beam_search):
        state, cache = module._start(batch)
        kw = {"beam_size": 2} if search is beam_search else {}
        hyps = search(module.decoder, state, cache, bos=vocab.bos, eos=vocab.eos, max_len=3, **kw)
        assert int(hyps.tokens[0, 0]) == len(vocab)  # the first extended id: the document's first OOV
        assert module.words(hyps.tokens[0].tolist(), item["oovs"])[0] == "Zorvak"
    assert PointerDecoder is type(module.decoder)
    assert json.dumps(module.words([len(vocab), 4, 2], ["Zorvak"])) == '["Zorvak", "sells"]'
