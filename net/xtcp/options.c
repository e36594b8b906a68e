// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp TCP options codec: the parser of received options and the layout
 * of sent ones, byte for byte as Linux 6.1.
 *
 * Pure code (see include/net/xtcp_options.h): also built by selftests/host.
 */
#include <linux/kernel.h>
#include <linux/types.h>
#include <asm/unaligned.h>
#include <net/xtcp_options.h>

/* The first word of an options area that holds nothing but a timestamp,
 * as every sender that follows RFC 7323 appendix A lays it out.
 */
#define XTCP_ALIGNED_TS_HEAD	(XTCP_OPT_NOP << 24 | XTCP_OPT_NOP << 16 | \
				 XTCP_OPT_TIMESTAMP << 8 | XTCP_OLEN_TIMESTAMP)

/* Take the two values of a timestamp option; @val points past kind, len. */
static void xtcp_take_timestamp(const u8 *val, bool syn,
				struct xtcp_options_received *out)
{
	out->saw_tstamp = true;
	out->rcv_tsval = get_unaligned_be32(val);
	out->rcv_tsecr = get_unaligned_be32(val + 4);
	/* A timestamp on a SYN is the peer's offer (RFC 7323 s.3.2). */
	if (syn)
		out->tstamp_ok = true;
}

/* One option of @size bytes (kind and length included, size >= 2, all of
 * it inside the buffer); @val points at its value. Options with a length
 * other than their own, and SYN-only options elsewhere, are skipped.
 */
static void xtcp_parse_one(u8 kind, const u8 *val, unsigned int size,
			   bool syn, struct xtcp_options_received *out)
{
	unsigned int i, n;
	u16 mss;

	switch (kind) {
	case XTCP_OPT_MSS:
		if (size != XTCP_OLEN_MSS || !syn)
			break;
		/* An MSS of 0 is no MSS: the default applies (as Linux). */
		mss = get_unaligned_be16(val);
		if (mss)
			out->mss_clamp = mss;
		break;
	case XTCP_OPT_WINDOW:
		if (size != XTCP_OLEN_WINDOW || !syn)
			break;
		out->wscale_ok = true;
		/* RFC 7323 s.2.3: a shift above 14 is taken as 14. */
		out->snd_wscale = val[0] > XTCP_MAX_WSCALE ? XTCP_MAX_WSCALE :
				  val[0];
		break;
	case XTCP_OPT_SACK_PERM:
		if (size == XTCP_OLEN_SACK_PERM && syn)
			out->sack_ok = true;
		break;
	case XTCP_OPT_TIMESTAMP:
		if (size == XTCP_OLEN_TIMESTAMP)
			xtcp_take_timestamp(val, syn, out);
		break;
	case XTCP_OPT_SACK:
		if (syn || size < XTCP_OLEN_SACK_BASE + XTCP_OLEN_SACK_PERBLOCK)
			break;
		size -= XTCP_OLEN_SACK_BASE;
		n = size / XTCP_OLEN_SACK_PERBLOCK;
		if (size % XTCP_OLEN_SACK_PERBLOCK || n > XTCP_NUM_SACKS)
			break;
		for (i = 0; i < n; i++, val += XTCP_OLEN_SACK_PERBLOCK) {
			out->sack_blocks[i].start_seq = get_unaligned_be32(val);
			out->sack_blocks[i].end_seq = get_unaligned_be32(val + 4);
		}
		out->num_sacks = n;
		break;
	default:
		/* Unknown to us: its length has been checked, skip it. */
		break;
	}
}

/**
 * xtcp_parse_options() - parse the options of a received segment
 * @opt: the options area (what follows the 20-byte TCP header).
 * @len: its length in bytes (data offset * 4 - 20, so 0..40).
 * @syn: the segment is a SYN that may negotiate options: SYN set and the
 *       socket not yet synchronized (Linux's "th->syn && !estab").
 * @out: the result; every field is rewritten.
 *
 * Follows Linux 6.1 tcp_parse_options() (RFC 9293 s.3.2, RFC 7323,
 * RFC 2018): EOL ends the list; NOP is skipped; any other option whose
 * length byte is missing, is below 2 or runs past @len ends parsing, and
 * what was parsed before it stands. MSS, window scale and SACK-permitted
 * count only on a SYN (@syn) and only with their exact lengths; an MSS of 0
 * is ignored and a shift above 14 is clamped to 14 (Linux also logs it).
 * A timestamp counts on any segment, with length 10 exactly. A SACK option
 * counts only when not @syn, with length 2 + 8n, n = 1..4 (Linux takes the
 * first 4 blocks of a longer one, which cannot fit in 40 bytes anyway).
 * Unknown options are skipped by their length. When an option appears
 * twice, the last well-formed one wins.
 *
 * Unlike Linux, no sysctl or negotiated state is consulted: the caller
 * ignores a timestamp, window scale, SACK-permitted or SACK option that is
 * not enabled or was not negotiated, and subtracts its timestamp offset
 * from @out->rcv_tsecr. An options area that is exactly one aligned
 * timestamp (NOP, NOP, TS) takes a shortcut with the same
 * result, like tcp_fast_parse_options().
 *
 * Context: any (pure).
 */
void xtcp_parse_options(const u8 *opt, unsigned int len, bool syn,
			struct xtcp_options_received *out)
{
	unsigned int size;
	u8 kind;

	*out = (struct xtcp_options_received){};

	if (len == XTCP_OLEN_TSTAMP_ALIGNED &&
	    get_unaligned_be32(opt) == XTCP_ALIGNED_TS_HEAD) {
		xtcp_take_timestamp(opt + 4, syn, out);
		return;
	}

	while (len) {
		kind = opt[0];
		if (kind == XTCP_OPT_EOL)
			return;
		if (kind == XTCP_OPT_NOP) {
			opt++;
			len--;
			continue;
		}
		if (len < 2)
			return;
		size = opt[1];
		if (size < 2 || size > len)
			return;
		xtcp_parse_one(kind, opt + 2, size, syn, out);
		opt += size;
		len -= size;
	}
}

/* The SACK blocks @opts sends, never more than its array holds. */
static unsigned int xtcp_sack_blocks_out(const struct xtcp_out_options *opts)
{
	return opts->num_sack_blocks > XTCP_NUM_SACKS ? XTCP_NUM_SACKS :
	       opts->num_sack_blocks;
}

/**
 * xtcp_options_size() - bytes xtcp_options_write() writes for @opts
 * @opts: the options, settled or not.
 *
 * MSS 4 when non-zero; timestamps 12 (SACK-permitted shares their first
 * word); SACK-permitted alone 4; window scale 4; SACK 4 + 8 per block (at
 * most 4 blocks). Always a multiple of 4; at most XTCP_MAX_OPTION_SPACE once
 * @opts is settled by one of the functions below.
 *
 * Context: any (pure).
 * Return: the options length in bytes.
 */
unsigned int xtcp_options_size(const struct xtcp_out_options *opts)
{
	unsigned int n = xtcp_sack_blocks_out(opts);
	unsigned int size = 0;

	if (opts->mss)
		size += XTCP_OLEN_MSS_ALIGNED;
	if (opts->options & XTCP_OPTION_TS)
		size += XTCP_OLEN_TSTAMP_ALIGNED;
	else if (opts->options & XTCP_OPTION_SACK_ADVERTISE)
		size += XTCP_OLEN_SACKPERM_ALIGNED;
	if (opts->options & XTCP_OPTION_WSCALE)
		size += XTCP_OLEN_WSCALE_ALIGNED;
	if (n)
		size += XTCP_OLEN_SACK_BASE_ALIGNED +
			n * XTCP_OLEN_SACK_PERBLOCK;
	return size;
}

/* SYN and SYN-ACK: no SACK blocks, a shift within range. */
static unsigned int xtcp_syn_like_options(struct xtcp_out_options *opts)
{
	opts->num_sack_blocks = 0;
	if (opts->ws > XTCP_MAX_WSCALE)
		opts->ws = XTCP_MAX_WSCALE;
	return xtcp_options_size(opts);
}

/**
 * xtcp_syn_options() - settle and size the options of a SYN
 * @opts: what to offer: @opts->mss (should be non-zero: Linux always sends
 *        one), XTCP_OPTION_TS/WSCALE/SACK_ADVERTISE as the sysctls say.
 *
 * A SYN carries no SACK blocks (they are dropped) and a shift of at most
 * XTCP_MAX_WSCALE (RFC 7323 s.2.3). The most a SYN takes is 20 bytes: MSS,
 * SACK-permitted + timestamps, window scale (Linux 6.1 tcp_syn_options(),
 * without MD5, Fast Open, SMC or MPTCP).
 *
 * Context: any (pure).
 * Return: the options length in bytes, a multiple of 4, at most 20.
 */
unsigned int xtcp_syn_options(struct xtcp_out_options *opts)
{
	return xtcp_syn_like_options(opts);
}

/**
 * xtcp_synack_options() - settle and size the options of a SYN-ACK
 * @opts: what to answer: @opts->mss, and each of XTCP_OPTION_TS, WSCALE and
 *        SACK_ADVERTISE only if the SYN offered it and we allow it.
 *
 * Same layout and rules as xtcp_syn_options(): Linux 6.1
 * tcp_synack_options() differs from tcp_syn_options() only in where the
 * values come from (the request socket), which is the caller's part here.
 *
 * Context: any (pure).
 * Return: the options length in bytes, a multiple of 4, at most 20.
 */
unsigned int xtcp_synack_options(struct xtcp_out_options *opts)
{
	return xtcp_syn_like_options(opts);
}

/**
 * xtcp_established_options() - settle and size the options of a non-SYN
 * @opts: XTCP_OPTION_TS if timestamps were negotiated, and the SACK blocks
 *        to report (D-SACK first, then the most recent first; RFC 2018
 *        s.4, RFC 2883 s.4), up to XTCP_NUM_SACKS.
 *
 * As Linux 6.1 tcp_established_options(): no MSS, window scale or
 * SACK-permitted (they are cleared); timestamps if asked; then as many SACK
 * blocks as the room left allows, the first ones kept: 4 without
 * timestamps, 3 with them (RFC 2018 s.3).
 *
 * Context: any (pure).
 * Return: the options length in bytes, a multiple of 4, at most 40.
 */
unsigned int xtcp_established_options(struct xtcp_out_options *opts)
{
	unsigned int room = XTCP_MAX_OPTION_SPACE - XTCP_OLEN_SACK_BASE_ALIGNED;
	unsigned int fit;

	opts->mss = 0;
	opts->ws = 0;
	opts->options &= XTCP_OPTION_TS;
	if (opts->options & XTCP_OPTION_TS)
		room -= XTCP_OLEN_TSTAMP_ALIGNED;
	fit = room / XTCP_OLEN_SACK_PERBLOCK;
	if (opts->num_sack_blocks > fit)
		opts->num_sack_blocks = fit;
	return xtcp_options_size(opts);
}

/* Four option bytes; returns the next position. */
static u8 *xtcp_put4(u8 *p, u8 a, u8 b, u8 c, u8 d)
{
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
	return p + 4;
}

/**
 * xtcp_options_write() - lay out options as Linux 6.1 does
 * @ptr:  where the options go (right after the 20-byte header); at least
 *        xtcp_options_size(@opts) bytes, no alignment needed.
 * @opts: the options, settled by xtcp_syn_options(),
 *        xtcp_synack_options() or xtcp_established_options().
 *
 * The order and padding of Linux 6.1 tcp_options_write(), each option in
 * whole 32-bit words: MSS; timestamps, led by SACK-permitted when both go
 * (else by NOP, NOP); SACK-permitted alone as NOP, NOP, SACK-permitted;
 * NOP, window scale; NOP, NOP, SACK with its blocks (at most 4). So a SYN
 * with everything is 02 04 <MSS> 04 02 08 0a <TSval> <TSecr> 01 03 03 <ws>.
 *
 * Context: any (pure).
 * Return: bytes written, xtcp_options_size(@opts).
 */
unsigned int xtcp_options_write(u8 *ptr, const struct xtcp_out_options *opts)
{
	unsigned int i, n = xtcp_sack_blocks_out(opts);
	u8 *p = ptr;

	if (opts->mss) {
		p = xtcp_put4(p, XTCP_OPT_MSS, XTCP_OLEN_MSS, 0, 0);
		put_unaligned_be16(opts->mss, p - 2);
	}
	if (opts->options & XTCP_OPTION_TS) {
		if (opts->options & XTCP_OPTION_SACK_ADVERTISE)
			p = xtcp_put4(p, XTCP_OPT_SACK_PERM,
				      XTCP_OLEN_SACK_PERM, XTCP_OPT_TIMESTAMP,
				      XTCP_OLEN_TIMESTAMP);
		else
			p = xtcp_put4(p, XTCP_OPT_NOP, XTCP_OPT_NOP,
				      XTCP_OPT_TIMESTAMP, XTCP_OLEN_TIMESTAMP);
		put_unaligned_be32(opts->tsval, p);
		put_unaligned_be32(opts->tsecr, p + 4);
		p += 8;
	} else if (opts->options & XTCP_OPTION_SACK_ADVERTISE) {
		p = xtcp_put4(p, XTCP_OPT_NOP, XTCP_OPT_NOP,
			      XTCP_OPT_SACK_PERM, XTCP_OLEN_SACK_PERM);
	}
	if (opts->options & XTCP_OPTION_WSCALE)
		p = xtcp_put4(p, XTCP_OPT_NOP, XTCP_OPT_WINDOW,
			      XTCP_OLEN_WINDOW, opts->ws);
	if (n) {
		p = xtcp_put4(p, XTCP_OPT_NOP, XTCP_OPT_NOP, XTCP_OPT_SACK,
			      XTCP_OLEN_SACK_BASE +
			      n * XTCP_OLEN_SACK_PERBLOCK);
		for (i = 0; i < n; i++, p += XTCP_OLEN_SACK_PERBLOCK) {
			put_unaligned_be32(opts->sack_blocks[i].start_seq, p);
			put_unaligned_be32(opts->sack_blocks[i].end_seq, p + 4);
		}
	}
	return p - ptr;
}
