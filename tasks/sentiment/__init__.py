"""Sentiment classification (many-to-one): reviews -> (Bi)LSTM -> pooling -> label."""
