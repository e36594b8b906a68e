// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the module's files, compiled as one unit.
 *
 * Each file of net/xtcp holds one mechanism and compiles on its own
 * (make XTCP_SPLIT=1, which the sparse check uses).  The module is built
 * from this unit instead, as kernel/sched/build_policy.c builds the
 * scheduler, so that the compiler can inline across the files: a segment
 * crosses many of them (input.c, sacktag.c, recovery.c, rtt.c, tstamp.c,
 * rwin.c, wheel.c, ...), most of their calls are to small functions, and
 * every call and return costs, most of all under QEMU's TCG, where each
 * return and each call to another page looks up the next translated
 * block.  Measured with make bench (XTCP_BENCH_BASE, same VM runs): 1-byte
 * request/response latency 0.90 of the separately compiled module's
 * (Documentation/design.rst, "One compilation unit").
 *
 * A file here may not rely on another's static functions, types or
 * macros: the split build catches that.  Names private to a file must
 * stay so here: the compiler refuses two static functions, or two
 * initialized statics, of one name; the sparse check (scripts/lint)
 * finds what this unit would take silently: two uninitialized statics
 * of one name and type (made one), a static named as what another file
 * takes from outside, a macro of one file whose name another uses.
 * trace.c stays its own unit: it creates the trace points
 * (CREATE_TRACE_POINTS) that the others only declare.
 */
#include "af_xtcp.c"
#include "connect.c"
#include "stream.c"
#include "protocol.c"
#include "demux.c"
#include "input.c"
#include "output.c"
#include "minisocks.c"
#include "timer.c"
#include "isn.c"
#include "port.c"
#include "hash.c"
#include "sysctl.c"
#include "proc.c"
#include "sockstat.c"
#include "cong.c"
#include "cong_common.c"
#include "cong_reno.c"
#include "cong_cubic.c"
#include "hystart.c"
#include "cwnd.c"
#include "rtt.c"
#include "sack_rcv.c"
#include "sack_comp.c"
#include "recovery.c"
#include "rate.c"
#include "urg.c"
#include "sacktag.c"
#include "wheel.c"
#include "wheel_cpu.c"
#include "keepalive.c"
#include "options.c"
#include "rwin.c"
#include "window.c"
#include "tstamp.c"
#include "delack.c"
#include "ecn.c"
#include "sendq.c"
#include "tsq.c"
#include "skb_defer.c"
#include "info.c"
#include "mib.c"
#include "syncookie.c"
