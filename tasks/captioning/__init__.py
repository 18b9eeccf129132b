"""Image captioning: CNN grid features -> attention LSTM decoder."""
