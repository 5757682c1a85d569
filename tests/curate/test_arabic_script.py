import pytest

from native_align.curate.batch import TextBatch
from native_align.curate.signals import ArabicScript
from tests.curate.texts import MIXED


def test_ratio_by_hand():
    out = ArabicScript().compute(TextBatch([MIXED, "abc", "١٢٣ ...", "كتاب"]))
    # MIXED: 30 Arabic letters, 10 Latin letters ("hello world"); digits and punctuation are not letters.
    assert out["arabic_script_ratio"].tolist() == pytest.approx([30 / 40, 0.0, 0.0, 1.0])
