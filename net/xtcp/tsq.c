// SPDX-License-Identifier: GPL-2.0
/* xtcp: TCP small queues (Linux's TSQ, tcp_output.c).
 *
 * The bytes a socket has below IP (qdisc, device queue, driver ring) are
 * bounded: xtcp_write_xmit() stops once the socket's transmitted clones
 * still charged to sk_wmem_alloc exceed about a millisecond of data at
 * the socket's rate or twice the skb's truesize, whichever is larger,
 * and at most net.xtcp.tcp_limit_output_bytes
 * (xtcp_small_queue_check()).  The queued skbs of the send and
 * retransmission queues are charged to sk_wmem_queued, not sk_wmem_alloc,
 * so sk_wmem_alloc counts exactly what sits below IP (plus the one unit
 * sk_alloc() starts it at), as in Linux.
 *
 * A socket that stopped this way is THROTTLED.  Every transmitted clone
 * carries xtcp_wfree() as destructor; when one is freed (sent by the
 * device, dropped, or orphaned by a driver such as veth) and its socket
 * is throttled, the socket is queued to a per-CPU tasklet that sends
 * more (a destructor may run under the qdisc lock, where transmitting is
 * forbidden).  A socket owned by a user is left to release_sock()
 * (XTCP_TSQ_DEFERRED, xtcp_release_cb()).
 *
 * Lifetime: a queued socket keeps one unit of sk_wmem_alloc (the unit
 * xtcp_wfree() did not give back), which keeps sk_free() from freeing
 * it; the tasklet gives it back with sk_free() after its work, as
 * tcp_tasklet_func() does.  Every socket holds a module reference until
 * __sk_destruct() (an RCU grace period after the last sk_wmem_alloc unit
 * goes, SOCK_RCU_FREE), so the module cannot be unloaded while an skb
 * with xtcp_wfree() sits in any queue, nor while a socket waits on a
 * tasklet; xtcp_tsq_exit() then waits for tasklets still returning.
 */
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/xtcp.h>

/* One tasklet per CPU with its own list of sockets, as Linux's. */
struct xtcp_tsq_tasklet {
	struct tasklet_struct tasklet;
	struct list_head head;		/* xtcp_sock.tsq_node; IRQs off */
};

static DEFINE_PER_CPU(struct xtcp_tsq_tasklet, xtcp_tsq_tasklet);

/**
 * xtcp_pacing_rate() - the rate a socket's window allows
 * @sk: the socket, locked (owner or spinlock)
 *
 * Linux's tcp_update_pacing_rate(): max(cwnd, packets_out) segments of
 * MSS bytes per smoothed RTT, times 2 in slow start (cwnd below half of
 * ssthresh) and 1.2 after (the default tcp_pacing_ss_ratio and
 * tcp_pacing_ca_ratio), at most SO_MAX_PACING_RATE.  xtcp does not pace:
 * the rate sizes GSO skbs (xtcp_tso_segs()) and the bytes allowed below
 * IP (xtcp_small_queue_check()), as sk_pacing_rate does in Linux.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): sending, and getsockopt(TCP_INFO) under lock_sock().
 * Return: bytes per second; sk_max_pacing_rate (unlimited by default,
 * ~0UL, Linux's initial sk_pacing_rate) before the first RTT sample.
 */
u64 xtcp_pacing_rate(const struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u64 max_rate = READ_ONCE(sk->sk_max_pacing_rate);
	u32 srtt8 = xsk->rtt.srtt_us;	/* 8 SRTT, at least 1 once sampled */
	u64 rate;

	if (!xtcp_rtt_has_sample(&xsk->rtt))
		return max_rate;
	rate = (u64)xsk->mss * ((USEC_PER_SEC / 100) << 3) *
	       max(xsk->cong.cwnd, xsk->packets_out);
	rate *= xsk->cong.cwnd < xsk->cong.ssthresh / 2 ? 200 : 120;
	rate = div_u64(rate, srtt8);
	return min(rate, max_rate);
}

/**
 * xtcp_small_queue_check() - too much of @sk is below IP to send @skb
 * @sk: the socket, locked (owner or spinlock)
 * @skb: the skb about to be transmitted: from the send queue (already
 *	split), or a retransmission
 * @factor: the limit is shifted left by this: 0 for new data, 1 for a
 *	retransmission (tcp_xmit_retransmit_queue())
 *
 * Linux's tcp_small_queue_check() without pacing: the limit is twice
 * @skb's truesize or what the socket's rate sends in 1/2^sk_pacing_shift
 * of a second (about 1 ms), whichever is larger, but never more than
 * net.xtcp.tcp_limit_output_bytes (a negative value, which the knob's
 * proc_dointvec allows as Linux's does, converts to no limit, as Linux's
 * min_t(unsigned long, ...) does), times 2^@factor, plus what the rate
 * sends in the socket's TCP_TX_DELAY, twice over.  At most one skb in the
 * retransmission queue never throttles: what is below IP then is at
 * most that skb, whose completion need not be waited for, so the
 * connection always makes progress.  Throttled, the socket is marked
 * XTCP_TSQ_THROTTLED and the check repeated: a completion that ran
 * before the mark was set found nothing to wake.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): sending (xtcp_write_xmit(), xtcp_xmit_retransmit_queue()).
 * Return: true when @skb must wait for a completion (xtcp_wfree()).
 */
bool xtcp_small_queue_check(struct sock *sk, const struct sk_buff *skb,
			    unsigned int factor)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u64 rate = xtcp_pacing_rate(sk);
	u32 tx_delay = READ_ONCE(xsk->tx_delay);
	unsigned long limit;

	limit = max_t(unsigned long, 2 * skb->truesize,
		      rate >> READ_ONCE(sk->sk_pacing_shift));
	limit = min_t(unsigned long, limit,
		      READ_ONCE(xtcp_sk_pernet(sk)->limit_output_bytes));
	limit <<= factor;
	/* TCP_TX_DELAY holds what departs later below IP: room for what
	 * the rate sends in the delay, twice over for the truesize
	 * overhead (1 s taken as 2^20 usecs), as Linux adds it.  Nothing
	 * wraps here (rate is ~0 before the first RTT sample, where
	 * Linux's product wraps): the rate is capped at 2^51 B/s, which
	 * keeps the shifted product within 64 bits, and the sum saturates.
	 */
	if (unlikely(tx_delay)) {
		u64 extra = mul_u64_u32_shr(min_t(u64, rate, BIT_ULL(51) - 1),
					    tx_delay, 20 - 1);

		limit = extra > ULONG_MAX - limit ? ULONG_MAX : limit + extra;
	}
	if (refcount_read(&sk->sk_wmem_alloc) <= limit)
		return false;
	if (xtcp_rtx_queue_empty_or_single_skb(sk))
		return false;
	set_bit(XTCP_TSQ_THROTTLED, &xsk->tsq_flags);
	/* The mark before the second read, as tcp_small_queue_check()
	 * orders them: a completion (xtcp_wfree(), which gives its charge
	 * back and only then reads the flags) either gave back before this
	 * read, which then sees the lower sk_wmem_alloc, or reads the flags
	 * after the mark and queues the socket.  Linux relies on the same
	 * order on the xtcp_wfree() side (refcount_sub_and_test() is a
	 * fully ordered locked instruction on x86, the one architecture
	 * this module is built and tested for).
	 */
	smp_mb__after_atomic();
	return refcount_read(&sk->sk_wmem_alloc) > limit;
}

/* Send what waits, on a connection that may still send data (Linux's
 * tcp_tsq_write()): lost segments first, the clock read for them only
 * when cwnd lets one go (new data reads it in __xtcp_write_xmit()),
 * then the send queue.
 */
static void xtcp_tsq_write(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if ((1 << sk->sk_state) &
	    (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_CLOSING |
	     TCPF_CLOSE_WAIT | TCPF_LAST_ACK)) {
		if (xsk->lost_out > xsk->retrans_out &&
		    xsk->cong.cwnd > xtcp_packets_in_flight(xsk)) {
			xtcp_mstamp_refresh(xsk);
			xtcp_xmit_retransmit_queue(sk);
		}
		xtcp_write_xmit(sk, xsk->nonagle);
	}
}

/**
 * xtcp_tsq_release() - the TSQ work left to release_sock()
 * @sk: the socket, from xtcp_release_cb() (owned, spinlock held)
 *
 * The tasklet found the socket owned and took a socket reference
 * (XTCP_TSQ_DEFERRED); this sends what waits and drops it.
 *
 * Context: process context in release_sock() (xtcp_release_cb()), BHs off,
 * socket spinlock held and still owned.
 */
void xtcp_tsq_release(struct sock *sk)
{
	xtcp_tsq_write(sk);
	__sock_put(sk);
}

static void xtcp_tsq_handler(struct sock *sk)
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_tsq_write(sk);
	else if (!test_and_set_bit(XTCP_TSQ_DEFERRED,
				   &xtcp_sk(sk)->timer_deferred))
		sock_hold(sk);	/* the owner holds one: never from zero */
	bh_unlock_sock(sk);
}

/* The per-CPU tasklet (tcp_tasklet_func()): takes the list with IRQs off
 * (xtcp_wfree() may run in hard IRQ context on drivers without NAPI),
 * then gives each socket the sk_wmem_alloc unit its queueing held.
 */
static void xtcp_tsq_tasklet_func(struct tasklet_struct *t)
{
	struct xtcp_tsq_tasklet *tsq = from_tasklet(tsq, t, tasklet);
	struct xtcp_sock *xsk, *next;
	unsigned long flags;
	LIST_HEAD(list);

	local_irq_save(flags);
	list_splice_init(&tsq->head, &list);
	local_irq_restore(flags);

	list_for_each_entry_safe(xsk, next, &list, tsq_node) {
		struct sock *sk = &xsk->inet.sk;

		list_del(&xsk->tsq_node);
		/* Queued again only after this, by a later completion. */
		smp_mb__before_atomic();
		clear_bit(XTCP_TSQ_QUEUED, &xsk->tsq_flags);
		xtcp_tsq_handler(sk);
		sk_free(sk);
	}
}

/**
 * xtcp_wfree() - destructor of the skbs xtcp transmits
 * @skb: the skb, freed or orphaned below IP
 *
 * Linux's tcp_wfree(): gives back @skb's charge to sk_wmem_alloc
 * (xtcp_skb_set_owner_w()) and, if the socket was throttled and is not
 * queued yet, queues it to this CPU's tasklet with the last unit of the
 * charge, which the tasklet gives back.  Without a throttled socket the
 * last unit goes with sk_free(), which frees a socket already closed
 * once nothing else is charged.  Sending from here is forbidden (the
 * qdisc lock may be held).  Linux's extra wait while ksoftirqd runs is
 * left out: ksoftirqd's per-CPU pointer is not exported to modules.
 *
 * Context: any (softirq mostly, hard IRQ on drivers without NAPI,
 * preemptible process context when a qdisc reset frees its skbs).
 */
void xtcp_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	unsigned long old, new, flags;
	struct xtcp_tsq_tasklet *tsq;
	bool empty;

	/* A unit stays: another clone's, or the socket's own until
	 * sk_free(); never the last here.
	 */
	WARN_ON(refcount_sub_and_test(skb->truesize - 1, &sk->sk_wmem_alloc));

	/* An RCU read-side section: a socket freed by the sk_free() below
	 * drops its module reference only after a grace period
	 * (SOCK_RCU_FREE), hence only once this function has left it.
	 */
	rcu_read_lock();
	for (old = READ_ONCE(xsk->tsq_flags);; old = new) {
		if (!(old & BIT(XTCP_TSQ_THROTTLED)) ||
		    (old & BIT(XTCP_TSQ_QUEUED)))
			goto out;
		new = (old & ~BIT(XTCP_TSQ_THROTTLED)) | BIT(XTCP_TSQ_QUEUED);
		new = cmpxchg(&xsk->tsq_flags, old, new);
		if (new == old)
			break;
	}
	local_irq_save(flags);
	tsq = this_cpu_ptr(&xtcp_tsq_tasklet);
	empty = list_empty(&tsq->head);
	list_add(&xsk->tsq_node, &tsq->head);
	if (empty)
		tasklet_schedule(&tsq->tasklet);
	local_irq_restore(flags);
	rcu_read_unlock();
	return;
out:
	sk_free(sk);
	rcu_read_unlock();
}

/**
 * xtcp_skb_set_owner_w() - charge a transmitted skb to its socket
 * @skb: the clone (or segment without data) going to the IP layer
 * @sk: the full socket sending it
 *
 * skb_set_owner_w() with xtcp_wfree() as destructor (Linux's
 * __tcp_transmit_skb()): @skb's truesize is added to sk_wmem_alloc,
 * which keeps the socket's memory until xtcp_wfree() ran.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): every transmission (xtcp_transmit_skb()).
 */
void xtcp_skb_set_owner_w(struct sk_buff *skb, struct sock *sk)
{
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = xtcp_wfree;
	skb_set_hash_from_sk(skb, sk);
	refcount_add(skb->truesize, &sk->sk_wmem_alloc);
}

/**
 * xtcp_tsq_init() - set up the per-CPU tasklets, at module load
 *
 * Context: process context, module init, before any socket exists.
 */
void xtcp_tsq_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xtcp_tsq_tasklet *tsq = per_cpu_ptr(&xtcp_tsq_tasklet, cpu);

		INIT_LIST_HEAD(&tsq->head);
		tasklet_setup(&tsq->tasklet, xtcp_tsq_tasklet_func);
	}
}

/**
 * xtcp_tsq_exit() - stop the tasklets, at module unload
 *
 * Description: Called once every socket is freed (rmmod needs the module
 * references they hold gone): no skb with xtcp_wfree() is left anywhere
 * and no socket is queued, so no tasklet can be scheduled again; this
 * waits for one still running or scheduled.
 *
 * Context: process context, module exit; may sleep (tasklet_kill()).
 */
void xtcp_tsq_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xtcp_tsq_tasklet *tsq = per_cpu_ptr(&xtcp_tsq_tasklet, cpu);

		tasklet_kill(&tsq->tasklet);
		WARN_ON_ONCE(!list_empty(&tsq->head));
	}
}
