"""The storage helpers tables, rewrite staging and training use: Spark locations, trees, and copies between stores."""

from __future__ import annotations

import os

from native_align import storage


def test_spark_locations_keep_uris_and_resolve_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert storage.spark_location("work/tables") == str(tmp_path / "work" / "tables")
    assert storage.spark_location("s3a://b/na/") == "s3a://b/na"
    assert storage.spark_location("dbfs:/Volumes/main/na/staging") == "dbfs:/Volumes/main/na/staging"  # not /dbfs
    assert storage.spark_location("file:///data/t") == storage.spark_location("file:/data/t/") == "file:/data/t"
    assert storage.is_local("file:///x") and storage.is_local("rel") and not storage.is_local("abfss://c@a/p")


def test_trees_on_a_local_uri_and_an_fsspec_store(tmp_path):
    src = (tmp_path / "src").as_uri()
    storage.write_text(storage.join(src, "a", "b.txt"), "b")
    storage.write_text(storage.join(src, "c.txt"), "c")
    assert storage.walk_files(src) == ["a/b.txt", "c.txt"] and storage.walk_files(src + "/missing") == []

    remote = f"memory://na-tree-{os.getpid()}/up"
    storage.copy_tree(src, remote)
    assert storage.walk_files(remote) == ["a/b.txt", "c.txt"] and storage.read_text(remote + "/a/b.txt") == "b"
    storage.copy_tree(remote, tmp_path / "down")
    storage.copy_file(storage.join(remote, "c.txt"), tmp_path / "one" / "deep" / "c.txt")
    assert (tmp_path / "down" / "a" / "b.txt").read_text() == "b"
    assert (tmp_path / "one" / "deep" / "c.txt").read_text() == "c"

    assert storage.remove_tree(src) and not storage.remove_tree(src) and not (tmp_path / "src").exists()
