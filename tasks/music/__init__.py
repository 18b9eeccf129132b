"""Music generation: an LSTM language model over 16th-step melody events (melody_rnn, with an
attention over its past) and a piano-roll LSTM with 88 Bernoulli keys (poly_rnn); ABC, MIDI-folder,
piano-roll and music21-corpus readers; suite-predict writes MIDI, ABC, WAV and a piano-roll PNG."""
from suite.registry import Task

TASK = Task(
    name="music",
    datamodule="tasks.music.datamodule:MusicDataModule",
    module="tasks.music.module:MusicModule",
    predict="tasks.music.predict:predict",
    input_optional=True,  # generation needs at most a primer (which may be empty)
)
