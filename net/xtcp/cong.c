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

/* Built into the module, so they live exactly as long as it does. */
void xtcp_cong_register_builtin(void)
{
	xtcp_cong_register(&xtcp_cong_reno);
	xtcp_cong_register(&xtcp_cong_cubic);
}

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

/* Space-separated names, as tcp_get_available_congestion_control(). */
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
