// SPDX-License-Identifier: GPL-2.0
/* xtcp: the net.xtcp.* sysctl tree, one per network namespace.
 *
 * Each knob has the name, meaning, handler (hence accepted range and
 * errno) and default of its net.ipv4.tcp_* twin in Linux 6.1
 * (net/ipv4/sysctl_net_ipv4.c, tcp_sk_init(), tcp_init()).  One knob
 * that Linux keeps global and shows only in the initial namespace,
 * tcp_max_orphans, is per namespace here like all the others.  tcp_mem
 * is global and shown in the initial namespace only, as Linux's: it
 * limits the memory of all xtcp sockets together (struct proto has one
 * sysctl_mem).
 */
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <net/net_namespace.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_cong.h>

static int xtcp_syn_retries_min = 1;
static int xtcp_syn_retries_max = MAX_TCP_SYNCNT;
static int xtcp_retries1_max = 255;
static int xtcp_min_rcvbuf = 4096;
static int xtcp_adv_win_scale_min = -31;
static int xtcp_adv_win_scale_max = 31;
static int xtcp_one_day_secs = 24 * 3600;

/* Templates point .data at an offset inside struct xtcp_net; each
 * namespace's copy is rebased onto its own struct (xtcp_sysctl_net_init).
 */
#define XTCP_KNOB(field)	((void *)offsetof(struct xtcp_net, field))

static int xtcp_proc_cong_default(struct ctl_table *ctl, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	struct xtcp_net *xn = container_of(ctl->data, struct xtcp_net,
					   cong_default);
	char name[XTCP_CONG_NAME_MAX];
	struct ctl_table tbl = { .data = name, .maxlen = sizeof(name) };
	int err;

	rcu_read_lock();
	strscpy(name, rcu_dereference(xn->cong_default)->name, sizeof(name));
	rcu_read_unlock();

	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (!write || err)
		return err;
	/* Unknown names get ENOENT; outside the initial namespace only an
	 * allowed algorithm may be the default; the default is then
	 * allowed to all (tcp_set_default_congestion_control()).
	 */
	return xtcp_cong_set_default(xn, name);
}

/* net.xtcp.tcp_available_congestion_control (read-only) and
 * tcp_allowed_congestion_control: global lists, as Linux's; the allowed
 * one is writable in the initial namespace only (xtcp_sysctl_net_init()).
 */
static int xtcp_proc_cong_list(struct ctl_table *ctl, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	bool allowed = !strcmp(ctl->procname, "tcp_allowed_congestion_control");
	struct ctl_table tbl = { .maxlen = XTCP_CONG_BUF_MAX };
	int err;

	tbl.data = kmalloc(tbl.maxlen, GFP_USER);
	if (!tbl.data)
		return -ENOMEM;
	if (allowed)
		xtcp_cong_allowed(tbl.data, tbl.maxlen);
	else
		xtcp_cong_available(tbl.data, tbl.maxlen);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (write && !err && allowed)
		err = xtcp_cong_set_allowed(tbl.data);
	kfree(tbl.data);
	return err;
}

static const struct ctl_table xtcp_sysctl_template[] = {
	{
		.procname	= "tcp_syn_retries",
		.data		= XTCP_KNOB(syn_retries),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
		.extra1		= &xtcp_syn_retries_min,
		.extra2		= &xtcp_syn_retries_max,
	},
	{
		.procname	= "tcp_synack_retries",
		.data		= XTCP_KNOB(synack_retries),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_retries1",
		.data		= XTCP_KNOB(retries1),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
		.extra2		= &xtcp_retries1_max,
	},
	{
		.procname	= "tcp_retries2",
		.data		= XTCP_KNOB(retries2),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_fin_timeout",
		.data		= XTCP_KNOB(fin_timeout),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_jiffies,
	},
	{
		.procname	= "tcp_keepalive_time",
		.data		= XTCP_KNOB(keepalive_time),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_jiffies,
	},
	{
		.procname	= "tcp_keepalive_intvl",
		.data		= XTCP_KNOB(keepalive_intvl),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_jiffies,
	},
	{
		.procname	= "tcp_keepalive_probes",
		.data		= XTCP_KNOB(keepalive_probes),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_sack",
		.data		= XTCP_KNOB(sack),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_dsack",
		.data		= XTCP_KNOB(dsack),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_timestamps",
		.data		= XTCP_KNOB(timestamps),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_window_scaling",
		.data		= XTCP_KNOB(window_scaling),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_syncookies",
		.data		= XTCP_KNOB(syncookies),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_rfc1337",
		.data		= XTCP_KNOB(rfc1337),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_abort_on_overflow",
		.data		= XTCP_KNOB(abort_on_overflow),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_max_orphans",
		.data		= XTCP_KNOB(max_orphans),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "tcp_max_syn_backlog",
		.data		= XTCP_KNOB(max_syn_backlog),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "tcp_max_tw_buckets",
		.data		= XTCP_KNOB(max_tw_buckets),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "tcp_orphan_retries",
		.data		= XTCP_KNOB(orphan_retries),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_rmem",
		.data		= XTCP_KNOB(rmem),
		.maxlen		= sizeof_field(struct xtcp_net, rmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_min_rcvbuf,
	},
	{
		.procname	= "tcp_wmem",
		.data		= XTCP_KNOB(wmem),
		.maxlen		= sizeof_field(struct xtcp_net, wmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "tcp_invalid_ratelimit",
		.data		= XTCP_KNOB(invalid_ratelimit),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_ms_jiffies,
	},
	{
		.procname	= "tcp_challenge_ack_limit",
		.data		= XTCP_KNOB(challenge_ack_limit),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "tcp_ecn",
		.data		= XTCP_KNOB(ecn),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{
		.procname	= "tcp_ecn_fallback",
		.data		= XTCP_KNOB(ecn_fallback),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "tcp_moderate_rcvbuf",
		.data		= XTCP_KNOB(moderate_rcvbuf),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_adv_win_scale",
		.data		= XTCP_KNOB(adv_win_scale),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_adv_win_scale_min,
		.extra2		= &xtcp_adv_win_scale_max,
	},
	{
		.procname	= "tcp_recovery",
		.data		= XTCP_KNOB(recovery),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_early_retrans",
		.data		= XTCP_KNOB(early_retrans),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_FOUR,
	},
	{
		.procname	= "tcp_slow_start_after_idle",
		.data		= XTCP_KNOB(slow_start_after_idle),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_thin_linear_timeouts",
		.data		= XTCP_KNOB(thin_linear_timeouts),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_cubic_hystart",
		.data		= XTCP_KNOB(cubic_hystart),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_frto",
		.data		= XTCP_KNOB(frto),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_early_demux",
		.data		= XTCP_KNOB(early_demux),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		/* extra2 is this namespace's tcp_max_reordering: rebased
		 * with .data (xtcp_sysctl_net_init()).
		 */
		.procname	= "tcp_reordering",
		.data		= XTCP_KNOB(reordering),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= XTCP_KNOB(max_reordering),
	},
	{
		.procname	= "tcp_max_reordering",
		.data		= XTCP_KNOB(max_reordering),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "tcp_min_rtt_wlen",
		.data		= XTCP_KNOB(min_rtt_wlen),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_one_day_secs,
	},
	{
		.procname	= "tcp_tso_rtt_log",
		.data		= XTCP_KNOB(tso_rtt_log),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_tso_win_divisor",
		.data		= XTCP_KNOB(tso_win_divisor),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
	},
	{
		.procname	= "tcp_notsent_lowat",
		.data		= XTCP_KNOB(notsent_lowat),
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	{
		.procname	= "tcp_limit_output_bytes",
		.data		= XTCP_KNOB(limit_output_bytes),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "tcp_comp_sack_delay_ns",
		.data		= XTCP_KNOB(comp_sack_delay_ns),
		.maxlen		= sizeof(unsigned long),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{
		.procname	= "tcp_comp_sack_slack_ns",
		.data		= XTCP_KNOB(comp_sack_slack_ns),
		.maxlen		= sizeof(unsigned long),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{
		.procname	= "tcp_comp_sack_nr",
		.data		= XTCP_KNOB(comp_sack_nr),
		.maxlen		= sizeof(u8),
		.mode		= 0644,
		.proc_handler	= proc_dou8vec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "tcp_congestion_control",
		.data		= XTCP_KNOB(cong_default),
		.maxlen		= XTCP_CONG_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_proc_cong_default,
	},
	{
		.procname	= "tcp_available_congestion_control",
		.maxlen		= XTCP_CONG_BUF_MAX,
		.mode		= 0444,
		.proc_handler	= xtcp_proc_cong_list,
	},
	{
		/* Global: read-only outside the initial namespace. */
		.procname	= "tcp_allowed_congestion_control",
		.maxlen		= XTCP_CONG_BUF_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_proc_cong_list,
	},
	{ }
};

/* Buffer limits as tcp_init() sizes them: min one page, default 16 KiB
 * (send) / 128 KiB (receive), max 1/128 of the memory free for buffers,
 * capped at 4 MiB (send) / 6 MiB (receive).
 */
static void xtcp_default_buffers(struct xtcp_net *xn)
{
	unsigned long limit = nr_free_buffer_pages() << (PAGE_SHIFT - 7);

	xn->wmem[0] = PAGE_SIZE;
	xn->wmem[1] = 16 * 1024;
	xn->wmem[2] = max(64UL * 1024, min(4UL * 1024 * 1024, limit));
	xn->rmem[0] = PAGE_SIZE;
	xn->rmem[1] = 131072;
	xn->rmem[2] = max(131072UL, min(6UL * 1024 * 1024, limit));
}

/* Linux's defaults (tcp_sk_init()); see the file comment. */
static void xtcp_default_knobs(struct net *net, struct xtcp_net *xn)
{
	/* Sized, like Linux, from native TCP's established-hash size. */
	unsigned int ehash = net->ipv4.tcp_death_row.hashinfo->ehash_mask + 1;
	struct xtcp_net *init_xn = xtcp_pernet(&init_net);

	xn->syn_retries = TCP_SYN_RETRIES;
	xn->synack_retries = TCP_SYNACK_RETRIES;
	xn->retries1 = TCP_RETR1;
	xn->retries2 = TCP_RETR2;
	xn->fin_timeout = TCP_FIN_TIMEOUT;
	xn->keepalive_time = TCP_KEEPALIVE_TIME;
	xn->keepalive_intvl = TCP_KEEPALIVE_INTVL;
	xn->keepalive_probes = TCP_KEEPALIVE_PROBES;
	xn->sack = 1;
	xn->timestamps = 1;
	xn->window_scaling = 1;
	xn->syncookies = 1;
	xn->rfc1337 = 0;
	xn->abort_on_overflow = 0;
	xn->max_orphans = (tcp_hashinfo.ehash_mask + 1) / 2;
	xn->max_syn_backlog = max(128U, ehash / 128);
	xn->invalid_ratelimit = HZ / 2;
	/* Linux 6.1 (tcp_sk_init()): no global limit unless set. */
	xn->challenge_ack_limit = INT_MAX;
	xn->max_tw_buckets = ehash / 2;
	xn->orphan_retries = 0;
	xn->ecn = 2;
	xn->ecn_fallback = 1;
	xn->moderate_rcvbuf = 1;
	xn->adv_win_scale = 1;
	xn->dsack = 1;
	xn->recovery = XTCP_RACK_LOSS_DETECTION;
	xn->early_retrans = 3;	/* TLP on (tcp_sk_init()) */
	xn->frto = 2;		/* F-RTO on (tcp_sk_init()) */
	xn->early_demux = 1;	/* inet_init_net() */
	xn->slow_start_after_idle = 1;	/* RFC 2861 (tcp_sk_init()) */
	xn->thin_linear_timeouts = 0;
	xn->cubic_hystart = 1;		/* RFC 9406 */
	xn->reordering = TCP_FASTRETRANS_THRESH;
	xn->max_reordering = 300;
	/* SACK compression (tcp_sk_init()): 1 ms, 100 us, 44 ACKs. */
	xn->comp_sack_delay_ns = NSEC_PER_MSEC;
	xn->comp_sack_slack_ns = 100 * NSEC_PER_USEC;
	xn->comp_sack_nr = 44;
	xn->min_rtt_wlen = 300;
	xn->tso_rtt_log = 9;	/* 2^9 us: tcp_tso_autosize() */
	xn->tso_win_divisor = 3;	/* tcp_tso_should_defer() */
	/* 16 GSO skbs of 64 KiB (tcp_sk_init()). */
	xn->limit_output_bytes = 16 * 65536;
	xn->notsent_lowat = UINT_MAX;

	/* New namespaces copy the initial namespace's buffer limits, as
	 * tcp_sk_init() does (its congestion control: xtcp_cong_net_init()).
	 */
	if (net_eq(net, &init_net)) {
		xtcp_default_buffers(xn);
	} else {
		memcpy(xn->rmem, init_xn->rmem, sizeof(xn->rmem));
		memcpy(xn->wmem, init_xn->wmem, sizeof(xn->wmem));
	}
}

/**
 * xtcp_sysctl_net_init() - set a namespace's knobs and register them
 * @net: the namespace
 * @xn:  its xtcp state
 *
 * Every knob gets its default (a new namespace copies the initial one's
 * buffer limits and congestion control, as tcp_sk_init() does), and the
 * table net.xtcp.* is registered with each entry pointing into @xn
 * (Linux's ipv4_sysctl_init_net()).
 *
 * Context: process context, the namespace's pernet init; may sleep.
 * Return: 0, or -ENOMEM when the table cannot be copied or registered.
 */
int xtcp_sysctl_net_init(struct net *net, struct xtcp_net *xn)
{
	struct ctl_table *tbl;
	size_t i;

	xtcp_default_knobs(net, xn);

	tbl = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	/* Every knob but the two lists is backed by a field of @xn; the
	 * lists are global, so read-only outside the initial namespace
	 * (ipv4_sysctl_init_net()).
	 */
	for (i = 0; i < ARRAY_SIZE(xtcp_sysctl_template) - 1; i++) {
		if (tbl[i].proc_handler == xtcp_proc_cong_list) {
			if (!net_eq(net, &init_net))
				tbl[i].mode &= ~0222;
			continue;
		}
		tbl[i].data = (char *)xn + (uintptr_t)tbl[i].data;
		if (tbl[i].data == &xn->reordering)
			tbl[i].extra2 = &xn->max_reordering;
	}

	xn->sysctl_hdr = register_net_sysctl(net, "net/xtcp", tbl);
	if (!xn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_sysctl_net_exit() - unregister a namespace's knobs
 * @xn: the namespace's xtcp state, registered by xtcp_sysctl_net_init()
 *
 * Context: process context, the namespace's pernet exit (or init's
 * error path); may sleep.
 */
void xtcp_sysctl_net_exit(struct xtcp_net *xn)
{
	struct ctl_table *tbl = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(tbl);
}

/* net.xtcp.tcp_mem: pages all xtcp sockets may hold before memory
 * pressure (1), and before refusing memory (2) (struct proto sysctl_mem).
 */
static struct ctl_table xtcp_sysctl_global[] = {
	{
		.procname	= "tcp_mem",
		.data		= &sysctl_xtcp_mem,
		.maxlen		= sizeof(sysctl_xtcp_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{ }
};

static struct ctl_table_header *xtcp_sysctl_global_hdr;

/**
 * xtcp_sysctl_init() - the global knobs, in the initial namespace only
 *
 * Description: tcp_mem defaults (in pages) as tcp_init_mem() computes
 * them: 1/16 of the pages free for buffers (at least 128) is the
 * pressure threshold, 3/4 of it the low mark, twice the low mark the
 * hard limit.  Linux computes them at boot, xtcp at load, so fewer free
 * pages may give smaller values.
 *
 * Context: process context, called once at module load.
 * Return: 0 or -ENOMEM.
 */
int xtcp_sysctl_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);

	sysctl_xtcp_mem[0] = limit / 4 * 3;
	sysctl_xtcp_mem[1] = limit;
	sysctl_xtcp_mem[2] = sysctl_xtcp_mem[0] * 2;
	xtcp_sysctl_global_hdr = register_net_sysctl(&init_net, "net/xtcp",
						     xtcp_sysctl_global);
	return xtcp_sysctl_global_hdr ? 0 : -ENOMEM;
}

/**
 * xtcp_sysctl_exit() - remove what xtcp_sysctl_init() registered
 *
 * Context: process context, module exit or init's error path.
 */
void xtcp_sysctl_exit(void)
{
	unregister_net_sysctl_table(xtcp_sysctl_global_hdr);
}
