"""Memory for big inputs taken in small pages, not in transparent huge pages.

pyarrow's allocator (mimalloc) marks the memory it reserves as fit for Linux's
transparent huge pages. A build holds a few hundred MB of records for a second or
two: each huge page is zeroed whole (2 MB) when first touched, often after the
kernel has compacted memory to find it. Reading and checking 1.7 million rows then
cost 0.5 to 2 s of system time more, and a higher peak, than in pages of 4 kB.
"""

from __future__ import annotations

import sys

PR_SET_THP_DISABLE = 41
"""Linux's ``prctl`` option that turns transparent huge pages off for a process."""

_done: list[bool] = []


def use_small_pages() -> bool:
    """Take this process's memory in small pages from now on (Linux; once).

    The setting holds for the whole process and the processes it starts; memory
    already in huge pages stays so. Elsewhere, or where the kernel refuses, nothing
    changes.

    Returns
    -------
    bool
        Whether the process takes small pages (it was set now or before).
    """
    if not _done:
        _done.append(_disable_huge_pages())
    return _done[0]


def _disable_huge_pages() -> bool:
    """``prctl(PR_SET_THP_DISABLE, 1)``; False when not on Linux or refused."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
