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


def slow(secs):
    """@secs (a time limit that only bounds the machine) times XTCP_SLOW."""
    return secs * SLOW
