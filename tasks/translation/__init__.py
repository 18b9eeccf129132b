"""Machine translation: BiLSTM encoder -> attention LSTM decoder, parallel / TSV readers."""
