// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the xtcp TCP options codec (net/xtcp/options.c).
 *
 * Expected bytes are written out by hand from Linux 6.1's layout
 * (tcp_options_write(): MSS; SACK-permitted + timestamps or NOP, NOP +
 * timestamps; NOP, NOP, SACK-permitted; NOP, window scale; NOP, NOP, SACK
 * blocks) and expected parse results from tcp_parse_options()'s rules.
 * The random tests check the writer against the parser and the parser
 * against a small independent model over random bytes. Every parse runs
 * on a heap copy of exactly the given length, so an over-read trips ASan
 * in the .san build.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include <net/xtcp_options.h>

#include "kselftest_harness.h"
#include "rng.h"

/* Parse @len bytes from a heap buffer of exactly that size. */
static struct xtcp_options_received parse(const u8 *bytes, unsigned int len,
					  bool syn)
{
	struct xtcp_options_received out;
	u8 *buf = malloc(len ? len : 1);

	if (len)
		memcpy(buf, bytes, len);
	/* Garbage first: the parser must set every field. */
	memset(&out, 0xa5, sizeof(out));
	xtcp_parse_options(buf, len, syn, &out);
	free(buf);
	return out;
}

#define PARSE(syn, ...) ({ \
	static const u8 __b[] = { __VA_ARGS__ }; \
	parse(__b, sizeof(__b), syn); })

/* Nothing recorded at all (every field zero). */
static bool empty(const struct xtcp_options_received *o)
{
	static const struct xtcp_options_received zero;

	return !memcmp(o, &zero, sizeof(zero));
}

#define TSVAL		0x8a0b0c0dU
#define TSECR		0x01020304U

/* ---- parser: one option at a time ---- */

TEST(empty_options)
{
	struct xtcp_options_received o = parse(NULL, 0, true);

	ASSERT_TRUE(empty(&o));
	o = parse(NULL, 0, false);
	ASSERT_TRUE(empty(&o));
}

TEST(mss_on_syn_only)
{
	struct xtcp_options_received o = PARSE(true, 0x02, 0x04, 0x05, 0xb4);

	ASSERT_EQ(1460, o.mss_clamp);
	o = PARSE(true, 0x02, 0x04, 0xff, 0xff);
	ASSERT_EQ(65535, o.mss_clamp);
	o = PARSE(false, 0x02, 0x04, 0x05, 0xb4);
	ASSERT_TRUE(empty(&o));
}

TEST(mss_zero_ignored)
{
	struct xtcp_options_received o = PARSE(true, 0x02, 0x04, 0x00, 0x00);

	ASSERT_TRUE(empty(&o));
	/* An earlier valid MSS is not undone by a later MSS of 0. */
	o = PARSE(true, 0x02, 0x04, 0x02, 0x18, 0x02, 0x04, 0x00, 0x00);
	ASSERT_EQ(536, o.mss_clamp);
}

TEST(mss_wrong_length_skipped)
{
	/* MSS with length 5, then a WS that must still be seen. */
	struct xtcp_options_received o =
		PARSE(true, 0x02, 0x05, 0x05, 0xb4, 0x00, 0x03, 0x03, 0x02);

	ASSERT_EQ(0, o.mss_clamp);
	ASSERT_TRUE(o.wscale_ok);
	ASSERT_EQ(2, o.snd_wscale);
	o = PARSE(true, 0x02, 0x03, 0x05, 0x03, 0x03, 0x02);
	ASSERT_EQ(0, o.mss_clamp);
	ASSERT_EQ(2, o.snd_wscale);
}

TEST(wscale_on_syn_only)
{
	struct xtcp_options_received o = PARSE(true, 0x03, 0x03, 0x07);

	ASSERT_TRUE(o.wscale_ok);
	ASSERT_EQ(7, o.snd_wscale);
	o = PARSE(true, 0x03, 0x03, 0x00);
	ASSERT_TRUE(o.wscale_ok);
	ASSERT_EQ(0, o.snd_wscale);
	o = PARSE(false, 0x03, 0x03, 0x07);
	ASSERT_TRUE(empty(&o));
}

TEST(wscale_above_14_clamped)
{
	struct xtcp_options_received o = PARSE(true, 0x03, 0x03, 14);

	ASSERT_EQ(14, o.snd_wscale);
	o = PARSE(true, 0x03, 0x03, 15);
	ASSERT_TRUE(o.wscale_ok);
	ASSERT_EQ(14, o.snd_wscale);
	o = PARSE(true, 0x03, 0x03, 0xff);
	ASSERT_EQ(14, o.snd_wscale);
}

TEST(wscale_wrong_length_skipped)
{
	struct xtcp_options_received o =
		PARSE(true, 0x03, 0x04, 0x07, 0x00, 0x04, 0x02);

	ASSERT_FALSE(o.wscale_ok);
	ASSERT_EQ(0, o.snd_wscale);
	ASSERT_TRUE(o.sack_ok);
	o = PARSE(true, 0x03, 0x02, 0x04, 0x02);
	ASSERT_FALSE(o.wscale_ok);
	ASSERT_TRUE(o.sack_ok);
}

TEST(sack_perm_on_syn_only)
{
	struct xtcp_options_received o = PARSE(true, 0x04, 0x02);

	ASSERT_TRUE(o.sack_ok);
	o = PARSE(false, 0x04, 0x02);
	ASSERT_TRUE(empty(&o));
	/* Length 3: skipped whole, the WS after it still counts. */
	o = PARSE(true, 0x04, 0x03, 0x00, 0x03, 0x03, 0x05);
	ASSERT_FALSE(o.sack_ok);
	ASSERT_EQ(5, o.snd_wscale);
}

TEST(timestamp_any_segment)
{
	struct xtcp_options_received o = PARSE(false, 0x08, 0x0a, 0x8a, 0x0b,
		0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04);

	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_FALSE(o.tstamp_ok);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
	ASSERT_EQ(TSECR, o.rcv_tsecr);
	/* On a SYN it is also the peer's offer. */
	o = PARSE(true, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03,
		  0x04);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_TRUE(o.tstamp_ok);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
	ASSERT_EQ(TSECR, o.rcv_tsecr);
}

TEST(timestamp_wrong_length_skipped)
{
	/* Length 9 and 11: skipped by length, the SACK-perm after counts. */
	struct xtcp_options_received o =
		PARSE(true, 0x08, 0x09, 1, 2, 3, 4, 5, 6, 7, 0x04, 0x02);

	ASSERT_FALSE(o.saw_tstamp);
	ASSERT_FALSE(o.tstamp_ok);
	ASSERT_EQ(0, o.rcv_tsval);
	ASSERT_TRUE(o.sack_ok);
	o = PARSE(true, 0x08, 0x0b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x04, 0x02);
	ASSERT_FALSE(o.saw_tstamp);
	ASSERT_TRUE(o.sack_ok);
}

TEST(sack_one_to_four_blocks)
{
	struct xtcp_options_received o;
	u8 b[40];
	unsigned int n, i, len;

	for (n = 1; n <= 4; n++) {
		/* NOP, NOP, SACK as Linux sends it; blocks 0x10*i+k. */
		b[0] = 1;
		b[1] = 1;
		b[2] = 5;
		b[3] = 2 + 8 * n;
		for (i = 0; i < 8 * n; i++)
			b[4 + i] = 0x10 * (i / 4) + i % 4;
		len = 4 + 8 * n;
		o = parse(b, len, false);
		ASSERT_EQ(n, o.num_sacks);
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0x00010203U + 0x20202020U * i,
				  o.sack_blocks[i].start_seq);
			ASSERT_EQ(0x10111213U + 0x20202020U * i,
				  o.sack_blocks[i].end_seq);
		}
		for (; i < XTCP_NUM_SACKS; i++) {
			ASSERT_EQ(0, o.sack_blocks[i].start_seq);
			ASSERT_EQ(0, o.sack_blocks[i].end_seq);
		}
		/* The same option on a SYN is ignored. */
		o = parse(b, len, true);
		ASSERT_TRUE(empty(&o));
	}
}

TEST(sack_bad_lengths_ignored)
{
	struct xtcp_options_received o;
	u8 b[64];
	unsigned int size;

	/* Length 2 (no block), 3..9, 11 (not 2 + 8n), 42 (5 blocks), each
	 * followed by a timestamp that must still be seen.
	 */
	for (size = 2; size <= 42; size++) {
		if (size >= 10 && size <= 34 && (size - 2) % 8 == 0)
			continue;
		memset(b, 0x77, sizeof(b));
		b[0] = 5;
		b[1] = size;
		b[size] = 8;
		b[size + 1] = 10;
		o = parse(b, size + 10, false);
		ASSERT_EQ(0, o.num_sacks) TH_LOG("SACK length %u", size);
		ASSERT_TRUE(o.saw_tstamp) TH_LOG("SACK length %u", size);
		ASSERT_EQ(0x77777777U, o.rcv_tsval);
	}
}

TEST(sack_last_good_one_wins)
{
	struct xtcp_options_received o = PARSE(false,
		0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
		0x05, 0x12, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6,
		0x05, 0x0b, 0, 0, 0, 7, 0, 0, 0, 8, 0);

	ASSERT_EQ(2, o.num_sacks);
	ASSERT_EQ(3, o.sack_blocks[0].start_seq);
	ASSERT_EQ(4, o.sack_blocks[0].end_seq);
	ASSERT_EQ(5, o.sack_blocks[1].start_seq);
	ASSERT_EQ(6, o.sack_blocks[1].end_seq);
}

TEST(unknown_options_skipped)
{
	/* MPTCP-like kind 30 len 6, experimental 254 len 2, kind 99 len 3. */
	struct xtcp_options_received o = PARSE(true,
		30, 6, 0xde, 0xad, 0xbe, 0xef, 254, 2, 99, 3, 0x00,
		0x02, 0x04, 0x05, 0xb4);

	ASSERT_EQ(1460, o.mss_clamp);
	/* MD5 (19, len 18) as on a Linux segment: skipped. */
	o = PARSE(false, 1, 1, 19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		  13, 14, 15, 16, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
		  0x02, 0x03, 0x04);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
}

/* ---- parser: where parsing stops ---- */

TEST(eol_ends)
{
	struct xtcp_options_received o =
		PARSE(true, 0x02, 0x04, 0x05, 0xb4, 0x00, 0x03, 0x03, 0x07);

	ASSERT_EQ(1460, o.mss_clamp);
	ASSERT_FALSE(o.wscale_ok);
	o = PARSE(true, 0x00, 0x02, 0x04, 0x05, 0xb4);
	ASSERT_TRUE(empty(&o));
	/* Neither a NOP nor an option with a length. */
	o = PARSE(true, 0x00, 0x02, 0x03, 0x03, 0x07);
	ASSERT_TRUE(empty(&o));
	o = PARSE(false, 0x01, 0x00, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
		  0x02, 0x03, 0x04);
	ASSERT_TRUE(empty(&o));
}

TEST(nops_skipped)
{
	struct xtcp_options_received o =
		PARSE(true, 1, 1, 1, 0x02, 0x04, 0x05, 0xb4, 1, 0x03, 0x03, 9, 1);

	ASSERT_EQ(1460, o.mss_clamp);
	ASSERT_EQ(9, o.snd_wscale);
	o = PARSE(true, 1, 1, 1, 1, 1, 1, 1, 1);
	ASSERT_TRUE(empty(&o));
}

TEST(length_byte_missing)
{
	/* The last byte is a kind with no length: what came before stands. */
	struct xtcp_options_received o =
		PARSE(true, 0x03, 0x03, 0x06, 0x02);

	ASSERT_EQ(6, o.snd_wscale);
	ASSERT_EQ(0, o.mss_clamp);
	o = PARSE(false, 0x08);
	ASSERT_TRUE(empty(&o));
	o = PARSE(true, 1, 0x04);
	ASSERT_FALSE(o.sack_ok);
}

TEST(length_zero_or_one_stops)
{
	/* len 0 and len 1 are "silly": nothing after them is read. */
	struct xtcp_options_received o = PARSE(true,
		0x04, 0x02, 99, 0x00, 0x02, 0x04, 0x05, 0xb4);

	ASSERT_TRUE(o.sack_ok);
	ASSERT_EQ(0, o.mss_clamp);
	o = PARSE(true, 0x04, 0x02, 99, 0x01, 0x02, 0x04, 0x05, 0xb4);
	ASSERT_TRUE(o.sack_ok);
	ASSERT_EQ(0, o.mss_clamp);
	/* Same for a known kind with length 0 or 1. */
	o = PARSE(true, 0x04, 0x02, 0x02, 0x00, 0x02, 0x04, 0x05, 0xb4);
	ASSERT_TRUE(o.sack_ok);
	ASSERT_EQ(0, o.mss_clamp);
	o = PARSE(true, 0x04, 0x02, 0x08, 0x01, 0x02, 0x04, 0x05, 0xb4);
	ASSERT_TRUE(o.sack_ok);
	ASSERT_EQ(0, o.mss_clamp);
}

TEST(length_past_end_stops)
{
	/* A timestamp one byte short: not parsed, and nothing after. */
	struct xtcp_options_received o = PARSE(false,
		0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7);

	ASSERT_TRUE(empty(&o));
	o = PARSE(true, 0x03, 0x03, 0x04, 0x02, 0x04, 0x05);
	ASSERT_EQ(4, o.snd_wscale);
	ASSERT_EQ(0, o.mss_clamp);
	/* An unknown option claiming more than is there. */
	o = PARSE(true, 0x04, 0x02, 77, 0x20, 0x02, 0x04, 0x05, 0xb4);
	ASSERT_TRUE(o.sack_ok);
	ASSERT_EQ(0, o.mss_clamp);
	/* A SACK option running past the end. */
	o = PARSE(false, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03,
		  0x04, 0x05, 0x12, 0, 0, 0, 1, 0, 0, 0, 2);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_EQ(0, o.num_sacks);
}

TEST(duplicate_options_last_wins)
{
	struct xtcp_options_received o = PARSE(true,
		0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18,
		0x03, 0x03, 0x02, 0x03, 0x03, 0x08);

	ASSERT_EQ(536, o.mss_clamp);
	ASSERT_EQ(8, o.snd_wscale);
	o = PARSE(false, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
		  0x08, 0x0a, 0, 0, 0, 3, 0, 0, 0, 4);
	ASSERT_EQ(3, o.rcv_tsval);
	ASSERT_EQ(4, o.rcv_tsecr);
}

TEST(aligned_timestamp)
{
	/* The common non-SYN layout (the fast path's shape). */
	struct xtcp_options_received o = PARSE(false, 0x01, 0x01, 0x08, 0x0a,
		0x8a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04);

	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_FALSE(o.tstamp_ok);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
	ASSERT_EQ(TSECR, o.rcv_tsecr);
	ASSERT_EQ(0, o.num_sacks);
	ASSERT_EQ(0, o.mss_clamp);
	/* The same 12 bytes on a SYN: an offer as well. */
	o = PARSE(true, 0x01, 0x01, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
		  0x02, 0x03, 0x04);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_TRUE(o.tstamp_ok);
	/* Same values laid out differently: same result. */
	o = PARSE(false, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03,
		  0x04, 0x00, 0x00);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
	ASSERT_EQ(TSECR, o.rcv_tsecr);
	/* Aligned timestamp then SACK: both seen. */
	o = PARSE(false, 0x01, 0x01, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
		  0x02, 0x03, 0x04, 0x01, 0x01, 0x05, 0x0a, 0, 0, 0, 7, 0, 0, 0,
		  9);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
	ASSERT_EQ(1, o.num_sacks);
	ASSERT_EQ(7, o.sack_blocks[0].start_seq);
	ASSERT_EQ(9, o.sack_blocks[0].end_seq);
	/* A NOP NOP TS head with a bad length is not a timestamp. */
	o = PARSE(false, 0x01, 0x01, 0x08, 0x0b, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
		  0x02, 0x03, 0x04);
	ASSERT_TRUE(empty(&o));
}

TEST(linux_syn_parsed)
{
	/* What Linux 6.1 sends by default (tcpdump: mss 1460,sackOK,TS
	 * val .. ecr 0,nop,wscale 7).
	 */
	struct xtcp_options_received o = PARSE(true, 0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01, 0x02,
		0x03, 0x04, 0x01, 0x03, 0x03, 0x07);

	ASSERT_EQ(1460, o.mss_clamp);
	ASSERT_TRUE(o.sack_ok);
	ASSERT_TRUE(o.saw_tstamp);
	ASSERT_TRUE(o.tstamp_ok);
	ASSERT_EQ(TSVAL, o.rcv_tsval);
	ASSERT_EQ(TSECR, o.rcv_tsecr);
	ASSERT_TRUE(o.wscale_ok);
	ASSERT_EQ(7, o.snd_wscale);
	ASSERT_EQ(0, o.num_sacks);
}

/* ---- parser against a model, over random bytes ---- */

static u32 be32_at(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/*
 * The rules again, written as a scan by index with no shared code: the
 * model the random test compares the parser against.
 */
static void model_parse(const u8 *b, unsigned int len, bool syn,
			struct xtcp_options_received *m)
{
	unsigned int i = 0, k, sz, n;

	memset(m, 0, sizeof(*m));
	while (i < len && b[i] != 0) {
		if (b[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || b[i + 1] < 2 || i + b[i + 1] > len)
			return;
		k = b[i];
		sz = b[i + 1];
		if (k == 2 && sz == 4 && syn && (b[i + 2] | b[i + 3]))
			m->mss_clamp = b[i + 2] * 256 + b[i + 3];
		if (k == 3 && sz == 3 && syn) {
			m->wscale_ok = true;
			m->snd_wscale = b[i + 2] < 14 ? b[i + 2] : 14;
		}
		if (k == 4 && sz == 2 && syn)
			m->sack_ok = true;
		if (k == 8 && sz == 10) {
			m->saw_tstamp = true;
			m->tstamp_ok |= syn;
			m->rcv_tsval = be32_at(&b[i + 2]);
			m->rcv_tsecr = be32_at(&b[i + 6]);
		}
		if (k == 5 && !syn && (sz == 10 || sz == 18 || sz == 26 ||
				       sz == 34)) {
			n = (sz - 2) / 8;
			memset(m->sack_blocks, 0, sizeof(m->sack_blocks));
			m->num_sacks = n;
			for (k = 0; k < n; k++) {
				m->sack_blocks[k].start_seq = be32_at(&b[i + 2 + 8 * k]);
				m->sack_blocks[k].end_seq = be32_at(&b[i + 6 + 8 * k]);
			}
		}
		i += sz;
	}
}

TEST(random_bytes_match_model)
{
	struct xtcp_options_received o, m;
	unsigned int iter, len, i;
	u8 b[40];
	bool syn;

	for (iter = 0; iter < 200000; iter++) {
		len = rnd32() % 41;
		for (i = 0; i < len; i++) {
			/* Mostly known kinds and plausible lengths. */
			u32 r = rnd32();

			b[i] = r % 4 ? (u8)(r >> 8) % 12 : (u8)(r >> 8);
		}
		syn = rnd32() & 1;
		o = parse(b, len, syn);
		model_parse(b, len, syn, &m);
		ASSERT_EQ(0, memcmp(&o, &m, sizeof(o)))
			TH_LOG("iteration %u len %u syn %d", iter, len, syn);
		ASSERT_LE(o.snd_wscale, 14);
		ASSERT_LE(o.num_sacks, XTCP_NUM_SACKS);
	}
}

/* ---- writer: Linux's layouts, byte for byte ---- */

/* Settle @o as @kind says, write it, check size and bytes. */
enum seg { SYN, SYNACK, ESTAB };

static unsigned int settle(enum seg kind, struct xtcp_out_options *o)
{
	switch (kind) {
	case SYN:
		return xtcp_syn_options(o);
	case SYNACK:
		return xtcp_synack_options(o);
	default:
		return xtcp_established_options(o);
	}
}

#define CANARY	0xcc

static void check_layout(struct __test_metadata *_metadata, enum seg kind,
			 struct xtcp_out_options o, const u8 *want,
			 unsigned int want_len)
{
	u8 buf[XTCP_MAX_OPTION_SPACE + 8];
	unsigned int size, wrote, i;

	memset(buf, CANARY, sizeof(buf));
	size = settle(kind, &o);
	ASSERT_EQ(want_len, size);
	ASSERT_EQ(size, xtcp_options_size(&o));
	/* Odd address: the writer must not need alignment. */
	wrote = xtcp_options_write(buf + 1, &o);
	ASSERT_EQ(size, wrote);
	ASSERT_EQ(CANARY, buf[0]);
	for (i = 0; i < want_len; i++)
		ASSERT_EQ(want[i], buf[1 + i]) TH_LOG("byte %u", i);
	for (i = want_len + 1; i < sizeof(buf); i++)
		ASSERT_EQ(CANARY, buf[i]) TH_LOG("written past end at %u", i);
}

#define LAYOUT(kind, opts, ...) do { \
	static const u8 __w[] = { __VA_ARGS__ }; \
	check_layout(_metadata, kind, opts, __w, sizeof(__w)); \
} while (0)

#define ALL	(XTCP_OPTION_TS | XTCP_OPTION_WSCALE | \
		 XTCP_OPTION_SACK_ADVERTISE)

TEST(syn_all_options)
{
	struct xtcp_out_options o = {
		.options = ALL, .mss = 1460, .ws = 7,
		.tsval = TSVAL, .tsecr = 0,
	};

	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	       0x8a, 0x0b, 0x0c, 0x0d, 0x00, 0x00, 0x00, 0x00,
	       0x01, 0x03, 0x03, 0x07);
}

TEST(syn_each_sysctl_combination)
{
	struct xtcp_out_options o = {
		.mss = 1460, .ws = 7, .tsval = TSVAL, .tsecr = TSECR,
	};

	/* tcp_timestamps=0 tcp_window_scaling=0 tcp_sack=0 */
	o.options = 0;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4);
	/* sack only */
	o.options = XTCP_OPTION_SACK_ADVERTISE;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02);
	/* wscale only */
	o.options = XTCP_OPTION_WSCALE;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07);
	/* sack + wscale: SACK-permitted goes before window scale */
	o.options = XTCP_OPTION_SACK_ADVERTISE | XTCP_OPTION_WSCALE;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02,
	       0x01, 0x03, 0x03, 0x07);
	/* timestamps only */
	o.options = XTCP_OPTION_TS;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x08, 0x0a, 0x8a,
	       0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04);
	/* timestamps + sack */
	o.options = XTCP_OPTION_TS | XTCP_OPTION_SACK_ADVERTISE;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x8a,
	       0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04);
	/* timestamps + wscale */
	o.options = XTCP_OPTION_TS | XTCP_OPTION_WSCALE;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x08, 0x0a, 0x8a,
	       0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04, 0x01, 0x03, 0x03,
	       0x07);
	/* all three */
	o.options = ALL;
	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x8a,
	       0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04, 0x01, 0x03, 0x03,
	       0x07);
}

TEST(synack_layouts)
{
	/* A SYN-ACK answering a full SYN: TSecr echoes the SYN's TSval. */
	struct xtcp_out_options o = {
		.options = ALL, .mss = 1460, .ws = 9,
		.tsval = 0x01020304, .tsecr = TSVAL,
	};

	LAYOUT(SYNACK, o, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	       0x01, 0x02, 0x03, 0x04, 0x8a, 0x0b, 0x0c, 0x0d,
	       0x01, 0x03, 0x03, 0x09);
	/* Answering a SYN with only MSS and SACK-permitted. */
	o.options = XTCP_OPTION_SACK_ADVERTISE;
	o.mss = 536;
	LAYOUT(SYNACK, o, 0x02, 0x04, 0x02, 0x18, 0x01, 0x01, 0x04, 0x02);
	/* Answering a SYN with only MSS and window scale, shift 0. */
	o.options = XTCP_OPTION_WSCALE;
	o.ws = 0;
	LAYOUT(SYNACK, o, 0x02, 0x04, 0x02, 0x18, 0x01, 0x03, 0x03, 0x00);
}

TEST(syn_drops_sack_blocks_and_clamps_shift)
{
	struct xtcp_out_options o = {
		.options = XTCP_OPTION_WSCALE, .mss = 1460, .ws = 20,
		.num_sack_blocks = 3,
		.sack_blocks = { { 1, 2 }, { 3, 4 }, { 5, 6 } },
	};

	LAYOUT(SYN, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x0e);
	LAYOUT(SYNACK, o, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x0e);
	ASSERT_EQ(8, xtcp_syn_options(&o));
	ASSERT_EQ(0, o.num_sack_blocks);
	ASSERT_EQ(14, o.ws);
}

TEST(established_timestamps)
{
	struct xtcp_out_options o = {
		.options = XTCP_OPTION_TS, .tsval = TSVAL, .tsecr = TSECR,
	};

	LAYOUT(ESTAB, o, 0x01, 0x01, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
	       0x02, 0x03, 0x04);
	/* SYN-only fields are dropped on an established segment. */
	o.options = ALL;
	o.mss = 1460;
	o.ws = 7;
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
	       0x02, 0x03, 0x04);
	o.options = XTCP_OPTION_WSCALE | XTCP_OPTION_SACK_ADVERTISE;
	LAYOUT(ESTAB, o);
}

static const struct xtcp_sack_block blocks4[XTCP_NUM_SACKS] = {
	{ 0x10000001, 0x20000002 }, { 0x11000001, 0x21000002 },
	{ 0x12000001, 0x22000002 }, { 0x13000001, 0x23000002 },
};

TEST(established_sack_blocks)
{
	struct xtcp_out_options o = { .num_sack_blocks = 1 };

	memcpy(o.sack_blocks, blocks4, sizeof(blocks4));
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x05, 0x0a, 0x10, 0x00, 0x00, 0x01, 0x20,
	       0x00, 0x00, 0x02);
	o.num_sack_blocks = 2;
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x05, 0x12, 0x10, 0x00, 0x00, 0x01, 0x20,
	       0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0x21, 0x00, 0x00,
	       0x02);
	o.num_sack_blocks = 4;
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x05, 0x22, 0x10, 0x00, 0x00, 0x01, 0x20,
	       0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0x21, 0x00, 0x00, 0x02,
	       0x12, 0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x02, 0x13, 0x00, 0x00,
	       0x01, 0x23, 0x00, 0x00, 0x02);
	/* More than fit (Linux's eff_sacks can be 5 with a D-SACK). */
	o.num_sack_blocks = 5;
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x05, 0x22, 0x10, 0x00, 0x00, 0x01, 0x20,
	       0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0x21, 0x00, 0x00, 0x02,
	       0x12, 0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x02, 0x13, 0x00, 0x00,
	       0x01, 0x23, 0x00, 0x00, 0x02);
	o.num_sack_blocks = 255;
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x05, 0x22, 0x10, 0x00, 0x00, 0x01, 0x20,
	       0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0x21, 0x00, 0x00, 0x02,
	       0x12, 0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x02, 0x13, 0x00, 0x00,
	       0x01, 0x23, 0x00, 0x00, 0x02);
}

TEST(established_sack_with_timestamps)
{
	struct xtcp_out_options o = {
		.options = XTCP_OPTION_TS, .tsval = TSVAL, .tsecr = TSECR,
		.num_sack_blocks = 4,
	};

	memcpy(o.sack_blocks, blocks4, sizeof(blocks4));
	/* Three blocks fit beside timestamps: 12 + 4 + 24 = 40. */
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
	       0x02, 0x03, 0x04, 0x01, 0x01, 0x05, 0x1a, 0x10, 0x00, 0x00, 0x01,
	       0x20, 0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0x21, 0x00, 0x00,
	       0x02, 0x12, 0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x02);
	ASSERT_EQ(40, xtcp_established_options(&o));
	ASSERT_EQ(3, o.num_sack_blocks);
	o.num_sack_blocks = 1;
	LAYOUT(ESTAB, o, 0x01, 0x01, 0x08, 0x0a, 0x8a, 0x0b, 0x0c, 0x0d, 0x01,
	       0x02, 0x03, 0x04, 0x01, 0x01, 0x05, 0x0a, 0x10, 0x00, 0x00, 0x01,
	       0x20, 0x00, 0x00, 0x02);
}

TEST(established_nothing)
{
	struct xtcp_out_options o = { .tsval = 5, .mss = 1460 };

	LAYOUT(ESTAB, o);
}

/* ---- writer against parser, random ---- */

static void random_out(struct xtcp_out_options *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	o->options = rnd32() & ALL;
	if (rnd32() & 1)
		o->options |= rnd32() & 0xffff;	/* stray bits too */
	o->mss = rnd32() % 4 ? (u16)rnd32() : 0;
	o->ws = rnd32() % 3 ? rnd32() % 15 : (u8)rnd32();
	o->num_sack_blocks = rnd32() % 4 ? rnd32() % 6 : (u8)rnd32();
	o->tsval = rnd32();
	o->tsecr = rnd32();
	for (i = 0; i < XTCP_NUM_SACKS; i++) {
		o->sack_blocks[i].start_seq = rnd32();
		o->sack_blocks[i].end_seq = rnd32();
	}
}

TEST(round_trip_random)
{
	struct xtcp_options_received r;
	struct xtcp_out_options o, in;
	u8 buf[XTCP_MAX_OPTION_SPACE + 1];
	unsigned int iter, size, i, want_sacks;
	enum seg kind;
	bool ts, syn;

	for (iter = 0; iter < 200000; iter++) {
		random_out(&in);
		o = in;
		kind = rnd32() % 3;
		syn = kind != ESTAB;
		size = settle(kind, &o);
		ASSERT_EQ(0, size % 4);
		ASSERT_LE(size, XTCP_MAX_OPTION_SPACE);
		ASSERT_EQ(size, xtcp_options_size(&o));
		buf[size] = CANARY;
		ASSERT_EQ(size, xtcp_options_write(buf, &o));
		ASSERT_EQ(CANARY, buf[size]);
		r = parse(buf, size, syn);

		ts = in.options & XTCP_OPTION_TS;
		ASSERT_EQ(ts, r.saw_tstamp);
		if (ts) {
			ASSERT_EQ(in.tsval, r.rcv_tsval);
			ASSERT_EQ(in.tsecr, r.rcv_tsecr);
		}
		if (syn) {
			ASSERT_EQ(ts, r.tstamp_ok);
			ASSERT_EQ(in.mss, r.mss_clamp);
			ASSERT_EQ(!!(in.options & XTCP_OPTION_WSCALE),
				  r.wscale_ok);
			if (r.wscale_ok)
				ASSERT_EQ(in.ws < 14 ? in.ws : 14,
					  r.snd_wscale);
			ASSERT_EQ(!!(in.options & XTCP_OPTION_SACK_ADVERTISE),
				  r.sack_ok);
			ASSERT_EQ(0, r.num_sacks);
			ASSERT_LE(size, 20);
		} else {
			ASSERT_FALSE(r.tstamp_ok);
			ASSERT_EQ(0, r.mss_clamp);
			ASSERT_FALSE(r.wscale_ok);
			ASSERT_FALSE(r.sack_ok);
			want_sacks = in.num_sack_blocks;
			if (want_sacks > (ts ? 3U : 4U))
				want_sacks = ts ? 3 : 4;
			ASSERT_EQ(want_sacks, r.num_sacks);
			for (i = 0; i < want_sacks; i++) {
				ASSERT_EQ(in.sack_blocks[i].start_seq,
					  r.sack_blocks[i].start_seq);
				ASSERT_EQ(in.sack_blocks[i].end_seq,
					  r.sack_blocks[i].end_seq);
			}
		}
	}
}

TEST(sizes_by_hand)
{
	/* Every flag combination and block count, sizes from the layout. */
	struct xtcp_out_options o;
	unsigned int flags, n, want;

	for (flags = 0; flags <= ALL; flags++) {
		if (flags & ~ALL)
			continue;
		for (n = 0; n <= 5; n++) {
			o = (struct xtcp_out_options){
				.options = flags, .mss = 1400, .ws = 3,
				.num_sack_blocks = n,
			};
			want = 4 + ((flags & XTCP_OPTION_TS) ? 12 :
				    (flags & XTCP_OPTION_SACK_ADVERTISE) ? 4 : 0) +
			       ((flags & XTCP_OPTION_WSCALE) ? 4 : 0);
			ASSERT_EQ(want, xtcp_syn_options(&o));
			o.num_sack_blocks = n;
			ASSERT_EQ(want, xtcp_synack_options(&o));
			o.num_sack_blocks = n;
			o.options = flags;
			want = (flags & XTCP_OPTION_TS) ? 12 : 0;
			if (n)
				want += 4 + 8 * (n < (want ? 3 : 4) ? n :
						 (want ? 3 : 4));
			ASSERT_EQ(want, xtcp_established_options(&o));
		}
	}
}

TEST_HARNESS_MAIN
