// SPDX-License-Identifier: GPL-2.0
/* xtcp: /proc/net/xtcp_sockstat, the "TCP:" line of /proc/net/sockstat
 * for xtcp, in the same format so tools that parse one parse the other:
 *
 *   XTCP: inuse N orphan N tw N alloc N mem N
 *
 * inuse: xtcp sockets open in this namespace (Linux counts hashed ones);
 * orphan: closed by their owner, still finishing, in this namespace;
 * tw: TIME_WAIT entries of this namespace; alloc: xtcp sockets in all
 * namespaces (sockets_allocated); mem: pages charged to xtcp by all
 * sockets (memory_allocated), net.xtcp.tcp_mem's unit.  Unlike Linux's
 * line, mem includes what each CPU holds back in its batch
 * (per_cpu_fw_alloc), so it is exact, not rounded to 1 MiB per CPU.
 */
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/sock.h>
#include <net/xtcp.h>

static long xtcp_memory_allocated_exact(void)
{
	long pages = atomic_long_read(&xtcp_memory_allocated);
	int cpu;

	for_each_possible_cpu(cpu)
		pages += READ_ONCE(per_cpu(xtcp_memory_per_cpu_fw_alloc, cpu));
	return max(pages, 0L);
}

static int xtcp_sockstat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct xtcp_net *xn = xtcp_pernet(net);

	seq_printf(seq, "XTCP: inuse %d orphan %d tw %d alloc %lld mem %ld\n",
		   sock_prot_inuse_get(net, &xtcp_prot),
		   atomic_read(&xn->orphans), atomic_read(&xn->tw_count),
		   percpu_counter_sum_positive(&xtcp_sockets_allocated),
		   xtcp_memory_allocated_exact());
	/* Port reservations (port.c): this namespace's as "inuse", all
	 * namespaces' as "alloc", as the TCP line counts sockets.
	 */
	seq_printf(seq, "PORT: inuse %d alloc %lld\n", xtcp_port_inuse(net),
		   percpu_counter_sum_positive(&xtcp_ports_allocated));
	return 0;
}

/**
 * xtcp_sockstat_net_init() - create /proc/net/xtcp_sockstat in @net
 * @net: the namespace being set up (pernet init, process context)
 *
 * Context: process context, the namespace's pernet init; may sleep.
 * Return: 0 or -ENOMEM.
 */
int xtcp_sockstat_net_init(struct net *net)
{
	if (!proc_create_net_single("xtcp_sockstat", 0444, net->proc_net,
				    xtcp_sockstat_show, NULL))
		return -ENOMEM;
	return 0;
}

/**
 * xtcp_sockstat_net_exit() - remove /proc/net/xtcp_sockstat from @net
 * @net: the namespace going away (pernet exit, process context)
 *
 * Context: process context, the namespace's pernet exit (or init's
 * error path); may sleep.
 */
void xtcp_sockstat_net_exit(struct net *net)
{
	remove_proc_entry("xtcp_sockstat", net->proc_net);
}
