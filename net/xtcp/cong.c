// SPDX-License-Identifier: GPL-2.0
/* xtcp: the registry of congestion control algorithms, the pluggable hook
 * behind net.xtcp.tcp_congestion_control, the allowed list and a
 * socket's TCP_CONGESTION.
 *
 * The algorithms themselves (cong_reno.c, cong_cubic.c, and those other
 * modules register) are pure logic; this file names them and pins the
 * modules of those in use.  Registration order is the order
 * tcp_available_congestion_control lists them in, as in Linux.  An
 * algorithm with XTCP_CONG_NON_RESTRICTED may be chosen by any user; the
 * others need CAP_NET_ADMIN (tcp_cong.c's scheme).
 */
#include <linux/capability.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/module.h>
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

/**
 * xtcp_register_congestion_control() - add an algorithm to the registry
 * @ops: the algorithm: name, owner (THIS_MODULE; NULL when built into
 *       xtcp) and the required hooks (init, ssthresh, undo_cwnd, and
 *       cong_avoid or cong_control) set; it must stay in memory until
 *       unregistered
 *
 * As tcp_register_congestion_control(): the algorithm is listed last in
 * net.xtcp.tcp_available_congestion_control and can be chosen by name
 * (TCP_CONGESTION by a user with CAP_NET_ADMIN, or by anyone once it is
 * in tcp_allowed_congestion_control; tcp_congestion_control).  A socket
 * or namespace default that uses it holds a reference on @ops->owner,
 * so its module cannot be unloaded while in use.
 *
 * Context: process context (module init); takes a spinlock.
 * Return: 0, -EINVAL when a required hook or the name is missing or the
 * name does not fit XTCP_CONG_NAME_MAX, -EEXIST when the name is taken.
 */
int xtcp_register_congestion_control(struct xtcp_cong_ops *ops)
{
	if (!ops->init || !ops->ssthresh ||
	    !(ops->cong_avoid || ops->cong_control) ||
	    !ops->undo_cwnd || !ops->name[0] ||
	    strnlen(ops->name, XTCP_CONG_NAME_MAX) == XTCP_CONG_NAME_MAX) {
		pr_err("xtcp: congestion control %.*s: required hooks or name missing\n",
		       XTCP_CONG_NAME_MAX, ops->name);
		return -EINVAL;
	}
	spin_lock(&xtcp_cong_lock);
	if (xtcp_cong_find_locked(ops->name)) {
		spin_unlock(&xtcp_cong_lock);
		pr_notice("xtcp: congestion control %s already registered\n",
			  ops->name);
		return -EEXIST;
	}
	list_add_tail_rcu(&ops->list, &xtcp_cong_list);
	spin_unlock(&xtcp_cong_lock);
	pr_debug("xtcp: congestion control %s registered\n", ops->name);
	return 0;
}
EXPORT_SYMBOL_GPL(xtcp_register_congestion_control);

/**
 * xtcp_unregister_congestion_control() - take an algorithm off the registry
 * @ops: an algorithm xtcp_register_congestion_control() accepted
 *
 * As tcp_unregister_congestion_control().  No socket and no namespace
 * default can be using it: each holds a reference on its module, which
 * the module's exit cannot run with.  Returns after an RCU grace period,
 * when no lookup can still see @ops.
 *
 * Context: process context (module exit); may sleep.
 */
void xtcp_unregister_congestion_control(struct xtcp_cong_ops *ops)
{
	spin_lock(&xtcp_cong_lock);
	list_del_rcu(&ops->list);
	spin_unlock(&xtcp_cong_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(xtcp_unregister_congestion_control);

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
	WARN_ON(xtcp_register_congestion_control(&xtcp_cong_reno));
	WARN_ON(xtcp_register_congestion_control(&xtcp_cong_cubic));
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

/* The algorithm named @name, in an RCU read-side section. */
static const struct xtcp_cong_ops *xtcp_cong_find_rcu(const char *name)
{
	const struct xtcp_cong_ops *ops;

	list_for_each_entry_rcu(ops, &xtcp_cong_list, list)
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}

/* The algorithm named @name, in an RCU read-side section; when none has
 * that name, module xtcp_NAME is loaded first, as
 * tcp_ca_find_autoload() loads tcp_NAME (for CAP_NET_ADMIN in the
 * initial namespace only: loading is a host-wide act).  The read-side
 * section is left while the module loads, which may sleep.
 */
static const struct xtcp_cong_ops *xtcp_cong_find_autoload(const char *name)
{
	const struct xtcp_cong_ops *ops = xtcp_cong_find_rcu(name);

#ifdef CONFIG_MODULES
	if (!ops && capable(CAP_NET_ADMIN)) {
		rcu_read_unlock();
		request_module("xtcp_%s", name);
		rcu_read_lock();
		ops = xtcp_cong_find_rcu(name);
	}
#endif
	return ops;
}

/**
 * xtcp_cong_get() - an algorithm, pinned
 * @ops: a registered algorithm, or one a socket or default already pins
 *
 * Takes a reference on the module providing @ops (none for the built-in
 * ones), as bpf_try_module_get() in tcp_cong.c.
 *
 * Context: any; an RCU read-side section or a reference on @ops keeps
 * @ops valid across the call.
 * Return: true when pinned; false when its module is being unloaded.
 */
bool xtcp_cong_get(const struct xtcp_cong_ops *ops)
{
	return try_module_get(ops->owner);
}

/**
 * xtcp_cong_put() - drop what xtcp_cong_get() took
 * @ops: the algorithm
 *
 * Context: any (a socket's destructor may run from an RCU callback).
 */
void xtcp_cong_put(const struct xtcp_cong_ops *ops)
{
	module_put(ops->owner);
}

/**
 * xtcp_cong_default_get() - a namespace's default algorithm, pinned
 * @xn: the namespace's xtcp state
 *
 * What a new socket starts with (tcp_assign_congestion_control()): the
 * default, or Reno when the default's module is on its way out.
 *
 * Context: any; takes rcu_read_lock() itself.
 * Return: the algorithm, with a reference for the caller to put.
 */
const struct xtcp_cong_ops *xtcp_cong_default_get(struct xtcp_net *xn)
{
	const struct xtcp_cong_ops *ops;

	rcu_read_lock();
	ops = rcu_dereference(xn->cong_default);
	if (unlikely(!xtcp_cong_get(ops)))
		ops = &xtcp_cong_reno;
	rcu_read_unlock();
	return ops;
}

/**
 * xtcp_cong_set_default() - net.xtcp.tcp_congestion_control written
 * @xn:   the namespace's xtcp state
 * @name: the algorithm's name, NUL-terminated
 *
 * As tcp_set_default_congestion_control(): the algorithm (its module
 * xtcp_NAME loaded if need be) becomes the default, pinned by the
 * namespace, and is allowed to all; outside the initial namespace only
 * an allowed algorithm may be the default.
 *
 * Context: process context (the sysctl handler); may sleep.
 * Return: 0, -ENOENT (no such algorithm), -EBUSY (its module is being
 * unloaded), -EPERM (restricted, in a namespace other than the initial).
 */
int xtcp_cong_set_default(struct xtcp_net *xn, const char *name)
{
	const struct xtcp_cong_ops *ops, *prev;
	int err = 0;

	rcu_read_lock();
	ops = xtcp_cong_find_autoload(name);
	if (!ops)
		err = -ENOENT;
	else if (xn != xtcp_pernet(&init_net) &&
		 !(READ_ONCE(ops->flags) & XTCP_CONG_NON_RESTRICTED))
		err = -EPERM;
	else if (!xtcp_cong_get(ops))
		err = -EBUSY;
	else
		xtcp_cong_allow(ops);	/* before our pin is handed over */
	rcu_read_unlock();
	if (err)
		return err;
	prev = unrcu_pointer(xchg(&xn->cong_default, RCU_INITIALIZER(ops)));
	if (prev)
		xtcp_cong_put(prev);
	return 0;
}

/**
 * xtcp_cong_net_init() - a new namespace's default algorithm
 * @net: the namespace
 * @xn:  its xtcp state
 *
 * CUBIC in the initial namespace; a new one copies the initial one's
 * default, or takes Reno when that one's module is on its way out
 * (tcp_sk_init()).  Pinned until xtcp_cong_net_exit().
 *
 * Context: process context, the namespace's pernet init.
 */
void xtcp_cong_net_init(struct net *net, struct xtcp_net *xn)
{
	const struct xtcp_cong_ops *ops = &xtcp_cong_cubic;

	if (!net_eq(net, &init_net))
		ops = xtcp_cong_default_get(xtcp_pernet(&init_net));
	RCU_INIT_POINTER(xn->cong_default, ops);
}

/**
 * xtcp_cong_net_exit() - unpin a namespace's default algorithm
 * @xn: the namespace's xtcp state
 *
 * Context: process context, the namespace's pernet exit; no socket of
 * the namespace remains.
 */
void xtcp_cong_net_exit(struct xtcp_net *xn)
{
	xtcp_cong_put(rcu_dereference_protected(xn->cong_default, 1));
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
 * An unknown name loads module xtcp_NAME first for CAP_NET_ADMIN in the
 * initial namespace (tcp_ca_find_autoload()).  The socket pins the new
 * algorithm's module and unpins the old one's.
 *
 * Context: process context, socket owned; may sleep (module loading).
 * Return: 0, -ENOENT when no algorithm has that name, -EPERM when it is
 * restricted and @cap_net_admin is false, -EBUSY when its module is
 * being unloaded.
 */
int xtcp_set_congestion_control(struct sock *sk, const char *name,
				bool cap_net_admin)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	const struct xtcp_cong_ops *ops, *prev = xsk->cong_ops;
	int err = 0;

	rcu_read_lock();
	ops = xtcp_cong_find_autoload(name);
	if (ops == prev)
		xsk->ca_setsockopt = 1;
	else if (!ops)
		err = -ENOENT;
	else if (!(READ_ONCE(ops->flags) & XTCP_CONG_NON_RESTRICTED) &&
		 !cap_net_admin)
		err = -EPERM;
	else if (!xtcp_cong_get(ops))
		err = -EBUSY;
	rcu_read_unlock();
	if (err || ops == prev)
		return err;
	WRITE_ONCE(xsk->cong_ops, ops);
	xsk->ca_setsockopt = 1;
	memset(xsk->cong.priv, 0, sizeof(xsk->cong.priv));
	ops->init(&xsk->cong, jiffies_to_msecs(jiffies));
	/* The state the new algorithm starts in: ->set_state hears changes
	 * from here (the old one may not have kept ca_state current).
	 */
	xsk->ca_state = xtcp_ca_state(sk);
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		xsk->prior_ssthresh = 0;
	xtcp_cong_put(prev);
	return 0;
}
