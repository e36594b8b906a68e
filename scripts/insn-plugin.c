// SPDX-License-Identifier: GPL-2.0
/*
 * insn-plugin: a QEMU TCG plugin that counts the guest instructions
 * executed, per translation block, between markers the guest sets.
 *
 * perf in the VM has no PMU under TCG, only cpu-clock samples, and the
 * emulator's speed per instruction moves from run to run (a copy's
 * speed follows its buffer's address), so a profile's time shares are
 * noisy.  The number of instructions a piece of work executes much less
 * so: this plugin counts them per translation block, which the report
 * (scripts/insn-report) maps to kernel symbols through the guest's
 * /proc/kallsyms.  A block is counted whole when it starts, so one cut
 * short by a fault counts in full (and again when re-executed), and
 * work that follows time rather than load (ticks, idle, spinning on a
 * lock) varies with the emulator's speed.  An instruction with a repeat prefix counts
 * once per iteration (a "rep movsb" of 4096 bytes is 4096), which is
 * what TCG executes.
 *
 * The marker is "nopl 0x70637478(%rax)" (0f 1f 80 78 74 63 70: "xtcp"
 * as the displacement), a no-op on every x86-64 CPU, executed by
 * selftests/insn_mark.c.  Each time a vCPU executes it, the counts so far
 * are written to OUT.N (N = 0, 1, ... in the order of the markers) and
 * set to zero: OUT.N holds what all CPUs executed between marker N-1 and
 * marker N (OUT.0: from boot to the first marker).  Lines are
 * "START_ADDRESS_HEX INSNS_IN_BLOCK EXECUTED_INSNS".  Each vCPU adds to
 * its own counter of a block, atomically, in a callback at the block's
 * start: an inline add (the API's faster way) is a plain read-add-write
 * that two vCPUs running the same block at once (both copying with "rep
 * movsb", say) undo each other's increments of, which lost 8 to 19% of
 * the copies' count in bulk runs.
 *
 * Built for QEMU's plugin API version 1, the one Debian 12's QEMU 7.2
 * loads; the few declarations it needs are written out here (Debian
 * ships no qemu-plugin.h).  Load: qemu-system-x86_64 -plugin
 * PATH/insn-plugin.so,out=OUT (scripts/vm-run: XTCP_VM_PLUGIN).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };

typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu, void *udata);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  vcpu_udata_cb cb,
					  enum qemu_plugin_cb_flags flags,
					  void *udata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    vcpu_udata_cb cb,
					    enum qemu_plugin_cb_flags flags,
					    void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb,
				    void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static const unsigned char marker[] = { 0x0f, 0x1f, 0x80, 0x78, 0x74, 0x63, 0x70 };

/* vCPUs counted apart (more share the last counter). */
#define NCPUS 8

/* One translation block's counters, found by its start and length. */
struct block {
	uint64_t vaddr;
	uint64_t n_insns;	/* 0: a free slot */
	uint64_t executed[NCPUS];	/* instructions, per vCPU */
};

/* Open addressing; never resized, so the callbacks' pointers stay. */
#define NBLOCKS (1u << 20)
static struct block *blocks;
static unsigned int used;
/* Where blocks go once the table is 7/8 full, by their length (a block
 * holds at most 512 instructions): counted, not told apart; written as
 * address ffffffffffffffff, which the report names.
 */
#define MAX_BLOCK 512
static struct block overflow[MAX_BLOCK + 1];
static int warned;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char out[4000] = "insn-plugin.out";
static unsigned int dumps;

static struct block *block_get(uint64_t vaddr, uint64_t n)
{
	uint64_t h = ((vaddr ^ (n << 52)) * 0x9e3779b97f4a7c15ull) >> 40;
	struct block *b;

	for (;; h++) {
		b = &blocks[h & (NBLOCKS - 1)];
		if (!b->n_insns) {
			if (used >= NBLOCKS - NBLOCKS / 8) {
				if (!warned++)
					fprintf(stderr,
						"insn-plugin: table full, further blocks counted together\n");
				b = &overflow[n < MAX_BLOCK ? n : MAX_BLOCK];
				b->vaddr = ~0ull;
				b->n_insns = n;
				return b;
			}
			used++;
			b->vaddr = vaddr;
			b->n_insns = n;
			return b;
		}
		if (b->vaddr == vaddr && b->n_insns == n)
			return b;
	}
}

/* Write @b's count (all vCPUs') to @f if nonzero, and zero it. */
static void dump_block(FILE *f, struct block *b)
{
	uint64_t e = 0;
	unsigned int c;

	for (c = 0; c < NCPUS; c++)
		e += __atomic_exchange_n(&b->executed[c], 0, __ATOMIC_RELAXED);
	if (f && e)
		fprintf(f, "%llx %llu %llu\n", (unsigned long long)b->vaddr,
			(unsigned long long)b->n_insns, (unsigned long long)e);
}

/* Write the counts to OUT.<dumps> and zero them; under lock.  Used
 * overflow slots carry address ffffffffffffffff.
 */
static void dump(void)
{
	char path[sizeof(out) + 16];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "%s.%u", out, dumps++);
	f = fopen(path, "w");
	for (i = 0; i < NBLOCKS; i++)
		if (blocks[i].n_insns)
			dump_block(f, &blocks[i]);
	for (i = 0; i <= MAX_BLOCK; i++)
		dump_block(f, &overflow[i]);
	if (f)
		fclose(f);
	else
		fprintf(stderr, "insn-plugin: cannot write %s\n", path);
}

static void on_block(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	__atomic_fetch_add(&b->executed[vcpu < NCPUS ? vcpu : NCPUS - 1],
			   b->n_insns, __ATOMIC_RELAXED);
}

static void on_marker(unsigned int vcpu, void *udata)
{
	pthread_mutex_lock(&lock);
	dump();
	pthread_mutex_unlock(&lock);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
	pthread_mutex_lock(&lock);
	b = block_get(qemu_plugin_tb_vaddr(tb), n);
	pthread_mutex_unlock(&lock);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block,
						     QEMU_PLUGIN_CB_NO_REGS, b);
}

static void on_exit_qemu(qemu_plugin_id_t id, void *udata)
{
	pthread_mutex_lock(&lock);
	dump();
	pthread_mutex_unlock(&lock);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4) && strlen(argv[i] + 4) < sizeof(out)) {
			strcpy(out, argv[i] + 4);
		} else {
			fprintf(stderr, "insn-plugin: unknown argument %s (out=PATH)\n",
				argv[i]);
			return -1;
		}
	}
	blocks = calloc(NBLOCKS, sizeof(*blocks));
	if (!blocks)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit_qemu, NULL);
	return 0;
}
