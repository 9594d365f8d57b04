"""A warm worker: each job's script runs in a fork of one process that imported the libraries once.

Most jobs of this workflow are short, and a fresh interpreter spends ~1-3 s importing torch,
pandas, scipy and matplotlib before a job does its work: in the reference sweep that start-up
was a third of all job time.  For a local run, the Snakefile's ``onstart`` starts one worker
(:func:`start`), which listens on a Unix socket and imports those libraries once.  Every script
begins with :func:`hand_over`: where a worker serves the run, the script process (a thin
client) sends its job there, the worker forks a child that runs the same script file with the
same ``snakemake`` object, working directory, environment and standard streams, and the client
exits with the child's status.  Snakemake still runs one process per job, with its logs,
benchmarks (wall time), retries and outputs as before.

The child is the job, so the job must leave it as a fresh process would:
- a client that dies (Snakemake cancels the job) kills its child (:func:`_die_with_client`);
- the worker refuses a job whose interpreter, library code or import-time environment differs
  from its own (another conda environment, code edited during the run, other thread counts):
  the script then runs in its own process, as it does with no worker, on a cluster, or on a
  system without a safe ``fork`` (only Linux uses one);
- the child's CPU time and peak memory, which Snakemake's benchmark of the client cannot see, end
  its log as one line (:data:`USAGE_LINE`) that :mod:`contrastive_gs.benchmarks` reads.  The
  peak includes the libraries the child shares with the worker.

The worker freezes its objects (``gc.freeze``) before each fork: a child shares the worker's
memory until it writes to it, and a garbage collection that walks the worker's objects writes to
every page that holds one (matplotlib collects at each figure it closes).  Measured on a figure
job: 44 000 pages copied without, 24 000 with; its CPU time 20-25 % lower.

This module imports only the standard library (~7 ms): a client costs what its script's
preamble imports to unpickle the ``snakemake`` object (Snakemake's modules, ~0.1 s), and it
exits without tearing them down.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import os
import pickle
import pkgutil
import re
import resource
import runpy
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ADDRESS_VARIABLE = "CONTRASTIVE_GS_WORKER"  # the socket of the run's worker, set by start()
# Snakemake sets these to the job's threads; libraries read them when they are imported.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
# Read at import time: a job whose values differ from the worker's runs in its own process.
IMPORT_TIME_VARIABLES = THREAD_VARIABLES + ("PYTHONHASHSEED", "MPLBACKEND", "CUDA_VISIBLE_DEVICES")
# Imported by the worker besides every module of this package: what the jobs import (lazily,
# inside functions), but pyoperon and sympy, which only rule symbolic needs.  In the order a
# run's jobs need them: every job unpickles its `snakemake` object, the data jobs write Parquet,
# the first jobs after them train networks (torch, ~1.6 s), and the ordinations of the pairs,
# scheduled after the figure scenarios' fits, import skbio (with scipy: ~1.5 s more).
PRELOADED_LIBRARIES = (
    "snakemake.iocontainers",  # to unpickle the job's `snakemake` object
    "pyarrow.parquet",
    "torch",
    "skbio",
    "scipy.stats",
    "scipy.optimize",
    "scipy.spatial.distance",
    "sklearn.decomposition",
    "sklearn.linear_model",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "statsmodels.api",
    "matplotlib.pyplot",
)
USAGE_LINE = "warm worker: cpu_time {cpu_time_s:.3f} s, max_rss {max_rss_mb:.1f} MB"
USAGE_PATTERN = re.compile(r"warm worker: cpu_time ([0-9.]+) s, max_rss ([0-9.]+) MB$")
START_TIMEOUT_S = 10.0  # at most this long start() waits for the worker's socket
_ACCEPTED, _REFUSED = b"A", b"R"
_STATUS = struct.Struct("!i")
_LENGTH = struct.Struct("!Q")


def supported() -> bool:
    """Whether this system can fork a warm process safely (Linux; macOS's frameworks cannot)."""
    return sys.platform == "linux"


def fingerprint() -> str:
    """What a job must share with the worker: the interpreter, the environment variables read at
    import time, and the library's source files (path, size and modification time of each)."""
    digest = hashlib.sha256()
    for part in (sys.executable, sys.prefix, sys.version):
        digest.update(part.encode())
    for name in IMPORT_TIME_VARIABLES:
        digest.update(f"{name}={os.environ.get(name)}".encode())
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        stat = source.stat()
        digest.update(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


# --- the client: the first statement of every script -------------------------------------------


def hand_over(job: Any, script: str) -> None:
    """Run this script (``script``, its path) with ``job`` (the ``snakemake`` object) in the run's
    warm worker and exit with its status; return at once where there is none, or where it
    refuses the job, so that the script runs here."""
    address = os.environ.get(ADDRESS_VARIABLE)  # a worker's child has none: it runs the script
    if not address or not supported():
        return
    request = pickle.dumps(
        {
            "fingerprint": fingerprint(),
            "script": script,
            "job": job,
            "cwd": os.getcwd(),
            "environ": dict(os.environ),
            "path": list(sys.path),
            "argv": list(sys.argv),
        }
    )
    sys.stdout.flush()
    sys.stderr.flush()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(address)
            socket.send_fds(connection, [_LENGTH.pack(len(request))], [0, 1, 2])
            connection.sendall(request)
            accepted = _receive(connection, 1) == _ACCEPTED
        except OSError:
            accepted = False  # no worker listens (another machine, or the run is over)
        if not accepted:
            return
        reply = _receive(connection, _STATUS.size)
    if len(reply) < _STATUS.size:
        sys.exit("the warm worker's child ended without a status; see the job's log")
    # At once, as the child does: tearing down the Snakemake modules that the script's preamble
    # imported would cost the client ~30 ms (a fifth of its time), and Snakemake waits for it.
    os._exit(_STATUS.unpack(reply)[0])


def _receive(connection: socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes from ``connection``, or fewer where it closed first."""
    chunks, received = [], 0
    while received < size:
        chunk = connection.recv(size - received)
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


# --- the worker ---------------------------------------------------------------------------------


def serve(address: str, parent_pid: int) -> None:
    """Fork a child for each job sent to the Unix socket at ``address`` (in a folder of its own,
    removed at the end), until SIGTERM or until process ``parent_pid`` (Snakemake) is gone.

    The socket listens at once, so no job starts on its own while the worker imports: jobs wait
    in its queue while it imports every module of this package (what every job imports, ~2 s).
    From then on no job waits: forks of the worker (:func:`_stand_in`) serve the jobs while the
    worker imports :data:`PRELOADED_LIBRARIES` (~5 s), each fork holding the libraries imported
    so far (a job imports the others it needs itself), and the worker serves them once it
    has."""
    started = time.perf_counter()

    def end(*_: Any) -> None:  # at once: tearing down torch and the rest would take ~1 s
        shutil.rmtree(Path(address).parent, ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, end)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(address)
        listener.listen(64)
        own_fingerprint = fingerprint()
        _import_package()
        _log_imports(started, f"; serving {address}")
        _import_libraries_while_stand_ins_serve(listener, own_fingerprint)
        _log_imports(started)
        listener.settimeout(1.0)  # to look at the parent at least once a second
        while os.getppid() == parent_pid:
            _reap_children()
            _serve_next(listener, own_fingerprint)
    end()


def _import_package() -> None:
    """Import every module of this package."""
    import contrastive_gs

    for module in pkgutil.walk_packages(contrastive_gs.__path__, "contrastive_gs."):
        importlib.import_module(module.name)


def _import_libraries_while_stand_ins_serve(listener: socket.socket, own_fingerprint: str) -> None:
    """Import :data:`PRELOADED_LIBRARIES` one by one while forks of this process serve the jobs
    sent to ``listener``: a fresh fork (a stand-in) before each import, holding every library
    imported so far; a stand-in stops once that import is done (this process closes its pipe)."""
    for library in PRELOADED_LIBRARIES:
        imported_read, imported_write = os.pipe()
        gc.freeze()
        if os.fork() == 0:
            os.close(imported_write)
            _stand_in(listener, own_fingerprint, imported_read)  # never returns
        os.close(imported_read)
        importlib.import_module(library)
        os.close(imported_write)


def _stand_in(listener: socket.socket, own_fingerprint: str, imported: int) -> None:
    """Serve the jobs sent to ``listener`` until pipe ``imported`` closes (the worker has
    imported its libraries, or is gone); then wait for the jobs it started, and exit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the worker's handler would remove its socket
    listener.settimeout(0)  # both processes accept from it: never block on a taken connection
    while imported not in select.select([listener, imported], [], [])[0]:
        _reap_children()
        _serve_next(listener, own_fingerprint, imported)
    listener.close()
    with contextlib.suppress(ChildProcessError):
        while True:
            os.wait()
    os._exit(0)


def _serve_next(listener: socket.socket, own_fingerprint: str, *inherited: int) -> None:
    """Accept the next job sent to ``listener`` (waiting up to its timeout) and fork a child that
    runs it; return at once where none came. The child closes the file descriptors
    ``inherited`` that it needs not."""
    try:
        connection, _ = listener.accept()
    except (BlockingIOError, TimeoutError, InterruptedError):
        return
    gc.freeze()  # no collection in a child walks (and so copies) the worker's objects
    if os.fork() == 0:
        listener.close()
        for descriptor in inherited:
            os.close(descriptor)
        _run_child(connection, own_fingerprint)  # never returns
    connection.close()


def _log_imports(started: float, suffix: str = "") -> None:
    """Log how many modules the worker holds, and since when (``started``, perf_counter s)."""
    print(f"warm worker: imported {len(sys.modules)} modules in "
          f"{time.perf_counter() - started:.1f} s{suffix}", flush=True)  # fmt: skip


def _reap_children() -> None:
    """Collect the exit of every finished child, so that none lingers as a zombie."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _run_child(connection: socket.socket, own_fingerprint: str) -> None:
    """In a fresh fork: receive a job, run its script as its own process would, send its exit
    status, exit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    connection.settimeout(None)
    header, streams, _, _ = socket.recv_fds(connection, _LENGTH.size, 3)
    request = pickle.loads(_receive(connection, _LENGTH.unpack(header)[0]))
    if request["fingerprint"] != own_fingerprint or len(streams) != 3:
        connection.sendall(_REFUSED)
        os._exit(0)
    os.setpgid(0, 0)  # the job's processes form a group that dies with its client
    for target, stream in enumerate(streams):
        os.dup2(stream, target)
        os.close(stream)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environ"])
    os.environ.pop(ADDRESS_VARIABLE)  # the job, and what it runs, never hand over again
    sys.path[:] = request["path"]
    sys.argv = request["argv"]
    connection.sendall(_ACCEPTED)
    threading.Thread(target=_die_with_client, args=(connection,), daemon=True).start()
    status = _run_script(request["script"], request["job"])
    _append_usage(request["job"])
    connection.sendall(_STATUS.pack(status))
    os._exit(status)


def _die_with_client(connection: socket.socket) -> None:
    """Wait for the client to go (it sends nothing); then kill this job's process group."""
    connection.recv(1)
    os.killpg(0, signal.SIGKILL)


def _run_script(script: str, job: Any) -> int:
    """Run the script file as ``__main__`` with its ``snakemake`` object; its exit status (1, with
    the traceback on standard error, where it raised)."""
    try:
        runpy.run_path(script, init_globals={"snakemake": job}, run_name="__main__")
        status = 0
    except SystemExit as exit_:
        status = _exit_status(exit_)
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def _exit_status(exit_: SystemExit) -> int:
    """The status a process exits with on ``exit_``, printing its message as Python does."""
    if exit_.code is None or isinstance(exit_.code, int):
        return exit_.code or 0
    print(exit_.code, file=sys.stderr)
    return 1


def _append_usage(job: Any) -> None:
    """End the job's log (where it has one) with the child's CPU time and peak memory, which
    include those of the processes it ran."""
    logs = list(getattr(job, "log", []))
    if not logs:
        return
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    record = USAGE_LINE.format(
        cpu_time_s=sum(part.ru_utime + part.ru_stime for part in usage),
        max_rss_mb=max(part.ru_maxrss for part in usage) / 1024,  # Linux: KiB
    )
    with open(logs[0], "a") as log:
        log.write(record + "\n")


def usage_of_log(path: str | os.PathLike) -> tuple[float, float] | None:
    """(CPU time in s, peak RSS in MB) that a warm worker's child recorded at the end of the job
    log at ``path``; None where the job ran in its own process (or has no log)."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    match = USAGE_PATTERN.match(lines[-1]) if lines else None
    return (float(match.group(1)), float(match.group(2))) if match else None


# --- its lifetime: the Snakefile's onstart, onsuccess and onerror ------------------------------


class Worker:
    """A running warm worker process and its socket."""

    def __init__(self, process: subprocess.Popen, address: str):
        self.process = process
        self.address = address

    def stop(self) -> None:
        """End the worker (children still running finish their jobs) and remove its socket."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        os.environ.pop(ADDRESS_VARIABLE, None)
        shutil.rmtree(Path(self.address).parent, ignore_errors=True)


def start(log: str | os.PathLike) -> Worker | None:
    """Start a warm worker for this process's run (logging to ``log``) and point the jobs that
    this process starts at it (:data:`ADDRESS_VARIABLE`); None where the system cannot fork one.
    Returns once it listens (within :data:`START_TIMEOUT_S`), so that the first jobs queue for it
    rather than import on their own; a job that finds no worker runs in its own process."""
    if not supported():
        return None
    address = str(Path(tempfile.mkdtemp(prefix="cgs-worker-")) / "socket")
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "contrastive_gs.warm_worker", address, str(os.getpid())],
            env={**os.environ, **{name: "1" for name in THREAD_VARIABLES}},  # as jobs of 1 thread
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches Snakemake and the jobs, not the worker
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not os.path.exists(address) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.environ[ADDRESS_VARIABLE] = address
    return Worker(process, address)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
