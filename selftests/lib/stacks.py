# SPDX-License-Identifier: GPL-2.0
#
# stacks: where the two TCPs a VM test compares keep the same things in
# different places: native's counters in /proc/net/netstat and snmp,
# xtcp's in xtcp_netstat and xtcp_snmp; native's knobs under net.ipv4,
# xtcp's under net.xtcp; native's sockets in /proc/net/tcp, xtcp's in
# /proc/net/xtcp.  No scapy here (wirelib re-exports these for
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


def knob_both(netns, name, value, missing=None):
    """net.ipv4.@name and net.xtcp.@name to @value in namespace @netns.
    Native's must take it.  Without @missing, so must xtcp's; with a set
    @missing, a knob xtcp does not have (tcp_no_metrics_save: it keeps
    no metrics) is added to it, said in a "# knob ... missing" line the
    first time, and the test goes on."""
    subprocess.run(["ip", "netns", "exec", netns, "sysctl", "-qw",
                    f"net.ipv4.{name}={value}"], check=True)
    r = subprocess.run(["ip", "netns", "exec", netns, "sysctl", "-qw",
                        f"net.xtcp.{name}={value}"],
                       capture_output=True, text=True,
                       check=missing is None)
    if r.returncode and name not in missing:
        missing.add(name)
        print(f"# knob net.xtcp.{name} missing: {r.stderr.strip()}")


def knob_get(netns, tree, name):
    """net.@tree.@name ("ipv4" or "xtcp") in namespace @netns as text,
    "" if unreadable."""
    return subprocess.run(["ip", "netns", "exec", netns, "sysctl", "-n",
                           f"net.{tree}.{name}"],
                          capture_output=True, text=True).stdout.strip()


def established_rows(netns, fam, port):
    """The rows (split into columns) of the ESTABLISHED entries on local
    @port in namespace @netns, from /proc/net/tcp ("inet") or
    /proc/net/xtcp ("xtcp"), which have the same columns; None if the
    file could not be read."""
    f = "/proc/net/tcp" if fam == "inet" else "/proc/net/xtcp"
    r = subprocess.run(["ip", "netns", "exec", netns, "cat", f],
                       capture_output=True, text=True, timeout=slow(20))
    if r.returncode:
        return None
    return [c for c in (line.split() for line in r.stdout.splitlines()[1:])
            if len(c) > 3 and c[1].endswith(f":{port:04X}") and c[3] == "01"]


def sock_row(netns, fam, port):
    """(RTO in s, cwnd, ssthresh) of the established connection on local
    @port in namespace @netns (established_rows(): the columns after the
    pointer, RTO in clock ticks of USER_HZ 100, ssthresh -1 in the
    initial slow start); None if there is none."""
    rows = established_rows(netns, fam, port)
    if not rows:
        return None
    c = rows[0]
    return int(c[-5]) / 100, int(c[-2]), int(c[-1])


def cwnd_ssthresh(netns, fam, port):
    """(cwnd, ssthresh) of sock_row(), or None."""
    t = sock_row(netns, fam, port)
    return t and t[1:]
