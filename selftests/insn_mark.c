// SPDX-License-Identifier: GPL-2.0
/*
 * insn_mark: execute the marker of scripts/insn-plugin.c once, so that
 * the plugin (when QEMU runs with it) writes the guest instructions
 * counted since the last marker and starts counting afresh.  Without the
 * plugin, or on real hardware, the marker is a no-op and so is this
 * program.  Used by scripts/bench (XTCP_BENCH_INSN).
 */
int main(void)
{
	/* nopl 0x70637478(%rax): "xtcp" as the displacement. */
	__asm__ volatile(".byte 0x0f, 0x1f, 0x80, 0x78, 0x74, 0x63, 0x70" ::: "memory");
	return 0;
}
