// SPDX-License-Identifier: GPL-2.0
/* xtcp: the byte stream seen from user space: sendmsg(), recvmsg() and
 * poll(), with Linux's blocking, timeout, signal and errno behaviour
 * (tcp_sendmsg(), tcp_recvmsg(), tcp_poll()).
 *
 * The send buffer is bounded by sk_sndbuf (sk_wmem_queued counts every
 * queued skb until it is acknowledged); the receive buffer by sk_rcvbuf
 * (sk_rmem_alloc, charged by the input path), which grows with what the
 * reader consumes per round trip (xtcp_rcv_space_adjust()).  Both are
 * charged to the protocol's memory (net.xtcp.tcp_mem).  Readers and
 * pollers are woken, and poll() reports EPOLLIN, once SO_RCVLOWAT bytes
 * are in (xtcp_data_ready(), xtcp_epollin_ready()).
 */
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_seq.h>

/**
 * xtcp_stream_memory_free() - below the socket's TCP_NOTSENT_LOWAT?
 * @sk:   the socket; any context (lockless reads)
 * @wake: 0 for a writer deciding whether to queue more, 1 for a poller or
 *        a wakeup, which want the unsent bytes below half the mark
 *
 * Linux's tcp_stream_memory_free() (struct proto.stream_memory_free, which
 * sk_stream_memory_free() and so sk_stream_wait_memory() consult after
 * the send buffer's own limit): bytes written but not yet sent
 * (write_seq - snd_nxt), shifted left by @wake, are below TCP_NOTSENT_LOWAT
 * or, if that is 0, net.xtcp.tcp_notsent_lowat (UINT_MAX by default: no
 * limit).
 *
 * Context: any; lockless reads (sendmsg() under lock_sock(), poll() and wakeups
 * without it).
 * Return: true if a writer may queue more.
 */
bool xtcp_stream_memory_free(const struct sock *sk, int wake)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 notsent = READ_ONCE(xsk->write_seq) - READ_ONCE(xsk->snd_nxt);
	u32 lowat = READ_ONCE(xsk->notsent_lowat) ? :
		    READ_ONCE(xtcp_sk_pernet(sk)->notsent_lowat);

	return (notsent << wake) < lowat;
}

/* Receive memory nearly used up: the buffer (sized around twice
 * SO_RCVLOWAT) is over 7/8 full, or xtcp's memory is under pressure.
 * Then a reader waiting for the mark is let in early, since the segments
 * that would reach it may not fit (tcp_rmem_pressure()).
 */
static bool xtcp_rmem_pressure(const struct sock *sk)
{
	int rcvbuf = READ_ONCE(sk->sk_rcvbuf);

	return sk_under_memory_pressure(sk) ||
	       atomic_read(&sk->sk_rmem_alloc) > rcvbuf - (rcvbuf >> 3);
}

/**
 * xtcp_epollin_ready() - is there enough in order to read?
 * @sk:     the socket
 * @target: bytes the reader waits for (SO_RCVLOWAT, at least 1)
 *
 * Linux's tcp_epollin_ready(): some bytes arrived in order and not yet
 * read (FIN included, as rcv_nxt counts it), and either @target of them
 * or the receive memory is nearly used up (xtcp_rmem_pressure()), or
 * what is left of the window we advertised is down to one segment of
 * the peer's (rcv_mss): the peer could not send the rest of @target.
 *
 * Context: any; reads the socket locklessly.
 * Return: true if a poller should see EPOLLIN, a reader be woken.
 */
bool xtcp_epollin_ready(const struct sock *sk, int target)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);
	int avail = READ_ONCE(xsk->rcv_nxt) - READ_ONCE(xsk->copied_seq);

	if (avail <= 0)
		return false;
	if (avail >= target || xtcp_rmem_pressure(sk))
		return true;
	return xtcp_sk_receive_window(xsk) <= READ_ONCE(xsk->rcv_mss);
}

/**
 * xtcp_data_ready() - wake readers and pollers if the data is worth it
 * @sk: the socket
 *
 * Linux's tcp_data_ready(): sk_data_ready() only once xtcp_epollin_ready()
 * holds for SO_RCVLOWAT, or the peer's FIN came in (SOCK_DONE), so that a
 * poll(), select() or epoll user waiting for the mark is not woken for
 * less.  A reader blocked in recvmsg() is woken by the same call, so by
 * SO_RCVLOWAT's bytes, not by its own smaller target (a recv() of 100
 * with SO_RCVLOWAT 1000 waits for 1000, or its timeout, as in Linux).
 *
 * Context: softirq with the socket spinlock held, or the socket's owner
 * (segment input, backlog processing, setsockopt(SO_RCVLOWAT)).
 */
void xtcp_data_ready(struct sock *sk)
{
	if (xtcp_epollin_ready(sk, READ_ONCE(sk->sk_rcvlowat)) ||
	    sock_flag(sk, SOCK_DONE))
		sk->sk_data_ready(sk);
}

/**
 * xtcp_stream_writable() - is there room for a writer or a poller
 * @sk: the socket
 *
 * As __sk_stream_is_writeable(sk, 1): the free part of the send buffer
 * is at least half of what is queued (sk_wmem_queued, bytes), i.e. at
 * least a third of the buffer, and the unsent bytes are below half of
 * TCP_NOTSENT_LOWAT.
 *
 * Context: any; reads the socket locklessly (poll() and
 * xtcp_sk_write_space() call it with or without the socket lock).
 * Return: true when a writer should be woken or EPOLLOUT reported.
 */
bool xtcp_stream_writable(const struct sock *sk)
{
	int queued = READ_ONCE(sk->sk_wmem_queued);

	return READ_ONCE(sk->sk_sndbuf) - queued >= queued / 2 &&
	       __sk_stream_memory_free(sk, 1);
}

/* May the send buffer grow for a writer that ran out of room?  Not when
 * the user fixed it (SO_SNDBUF), not under memory pressure (where it
 * takes what SO_RESERVE_MEM holds unused, if that is more than the
 * minimum), not at or above tcp_mem[0], and not when the congestion
 * window is full: the writer is then limited by the network, not the
 * buffer (tcp_should_expand_sndbuf()).
 */
static bool xtcp_should_expand_sndbuf(struct sock *sk)
{
	const struct xtcp_sock *xsk = xtcp_sk(sk);

	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		return false;
	if (sk_under_memory_pressure(sk)) {
		int unused = sk_unused_reserved_mem(sk);

		if (unused > SOCK_MIN_SNDBUF)
			WRITE_ONCE(sk->sk_sndbuf, unused);
		return false;
	}
	if (sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0))
		return false;
	return xtcp_packets_in_flight(xsk) < xsk->cong.cwnd;
}

/**
 * xtcp_check_space() - grow the send buffer for a writer that waits for
 * room, and wake it
 * @sk: the socket, locked (softirq or owner)
 *
 * Linux's tcp_check_space() and tcp_new_space(), called once an incoming
 * segment has been processed and what it allowed was sent: a writer that
 * found no room (SOCK_NOSPACE) may have some now, the send buffer drained
 * by the ACK or the unsent bytes (TCP_NOTSENT_LOWAT) by the sending.  Only
 * for such a writer does the buffer grow with the congestion window
 * (xtcp_sndbuf_expand()), and only while the window is not full; a
 * connection whose writer never ran out of room keeps the buffer it had
 * when it was established.
 *
 * Context: softirq or process context, socket locked (spinlock held, or owned
 * by the caller): the end of segment input.
 */
void xtcp_check_space(struct sock *sk)
{
	/* Pairs with xtcp_poll()'s barrier after it set SOCK_NOSPACE. */
	smp_mb();
	if (!sk->sk_socket || !test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
		return;
	if (xtcp_should_expand_sndbuf(sk)) {
		xtcp_sndbuf_expand(sk);
		xtcp_sk(sk)->snd_cwnd_stamp = tcp_jiffies32;
	}
	sk->sk_write_space(sk);
}

/**
 * xtcp_sk_write_space() - the socket's sk_write_space callback
 * @sk: the socket
 *
 * Wakes writers and pollers (EPOLLOUT) and signals SIGIO users once the
 * send buffer has drained enough (xtcp_stream_writable()); clears
 * SOCK_NOSPACE.  Linux's sk_stream_write_space().
 *
 * Context: socket locked: softirq with the spinlock held (an ACK freed
 * send buffer, xtcp_check_space()) or the owner (setsockopt() of
 * SO_SNDBUF or TCP_NOTSENT_LOWAT, backlog processing).
 */
void xtcp_sk_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (!xtcp_stream_writable(sk) || !sk->sk_socket)
		return;
	clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
						      EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/* May a write add bytes to @skb, the tail of the send queue?  Not past a
 * FIN, and not to an skb that was sent before and went back to the send
 * queue after a timeout: a clone of it may still be in flight, sharing
 * its fragment list.
 */
static bool xtcp_skb_can_append(const struct sk_buff *skb)
{
	return !(XTCP_SKB_CB(skb)->flags & TCPHDR_FIN) &&
	       !XTCP_SKB_CB(skb)->retransmitted && !skb_cloned(skb);
}

/* An skb queued for a write that then copied nothing into it goes again
 * (tcp_remove_empty_skb()): it would leave as a segment without data.
 */
static void xtcp_remove_empty_skb(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && !skb->len && !(XTCP_SKB_CB(skb)->flags & TCPHDR_FIN)) {
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_wmem_free_skb(sk, skb);
	}
}

/**
 * xtcp_sendmsg() - the send()/write() system calls
 * @sock: the socket
 * @msg:  the data and flags (MSG_DONTWAIT, MSG_MORE, MSG_NOSIGNAL...)
 * @size: bytes to send (also msg_data_left() of @msg)
 *
 * Waits for the handshake, then copies the data into skbs of up to the
 * size goal (xtcp_size_goal(), bytes) at the send queue's tail, waiting
 * for send buffer space (SO_SNDTIMEO, interruptibly), and pushes them
 * out as the windows and Nagle allow.  Linux's tcp_sendmsg_locked()
 * without MSG_ZEROCOPY, MSG_FASTOPEN or repair.
 *
 * Context: process context; takes lock_sock() itself; may sleep.
 * With MSG_OOB the last byte written is urgent (xtcp_urg_mark()).
 *
 * Return: the bytes queued, if any; otherwise -EPIPE (with SIGPIPE unless MSG_NOSIGNAL) after
 * shutdown(SHUT_WR) or when the connection is not open, the socket's
 * error, -EAGAIN when it may not wait (longer), -EINTR or -ERESTARTSYS
 * on a signal, -EFAULT for a bad buffer.
 */
int xtcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	int flags = msg->msg_flags, copied = 0, new_skbs = 0, err;
	bool new_skb = false;
	long timeo;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	xtcp_rate_check_app_limited(sk);	/* is the sender app-limited? */

	/* Wait for the handshake; errors and EPIPE as tcp_sendmsg(). */
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}

	while (msg_data_left(msg)) {
		struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
		u32 goal;
		int copy = 0;

		xtcp_current_mss(sk);
		goal = xtcp_size_goal(sk);

		err = -EPIPE;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto do_error;

		if (skb && !new_skb && xtcp_skb_can_append(skb) &&
		    skb->len < goal)
			copy = goal - skb->len;
		if (!copy) {
			/* The send buffer, and TCP_NOTSENT_LOWAT. */
			if (!sk_stream_memory_free(sk))
				goto wait_for_space;
			/* ACKs wait in the backlog while we copy: take them in
			 * now and then, as tcp_sendmsg() does every 16 skbs.
			 */
			if (++new_skbs >= 16) {
				new_skbs = 0;
				if (sk_flush_backlog(sk))
					continue;
			}
			skb = xtcp_queue_tail_skb(sk, sk->sk_allocation);
			if (!skb)
				goto wait_for_space;
			/* tcp_skb_entail(): a push asked for by TCP_NODELAY
			 * or the cork's end was for what was queued before.
			 */
			xsk->nonagle &= ~XTCP_NAGLE_PUSH;
			/* ... and a window left idle restarts. */
			xtcp_slow_start_after_idle_check(sk);
			new_skb = false;
			copy = goal;
		}
		copy = min_t(size_t, copy, msg_data_left(msg));
		/* PSH moves to the end of this write (tcp_sendmsg_locked()). */
		if (!copied)
			XTCP_SKB_CB(skb)->flags &= ~TCPHDR_PSH;

		copy = xtcp_skb_append_from_iter(sk, skb, &msg->msg_iter, copy);
		if (!copy) {
			/* Out of fragment slots: the next bytes start an skb. */
			xtcp_mark_push(sk, skb);
			new_skb = true;
			continue;
		}
		if (copy == -ENOBUFS)
			goto wait_for_space;
		if (copy < 0) {
			err = copy;
			goto do_error;
		}
		XTCP_SKB_CB(skb)->end_seq += copy;
		WRITE_ONCE(xsk->write_seq, xsk->write_seq + copy);
		copied += copy;
		/* The write's end: xtcp_push() below marks PSH on this skb
		 * and sends it, as tcp_sendmsg_locked() leaves the loop
		 * before its in-loop push; pushing a full skb here would
		 * send it without PSH and leave nothing to mark.
		 */
		if (!msg_data_left(msg))
			break;
		/* A full skb goes out now if the windows allow: all that
		 * may go, PSH marked, when half the peer's largest window
		 * went unpushed; else this skb alone if it heads the send
		 * queue, never deferred (tcp_push_one()); else it waits for
		 * the ACKs that clock out those before it
		 * (tcp_sendmsg_locked()).  Not in an urgent write: nothing
		 * of it leaves before xtcp_push() marks the urgent pointer.
		 */
		if (skb->len >= goal && !(flags & MSG_OOB)) {
			if (xtcp_forced_push(xsk)) {
				xtcp_mark_push(sk, skb);
				xtcp_write_xmit(sk, XTCP_NAGLE_PUSH);
			} else if (skb == skb_peek(&sk->sk_write_queue)) {
				xtcp_push_one(sk);
			}
		}
		continue;

wait_for_space:
		xtcp_remove_empty_skb(sk);
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		/* Send what this write queued before sleeping on it; what
		 * an earlier one left held (MSG_MORE, TCP_CORK) stays held,
		 * as tcp_sendmsg_locked() pushes only if it copied.
		 */
		if (copied)
			xtcp_push(sk, flags & ~MSG_MORE, XTCP_NAGLE_PUSH);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	/* Nothing written, nothing pushed: no urgent mark, and what an
	 * earlier write left held stays held (tcp_push() only if copied).
	 */
	if (copied)
		xtcp_push(sk, flags, xsk->nonagle);
	release_sock(sk);
	return copied;

do_error:
	xtcp_remove_empty_skb(sk);
	if (copied) {
		xtcp_push(sk, flags, xsk->nonagle);
		release_sock(sk);
		return copied;
	}
out_err:
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/* After the reader freed buffer space, tell the peer when the window it
 * may use grew enough to matter (tcp_cleanup_rbuf()'s rule,
 * xtcp_window_update_due()).  This also reopens a zero window.
 */
static void xtcp_cleanup_rbuf(struct sock *sk, int copied)
{
	/* An ACK the receive path left pending (delack.c). */
	if (xtcp_ack_due_after_read(sk, copied)) {
		xtcp_send_ack(sk);
		return;
	}
	if (copied <= 0 || (sk->sk_shutdown & RCV_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	if (xtcp_window_update_due(sk))
		xtcp_send_ack(sk);
}

/* tcp_inq_hint(): bytes left to read, read locklessly (under the lock
 * if the two loads raced a reader); 1 once the peer's FIN is in and all
 * is read, so that a reader goes on to read the end of the stream.
 */
static int xtcp_inq_hint(struct sock *sk)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 copied_seq = READ_ONCE(xsk->copied_seq);
	u32 rcv_nxt = READ_ONCE(xsk->rcv_nxt);
	int inq = rcv_nxt - copied_seq;

	if (unlikely(inq < 0 || copied_seq != READ_ONCE(xsk->copied_seq))) {
		lock_sock(sk);
		inq = xsk->rcv_nxt - xsk->copied_seq;
		release_sock(sk);
	}
	if (!inq && sock_flag(sk, SOCK_DONE))
		inq = 1;
	return inq;
}

/**
 * xtcp_recvmsg() - the recv()/read() system calls
 * @sock:  the socket
 * @msg:   where the data goes
 * @len:   at most this many bytes
 * @flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_OOB (the urgent byte,
 *         xtcp_recv_urg()); MSG_ERRQUEUE is refused
 *
 * Copies in-order data from the receive queue, waiting (SO_RCVTIMEO,
 * interruptibly) until SO_RCVLOWAT bytes (@len with MSG_WAITALL) were
 * copied; takes in the backlog as it goes, grows the receive buffer
 * from what the reader takes (xtcp_rcv_space_adjust()), and tells the
 * peer when the window grew enough (tcp_cleanup_rbuf()).  Linux's
 * tcp_recvmsg_locked().  A read stops at the urgent mark once it copied
 * something, and steps over the urgent byte unless SO_OOBINLINE.  With
 * TCP_INQ on (or when the
 * caller asks, msg_get_inq), a call that did not fail leaves the bytes
 * still to read in msg_inq, and with TCP_INQ in a TCP_CM_INQ control
 * message too (tcp_recvmsg(), tcp_inq_hint()).
 *
 * Context: process context; takes lock_sock() itself; may sleep.
 * Return: bytes copied (0 at end of stream); otherwise what
 * xtcp_recv_urg() returns for MSG_OOB, -EAGAIN for MSG_ERRQUEUE or when it may not wait, -ENOTCONN
 * for a listener or a socket never connected, the socket's error,
 * -EFAULT for a bad buffer, -EINTR or -ERESTARTSYS on a signal.
 */
int xtcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 peek_seq, *seq;
	int copied = 0, target;
	bool inq = false;
	long timeo;

	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;		/* xtcp queues no socket errors */

	lock_sock(sk);
	/* TCP_INQ's hint goes with every read that did not fail, the
	 * urgent byte's too (tcp_recvmsg()).
	 */
	if (xsk->recvmsg_inq) {
		inq = true;
		msg->msg_get_inq = 1;
	}
	if (sk->sk_state == TCP_LISTEN) {
		copied = -ENOTCONN;
		goto out;
	}
	if (flags & MSG_OOB) {
		copied = xtcp_recv_urg(sk, msg, len, flags);
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	peek_seq = xsk->copied_seq;
	seq = flags & MSG_PEEK ? &peek_seq : &xsk->copied_seq;

	while (copied < len) {
		struct sk_buff *skb, *tmp, *last;
		bool at_mark = false;

		skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
			u32 offset = *seq - cb->seq;
			size_t chunk;
			int err;

			if (offset >= skb->len)
				continue;	/* peeked past already */
			chunk = min_t(size_t, skb->len - offset, len - copied);
			/* Urgent data (tcp_recvmsg_locked()): stop at the
			 * mark once something was read, or let a pending
			 * SIGURG run first; step over the urgent byte unless
			 * it is inline; read up to the mark, not past it.
			 */
			if (unlikely(xsk->urg_data)) {
				u32 urg_offset = xsk->urg_seq - *seq;

				if (!urg_offset && copied) {
					at_mark = true;
					break;
				}
				if (!urg_offset && signal_pending(current)) {
					copied = timeo ? sock_intr_errno(timeo) :
							 -EAGAIN;
					goto out_cleanup;
				}
				if (!urg_offset &&
				    !sock_flag(sk, SOCK_URGINLINE)) {
					/* The byte at *seq is the urgent one. */
					WRITE_ONCE(*seq, *seq + 1);
					offset++;
					chunk = min_t(size_t, skb->len - offset,
						      len - copied);
				} else if (urg_offset && urg_offset < chunk) {
					chunk = urg_offset;
					at_mark = true;
				}
			}
			if (!chunk)
				goto skip_copy;
			err = skb_copy_datagram_msg(skb, offset, msg, chunk);
			if (err) {
				if (!copied)
					copied = -EFAULT;
				goto out_cleanup;
			}
			/* Read locklessly by /proc/net/xtcp (rx_queue). */
			WRITE_ONCE(*seq, *seq + chunk);
			copied += chunk;
			/* Size the buffer from what the reader takes. */
			xtcp_rcv_space_adjust(sk);
skip_copy:
			/* Past the urgent byte: no urgent data any more. */
			if (unlikely(xsk->urg_data) &&
			    xtcp_seq_after(xsk->copied_seq, xsk->urg_seq))
				WRITE_ONCE(xsk->urg_data, 0);
			if (!(flags & MSG_PEEK) && offset + chunk == skb->len)
				xtcp_eat_recv_skb(sk, skb);
			if (copied == len || at_mark)
				break;
		}
		/* Stopped at the urgent mark, or reached it with the byte
		 * still to come: what came before it is all.
		 */
		if (at_mark || (unlikely(xsk->urg_data) &&
				xsk->urg_seq == *seq && copied))
			break;
		/* The reader reached the peer's FIN: step over it, as
		 * tcp_recvmsg_locked()'s found_fin_ok does, so rx_queue
		 * reads 0 after EOF (SIOCINQ never counts the FIN).  xtcp
		 * keeps the FIN off the receive queue (SOCK_DONE, rcv_nxt
		 * past it), so every data byte before it has been read here.
		 */
		if (sock_flag(sk, SOCK_DONE) && *seq + 1 == xsk->rcv_nxt)
			WRITE_ONCE(*seq, *seq + 1);
		/* Take in what arrived while we held the socket (Linux's
		 * tcp_recvmsg()), before the backlog overflows and drops.
		 */
		if (copied >= target) {
			if (!sk_flush_backlog(sk))
				break;
			continue;
		}

		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				/* Never connected (tcp_recvmsg()). */
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		xtcp_cleanup_rbuf(sk, copied);
		last = skb_peek_tail(&sk->sk_receive_queue);
		sk_wait_data(sk, &timeo, last);
	}
out_cleanup:
	/* Also after MSG_PEEK, as tcp_recvmsg_locked(): an ACK the receive
	 * path left scheduled may be due now, though no window grew.
	 */
	xtcp_cleanup_rbuf(sk, copied);
out:
	release_sock(sk);
	if ((inq || msg->msg_get_inq) && copied >= 0) {
		msg->msg_inq = xtcp_inq_hint(sk);
		if (inq)
			put_cmsg(msg, SOL_TCP, TCP_CM_INQ, sizeof(msg->msg_inq),
				 &msg->msg_inq);
	}
	return copied;
}

/**
 * xtcp_poll() - the poll()/select()/epoll() readiness of a socket
 * @file: the file polled
 * @sock: its socket
 * @wait: the poll table to queue on
 *
 * As tcp_poll(): a listener is readable when a connection waits to be
 * accepted; otherwise HUP when both directions are shut or the socket
 * is closed, IN/RDHUP once the peer's FIN arrived, IN for queued data,
 * OUT when xtcp_stream_writable(), PRI while an urgent byte waits, ERR
 * for a pending error, and only
 * HUP/ERR during the handshake.
 *
 * Context: process context, socket not locked (reads state locklessly).
 * Return: the EPOLL* mask.
 */
__poll_t xtcp_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	int state, shutdown;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return READ_ONCE(sk->sk_ack_backlog) ? EPOLLIN | EPOLLRDNORM : 0;

	/* As tcp_poll(): HUP when both directions are shut or the socket is
	 * closed, RDHUP once the peer's FIN arrived, nothing but errors
	 * during the handshake.
	 */
	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;

	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		struct xtcp_sock *xsk = xtcp_sk(sk);
		int target = sock_rcvlowat(sk, 0, INT_MAX);
		u16 urg_data = READ_ONCE(xsk->urg_data);

		/* Readable once SO_RCVLOWAT bytes are in, or fewer when no
		 * more can come (xtcp_epollin_ready()); an urgent byte the
		 * reader will step over does not count (tcp_poll()).
		 */
		if (unlikely(urg_data) &&
		    READ_ONCE(xsk->urg_seq) == READ_ONCE(xsk->copied_seq) &&
		    !sock_flag(sk, SOCK_URGINLINE))
			target++;
		if (xtcp_epollin_ready(sk, target))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (xtcp_stream_writable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Order the bit against the writer's wakeup. */
				smp_mb__after_atomic();
				if (xtcp_stream_writable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
		/* An urgent byte in, not yet taken. */
		if (urg_data & TCP_URG_VALID)
			mask |= EPOLLPRI;
	}
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}
