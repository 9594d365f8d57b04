"""Files: atomic writes, logging of a job to its log file, and reading with clear errors."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds.

    A job killed mid-write leaves at most a hidden ``.tmp`` file, never a truncated output.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a table to Parquet atomically: the bytes of ``frame.to_parquet(path, index=False)``,
    converted on this thread (pandas lets pyarrow start a thread pool for a table of over 100
    rows a column: ~5 ms a file, of which a fit job writes dozens)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a table to CSV atomically (full float precision)."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def write_json(value: Any, path: str | os.PathLike) -> None:
    """Write JSON atomically, keys in insertion order, NaN as null."""
    text = json.dumps(_finite_or_none(value), indent=2)
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n")


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def save_figure(figure, path: str | os.PathLike) -> None:
    """Save a matplotlib figure atomically with fixed metadata, so reruns are byte-identical."""
    import matplotlib.pyplot as plt

    path = Path(path)
    metadata = {"Date": None} if path.suffix in (".svg", ".pdf") else {"Software": None}
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format=path.suffix.lstrip("."), metadata=metadata)
    plt.close(figure)


def read_parquet(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a Parquet table; a missing, truncated or corrupted file raises ValueError naming it."""
    try:
        frame = pd.read_parquet(path, columns=columns)
    except FileNotFoundError:
        raise
    except Exception as error:  # pyarrow raises several types for damaged files
        raise ValueError(f"cannot read Parquet file {path}: {error}") from error
    missing = sorted(set(columns or []) - set(frame.columns))
    if missing:
        raise ValueError(f"Parquet file {path} lacks column(s) {missing}")
    return frame


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file; a damaged one raises ValueError naming it."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"cannot read JSON file {path}: {error}") from error


@contextlib.contextmanager
def job_log(path: str | os.PathLike | None) -> Iterator[logging.Logger]:
    """Send logging (INFO and up) and warnings of a job to its log file; log a failure's traceback
    there before re-raising it, so the log says why the job failed."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers = [logging.FileHandler(path, mode="w")]
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logging.captureWarnings(True)
    logger = logging.getLogger("contrastive_gs")
    try:
        yield logger
    except BaseException:
        logger.exception("job failed")
        raise
    finally:
        logging.shutdown()


def write_fit(
    result,
    alpha_table: pd.DataFrame,
    law_record: dict,
    point_table: pd.DataFrame,
    metrics: str,
    predictions: str,
    model: str,
    alpha: str,
    scaling_law: str,
    points: str,
) -> None:
    """Write a :class:`contrastive_gs.fit.FitResult`: metrics JSON, pair predictions Parquet,
    the fitted model (its own ``save``), the table of recovered alpha per point, the scaling law
    of the fit (``law_record``) and its anchored point predictions (``point_table``)."""
    write_parquet(result.predictions, predictions)
    write_parquet(point_table, points)
    write_parquet(alpha_table, alpha)
    write_json(law_record, scaling_law)
    result.model.save(model)
    write_json(result.metrics, metrics)  # last: its presence means the fit is complete
