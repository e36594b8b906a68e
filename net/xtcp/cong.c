// SPDX-License-Identifier: GPL-2.0
/* xtcp: the registry of congestion control algorithms, the pluggable hook
 * behind net.xtcp.tcp_congestion_control, the allowed list and a
 * socket's TCP_CONGESTION.
 *
 * The algorithms themselves (cong_reno.c, cong_cubic.c) are pure logic;
 * this file only names them.  Registration order is the order
 * tcp_available_congestion_control lists them in, as in Linux.  An
 * algorithm with XTCP_CONG_NON_RESTRICTED may be chosen by any user; the
 * others need CAP_NET_ADMIN (tcp_cong.c's scheme).
 */
#include <linux/capability.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <net/sock.h>
#include <net/xtcp.h>
#include <net/xtcp_cong.h>

static LIST_HEAD(xtcp_cong_list);
static DEFINE_SPINLOCK(xtcp_cong_lock);

/* The algorithm named @name, the list lock held. */
static struct xtcp_cong_ops *xtcp_cong_find_locked(const char *name)
{
	struct xtcp_cong_ops *ops;

	list_for_each_entry(ops, &xtcp_cong_list, list)
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}

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
 * CUBIC, the default, is allowed to all, as tcp_congestion_default()
 * makes Linux's (with Reno, tcp_allowed_congestion_control "reno cubic").
 *
 * Context: process context, module init, before any socket exists.
 */
void xtcp_cong_register_builtin(void)
{
	xtcp_cong_register(&xtcp_cong_reno);
	xtcp_cong_register(&xtcp_cong_cubic);
	xtcp_cong_allow(&xtcp_cong_cubic);
}

/**
 * xtcp_cong_allow() - let any user choose an algorithm
 * @ops: a registered algorithm, made a namespace's default
 *
 * As tcp_set_default_congestion_control(): the default is always
 * allowed (XTCP_CONG_NON_RESTRICTED), and stays so until the allowed
 * list is written.
 *
 * Context: process context (module init, the sysctl handler).
 */
void xtcp_cong_allow(const struct xtcp_cong_ops *ops)
{
	struct xtcp_cong_ops *o;

	spin_lock(&xtcp_cong_lock);
	o = xtcp_cong_find_locked(ops->name);	/* the writable entry */
	if (o)
		WRITE_ONCE(o->flags, o->flags | XTCP_CONG_NON_RESTRICTED);
	spin_unlock(&xtcp_cong_lock);
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

/**
 * xtcp_cong_allowed() - the names of the algorithms any user may choose
 * @buf: where to write them, NUL-terminated, space-separated, in
 *       registration order
 * @len: size of @buf in bytes; a longer list is truncated
 *
 * net.xtcp.tcp_allowed_congestion_control read, as
 * tcp_get_allowed_congestion_control().
 *
 * Context: any; takes rcu_read_lock() itself.
 */
void xtcp_cong_allowed(char *buf, size_t len)
{
	const struct xtcp_cong_ops *ops;
	size_t offs = 0;

	*buf = '\0';
	rcu_read_lock();
	list_for_each_entry_rcu(ops, &xtcp_cong_list, list) {
		if (!(READ_ONCE(ops->flags) & XTCP_CONG_NON_RESTRICTED))
			continue;
		offs += scnprintf(buf + offs, len - offs, "%s%s",
				  offs ? " " : "", ops->name);
	}
	rcu_read_unlock();
}

/**
 * xtcp_cong_set_allowed() - replace the list of algorithms any user may choose
 * @list: space-separated names, each a registered algorithm
 *
 * net.xtcp.tcp_allowed_congestion_control written, as
 * tcp_set_allowed_congestion_control(): all names are checked first,
 * then exactly the listed algorithms are allowed (the default too only
 * if listed).
 *
 * Context: process context (the sysctl handler); may sleep.
 * Return: 0, -ENOENT when a name is not registered (nothing changed),
 * -ENOMEM.
 */
int xtcp_cong_set_allowed(const char *list)
{
	size_t size = strlen(list) + 1;
	char *copy = kmemdup(list, size, GFP_USER), *pos, *name;
	struct xtcp_cong_ops *ops;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	spin_lock(&xtcp_cong_lock);
	pos = copy;
	while ((name = strsep(&pos, " ")) && *name) {
		if (!xtcp_cong_find_locked(name)) {
			err = -ENOENT;
			goto out;
		}
	}
	list_for_each_entry(ops, &xtcp_cong_list, list)
		WRITE_ONCE(ops->flags, ops->flags & ~XTCP_CONG_NON_RESTRICTED);
	memcpy(copy, list, size);	/* strsep() cut it up */
	pos = copy;
	while ((name = strsep(&pos, " ")) && *name) {
		ops = xtcp_cong_find_locked(name);
		WRITE_ONCE(ops->flags, ops->flags | XTCP_CONG_NON_RESTRICTED);
	}
out:
	spin_unlock(&xtcp_cong_lock);
	kfree(copy);
	return err;
}

/**
 * xtcp_set_congestion_control() - TCP_CONGESTION: switch a socket's algorithm
 * @sk:            the socket, locked by the caller (lock_sock())
 * @name:          the algorithm's name, NUL-terminated
 * @cap_net_admin: the caller may choose a restricted algorithm
 *
 * As tcp_set_congestion_control() with tcp_reinit_congestion_control():
 * asking for the algorithm in use changes nothing but marks the choice
 * (children of a listener keep it); otherwise the new algorithm starts
 * from fresh private state over the connection's cwnd and ssthresh, in
 * any state (xtcp initialises an algorithm when it is attached, where
 * Linux waits for the connection to be established), and past the
 * handshake no earlier reduction can be undone any more
 * (tcp_init_congestion_control() clears prior_ssthresh).
 * No algorithm module is loaded on demand (Linux's tcp_ca_find_autoload()
 * loads tcp_NAME): all of xtcp's are built in.
 *
 * Context: process context, socket owned.
 * Return: 0, -ENOENT when no algorithm has that name, -EPERM when it is
 * restricted and @cap_net_admin is false.
 */
int xtcp_set_congestion_control(struct sock *sk, const char *name,
				bool cap_net_admin)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct xtcp_cong_ops *ops = xtcp_cong_find(name);

	if (ops == xsk->cong_ops) {
		xsk->ca_setsockopt = 1;
		return 0;
	}
	if (!ops)
		return -ENOENT;
	if (!(READ_ONCE(ops->flags) & XTCP_CONG_NON_RESTRICTED) &&
	    !cap_net_admin)
		return -EPERM;
	WRITE_ONCE(xsk->cong_ops, ops);
	xsk->ca_setsockopt = 1;
	memset(xsk->cong.priv, 0, sizeof(xsk->cong.priv));
	ops->init(&xsk->cong, jiffies_to_msecs(jiffies));
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		xsk->prior_ssthresh = 0;
	return 0;
}
