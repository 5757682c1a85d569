"""Where a source's files are: resolve ``package://``, list a file / folder / glob, and tell each file's format.

Listing goes through Hadoop's FileSystem (the one Spark reads with), so local paths, ``s3a://``, ``abfss://`` and
``dbfs:`` behave the same, and file URIs match what Spark reports in ``_metadata.file_path``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from importlib import resources

from pyspark.sql import SparkSession

PACKAGE_SCHEME = "package://"
_GLOB = re.compile(r"[*?\[{]")

# extension (lower case, longest first) -> (format, compression)
_EXTENSIONS: list[tuple[str, tuple[str, str | None]]] = sorted([
    (".jsonl", ("jsonl", None)), (".json", ("jsonl", None)), (".ndjson", ("jsonl", None)),
    (".jsonl.gz", ("jsonl", "gz")), (".json.gz", ("jsonl", "gz")), (".ndjson.gz", ("jsonl", "gz")),
    (".jsonl.zst", ("jsonl", "zst")), (".json.zst", ("jsonl", "zst")), (".ndjson.zst", ("jsonl", "zst")),
    (".parquet", ("parquet", None)),
    (".csv", ("csv", None)), (".csv.gz", ("csv", "gz")),
    (".txt", ("text", None)),
    # Web archives: one reader for both (a WET file is a WARC of `conversion` records); gzip told by magic bytes.
    (".warc", ("warc", None)), (".warc.gz", ("warc", "gz")),
    (".wet", ("wet", None)), (".wet.gz", ("wet", "gz")),
], key=lambda kv: -len(kv[0]))


class IngestError(ValueError):
    """A source cannot be read as configured (a path that does not exist, a missing column, ...)."""


@dataclass(frozen=True)
class SourceFile:
    uri: str        # as Spark reports it in _metadata.file_path (percent-encoded)
    path: str       # what Spark's readers are given (Hadoop Path string, not encoded)
    rel_path: str   # relative to the source root, decoded: part of doc_id, so it must not depend on the mount
    size: int
    format: str | None       # jsonl | parquet | csv | text | warc | wet, None = unsupported
    compression: str | None  # gz | zst | None


def resolve_path(path: str) -> str:
    """``package://sample`` -> the packaged folder native_align/data/sample, ``package://web_sample/*.gz`` -> a glob
    inside it; other paths unchanged."""
    if not path.startswith(PACKAGE_SCHEME):
        return path
    name = path[len(PACKAGE_SCHEME):].strip("/")
    folder_name = name.split("/", 1)[0]
    folder = resources.files("native_align") / "data" / folder_name
    if not folder_name or not folder.is_dir():
        raise IngestError(f"{path}: no packaged data folder native_align/data/{folder_name}")
    return str(resources.files("native_align") / "data" / name)


def detect_format(rel_path: str, declared: str = "auto") -> tuple[str | None, str | None]:
    """(format, compression) of one file; a declared format wins but the compression still comes from the name."""
    lower = rel_path.lower()
    for ext, (fmt, comp) in _EXTENSIONS:
        if lower.endswith(ext):
            return (fmt if declared == "auto" else declared), comp
    if declared != "auto":
        comp = "gz" if lower.endswith(".gz") else "zst" if lower.endswith(".zst") else None
        return declared, comp
    return None, None


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("_")


def list_files(spark: SparkSession, path: str, declared: str = "auto") -> list[SourceFile]:
    """Every data file of a source, sorted by relative path. Raises IngestError when nothing matches."""
    jvm = spark._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark._jsc.hadoopConfiguration())
    statuses = []
    if _GLOB.search(path):
        prefix = path[:_GLOB.search(path).start()]
        root = fs.makeQualified(jvm.org.apache.hadoop.fs.Path(prefix if prefix.endswith("/") else
                                                                   posixpath.dirname(prefix) or "/"))
        statuses = list(fs.globStatus(hpath) or [])
    else:
        if not fs.exists(hpath):
            raise IngestError(f"source path does not exist: {path}")
        status = fs.getFileStatus(hpath)
        root = fs.makeQualified(hpath if status.isDirectory() else hpath.getParent())
        statuses = [status]
    files: list[SourceFile] = []
    # Compare decoded path components, not URI strings ("file:/x" and "file:///x" are the same folder).
    root_dir = root.toUri().getPath().rstrip("/") + "/"
    for status in statuses:
        if status.isDirectory():
            it = fs.listFiles(status.getPath(), True)
            while it.hasNext():
                sf = _source_file(it.next(), root_dir, declared)
                if not any(_hidden(part) for part in sf.rel_path.split("/")):
                    files.append(sf)
        elif not _hidden(status.getPath().getName()):
            files.append(_source_file(status, root_dir, declared))
    if not files:
        raise IngestError(f"source path matches no files: {path}")
    return sorted(files, key=lambda f: f.rel_path)


def _spark_uri(hpath) -> str:
    """The file's URI as Spark writes it in ``_metadata.file_path`` (``new Path(path.toString).toUri``)."""
    from pyspark import SparkContext

    jvm = SparkContext._jvm
    return jvm.org.apache.hadoop.fs.Path(hpath.toString()).toUri().toString()


def _source_file(status, root_dir: str, declared: str) -> SourceFile:
    # Spark reports Path(str).toUri(): "file:/x"; a listed status can say "file:///x". Re-parse to match Spark.
    uri = _spark_uri(status.getPath())
    path = status.getPath().toUri().getPath()
    rel = path[len(root_dir):] if path.startswith(root_dir) else status.getPath().getName()
    fmt, comp = detect_format(rel, declared)
    return SourceFile(uri=uri, path=status.getPath().toString(), rel_path=rel, size=int(status.getLen()),
                      format=fmt, compression=comp)
