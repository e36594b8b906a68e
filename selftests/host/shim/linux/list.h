/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for <linux/list.h>: the hlist part the pure xtcp code
 * uses, with the kernel's names and semantics (hlist_del_init() leaves the
 * node unhashed, pprev NULL; there is no list poisoning here).
 */
#ifndef _XTCP_SHIM_LINUX_LIST_H
#define _XTCP_SHIM_LINUX_LIST_H

#include <linux/kernel.h>
#include <linux/types.h>

#define INIT_HLIST_HEAD(h)	((h)->first = NULL)

static inline void INIT_HLIST_NODE(struct hlist_node *n)
{
	n->next = NULL;
	n->pprev = NULL;
}

static inline int hlist_unhashed(const struct hlist_node *n)
{
	return !n->pprev;
}

static inline int hlist_empty(const struct hlist_head *h)
{
	return !h->first;
}

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (n->next)
		n->next->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

static inline void hlist_del_init(struct hlist_node *n)
{
	if (hlist_unhashed(n))
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	INIT_HLIST_NODE(n);
}

/* Every node of @old moves to @new (whose contents are forgotten). */
static inline void hlist_move_list(struct hlist_head *old,
				   struct hlist_head *new)
{
	new->first = old->first;
	if (new->first)
		new->first->pprev = &new->first;
	old->first = NULL;
}

#define hlist_entry(ptr, type, member)	container_of(ptr, type, member)

#define hlist_entry_safe(ptr, type, member) \
	({ typeof(ptr) ____p = (ptr); \
	   ____p ? hlist_entry(____p, type, member) : NULL; })

/* @pos may be unlinked (not others) while it is visited. */
#define hlist_for_each_entry_safe(pos, n, head, member) \
	for (pos = hlist_entry_safe((head)->first, typeof(*pos), member); \
	     pos && ({ n = pos->member.next; 1; }); \
	     pos = hlist_entry_safe(n, typeof(*pos), member))

#endif /* _XTCP_SHIM_LINUX_LIST_H */
