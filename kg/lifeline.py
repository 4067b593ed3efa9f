"""Helper processes that end when the build process ends, however it ends.

A build runs helpers beside itself: extraction workers, the forked Neo4j writer and the
Oxigraph store loader. When the build fails it stops them itself; when it is killed (SIGKILL,
the out-of-memory killer), nothing runs its clean-up, and a helper went on alone: the store
loader of an 80,000-paper build for up to 12 minutes of both cores and gigabytes of memory,
writing into a staging folder the next build removes under it. Each helper therefore calls
:func:`end_with_parent` first thing.

On Linux that is the kernel's parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): the
helper is killed the moment its parent dies, even while it waits in a system call or in a
library's native code. The signal follows the parent *thread* that started the helper; kg
starts its helpers from the build's main thread. Where there is no ``prctl`` a daemon thread
polls the parent id instead (:data:`POLL_SECONDS`), which needs the helper to release the GIL
now and then, as Python code and the RocksDB loader do.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

#: How often the fallback watcher looks whether the parent is still there.
POLL_SECONDS = 0.5

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

#: The environment variable that tells a helper started as a program which process it serves.
PARENT_ENV = "KG_PARENT_PID"


def end_with_parent(parent: int) -> None:
    """End this process when the process ``parent`` ends (now, if it already has)."""
    if sys.platform.startswith("linux") and _set_death_signal():
        if os.getppid() != parent:  # the parent died before the signal was set
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), name="kg-lifeline", daemon=True).start()


def end_with_parent_from_env() -> None:
    """:func:`end_with_parent` for the process named in :data:`PARENT_ENV`, when it is set."""
    value = os.environ.get(PARENT_ENV, "")
    if value.isdigit():
        end_with_parent(int(value))


def helper_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a helper program started by this process (:data:`PARENT_ENV` set)."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def _set_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)
