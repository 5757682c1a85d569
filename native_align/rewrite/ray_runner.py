"""Ray Data part of the rewrite: read the Spark snapshot, rewrite in an actor pool, write results as Parquet.

Why these settings (measured with Ray 2.60, see docs/rewrite.md): ``compute=ActorPoolStrategy(size=N)`` (``concurrency=``
is deprecated); actors get *fractional* CPUs, because on a 2-core box two actors at ``num_cpus=1`` leave nothing
for the read and write tasks and the pipeline hangs; ``num_gpus`` only when GPUs exist (a request for a GPU the
cluster lacks waits forever, so we fail fast instead). A crashed actor comes back and redoes its batch: Ray's actor
pool restarts and retries forever (-1) by default, and ``max_restarts`` / ``max_task_retries`` are passed only when
the config asks for other limits (Ray 2.60 deprecates those ``map_batches`` keywords; 2.64 removes them). Results
already written by a killed run stay in staging and are merged later.

Quiet on success: Ray's own Python logs at WARNING, worker output stays in Ray's session logs (``log_to_driver``
off: an actor's failure still reaches the driver as the job's exception), and the C++ log of the driver below
FATAL: Ray Data always passes an actor pool's constructor arguments through the object store, so every pool with
restarts (ours: Ray's default, restart forever) logs an error-level line about it on every run (ray issue 53727).
``RAY_BACKEND_LOG_LEVEL`` set by the user wins.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from native_align import faults
from native_align.rewrite.config import RayConfig, RewriteConfig

log = logging.getLogger(__name__)

RAY_ACTOR_POOL_DEFAULT = -1  # Ray Data's actor pool: restart actors and retry their tasks without limit


def ensure_ray(cfg: RayConfig) -> bool:
    """Connect to (or start) Ray; returns True when this call started it (the caller shuts it down)."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    kwargs: dict[str, Any] = {"include_dashboard": False, "ignore_reinit_error": True,
                              "log_to_driver": False, "logging_level": logging.WARNING}
    if cfg.address:
        kwargs["address"] = cfg.address
        if faults.active():  # the cluster's workers do not inherit this driver's environment
            kwargs["runtime_env"] = {"env_vars": faults.forwarded_env()}
    else:
        if cfg.num_cpus is not None:
            kwargs["num_cpus"] = cfg.num_cpus
        if cfg.num_gpus is not None:
            kwargs["num_gpus"] = cfg.num_gpus
    quiet = "RAY_BACKEND_LOG_LEVEL" not in os.environ
    if quiet:
        os.environ["RAY_BACKEND_LOG_LEVEL"] = "fatal"
    try:
        ray.init(**kwargs)
    finally:
        if quiet:
            os.environ.pop("RAY_BACKEND_LOG_LEVEL", None)
    return True


def check_resources(cfg: RayConfig) -> None:
    """Refuse a pool the cluster can never schedule instead of hanging silently."""
    import ray

    total = ray.cluster_resources()
    need_gpu = cfg.num_gpus_per_actor * cfg.actors
    if cfg.num_gpus_per_actor > 0 and total.get("GPU", 0) < cfg.num_gpus_per_actor:
        raise RuntimeError(f"rewrite.ray.num_gpus_per_actor={cfg.num_gpus_per_actor} but the Ray cluster has "
                           f"{total.get('GPU', 0)} GPUs; set it to 0 for CPU")
    if need_gpu > total.get("GPU", 0):
        log.warning("%d actors × %.2f GPU > %s GPUs: only part of the pool will start", cfg.actors,
                    cfg.num_gpus_per_actor, total.get("GPU", 0))
    if cfg.num_cpus_per_actor * cfg.actors >= total.get("CPU", 0):
        log.warning("actors take %.1f of %s CPUs: read/write tasks may starve (use fractional num_cpus_per_actor)",
                    cfg.num_cpus_per_actor * cfg.actors, total.get("CPU", 0))


def rewrite_dataset(work_path: str, results_path: str, cfg: RewriteConfig, moderation: dict | None = None) -> None:
    """work Parquet (doc_id, text) -> RewriteWorker actors -> results Parquet (RESULT_SCHEMA), appended."""
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    from native_align.rewrite.worker import RewriteWorker

    rc = cfg.ray
    check_resources(rc)
    faults.checkpoint("rewrite:before_slice")
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = rc.show_progress
    ds = ray.data.read_parquet(work_path, file_extensions=["parquet"])
    retries = {"max_restarts": rc.max_restarts, "max_task_retries": rc.max_task_retries}
    remote_args: dict[str, Any] = {k: v for k, v in retries.items() if v != RAY_ACTOR_POOL_DEFAULT}
    ds = ds.map_batches(
        _faulty_worker() if faults.active() else RewriteWorker,
        fn_constructor_kwargs={"config": cfg.model_dump(), "moderation": moderation},
        batch_size=rc.batch_size,
        batch_format="pyarrow",
        compute=ActorPoolStrategy(size=rc.actors),
        num_cpus=rc.num_cpus_per_actor,
        num_gpus=rc.num_gpus_per_actor or None,
        **remote_args,
    )
    ds.write_parquet(results_path)
    faults.checkpoint("rewrite:after_slice")  # results staged, not yet MERGEd


def _faulty_worker():
    from native_align.rewrite.worker import RewriteWorker

    class FaultyWorker(RewriteWorker):
        """RewriteWorker with the crash tests' kill point inside the Ray job (only when a fault is set)."""

        def __call__(self, batch):
            faults.checkpoint("rewrite:during_slice")
            return super().__call__(batch)

    return FaultyWorker
