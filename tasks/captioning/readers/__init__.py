"""Captioning dataset readers (Flickr8k, COCO captions, Karpathy splits) -> CaptionSplits.

Readers only read: they never log or warn. Anything the caller should tell the user is in
`CaptionSplits.notes` (sentences) and `CaptionSplits.missing` (listed images absent on disk).
Splits are carved from the *listed* images before missing files are dropped, so a partial copy
of a dataset gets the same split assignment as the full one.
"""

from .coco import COCO_YEARS, read_coco
from .common import FRACTION, SEED, CaptionRecord, CaptionSplits
from .flickr8k import (
    FLICKR_CAPTION_FILES,
    FLICKR_IMAGE_DIRS,
    FLICKR_SPLIT_FILES,
    FLICKR_TEXT_DIRS,
    read_flickr8k,
)
from .karpathy import KARPATHY_SPLITS, read_karpathy

__all__ = [
    "COCO_YEARS",
    "FLICKR_CAPTION_FILES",
    "FLICKR_IMAGE_DIRS",
    "FLICKR_SPLIT_FILES",
    "FLICKR_TEXT_DIRS",
    "FRACTION",
    "KARPATHY_SPLITS",
    "SEED",
    "CaptionRecord",
    "CaptionSplits",
    "read_coco",
    "read_flickr8k",
    "read_karpathy",
]
