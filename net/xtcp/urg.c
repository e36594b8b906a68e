// SPDX-License-Identifier: GPL-2.0
/* xtcp: urgent data (RFC 9293 s.3.8.5, RFC 1122 s.4.2.2.4) with Linux's
 * one-byte out-of-band semantics.
 *
 * Sending: send(MSG_OOB) moves the urgent pointer (snd_up) past the last
 * byte it wrote; every segment sent while that byte is unacknowledged and
 * ahead of the segment carries URG and the offset to it, as Linux's
 * tcp_transmit_skb() (the pointer names the byte after the urgent one, as
 * BSD and Linux send it).
 *
 * Receiving: a segment's URG names the urgent byte (the pointer less one,
 * Linux's tcp_stdurg 0); the socket keeps its sequence number (urg_seq)
 * and, once it is in, the byte (urg_data), signals SIGURG to the owner
 * and POLLPRI to pollers.  The byte stays in the stream: the reader skips
 * it unless SO_OOBINLINE, a read stops at it (the mark, SIOCATMARK), and
 * recv(MSG_OOB) returns it, once.  Linux's tcp_check_urg(), tcp_urg() and
 * tcp_recv_urg().
 */
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/xtcp.h>
#include <net/xtcp_seq.h>

/**
 * xtcp_urg_mark() - a write with MSG_OOB ends here
 * @sk:    the socket, owned by the caller (sendmsg())
 * @flags: the write's MSG_* flags
 *
 * Linux's tcp_mark_urg(), called where tcp_push() is: with MSG_OOB, the
 * urgent pointer moves to the end of what was written so far.
 * Context: process context, socket owned.
 */
void xtcp_urg_mark(struct sock *sk, int flags)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);

	if (flags & MSG_OOB)
		WRITE_ONCE(xsk->snd_up, xsk->write_seq);
}

/**
 * xtcp_urg_header() - URG and the urgent pointer of an outgoing segment
 * @xsk: the socket, locked
 * @th:  the segment's header, otherwise written
 * @seq: its sequence number
 *
 * As __tcp_transmit_skb(): in urgent mode, a segment that starts before
 * snd_up carries URG with the 16-bit offset to it, or, when snd_up is
 * further, 0xFFFF if the segment starts less than 0xFFFF before SND.NXT
 * (the pointer advances as the data goes).
 * Context: softirq or process context, socket locked.
 */
void xtcp_urg_header(const struct xtcp_sock *xsk, struct tcphdr *th, u32 seq)
{
	if (!xtcp_urg_mode(xsk) || !xtcp_seq_before(seq, xsk->snd_up))
		return;
	if (xtcp_seq_before(xsk->snd_up, seq + 0x10000)) {
		th->urg_ptr = htons(xsk->snd_up - seq);
		th->urg = 1;
	} else if (xtcp_seq_after(seq + 0xFFFF, xsk->snd_nxt)) {
		th->urg_ptr = htons(0xFFFF);
		th->urg = 1;
	}
}

/**
 * xtcp_urg_snd_una() - SND.UNA is about to move: leave urgent mode
 * @xsk: the socket, locked; its snd_una still the old one
 * @ack: the new SND.UNA
 *
 * tcp_clean_rtx_queue() (and for the SYN, tcp_ack()): when the urgent
 * pointer lies in what is now acknowledged, snd_up follows SND.UNA, and
 * urgent mode (snd_up != SND.UNA) ends.
 * Context: segment input, socket locked.
 */
void xtcp_urg_snd_una(struct xtcp_sock *xsk, u32 ack)
{
	if (xtcp_seq_between(xsk->snd_up, xsk->snd_una, ack))
		WRITE_ONCE(xsk->snd_up, ack);
}

/* tcp_check_urg(): a new urgent pointer, @th's, unless it names a byte
 * already read or already received, or one not after the pointer we
 * hold.  The owner gets SIGURG.  When the reader sits at an urgent byte
 * it has not taken (not inline), that byte is stepped over first, so
 * that it is neither read as data nor lost for SIOCATMARK.
 */
static void xtcp_check_urg(struct sock *sk, const struct tcphdr *th)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 ptr = ntohs(th->urg_ptr);

	if (ptr)
		ptr--;		/* BSD's pointer: past the byte */
	ptr += ntohl(th->seq);
	if (xtcp_seq_after(xsk->copied_seq, ptr) ||
	    xtcp_seq_before(ptr, xsk->rcv_nxt))
		return;
	if (xsk->urg_data && !xtcp_seq_after(ptr, xsk->urg_seq))
		return;
	sk_send_sigurg(sk);
	if (xsk->urg_seq == xsk->copied_seq && xsk->urg_data &&
	    !sock_flag(sk, SOCK_URGINLINE) && xsk->copied_seq != xsk->rcv_nxt) {
		struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);

		WRITE_ONCE(xsk->copied_seq, xsk->copied_seq + 1);
		if (skb && !xtcp_seq_before(xsk->copied_seq,
					    XTCP_SKB_CB(skb)->end_seq)) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			__kfree_skb(skb);
		}
	}
	WRITE_ONCE(xsk->urg_data, TCP_URG_NOTYET);
	WRITE_ONCE(xsk->urg_seq, ptr);
}

/**
 * xtcp_urg_rcv() - step six of segment processing: the URG bit
 * @sk:  the socket, locked, synchronized
 * @skb: the acceptable segment, its TCP header still in front
 * @th:  that header
 *
 * RFC 9293 s.3.10.7.4 "sixth, check the URG bit", as tcp_urg(): a new
 * urgent pointer is taken (xtcp_check_urg()); while the urgent byte is
 * awaited, a segment that holds it gives it (TCP_URG_VALID), and the
 * reader is woken (POLLPRI).
 * Context: segment input, socket locked.
 */
void xtcp_urg_rcv(struct sock *sk, struct sk_buff *skb,
		  const struct tcphdr *th)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	u32 ptr;
	u8 byte;

	if (unlikely(th->urg))
		xtcp_check_urg(sk, th);
	if (likely(xsk->urg_data != TCP_URG_NOTYET))
		return;
	ptr = xsk->urg_seq - ntohl(th->seq) + th->doff * 4 - th->syn;
	if (ptr >= skb->len || skb_copy_bits(skb, ptr, &byte, 1))
		return;
	WRITE_ONCE(xsk->urg_data, TCP_URG_VALID | byte);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
}

/**
 * xtcp_recv_urg() - recv(MSG_OOB)
 * @sk:    the socket, owned by the caller
 * @msg:   where the byte goes
 * @len:   room the caller gave, bytes
 * @flags: MSG_PEEK leaves the byte to read again; MSG_TRUNC copies none
 *
 * Linux's tcp_recv_urg(): never waits.
 * Context: process context, socket owned.
 * Return: 1 (the byte, MSG_OOB set in msg_flags; 0 and MSG_TRUNC for no
 * room); -EINVAL with SO_OOBINLINE, without urgent data or when it was
 * read already; -ENOTCONN on a socket never connected; 0 once the peer
 * can send no more; -EAGAIN while the byte is still to come; -EFAULT.
 */
int xtcp_recv_urg(struct sock *sk, struct msghdr *msg, int len, int flags)
{
	struct xtcp_sock *xsk = xtcp_sk(sk);
	char c;

	if (sock_flag(sk, SOCK_URGINLINE) || !xsk->urg_data ||
	    xsk->urg_data == TCP_URG_READ)
		return -EINVAL;
	if (sk->sk_state == TCP_CLOSE && !sock_flag(sk, SOCK_DONE))
		return -ENOTCONN;
	if (xsk->urg_data & TCP_URG_VALID) {
		int err = 0;

		c = xsk->urg_data;
		if (!(flags & MSG_PEEK))
			WRITE_ONCE(xsk->urg_data, TCP_URG_READ);
		msg->msg_flags |= MSG_OOB;
		if (len > 0) {
			if (!(flags & MSG_TRUNC))
				err = memcpy_to_msg(msg, &c, 1);
			len = 1;
		} else {
			msg->msg_flags |= MSG_TRUNC;
		}
		return err ? -EFAULT : len;
	}
	if (sk->sk_state == TCP_CLOSE || (sk->sk_shutdown & RCV_SHUTDOWN))
		return 0;
	return -EAGAIN;
}
