"""Files outside Delta (the export's shards and manifest) at any location the cluster can write, from Python.

Spark names storage with Hadoop schemes (``s3a://``, ``abfss://``, ``dbfs:/``), but the export's shards are written
by Python code on the executors, which sees none of Hadoop's filesystems. So a location is a path or URI resolved
here, in one place, to a ``pyarrow.fs`` filesystem (or an ``fsspec`` one for schemes pyarrow lacks):

| given | written through |
|---|---|
| ``/abs/path``, ``rel/path``, ``file:///abs/path`` | pyarrow ``LocalFileSystem`` (relative: see :func:`absolute`) |
| ``s3://b/k``, ``s3a://b/k``, ``s3n://b/k`` | pyarrow ``S3FileSystem`` (as ``s3://``) |
| ``gs://b/k``, ``gcs://b/k`` | pyarrow ``GcsFileSystem`` |
| ``abfss://c@acct.dfs.core.windows.net/p``, ``abfs://...`` | pyarrow ``AzureFileSystem`` |
| ``hdfs://nn:8020/p`` | pyarrow ``HadoopFileSystem`` (needs libhdfs / a JVM on the node) |
| ``dbfs:/Volumes/c/s/v/p`` | the ``/Volumes/c/s/v/p`` FUSE mount of Databricks (local filesystem) |
| ``dbfs:/other/p`` | the ``/dbfs/other/p`` FUSE mount (classic clusters only) |
| any other ``scheme://`` | ``fsspec`` (e.g. ``memory://``, or ``az://`` with adlfs installed) |

Credentials are read by each process from its environment (AWS default chain / instance profile,
``GOOGLE_APPLICATION_CREDENTIALS``, Azure environment or managed identity), never from the Spark or Hadoop conf:
set them with ``spark.executorEnv.*`` where the cluster has no instance identity. Filesystems are cached per
process (resolving an S3 bucket's region is a network call).
"""

from __future__ import annotations

import os
import posixpath
from typing import Any

import pyarrow.fs as pafs

# Hadoop scheme -> the scheme pyarrow (or fsspec) knows for the same store.
SCHEME_ALIASES = {"s3a": "s3", "s3n": "s3", "gcs": "gs", "abfs": "abfs", "abfss": "abfss"}
_ARROW_SCHEMES = ("s3", "gs", "abfs", "abfss", "hdfs")
_FS_CACHE: dict[str, Any] = {}


def _split_scheme(uri: str) -> tuple[str, str]:
    """('scheme', rest) of a URI, ('', uri) of a plain path (a Windows drive letter is not a scheme)."""
    head, sep, rest = uri.partition(":")
    if sep and len(head) > 1 and head.replace("+", "").replace("-", "").replace(".", "").isalnum():
        return head.lower(), rest
    return "", uri


def local_path(uri: str) -> str | None:
    """The local (or FUSE-mounted) path a location names, or None when it is remote."""
    scheme, rest = _split_scheme(str(uri))
    if scheme == "":
        return os.path.abspath(os.path.expanduser(rest))
    if scheme == "file":  # file:///abs, file:/abs (a file URI names an absolute path)
        return "/" + rest.lstrip("/")
    if scheme == "dbfs":
        path = "/" + rest.lstrip("/")
        return path if path.startswith("/Volumes/") else "/dbfs" + path
    return None


def absolute(uri: str | os.PathLike) -> str:
    """The location as the executors must receive it: local paths made absolute (on the driver), URIs as given.

    A relative path would otherwise be taken from each executor's working directory.
    """
    uri = os.fspath(uri)
    local = local_path(uri)
    return local if local is not None else uri


def canonical(uri: str | os.PathLike) -> str:
    """The location as pyarrow / fsspec take it: local and FUSE paths absolute, Hadoop schemes mapped
    (``s3a://b/k`` -> ``s3://b/k``), other URIs as given."""
    uri = os.fspath(uri)
    local = local_path(uri)
    if local is not None:
        return local
    scheme, rest = _split_scheme(uri)
    return f"{SCHEME_ALIASES.get(scheme, scheme)}:{rest}"


def resolve(uri: str | os.PathLike) -> tuple[Any, str]:
    """(pyarrow filesystem, path inside it) for a location; filesystems cached per process and store."""
    mapped = canonical(uri)
    scheme, rest = _split_scheme(mapped)
    if scheme == "":
        if "file" not in _FS_CACHE:
            _FS_CACHE["file"] = pafs.LocalFileSystem()
        return _FS_CACHE["file"], mapped
    authority, _, path = rest.lstrip("/").partition("/")
    key = f"{scheme}://{authority}"
    if scheme in _ARROW_SCHEMES:
        if key not in _FS_CACHE:
            _FS_CACHE[key] = pafs.FileSystem.from_uri(mapped)[0]
        if scheme == "hdfs":
            return _FS_CACHE[key], "/" + path
        bucket = authority.split("@", 1)[0]  # abfss://container@account.dfs.core.windows.net -> container
        return _FS_CACHE[key], posixpath.join(bucket, path) if path else bucket
    if key not in _FS_CACHE:
        import fsspec.core

        _FS_CACHE[key] = pafs.PyFileSystem(pafs.FSSpecHandler(fsspec.core.url_to_fs(mapped)[0]))
    fs = _FS_CACHE[key]
    return fs, fs.handler.fs._strip_protocol(mapped)


def join(base: str | os.PathLike, *names: str) -> str:
    """``base/name/...`` for a path or a URI (always ``/``)."""
    out = os.fspath(base).rstrip("/")
    for name in names:
        out = f"{out}/{name.strip('/')}"
    return out


def makedirs(uri: str | os.PathLike) -> None:
    """Create a folder and its parents (object stores have none: a no-op there)."""
    fs, path = resolve(uri)
    fs.create_dir(path, recursive=True)


def exists(uri: str | os.PathLike) -> bool:
    fs, path = resolve(uri)
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def remove(uri: str | os.PathLike) -> bool:
    """Delete one file; False when it was not there."""
    fs, path = resolve(uri)
    if fs.get_file_info(path).type == pafs.FileType.NotFound:
        return False
    fs.delete_file(path)
    return True


def list_files(uri: str | os.PathLike) -> list[str]:
    """Names of the files directly in a folder, sorted ([] when the folder does not exist)."""
    fs, path = resolve(uri)
    if fs.get_file_info(path).type == pafs.FileType.NotFound:
        return []
    infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=False))
    return sorted(posixpath.basename(i.path) for i in infos if i.type == pafs.FileType.File)


def size(uri: str | os.PathLike) -> int:
    fs, path = resolve(uri)
    return int(fs.get_file_info(path).size)


def open_output(uri: str | os.PathLike):
    """A binary, sequential output stream (truncates). No compression by file extension: bytes go as written."""
    fs, path = resolve(uri)
    return fs.open_output_stream(path, compression=None)


def open_input(uri: str | os.PathLike):
    """A binary, seekable input file (what pyarrow.parquet and gzip need)."""
    fs, path = resolve(uri)
    return fs.open_input_file(path)


def read_bytes(uri: str | os.PathLike) -> bytes:
    with open_input(uri) as fh:
        return fh.read()


def write_bytes(uri: str | os.PathLike, data: bytes, atomic: bool = False) -> None:
    """Write a whole file; ``atomic`` writes ``<name>.tmp`` then moves it, so readers never see half a file."""
    if not atomic:
        with open_output(uri) as fh:
            fh.write(data)
        return
    tmp = os.fspath(uri) + ".tmp"
    with open_output(tmp) as fh:
        fh.write(data)
    fs, src = resolve(tmp)
    _, dst = resolve(uri)
    fs.move(src, dst)


# -- additions for Spark locations, folders and trees (tables, rewrite staging, pairs, worker folders) ----------------
def spark_location(uri: str | os.PathLike) -> str:
    """The location as Spark / Hadoop take it: a plain path made absolute against the driver's cwd (what local
    mode always did), ``file:///abs`` as Hadoop qualifies it (``file:/abs``), any other URI (``s3a:``, ``abfss:``,
    ``dbfs:``) as given, without a trailing ``/``.

    Unlike :func:`absolute`, ``dbfs:`` stays a Hadoop URI: Spark on Databricks reads it natively, and the
    ``/dbfs`` FUSE path would name ``dbfs:/dbfs/...`` there.
    """
    uri = os.fspath(uri)
    scheme, _ = _split_scheme(uri)
    if scheme == "":
        return os.path.abspath(os.path.expanduser(uri))
    if scheme == "file":  # Hadoop's own form, file:/abs: Delta compares locations as strings once qualified
        return "file:" + (local_path(uri).rstrip("/") or "/")
    return uri.rstrip("/") or uri


def is_local(uri: str | os.PathLike) -> bool:
    """True when the location is a path on this machine (plain, ``file:`` or a Databricks FUSE mount)."""
    return local_path(os.fspath(uri)) is not None


def walk_files(uri: str | os.PathLike) -> list[str]:
    """Paths of every file under a folder, relative to it, sorted ([] when the folder does not exist)."""
    fs, path = resolve(uri)
    if fs.get_file_info(path).type != pafs.FileType.Directory:
        return []
    infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=True))
    root = path.rstrip("/") + "/"
    return sorted(i.path[len(root):] if i.path.startswith(root) else posixpath.basename(i.path)
                  for i in infos if i.type == pafs.FileType.File)


def remove_tree(uri: str | os.PathLike) -> bool:
    """Delete a folder and everything under it; False when it was not there."""
    fs, path = resolve(uri)
    if fs.get_file_info(path).type == pafs.FileType.NotFound:
        return False
    fs.delete_dir(path)
    return True


def write_text(uri: str | os.PathLike, text: str, atomic: bool = False) -> None:
    """UTF-8 text as a whole file; on a local disk its folder is created first (object stores have none)."""
    local = local_path(os.fspath(uri))
    if local is not None:
        os.makedirs(os.path.dirname(local), exist_ok=True)
    write_bytes(uri, text.encode("utf-8"), atomic=atomic)


def read_text(uri: str | os.PathLike) -> str:
    return read_bytes(uri).decode("utf-8")


def copy_tree(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy a folder (recursively) between any two locations: a trained worker up to object storage, a checkpoint
    back down to a local disk."""
    src_fs, src_path = resolve(src)
    dst_fs, dst_path = resolve(dst)
    dst_fs.create_dir(dst_path, recursive=True)
    pafs.copy_files(src_path, dst_path, source_filesystem=src_fs, destination_filesystem=dst_fs)


def copy_file(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy one file between any two locations, streamed (model weights do not pass through memory whole)."""
    src_fs, src_path = resolve(src)
    dst_fs, dst_path = resolve(dst)
    local = local_path(os.fspath(dst))
    if local is not None:
        os.makedirs(os.path.dirname(local), exist_ok=True)
    pafs.copy_files(src_path, dst_path, source_filesystem=src_fs, destination_filesystem=dst_fs)
