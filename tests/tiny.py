"""The one tiny run every smoke and CLI test starts from: `debug=tiny` (conf/debug/tiny.yaml: one
CPU epoch, no logger, quiet) plus each task's data and model sizes, the only per-task part."""
from __future__ import annotations

SIZES = {
    # a few dozen scenes and a tiny attention LSTM
    "captioning": ["data.n_train=48", "data.n_val=12", "data.n_test=12", "data.batch_size=8", "data.num_workers=0",
                   "model.encoder.channels=[8,8,16,16]", "model.decoder.embed_size=16", "model.decoder.hidden_size=32",
                   "model.decoder.attention_size=16", "model.decode.max_len=12"],
    # a few hundred synthetic pairs and a tiny attention LSTM
    "translation": ["data.n_train=300", "data.n_val=20", "data.n_test=20", "data.batch_size=16",
                    "model.encoder.embed_size=16", "model.encoder.hidden_size=16", "model.decoder.embed_size=16",
                    "model.decoder.hidden_size=32", "model.decode.beam_size=2"],
    # 60 short clips of 8 frames at 32 px, a two-layer CNN
    "activity": ["data.n_train=30", "data.n_val=20", "data.n_test=10", "data.frames=8", "data.size=32",
                 "data.image_size=16", "data.max_frames=8", "data.segments=4", "data.batch_size=10",
                 "model.encoder.channels=[8,16]", "model.encoder.pool=2", "model.encoder.feature_size=16",
                 "model.hidden_size=16"],
    # a few dozen spoken digit strings, 32 mel bands, a one-layer BiLSTM
    "speech": ["data.n_train=32", "data.n_val=6", "data.n_test=6", "data.batch_frames=3000", "model.features.n_mels=32",
               "model.encoder.channels=[4,4]", "model.encoder.proj_size=16", "model.encoder.hidden_size=16",
               "model.encoder.num_layers=1"],
    "sentiment": ["data.n_train=128", "data.n_val=32", "data.n_test=32", "data.batch_size=32",
                  "model.encoder.embed_size=16", "model.encoder.hidden_size=16", "model.classifier.hidden_size=16",
                  "threads=1"],  # tiny: a 2nd thread gains nothing
    "ner": ["data.n_train=96", "data.n_val=24", "data.n_test=24", "data.batch_size=32", "model.word_embed_size=16",
            "model.chars.embed_size=8", "model.chars.hidden_size=8", "model.encoder.hidden_size=16", "threads=1"],
    "charlm": ["data.batch_size=4", "data.bptt=16", "model.embed_size=8", "model.hidden_size=16", "threads=1"],
    # sizes both series configs have (synthetic_series and csv_series): the smoke test shortens data.n itself
    "forecast": ["data.batch_size=32", "model.hidden_size=8", "threads=1"],
    "roommate": ["threads=1"],
    # a few hundred 120-bp sequences and an 8-filter conv + 8-unit BiLSTM
    "dna": ["data.n_train=256", "data.n_val=64", "data.n_test=64", "data.length=120", "data.gap=20",
            "data.batch_size=32", "model.conv.filters=8", "model.rnn.hidden_size=8", "model.classifier.hidden_size=8",
            "threads=1"],
    # a few hundred synthetic news paragraphs and a tiny pointer-generator (coverage loss from step 5)
    "summarization": ["data.n_train=320", "data.n_val=32", "data.n_test=32", "data.batch_size=32",
                      "model.encoder.embed_size=16", "model.encoder.hidden_size=16", "model.decoder.embed_size=16",
                      "model.decoder.hidden_size=32", "model.decoder.attention_size=16", "model.decode.beam_size=2",
                      "model.decode.max_len=12", "model.coverage.start_step=5", "threads=1"],
    # 60 synthetic dialogues (~270 replies) and a tiny attention LSTM
    "dialogue": ["data.n_train=60", "data.n_val=10", "data.n_test=10", "data.batch_size=32",
                 "model.encoder.embed_size=16", "model.encoder.hidden_size=16", "model.decoder.embed_size=16",
                 "model.decoder.hidden_size=32", "model.decode.max_len=20", "threads=1"],
    # 60 synthetic tunes and a tiny LSTM
    "music": ["data.n_train=48", "data.n_val=6", "data.n_test=6", "data.batch_size=16", "model.embed_size=8",
              "model.hidden_size=16", "threads=1"],
}


def tiny(task: str, *extra: str) -> list[str]:
    """Overrides for a seconds-long run of `task`; `extra` ones come last and win."""
    return [f"task={task}", "debug=tiny", *SIZES.get(task, []), *extra]
