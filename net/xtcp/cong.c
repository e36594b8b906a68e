// SPDX-License-Identifier: GPL-2.0
/* xtcp: the registry of congestion control algorithms, the pluggable hook
 * behind net.xtcp.tcp_congestion_control.
 *
 * The algorithms themselves (cong_reno.c, cong_cubic.c) are pure logic;
 * this file only names them.  Registration order is the order
 * tcp_available_congestion_control lists them in, as in Linux.
 */
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <net/xtcp.h>
#include <net/xtcp_cong.h>

static LIST_HEAD(xtcp_cong_list);
static DEFINE_SPINLOCK(xtcp_cong_lock);

static void xtcp_cong_register(struct xtcp_cong_ops *ops)
{
	spin_lock(&xtcp_cong_lock);
	list_add_tail_rcu(&ops->list, &xtcp_cong_list);
	spin_unlock(&xtcp_cong_lock);
}

/**
 * xtcp_cong_register_builtin() - register Reno and CUBIC
 *
 * Description: Built into the module, so they live exactly as long as it does
 * and are never unregistered.  Reno first, as Linux lists it first in
 * tcp_available_congestion_control (tcp_register_congestion_control()).
 *
 * Context: process context, module init, before any socket exists.
 */
void xtcp_cong_register_builtin(void)
{
	xtcp_cong_register(&xtcp_cong_reno);
	xtcp_cong_register(&xtcp_cong_cubic);
}

/**
 * xtcp_cong_find() - look a congestion control algorithm up by name
 * @name: the algorithm's name, NUL-terminated ("reno", "cubic")
 *
 * Linux's tcp_ca_find().  The algorithms are built in, so the pointer
 * stays valid for the module's lifetime.
 *
 * Context: any; takes rcu_read_lock() itself.
 * Return: the algorithm's ops, or NULL when none has that name.
 */
const struct xtcp_cong_ops *xtcp_cong_find(const char *name)
{
	const struct xtcp_cong_ops *ops, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(ops, &xtcp_cong_list, list) {
		if (!strcmp(ops->name, name)) {
			found = ops;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * xtcp_cong_available() - the names of all registered algorithms
 * @buf: where to write them, NUL-terminated, space-separated, in
 *       registration order
 * @len: size of @buf in bytes; a longer list is truncated
 *
 * As tcp_get_available_congestion_control().
 *
 * Context: any; takes rcu_read_lock() itself (the sysctl handler, in
 * process context).
 */
void xtcp_cong_available(char *buf, size_t len)
{
	const struct xtcp_cong_ops *ops;
	size_t offs = 0;

	*buf = '\0';
	rcu_read_lock();
	list_for_each_entry_rcu(ops, &xtcp_cong_list, list) {
		offs += scnprintf(buf + offs, len - offs, "%s%s",
				  offs ? " " : "", ops->name);
	}
	rcu_read_unlock();
}
