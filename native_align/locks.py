"""One writer per table: a lock file per table, taken by ``pipeline.run_stage`` for every table a stage writes.

Why a lock when Delta already refuses conflicting commits: Delta refuses the second commit only at its end, after
the work, with a raw ``ConcurrentAppendException`` traceback; the lock refuses the second run before it starts and
says who holds the table. Delta's own conflict exceptions (a run with ``--force``, a writer that takes no lock) are
phrased the same way by :func:`conflict`.

Where: ``<tables.root>/_locks/<table>.lock`` (``tables.staging_root`` in catalog mode, which has no root folder),
a small JSON file: run id, stage, host, pid (and the pid's start time, against pid reuse), start time, heartbeat.
A local path (or ``file:`` URI) is created with ``O_CREAT | O_EXCL``; any other URI through Hadoop's FileSystem in
the JVM (``create(path, overwrite=false)``, atomic on HDFS, ABFS and GCS; on S3 only where the store supports
conditional writes).

A lock is stale, and taken over with a warning, when its process is gone (same host: the pid is dead or is another
process) or its heartbeat is older than ``NATIVE_ALIGN_LOCK_STALE_S`` seconds (default 900; the holder rewrites the
file every 60 s). ``--force`` takes any lock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Iterator

from native_align import storage

log = logging.getLogger("native_align.locks")

LOCK_DIR = "_locks"
STALE_ENV = "NATIVE_ALIGN_LOCK_STALE_S"
DEFAULT_STALE_S = 900.0
HEARTBEAT_S = 60.0


class RunConflict(RuntimeError):
    """Another run writes (or wrote, at the same time) a table this run writes; the CLI exits 3."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def stale_after_s() -> float:
    return float(os.environ.get(STALE_ENV, DEFAULT_STALE_S))


def _pid_started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid from the holder."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pid_alive(pid: int, started: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now_started = _pid_started(pid)
    return started is None or now_started is None or now_started == started


@dataclass
class LockInfo:
    table: str
    stage: str
    run_id: str
    host: str
    pid: int
    started_at: str
    heartbeat_at: str
    pid_started: str | None = None

    @classmethod
    def mine(cls, table: str, stage: str, run_id: str) -> "LockInfo":
        now = _now().isoformat(timespec="seconds")
        return cls(table, stage, run_id, socket.gethostname(), os.getpid(), now, now, _pid_started(os.getpid()))

    @classmethod
    def parse(cls, text: str) -> "LockInfo | None":
        try:
            data = json.loads(text)
            return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return None

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def since(self) -> str:
        try:
            t = dt.datetime.fromisoformat(self.started_at)
        except (TypeError, ValueError):
            return "?"
        day = "" if t.date() == _now().date() else t.strftime("%Y-%m-%d ")
        return f"{day}{t:%H:%M} UTC"

    def stale_reason(self) -> str | None:
        """Why this lock no longer protects anything (its process is gone, no heartbeat), else None."""
        if self.host == socket.gethostname() and isinstance(self.pid, int):
            if not pid_alive(self.pid, self.pid_started):
                return f"process {self.pid} on {self.host} is gone"
            return None
        try:
            age = (_now() - dt.datetime.fromisoformat(self.heartbeat_at)).total_seconds()
        except (TypeError, ValueError):
            return "the lock file is unreadable"
        if age > stale_after_s():
            return f"no heartbeat for {age:.0f}s (> {STALE_ENV}={stale_after_s():.0f})"
        return None


class LockHeld(RunConflict):
    def __init__(self, stage: str, holder: LockInfo):
        self.holder = holder
        super().__init__(
            f"another {holder.stage} run is writing `{holder.table}` since {holder.since()}, run id "
            f"{holder.run_id} (pid {holder.pid} on {holder.host}); wait for it to finish, or pass --force if it "
            f"is dead (this {stage} run did not start)")


# -- files: local (O_EXCL) or Hadoop's FileSystem in the JVM --------------------------------------------------------
class LocalFiles:
    def create(self, path: str, text: str) -> bool:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return True

    def read(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def replace(self, path: str, text: str) -> None:
        tmp = f"{path}.{uuid.uuid4().hex[:8]}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)

    def rename(self, src: str, dst: str) -> bool:
        try:
            os.rename(src, dst)
            return True
        except FileNotFoundError:
            return False

    def delete(self, path: str) -> None:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass

    def listdir(self, folder: str) -> list[str]:
        try:
            return sorted(os.listdir(folder))
        except FileNotFoundError:
            return []


class HadoopFiles:
    """The same operations through the JVM's Hadoop FileSystem (object stores, HDFS, dbfs:)."""

    def __init__(self, spark):
        self.jvm = spark._jvm
        self.conf = spark._jsc.hadoopConfiguration()

    def _fs(self, path: str):
        p = self.jvm.org.apache.hadoop.fs.Path(path)
        return p, p.getFileSystem(self.conf)

    def create(self, path: str, text: str) -> bool:
        p, fs = self._fs(path)
        try:
            out = fs.create(p, False)
        except Exception as exc:  # noqa: BLE001 - FileAlreadyExistsException (or the store's equivalent)
            if "exist" in str(exc).lower():
                return False
            raise
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()
        return True

    def read(self, path: str) -> str | None:
        p, fs = self._fs(path)
        if not fs.exists(p):
            return None
        stream = fs.open(p)
        try:
            return bytes(stream.readAllBytes()).decode("utf-8")
        finally:
            stream.close()

    def replace(self, path: str, text: str) -> None:
        p, fs = self._fs(path)
        out = fs.create(p, True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def rename(self, src: str, dst: str) -> bool:
        p, fs = self._fs(src)
        return bool(fs.rename(p, self.jvm.org.apache.hadoop.fs.Path(dst)))

    def delete(self, path: str) -> None:
        p, fs = self._fs(path)
        fs.delete(p, False)

    def listdir(self, folder: str) -> list[str]:
        p, fs = self._fs(folder)
        if not fs.exists(p):
            return []
        names = (str(s.getPath().getName()) for s in fs.listStatus(p))
        return sorted(n for n in names if not n.startswith("."))  # Hadoop's local FS keeps .<name>.crc files


def lock_folder(cfg) -> str:
    """Where the lock files of a TablesConfig live (see the module docstring)."""
    base = cfg.root if cfg.mode == "path" else cfg.staging_root
    return storage.join(storage.spark_location(base), LOCK_DIR)


def files_for(tables, folder: str):
    local = storage.local_path(folder)
    return (LocalFiles(), local) if local is not None else (HadoopFiles(tables.spark), folder)


# -- one lock -------------------------------------------------------------------------------------------------------
class TableLock:
    """The lock of one table for one run; :meth:`acquire`, then :meth:`release` (a heartbeat runs in between)."""

    def __init__(self, tables, table: str, stage: str, run_id: str, files=None, folder: str | None = None):
        self.files, folder = (files, folder) if files is not None else files_for(tables, lock_folder(tables.cfg))
        self.path = storage.join(folder, f"{table}.lock")
        self.info = LockInfo.mine(table, stage, run_id)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def holder(self) -> LockInfo | None:
        text = self.files.read(self.path)
        return LockInfo.parse(text) if text is not None else None

    def acquire(self, force: bool = False) -> None:
        for _ in range(5):
            if self.files.create(self.path, self.info.dumps()):
                self._start_heartbeat()
                return
            held = self.holder()
            if held is None:
                text = self.files.read(self.path)
                if text is None:
                    continue  # released in between: try again
                held = LockInfo(self.info.table, "?", "?", "?", -1, "", "")  # unreadable: stale by heartbeat
            if held.run_id == self.info.run_id and held.pid == self.info.pid and held.host == self.info.host:
                raise RuntimeError(f"{self.path}: this run already holds the lock")
            reason = "--force" if force else held.stale_reason()
            if reason is None:
                raise LockHeld(self.info.stage, held)
            log.warning("taking over the lock on `%s` of %s run %s (%s)", self.info.table, held.stage, held.run_id,
                        reason)
            aside = f"{self.path}.stale-{uuid.uuid4().hex[:8]}"
            if self.files.rename(self.path, aside):
                self.files.delete(aside)
        holder = self.holder()
        raise LockHeld(self.info.stage, holder or self.info)

    def _start_heartbeat(self) -> None:
        self._beat = threading.Thread(target=self._heartbeat, name=f"lock-{self.info.table}", daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        every = min(HEARTBEAT_S, stale_after_s() / 4)
        while not self._stop.wait(every):
            held = self.holder()
            if held is None or held.run_id != self.info.run_id or held.pid != self.info.pid:
                log.warning("the lock on `%s` was taken over by another run", self.info.table)
                return
            self.info.heartbeat_at = _now().isoformat(timespec="seconds")
            try:
                self.files.replace(self.path, self.info.dumps())
            except Exception as exc:  # noqa: BLE001 - a missed heartbeat only makes the lock look older
                log.warning("lock heartbeat on `%s` failed: %s", self.info.table, exc)

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        held = self.holder()
        if held is not None and held.run_id == self.info.run_id and held.pid == self.info.pid:
            self.files.delete(self.path)


@contextmanager
def hold(tables, stage: str, names: tuple[str, ...] | list[str], run_id: str,
         force: bool = False) -> Iterator[list[TableLock]]:
    """Every table of ``names`` locked for this run (in name order, so two stages never wait on each other)."""
    taken: list[TableLock] = []
    try:
        for name in sorted(set(names)):
            lock = TableLock(tables, name, stage, run_id)
            lock.acquire(force)
            taken.append(lock)
        yield taken
    finally:
        for lock in reversed(taken):
            lock.release()


def precheck(cfg, stage: str, names: tuple[str, ...] | list[str], force: bool = False) -> LockHeld | None:
    """Before Spark starts: the first live lock on one of ``names`` (local lock folders only; a URI is checked
    when the stage takes its locks)."""
    folder = storage.local_path(lock_folder(cfg))
    if force or folder is None:
        return None
    files = LocalFiles()
    for name in sorted(set(names)):
        info = LockInfo.parse(files.read(storage.join(folder, f"{name}.lock")) or "")
        if info is not None and info.stale_reason() is None:
            return LockHeld(stage, info)
    return None


def held_locks(tables) -> list[tuple[LockInfo, str | None]]:
    """Every lock file under the lock folder with its stale reason (None while it is live)."""
    files, folder = files_for(tables, lock_folder(tables.cfg))
    out = []
    for name in files.listdir(folder):
        if not name.endswith(".lock"):
            continue
        text = files.read(storage.join(folder, name))
        info = LockInfo.parse(text or "")
        if info is not None:
            out.append((info, info.stale_reason()))
    return out


# -- Delta's own conflicts, phrased like a held lock ----------------------------------------------------------------
DELTA_CONFLICTS = ("ConcurrentAppendException", "ConcurrentWriteException", "MetadataChangedException",
                   "ProtocolChangedException", "ConcurrentDeleteReadException", "ConcurrentDeleteDeleteException",
                   "ConcurrentTransactionException", "DeltaConcurrentModificationException")
_CONFLICT_TEXT = re.compile(r"\b(" + "|".join(DELTA_CONFLICTS) + r")\b")


def delta_conflict_name(exc: BaseException) -> str | None:
    """The Delta conflict exception's name when ``exc`` (or a cause) is one, else None."""
    seen = 0
    while exc is not None and seen < 10:
        for cls in type(exc).__mro__:
            if cls.__name__ in DELTA_CONFLICTS:
                return cls.__name__
        m = _CONFLICT_TEXT.search(str(exc)[:2000])
        if m:
            return m.group(1)
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


_COMMITTED_AT = re.compile(r"table delta\.`([^`]+)` committed at version (\d+)")


def _run_of_commit(spark, text: str) -> str | None:
    """The run that made the conflicting commit, from that version's userMetadata in the table's history (Delta's
    message names the table and the version, not the metadata)."""
    m = _COMMITTED_AT.search(text)
    if spark is None or not m:
        return None
    try:
        from delta.tables import DeltaTable

        rows = (DeltaTable.forPath(spark, m.group(1)).history(50).where(f"version = {int(m.group(2))}")
                .select("userMetadata").collect())
        meta = json.loads(rows[0]["userMetadata"] or "") if rows else None
    except Exception:  # noqa: BLE001  (the sentence still stands without the run's name)
        return None
    if isinstance(meta, dict) and meta.get("run_id"):
        return f"{meta.get('stage', '?')} run {meta['run_id']}"
    return None


def _other_run(text: str, spark=None) -> str:
    """The conflicting commit's run, from the userMetadata our runs put in every commit (see pipeline)."""
    m = re.search(r'"userMetadata"\s*:\s*"((?:[^"\\]|\\.)*)"', text)
    if not m:
        return _run_of_commit(spark, text) or "a run that is not native-align's, or an older one"
    try:
        meta = json.loads(json.loads(f'"{m.group(1)}"'))
        return f"{meta.get('stage', '?')} run {meta.get('run_id', '?')}"
    except ValueError:
        return "another run"


def conflict(exc: BaseException, stage: str, names: tuple[str, ...] | list[str], spark=None) -> RunConflict | None:
    """A :class:`RunConflict` phrasing a Delta commit conflict, or None when ``exc`` is not one. With ``spark``,
    the other run is named from the conflicting version's commit metadata."""
    name = delta_conflict_name(exc)
    if name is None:
        return None
    where = " or ".join(f"`{n}`" for n in names) or "a table"
    other = _other_run(str(exc), spark)
    return RunConflict(f"another run ({other}) wrote {where} while this {stage} run was writing it (Delta {name}): "
                       f"this run's last commit was refused; wait for the other run to finish and run {stage} again")
