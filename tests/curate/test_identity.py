"""The rewritten curate kernel gives the old kernel's signals, decisions and reasons, column by column.

The old kernel is read from git (tests/curate/identity.py); a clone without that commit skips, as does a machine
without SaudiNewsNet for the corpus slice.
"""

from __future__ import annotations

import pytest

from tests.curate import identity
from tests.curate.texts import EGYPTIAN, ENGLISH, MIXED, NEWS, PERSIAN, REPEATED, URDU

pytestmark = pytest.mark.skipif(not identity.git_available(), reason="the old kernel's commit is not in this clone")

# Texts where a shared array could go wrong: empty and missing texts, whitespace only, characters NFKC changes
# (no-break space, ligatures, presentation forms), tatweel runs, the private-use separator the batch joins on,
# emoji, Arabic-Indic digits, lines that repeat, Persian / Urdu letters, very long lines.
HARD = [
    None, "", "   ", "\n\n\n", "\xa0\xa0", NEWS, ENGLISH, PERSIAN, URDU, EGYPTIAN, MIXED, REPEATED,
    "ﻻ ﷲ ﻹ " + NEWS, "ـــــــ" + NEWS.replace(" ", " ـ "), NEWS + "\ue000" + NEWS, "😀😀😀 " * 40 + NEWS,
    "٣٤٥٦ ١٢ " + NEWS, "\n".join([NEWS.split("\n")[0]] * 12), (NEWS + " ") * 30, "a\tb\rc\x0bd\x0ce",
    " " + NEWS + " ", "ﺍﻟﻌﺮﺑﻴﺔ " * 30,
]


def test_hard_texts_score_as_with_the_old_kernel():
    diff, stats = identity.compare(identity.as_table(HARD * 3), batch_size=16)
    assert not diff, diff
    assert stats["kept_new"] == stats["kept_old"]


@pytest.mark.shared_data
def test_a_saudinewsnet_slice_scores_as_with_the_old_kernel():
    table = identity.load_saudinewsnet(limit=1500)
    if table is None:
        pytest.skip("SaudiNewsNet is not in ../shared/data")
    diff, stats = identity.compare(table, batch_size=500)
    assert not diff, diff
    assert stats["kept_new"] == stats["kept_old"] > 1000
