"""Open a data file as a byte stream inside a Spark task, without the JVM and without reading it whole.

Why not ``binaryFile``: it loads each file into one JVM byte array and one Arrow cell (a 1 GB WARC is 1 GB per
task, twice, and Spark refuses files over 2 GB). A Python task has no access to Hadoop's FileSystem (that lives in
the JVM, on the driver), so the task opens the file itself:

- local paths and ``file:`` URIs: Python's ``open`` (Spark local mode, shared mounts, Databricks ``/dbfs``);
- ``dbfs:/x``: the FUSE mount ``/dbfs/x`` every Databricks node has;
- anything else with pyarrow's filesystems (``s3://``, ``gs://``, ``hdfs://``, ``abfs[s]://``; Hadoop's ``s3a://``
  and ``s3n://`` are read as ``s3://``), then fsspec if installed (its protocols, e.g. ``memory://`` in tests).

Credentials come from the executor's environment (instance profile, AWS_* / GOOGLE_* variables, Azure env), not
from ``spark.hadoop.fs.*`` settings, which only the JVM sees. Nothing is decompressed here: the WARC reader tells
gzip by its magic bytes.
"""

from __future__ import annotations

from typing import BinaryIO
from urllib.parse import unquote, urlsplit

_HADOOP_ALIASES = {"s3a": "s3", "s3n": "s3"}


def local_path(uri: str) -> str | None:
    """The local filesystem path of ``uri``, or None when it lives elsewhere."""
    parts = urlsplit(uri)
    if not parts.scheme or len(parts.scheme) == 1:  # "/x", "x", "C:\\x"
        return uri
    if parts.scheme == "file":
        return unquote(parts.path)
    if parts.scheme == "dbfs":
        return "/dbfs" + unquote(parts.path)
    return None


def open_stream(uri: str) -> BinaryIO:
    """A readable binary stream over ``uri`` (see the module docstring for which schemes go where)."""
    path = local_path(uri)
    if path is not None:
        return open(path, "rb")
    parts = urlsplit(uri)
    scheme = _HADOOP_ALIASES.get(parts.scheme, parts.scheme)
    target = uri if scheme == parts.scheme else scheme + uri[len(parts.scheme):]
    errors = []
    try:
        from pyarrow import fs as pafs

        filesystem, inner = pafs.FileSystem.from_uri(target)
        return filesystem.open_input_stream(inner, compression=None)
    except Exception as exc:  # noqa: BLE001 - unknown scheme, missing credentials: try fsspec, then report both
        errors.append(f"pyarrow: {type(exc).__name__}: {exc}")
    try:
        import fsspec

        return fsspec.open(target, "rb", compression=None).open()
    except ImportError:
        errors.append("fsspec: not installed")
    except Exception as exc:  # noqa: BLE001
        errors.append(f"fsspec: {type(exc).__name__}: {exc}")
    raise OSError(f"cannot open {uri}: " + "; ".join(errors))
