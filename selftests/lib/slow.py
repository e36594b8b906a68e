# SPDX-License-Identifier: GPL-2.0
#
# Time limits that depend on the machine's speed, as selftests/lib/slow.sh
# (which says what to scale and what not): slow(secs) is @secs times
# XTCP_SLOW (a positive whole number, default 1; make check-debug sets 4).

import os
import sys

_v = os.environ.get("XTCP_SLOW", "1")
if not _v.isdigit() or _v.startswith("0"):
    print(f"# XTCP_SLOW must be a positive whole number, got {_v!r}",
          file=sys.stderr)
    sys.exit(2)
SLOW = int(_v)


def as_native_time(x, n, tol):
    """xtcp's time @x (s) of a timer-driven event as native's @n: at
    most @tol after it, and at most @tol times XTCP_SLOW before it.
    Timers fire late, never early, and on a slower kernel native's fired
    late by more than xtcp's (check-debug of 2026-12-05: native's 50 ms
    TCP_TX_DELAY connect took 0.102 s, xtcp's 0.060 s); where XTCP_SLOW
    is 1 this is |x - n| <= tol."""
    return n - tol * SLOW <= x <= n + tol


def slow(secs):
    """@secs (a time limit that only bounds the machine) times XTCP_SLOW."""
    return secs * SLOW
