# SPDX-License-Identifier: GPL-2.0
#
# tap: TAP output for the python VM tests (the plan first, then one line
# per check; ok None is a skip), without scapy: wirelib re-exports it
# for the scapy tests.


class Tap:
    def __init__(self, planned):
        self.n = 0
        self.failed = 0
        print("TAP version 13")
        print(f"1..{planned}", flush=True)

    def result(self, ok, name, why=""):
        """@ok None: a skip, @why says why."""
        self.n += 1
        if ok is None:
            print(f"ok {self.n} {name} # SKIP {why}", flush=True)
        elif ok:
            print(f"ok {self.n} {name}", flush=True)
        else:
            self.failed += 1
            print(f"# {name}: {why or 'failed'}")
            print(f"not ok {self.n} {name}", flush=True)
