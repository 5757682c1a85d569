import gzip

import pytest

from native_align.curate.lid import LanguageIdentifier
from native_align.evaluation import lid as eval_lid
from tests.curate.texts import EGYPTIAN, ENGLISH, NEWS, PERSIAN, URDU


def test_evaluate_small_sets_by_hand():
    lines = eval_lid.evaluate(LanguageIdentifier(), {"arb": [NEWS], "fas": [PERSIAN], "urd": [URDU],
                                                     "eng-US": [ENGLISH]}, {"egypt": [EGYPTIAN]})
    got = {(x.dataset, x.lang): (x.value, x.passed) for x in lines}
    assert got[("NTREX", "arb")] == (1.0, True)
    assert got[("NTREX", "fas")] == (0.0, True) and got[("NTREX", "urd")] == (0.0, True)
    assert got[("NTREX", "eng-US")] == (0.0, None)
    assert got[("ArSarcasm-v2", "egypt")] == (1.0, True)
    assert "FAIL" not in eval_lid.render(lines, "h")


def test_paths_are_overridable_and_missing_data_is_reported(tmp_path, capsys):
    ntrex = tmp_path / "n.tsv.gz"
    with gzip.open(ntrex, "wt", encoding="utf-8") as f:
        f.write("lang\tline_no\ttext\narb\t0\t" + NEWS.replace("\n", " ") + "\nfas\t0\t" + PERSIAN + "\n")
    ars = tmp_path / "a.csv.gz"
    with gzip.open(ars, "wt", encoding="utf-8") as f:
        f.write(f'tweet,sarcasm,sentiment,dialect\n"{EGYPTIAN}",FALSE,NEG,egypt\n')
    assert eval_lid.main(["--ntrex", str(ntrex), "--arsarcasm", str(ars)]) == 0
    assert "arb" in capsys.readouterr().out
    assert eval_lid.main(["--ntrex", str(tmp_path / "none.gz"), "--arsarcasm", str(ars)]) == 2


@pytest.mark.shared_data
def test_eval_lid_on_shared_data_meets_goals(shared_data, capsys, monkeypatch):
    monkeypatch.setenv("NATIVE_ALIGN_SHARED_DATA", str(shared_data))
    code = eval_lid.main([])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith(("NTREX", "ArSarcasm"))}
    assert set(eval_lid.CONFUSABLES) <= set(rows) and {"egypt", "gulf", "levant", "magreb", "msa"} <= set(rows)
    assert "PASS" in rows["arb"] and "known hard case" in rows["shi"]
