"""Video activity recognition: a CNN on every frame, an LSTM over time (LRCN)."""
