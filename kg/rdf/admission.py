"""Who may run a query now: ``kg serve``'s admission policy, so that slow queries cannot starve cheap ones.

A query's cost is not known before it runs, so it is measured while it runs (CPU time used by its
process, :func:`kg.rdf.worker.cpu_seconds`):

* every query starts in the **quick lane** (``quick_slots`` at once); a request that finds the
  lane full waits in a FIFO queue of at most ``max_waiting`` requests, for at most ``max_wait``
  seconds, and gets 503 only when the queue is full or the wait runs out;
* a query that has used more than ``cheap_cpu`` CPU seconds is *expensive*: it moves to the
  **long lane** (``long_slots`` at once), which hands its quick slot to the next waiting request
  at once, and its process gets the lowest CPU priority as soon as quick queries run or wait
  beside it; when the long lane is full, it is stopped with 503 instead;
* a query still running after ``quick_wall`` seconds without being expensive (a busy machine
  slows everything down) moves to the long lane too when there is room, keeping its priority,
  and otherwise simply goes on in the quick lane: it is never stopped for being slow to start.

So a slow query holds a quick slot for about a second at most, and the request refused under
load is the expensive one. :meth:`Admission.review` makes that decision from the CPU and wall
time a running query has used; the server measures them and acts on the verdict.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from dataclasses import dataclass, field


class Verdict(enum.Enum):
    """What to do with a running query after :meth:`Admission.review`."""

    RUN = "run"  # let it run as it is
    DEPRIORITISE = "deprioritise"  # it is expensive and now in the long lane: lowest CPU priority
    STOP = "stop"  # expensive, and the long lane is full: stop it (503)


@dataclass
class Ticket:
    """One admitted query: in the quick lane until promoted to the long lane."""

    long: bool = False
    deprioritised: bool = False
    started: float = 0.0  # time.monotonic() when it got its slot
    _granted: threading.Event = field(default_factory=threading.Event, repr=False)


@dataclass(frozen=True)
class AdmissionState:
    """A snapshot of the lanes and the queue (for ``/health``)."""

    quick_running: int
    long_running: int
    waiting: int
    quick_slots: int
    long_slots: int
    max_waiting: int


class Admission:
    """Two lanes of slots and one bounded FIFO wait queue (thread-safe).

    Example
    -------
    >>> lanes = Admission(quick_slots=1, long_slots=1, max_waiting=0, cheap_cpu=0.5, quick_wall=1.0)
    >>> first = lanes.enter(wait=0)
    >>> lanes.enter(wait=0) is None                      # quick lane full, no room to wait
    True
    >>> lanes.review(first, cpu=0.1, wall=0.2)           # cheap so far
    <Verdict.RUN: 'run'>
    >>> lanes.review(first, cpu=0.6, wall=0.7)           # expensive: to the long lane; alone, so
    <Verdict.RUN: 'run'>
    >>> second = lanes.enter(wait=0)                     # the quick lane is free again
    >>> lanes.review(first, cpu=0.7, wall=0.8)           # a quick query runs: lowest priority now
    <Verdict.DEPRIORITISE: 'deprioritise'>
    >>> lanes.review(second, cpu=0.2, wall=1.5)          # slow to start, long lane full: goes on
    <Verdict.RUN: 'run'>
    >>> lanes.review(second, cpu=0.6, wall=1.6)          # expensive, long lane full: stopped
    <Verdict.STOP: 'stop'>
    >>> lanes.leave(first); lanes.leave(second)
    >>> lanes.state().quick_running, lanes.state().long_running
    (0, 0)
    """

    def __init__(self, quick_slots: int = 4, long_slots: int = 4, max_waiting: int = 256,
                 cheap_cpu: float = 0.5, quick_wall: float = 1.0):
        if quick_slots < 1 or long_slots < 0 or max_waiting < 0:
            raise ValueError("admission needs at least one quick slot and no negative sizes")
        self.quick_slots = quick_slots
        self.long_slots = long_slots
        self.max_waiting = max_waiting
        self.cheap_cpu = cheap_cpu
        self.quick_wall = quick_wall
        self._lock = threading.Lock()
        self._quick = 0
        self._long = 0
        self._queue: deque[Ticket] = deque()

    def enter(self, wait: float) -> Ticket | None:
        """A quick-lane ticket, waiting up to ``wait`` seconds in line; None when the queue is
        full or the wait ran out (the caller answers 503)."""
        ticket = Ticket()
        with self._lock:
            if self._quick < self.quick_slots and not self._queue:
                self._quick += 1
                ticket.started = time.monotonic()
                return ticket
            if len(self._queue) >= self.max_waiting:
                return None
            self._queue.append(ticket)
        if ticket._granted.wait(wait):
            return ticket
        with self._lock:
            if ticket._granted.is_set():  # granted between the timeout and the lock
                return ticket
            self._queue.remove(ticket)
        return None

    def review(self, ticket: Ticket, cpu: float, wall: float) -> Verdict:
        """The verdict on a running query that has used ``cpu`` CPU seconds in ``wall`` seconds.

        An expensive query is deprioritised only while quick queries run or wait: alone, it keeps
        its priority (lowering it cannot be undone without privileges, and on a shared machine
        the lowest priority would starve it behind other people's processes).
        """
        expensive = cpu >= self.cheap_cpu
        if not ticket.long:
            if not expensive and wall < self.quick_wall:
                return Verdict.RUN
            if not self.promote(ticket):
                return Verdict.STOP if expensive else Verdict.RUN
        if expensive and not ticket.deprioritised and self._contended():
            ticket.deprioritised = True
            return Verdict.DEPRIORITISE
        return Verdict.RUN

    def _contended(self) -> bool:
        with self._lock:
            return self._quick > 0 or bool(self._queue)

    def promote(self, ticket: Ticket) -> bool:
        """Move ``ticket`` to the long lane, handing its quick slot on; False (nothing changes)
        when the long lane is full."""
        with self._lock:
            if ticket.long:
                return True
            if self._long >= self.long_slots:
                return False
            self._long += 1
            ticket.long = True
            self._free_quick_slot()
        return True

    def leave(self, ticket: Ticket) -> None:
        """Give back the slot ``ticket`` holds."""
        with self._lock:
            if ticket.long:
                self._long -= 1
            else:
                self._free_quick_slot()

    def _free_quick_slot(self) -> None:
        if self._queue:
            waiter = self._queue.popleft()  # the slot passes straight to the first in line
            waiter.started = time.monotonic()
            waiter._granted.set()
        else:
            self._quick -= 1

    def state(self) -> AdmissionState:
        with self._lock:
            return AdmissionState(self._quick, self._long, len(self._queue), self.quick_slots,
                                  self.long_slots, self.max_waiting)
