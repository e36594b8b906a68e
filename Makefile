# SPDX-License-Identifier: GPL-2.0
#
# xtcp top-level Makefile.
#   make            build xtcp.ko (and xtcp_scalable.ko, xtcp_bdp.ko) against
#                   the installed linux-headers-amd64
#   make module     the same as make
#   make host-tests the host unit tests alone (as make check T=host)
#   make deps       install what the build and the VM need (scripts/deps)
#   make selftests  the test programs and tools, into build/selftests
#   make run        build, boot the VM, load xtcp and show it working
#   make check      every test; ends with "N passed, N failed, N skipped"
#   make check T=x  only the tests named x (see README)
#   make check-debug [T=x]  the VM tests on a KASAN/lockdep/kmemleak kernel
#                   (built once into /var/cache/xtcp; not part of check)
#   make lint       checkpatch.pl --strict, sparse and kernel-doc coverage
#                   over the module (as make check T=style)
#   make bench      xtcp vs native: throughput, connection rate, idle
#                   connections' memory and CPU, loss (VM)
#   make plots      cwnd and state plots of both stacks (VM; matplotlib)
#   make clean

# Deferred (=): on a fresh machine the kernel headers only exist once the
# deps step, a prerequisite of every target that uses KDIR, has run.
KVER		= $(shell scripts/kver)
KDIR		?= /lib/modules/$(KVER)/build
BUILD		:= $(CURDIR)/build
KSRC_TAR	:= /usr/src/linux-source-6.1.tar.xz
KSFT_DIR	:= $(BUILD)/ksft
SELFTEST_BIN	:= $(BUILD)/selftests
CFLAGS_TEST	:= -O2 -g -Wall -Werror -I$(KSFT_DIR) -Iinclude/uapi

# Sources of the module, for checkpatch and the VM tests' dependencies.
MOD_SRCS	:= $(wildcard net/xtcp/*.c include/net/*.h include/uapi/linux/*.h)
SELFTEST_SRCS	:= $(wildcard selftests/*.c)
SELFTESTS	:= $(patsubst selftests/%.c,$(SELFTEST_BIN)/%,$(SELFTEST_SRCS))

.PHONY: all deps module selftests run check check-debug lint clean host-tests bench plots

all: module

deps:
	@scripts/deps

# The VM targets first check that the guest can see this checkout (not
# under /tmp or /run, which it mounts afresh), while make reads this file:
# before any set-up or build, with -j and -k too.  make check needs the VM
# unless T names only host and style tests (scripts/check's want_vm()).
comma		:= ,
VM_GOALS	:= $(filter run check-debug bench plots,$(MAKECMDGOALS))
ifneq ($(filter check,$(MAKECMDGOALS)),)
ifneq ($(if $(T),$(filter-out host style,$(subst $(comma), ,$(T))),all),)
VM_GOALS	+= check
endif
endif
ifneq ($(VM_GOALS),)
ifneq ($(shell scripts/vm-run --check-dir >&2 && echo ok),ok)
$(error not starting $(VM_GOALS): see above)
endif
endif

module: deps
	@$(MAKE) -s -C $(KDIR) M=$(CURDIR) KVER=$(KVER) modules

# kselftest_harness.h is taken from the installed kernel source, not copied.
$(KSFT_DIR)/kselftest_harness.h: | deps
	@mkdir -p $(KSFT_DIR)
	@tar -xJf $(KSRC_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h

# The scripted peers (selftests/*_peer.c) share selftests/lib/peer.c.
PEER_LIB	:= selftests/lib/peer.c selftests/lib/peer.h

$(SELFTEST_BIN)/%: selftests/%.c selftests/lib/util.h selftests/lib/harness.h selftests/lib/stream.h $(PEER_LIB) \
		$(KSFT_DIR)/kselftest_harness.h include/uapi/linux/xtcp.h
	@mkdir -p $(SELFTEST_BIN)
	@$(CC) $(CFLAGS_TEST) -o $@ $< \
		$(if $(filter %_peer,$*),selftests/lib/peer.c) -lpthread

# LD_PRELOAD library that turns AF_INET stream sockets into AF_XTCP ones
# (scripts/xtcp-run).
PRELOAD_LIB	:= $(BUILD)/libxtcp-preload.so

$(PRELOAD_LIB): scripts/xtcp-preload.c include/uapi/linux/xtcp.h
	@mkdir -p $(BUILD)
	@$(CC) -shared -fPIC -O2 -Wall -Werror -Iinclude/uapi -o $@ $< -ldl

selftests: $(SELFTESTS) $(PRELOAD_LIB)

host-tests: deps $(KSFT_DIR)/kselftest_harness.h
	@$(MAKE) -s -C selftests/host all

run: module selftests
	@scripts/vm-run -t 600 -o $(BUILD)/run-out -- scripts/demo

check: deps
	@scripts/check $(T)

# The debug-kernel lane (Documentation/testing.rst): the kernel is cached in
# /var/cache/xtcp/debug-kernel, xtcp.ko for it is built in build/debug-mod.
check-debug: deps
	@scripts/check-debug $(T)

# The figures of scripts/xtcp-plot from one VM run, into build/plots/.
plots: module selftests
	@scripts/deps plots
	@mkdir -p $(BUILD)/plots
	@scripts/vm-run -t 900 -o $(BUILD)/plots -- scripts/xtcp-plot vm $(BUILD)/plots

# The TCG plugin that counts guest instructions (XTCP_BENCH_INSN).
$(BUILD)/insn-plugin.so: scripts/insn-plugin.c
	@mkdir -p $(BUILD)
	@$(CC) -O2 -Wall -Werror -Wno-unused-parameter -shared -fPIC -fvisibility=hidden -o $@ $< -lpthread

# xtcp against native TCP (throughput, connections/s) in one VM run.
bench: module selftests $(BUILD)/insn-plugin.so
	@scripts/deps plots
	@scripts/bench

lint: deps
	@scripts/lint

clean:
	@$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	@rm -rf $(BUILD)
