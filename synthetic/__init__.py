"""Synthetic landing-zone generator (``journey generate``).

See ``README.md`` beside this file for the world model, the rates and every quirk and
broken record that is injected.
"""

from .config import SCALES, WINDOW_END, WINDOW_START
from .generate import default_ad_platforms, generate
from .output import BrokenRecord
from .summary import GenerationSummary

__all__ = [
    "SCALES",
    "WINDOW_END",
    "WINDOW_START",
    "BrokenRecord",
    "GenerationSummary",
    "default_ad_platforms",
    "generate",
]
