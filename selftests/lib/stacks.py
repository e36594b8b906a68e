# SPDX-License-Identifier: GPL-2.0
#
# stacks: where the two TCPs a VM test compares keep the same things in
# different places: native's counters in /proc/net/netstat and snmp,
# xtcp's in xtcp_netstat and xtcp_snmp; native's knobs under net.ipv4,
# xtcp's under net.xtcp.  No scapy here (wirelib re-exports these for
# the scapy tests), so tests that drive only sockets import it cheaply.

import subprocess

from slow import slow


def mib_counters(netns, fam):
    """{"Tcp:Name" or "TcpExt:Name": value} of @fam's stack in namespace
    @netns: native's /proc/net/netstat and /proc/net/snmp ("inet"),
    xtcp's xtcp_netstat and xtcp_snmp ("xtcp"); {} if unreadable.  One
    process reads both files: the two snapshots as close in time as can
    be (and one exec fewer under TCG)."""
    files = (("/proc/net/netstat", "/proc/net/snmp") if fam == "inet" else
             ("/proc/net/xtcp_netstat", "/proc/net/xtcp_snmp"))
    r = subprocess.run(["ip", "netns", "exec", netns, "cat", *files],
                       capture_output=True, text=True, timeout=slow(20))
    lines = r.stdout.splitlines()
    out = {}
    # Both files are pairs of lines (names, values), so are the two.
    for names, values in zip(lines[::2], lines[1::2]):
        pre, names = names.split(":", 1)
        if pre not in ("TcpExt", "Tcp"):
            continue
        for n, v in zip(names.split(), values.split(":", 1)[1].split()):
            out[f"{pre}:{n}"] = int(v)
    return out


def sysctl_both(netns, **knobs):
    """Set each knob NAME=VALUE as net.ipv4.NAME and net.xtcp.NAME in
    namespace @netns: the same setting for native TCP and xtcp."""
    for pre in ("net.ipv4", "net.xtcp"):
        for k, v in knobs.items():
            subprocess.run(["ip", "netns", "exec", netns, "sysctl",
                            "-qw", f"{pre}.{k}={v}"], check=True)
