"""The train / val / test loaders of a datamodule that builds each split's loader the same way."""
from __future__ import annotations


class SplitLoaders:
    """Mixin before pl.LightningDataModule: the three loader hooks call `self._loader(split, train)`
    with the split's name ("train", "val", "test"); only the training split shuffles or augments."""

    def train_dataloader(self):
        return self._loader("train", True)

    def val_dataloader(self):
        return self._loader("val", False)

    def test_dataloader(self):
        return self._loader("test", False)
