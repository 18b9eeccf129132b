"""Named-entity recognition (many-to-many, aligned): words + characters -> BiLSTM (+ CRF) -> IOB2 tags."""
