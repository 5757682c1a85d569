"""Quality-signal families, one a module; each is a config section whose fields are its thresholds."""

from native_align.curate.signals.arabic_script import ArabicScript
from native_align.curate.signals.base import Rule, SignalFamily
from native_align.curate.signals.c4 import C4Quality
from native_align.curate.signals.fineweb import FineWebQuality
from native_align.curate.signals.gopher_quality import GopherQuality
from native_align.curate.signals.gopher_repetition import GopherRepetition
from native_align.curate.signals.lexicon import Lexicon

__all__ = ["ArabicScript", "C4Quality", "FineWebQuality", "GopherQuality", "GopherRepetition", "Lexicon", "Rule",
           "SignalFamily"]
