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
}


def tiny(task: str, *extra: str) -> list[str]:
    """Overrides for a seconds-long run of `task`; `extra` ones come last and win."""
    return [f"task={task}", "debug=tiny", *SIZES.get(task, []), *extra]
