"""Write some outputs in a second process while this one writes the others.

The print map (PDF and SVG drawn by matplotlib, the PNG the PDF's page rasterised)
and the report that embeds it take seconds whatever the size of the data, and hold
Python's lock while they draw. On a machine with two cores or more they are written by a forked copy of
this process while this one builds the web map, the GeoPackage and the tables: either
a copy forked when the work is ready, which shares its memory and needs nothing sent
to it (:class:`Background`), or one forked at the start of the build, which imports
matplotlib on the other core while this one reads the inputs and is then sent the
work (:class:`Worker`). That copy may itself fork one (a :class:`Background`) to save
the PDF of the figure it has drawn, and its PNG, while it saves the SVG. Where processes
cannot be forked (or on one core) the work runs here, in turn: the files are the same
bytes either way.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import partial
from pathlib import Path

from geomap.collector import hold_for_work
from geomap.errors import OutputError
from geomap.export.warm_up import WarmUp


def _forking() -> bool:
    """Whether a second process would run beside this one."""
    return (os.cpu_count() or 1) >= 2 and \
        "fork" in multiprocessing.get_all_start_methods()


class _Forked:
    """A child forked with :func:`os.fork`, as much of a ``multiprocessing.Process``
    as :class:`Background` uses. A process that ``multiprocessing`` started as a
    daemon (the :class:`Worker`) may not start processes of its own through it; it
    may fork."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None

    def join(self) -> None:
        """Wait for the child to end; keep its exit code."""
        if self.exitcode is None:
            _, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)

    def terminate(self) -> None:
        """End the child at once (it only writes files nobody will read)."""
        if self.exitcode is None:
            os.kill(self.pid, signal.SIGKILL)


class Background:
    """Outputs written by *work* in a forked process (or here, when none can run).

    The process is forked with :func:`os.fork`, so it can start from a process that
    was itself forked to do some work (the :class:`Worker`).

    Parameters
    ----------
    work : callable
        Writes files and returns their paths; runs once.
    waits : bool, optional
        The work needs something that exists only later: it is called with a
        function returning what :meth:`send` sends (called once at most, it waits
        for it). Where no process can be forked, the work runs in :meth:`send`.

    Examples
    --------
    >>> job = Background(lambda: [Path("a.png")])
    >>> job.result()
    [PosixPath('a.png')]
    >>> job = Background(lambda later: [Path(later())], waits=True)
    >>> job.send("b.png")
    >>> job.result()
    [PosixPath('b.png')]
    """

    def __init__(self, work: Callable[..., list[Path]], *, waits: bool = False
                 ) -> None:
        self._paths: list[Path] | BaseException | None = None
        self._child = self._work = self._more = None
        if not _forking():
            if waits:
                self._work = work  # run by send(), in turn
            else:
                self._paths = work()
            return
        self._receive, send = multiprocessing.Pipe(duplex=False)
        later, self._more = multiprocessing.Pipe(duplex=False) if waits else (None, None)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                self._receive.close()
                if later is not None:
                    self._more.close()
                    work = partial(work, _Later(later))
                _run(work, send)
            finally:
                os._exit(1)
        send.close()
        if later is not None:
            later.close()
        self._child = _Forked(pid)

    @classmethod
    def waiting(cls, child: multiprocessing.Process, receive, more=None
                ) -> Background:
        """The work *child* is doing, its outcome to come on *receive* (and what it
        waits for, if it does, to be sent on *more*)."""
        job = cls.__new__(cls)
        job._paths, job._child, job._receive = None, child, receive
        job._work, job._more = None, more
        return job

    def send(self, later: object) -> None:
        """Send the work (made with ``waits``) what it waits for; once.

        Where no process could be forked, the work runs now, and raises here.
        """
        if self._work is not None:
            work, self._work = self._work, None
            self._paths = work(lambda: later)
        elif self._more is not None:
            more, self._more = self._more, None
            with suppress(OSError):  # the work ended already: result() says how
                more.send(later)
            more.close()

    def _close_more(self) -> None:
        """Tell a work still waiting that nothing more will come (it fails)."""
        self._work = None
        if self._more is not None:
            self._more.close()
            self._more = None

    def result(self) -> list[Path]:
        """Wait for the work; return its paths (the same ones, or the same error,
        when asked again).

        Raises
        ------
        Exception
            The work's own error, raised here as if the work had run here (a full
            disk is still an ``OSError`` for the output folder to explain).
        OutputError
            The work's process died, or its error could not be sent.
        """
        if self._child is None:
            if isinstance(self._paths, BaseException):
                raise self._paths
            return self._paths
        self._close_more()
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = None
        child, self._child = self._child, None
        child.join()
        if isinstance(outcome, list):
            self._paths = outcome
            return outcome
        if isinstance(outcome, BaseException):
            self._paths = outcome  # raised again if asked again
            raise outcome
        reason = outcome or f"the process writing them ended with {child.exitcode}"
        msg = f"The print map and report could not be written: {reason}"
        self._paths = OutputError(msg)
        raise self._paths

    def stop(self) -> None:
        """End the work at once and wait for its process to end.

        For a caller that failed and will not read the files: once this returns,
        nothing writes them any longer (the folder can be removed). Only for work
        that starts no process of its own (those would go on): see :meth:`abandon`.
        """
        self._close_more()
        if self._child is None:
            return
        child, self._child, self._paths = self._child, None, []
        child.terminate()
        child.join()
        self._receive.close()

    def abandon(self) -> None:
        """Wait for the work to end, its outcome unread.

        For a caller that failed and will not read the files: once this returns,
        nothing writes them any longer (the folder can be removed), whatever
        processes the work started and stopped itself.
        """
        self._close_more()  # a work waiting for more is told there is none
        if self._child is None:
            return
        child, self._child, self._paths = self._child, None, []
        with suppress(BaseException):  # its outcome is not wanted, but read: a
            self._receive.recv()  # child never waits on a full pipe
        child.join()
        self._receive.close()


class Worker:
    """A process forked now that imports *modules*, then runs one piece of work sent
    to it later (:meth:`start`), beside this process.

    Forked before the build reads its inputs, it imports the print map's modules
    (matplotlib: about half a second) on what this process leaves of the cores
    while it reads small files and sums, at the lowest priority, instead of this
    process importing them on the way to the work; then it pays what the work would
    pay once on its first use (*prepare*). The work and its arguments are pickled to it (a few megabytes of
    summaries, not the records). Where processes cannot be forked, nothing starts
    and :meth:`start` runs the work here.

    Parameters
    ----------
    modules : iterable of str
        Modules the work needs, imported by the worker at once.
    prepare : callable or tuple of callables, optional
        Called by the worker after the imports, while it waits for the work (not
        at all when the work comes first), step by step: when the work comes, the
        worker stops after the step under way. What it does must not change what
        the work writes. Its errors are ignored (the work meets them again and says
        why).
    """

    def __init__(self, modules: Iterable[str],
                 prepare: Callable[[], object] | tuple[Callable[[], object], ...]
                 | None = None) -> None:
        self._child = None
        self.job: Background | None = None
        """The work sent (:meth:`start`), None before."""
        if not _forking():
            return
        context = multiprocessing.get_context("fork")
        tasks, self._tasks = context.Pipe(duplex=False)
        self._receive, results = context.Pipe(duplex=False)
        self._child = context.Process(target=_serve, daemon=True, name="geomap-outputs",
                                      args=(tuple(modules), prepare, tasks, self._tasks,
                                            results))
        self._child.start()
        tasks.close()
        results.close()

    def start(self, work: Callable[..., list[Path]], *, waits: bool = False
              ) -> Background:
        """Send *work* (picklable) to the worker; its paths come from ``.result()``.

        With *waits*, the work is called with a function returning what
        ``.send()`` sends later, as :class:`Background`'s.
        """
        if self._child is None:
            self.job = Background(work, waits=waits)
            return self.job
        try:
            self._tasks.send((work, waits))
        except OSError as err:  # it died before its work came: killed, or crashed
            child, self._child = self._child, None
            child.join()
            self._tasks.close()
            self._receive.close()
            msg = ("The print map and report could not be written: the process "
                   f"drawing them ended with {child.exitcode} before it was sent "
                   "its work")
            raise OutputError(msg) from err
        if not waits:
            self._tasks.close()
        child, self._child = self._child, None
        self.job = Background.waiting(child, self._receive,
                                      self._tasks if waits else None)
        return self.job

    def close(self) -> None:
        """Stop the worker if no work was sent to it (the build ended before); wait
        for the work sent, its outcome unread, if nobody asked for it (the build
        failed meanwhile: :meth:`Background.abandon`)."""
        if self.job is not None:
            self.job.abandon()
        if self._child is not None:
            self._tasks.close()
            self._child.terminate()  # it may still be importing: no need to finish
            self._child.join()
            self._receive.close()
            self._child = None


def _serve(modules: tuple[str, ...],
           prepare: Callable[[], object] | tuple[Callable[[], object], ...] | None,
           tasks, unused, results) -> None:
    """In the worker: import *modules* and prepare on a thread of low priority
    (:class:`~geomap.export.warm_up.WarmUp`) while waiting for the work; then do
    the one work sent, or none. The cycle collector is set as in a build
    (:func:`~geomap.collector.hold_for_work`): this process ends after its work."""
    unused.close()  # the parent's end: its closing (or death) ends the wait below
    hold_for_work()  # as the build's own process (geomap.collector), from its start
    warming = WarmUp(modules, prepare)
    try:
        sent = tasks.recv_bytes()
    except EOFError:  # the build ended before its outputs: nothing to do
        os._exit(0)
    warming.finish()  # before unpickling: one thread imports at a time
    hold_for_work()  # the modules imported meanwhile frozen too
    _run(partial(_unpickled, sent, tasks), results)


def _unpickled(sent: bytes, tasks) -> list[Path]:
    """Unpickle the work sent and do it, given what comes later on *tasks* if it
    waits for it."""
    work, waits = pickle.loads(sent)  # from the process that forked this one
    if not waits:
        tasks.close()
        return work()
    return work(_Later(tasks))


class _Later:
    """In the child: what the parent sends later, received on a thread from now on
    (the parent never waits on a full pipe while the work goes on); calling it
    waits for it.

    Raises
    ------
    OutputError
        When called: the parent sent nothing (it failed, and abandons the work).
    """

    def __init__(self, more) -> None:
        self._outcome: tuple[bool, object] = (False, None)
        self._thread = threading.Thread(target=self._receive, args=(more,),
                                        daemon=True, name="geomap-later")
        self._thread.start()

    def _receive(self, more) -> None:
        """Receive the one object sent, or the end of the pipe."""
        try:
            self._outcome = (True, more.recv())
        except (EOFError, OSError):
            pass
        finally:
            more.close()

    def __call__(self) -> object:
        self._thread.join()
        sent, later = self._outcome
        if not sent:
            msg = "The build stopped before the print map's work had all it needs."
            raise OutputError(msg)
        return later


def _run(work: Callable[[], list[Path]], send) -> None:
    """In the child: do *work*, send its paths or its error, never return."""
    code = 0
    try:
        send.send(work())
    except BaseException as err:  # noqa: BLE001 - sent to the parent, which raises it
        code = 1
        try:
            send.send(err)
        except Exception:  # noqa: BLE001 - an error that cannot travel: its words
            lines = traceback.format_exception_only(type(err), err)
            send.send(lines[-1].strip() if lines else type(err).__name__)
    finally:
        send.close()
        os._exit(code)  # no atexit handlers of the parent run twice
