from __future__ import annotations

import pytest

from native_align.ingest.sources import IngestError, detect_format, list_files, resolve_path


@pytest.mark.parametrize("name, declared, expected", [
    ("a/b.jsonl", "auto", ("jsonl", None)),
    ("x.JSON.GZ", "auto", ("jsonl", "gz")),
    ("x.ndjson.zst", "auto", ("jsonl", "zst")),
    ("x.parquet", "auto", ("parquet", None)),
    ("x.csv.gz", "auto", ("csv", "gz")),
    ("pages/p.txt", "auto", ("text", None)),
    ("README.md", "auto", (None, None)),
    ("dump.data.gz", "jsonl", ("jsonl", "gz")),
    ("x.txt", "jsonl", ("jsonl", None)),
])
def test_detect_format(name, declared, expected):
    assert detect_format(name, declared) == expected


def test_package_sample_resolves_to_the_packaged_folder():
    folder = resolve_path("package://sample")
    assert folder.replace("\\", "/").endswith("native_align/data/sample")
    with pytest.raises(IngestError, match="no packaged data folder"):
        resolve_path("package://nope")
    assert resolve_path("/data/x.jsonl") == "/data/x.jsonl"


def test_list_files_folder_glob_and_file(spark, tmp_path):
    root = tmp_path / "corpus"
    (root / "sub dir").mkdir(parents=True)
    (root / "a.jsonl").write_text("{}\n")
    (root / "sub dir" / "b ش.csv").write_text("text\nx\n")
    (root / "_SUCCESS").write_text("")
    (root / ".a.jsonl.crc").write_text("")
    (root / "notes.md").write_text("x")

    files = list_files(spark, str(root))
    assert [f.rel_path for f in files] == ["a.jsonl", "notes.md", "sub dir/b ش.csv"]
    assert [f.format for f in files] == ["jsonl", None, "csv"]
    # URIs match what Spark reports in _metadata.file_path (percent-encoded spaces), paths are readable
    assert files[2].uri.startswith("file:") and "%20" in files[2].uri and " " in files[2].path

    globbed = list_files(spark, str(root / "*" / "*.csv"))
    assert [f.rel_path for f in globbed] == ["sub dir/b ش.csv"]
    single = list_files(spark, str(root / "a.jsonl"))
    assert [f.rel_path for f in single] == ["a.jsonl"]


def test_missing_path_is_a_clear_error(spark, tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        list_files(spark, str(tmp_path / "nope"))
    with pytest.raises(IngestError, match="matches no files"):
        list_files(spark, str(tmp_path / "*.jsonl"))
