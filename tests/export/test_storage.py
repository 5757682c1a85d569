"""Locations for files outside Delta: scheme mapping, local paths and URIs, and an fsspec store (memory://)."""

from __future__ import annotations

import os

from native_align import storage


def test_hadoop_schemes_map_to_python_filesystems():
    assert storage.canonical("s3a://bucket/a/b") == "s3://bucket/a/b"
    assert storage.canonical("s3n://bucket/a") == "s3://bucket/a"
    assert storage.canonical("gcs://bucket/a") == "gs://bucket/a"
    assert storage.canonical("dbfs:/Volumes/main/na/export/x") == "/Volumes/main/na/export/x"
    assert storage.canonical("dbfs:/tmp/x") == "/dbfs/tmp/x"
    assert storage.canonical("file:///tmp/a/b") == "/tmp/a/b"
    fs, path = storage.resolve("abfss://cont@acct.dfs.core.windows.net/out/mix")
    assert type(fs).__name__ == "AzureFileSystem" and path == "cont/out/mix"
    fs, path = storage.resolve("gs://bucket/out/mix")
    assert type(fs).__name__ == "GcsFileSystem" and path == "bucket/out/mix"


def test_local_paths_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert storage.absolute("work/export") == str(tmp_path / "work" / "export")
    assert storage.absolute("s3a://b/k") == "s3a://b/k"          # URIs go to the executors as given
    storage.makedirs("work/export")
    storage.write_bytes(storage.join("work/export", "a.bin"), b"\x00\x01", atomic=True)
    assert (tmp_path / "work" / "export" / "a.bin").read_bytes() == b"\x00\x01"
    assert storage.list_files((tmp_path / "work" / "export").as_uri()) == ["a.bin"]   # no .tmp left behind
    assert storage.size("work/export/a.bin") == 2


def test_every_helper_on_an_fsspec_store():
    root = f"memory://na-test-{os.getpid()}/out"
    storage.makedirs(root)
    assert storage.list_files(root) == [] and not storage.exists(storage.join(root, "x.gz"))
    with storage.open_output(storage.join(root, "x.gz")) as fh:
        fh.write(b"not gzip: written as given")                  # no compression chosen from the extension
    assert storage.read_bytes(storage.join(root, "x.gz")) == b"not gzip: written as given"
    assert storage.list_files(root) == ["x.gz"] and storage.exists(storage.join(root, "x.gz"))
    assert storage.remove(storage.join(root, "x.gz")) and not storage.remove(storage.join(root, "x.gz"))
    assert storage.list_files(storage.join(root, "missing")) == []
