// SPDX-License-Identifier: GPL-2.0
/* xtcp: the trace events' definitions (include/trace/events/xtcp.h),
 * created once here for the whole module.
 */
#define CREATE_TRACE_POINTS
#include <trace/events/xtcp.h>
