# SPDX-License-Identifier: GPL-2.0
#
# make            build ldir.ko (against KDIR), ldctl and ldsyncd
# make check      the test suite, in QEMU (see README)
# make fuzz       the netlink and packet fuzzers, long, on the debug kernel
# make demo       a small site in QEMU on Debian's stock kernel
# make bench      ldir vs plain forwarding, IPVS, nft DNAT (BENCHMARKS.md)
# make style      checkpatch, spec-check and layers; make sparse: sparse (C=2)
# make spec-check Documentation/netlink/specs/ldir.yaml against the kernel's
#                 schema, uapi/linux/ldir.h and the module's policies
# make layers     the calls between kmod/'s objects point down kmod/layers.txt
# make install    install ldir.ko, ldctl, ldsyncd, the man pages, bash
#                 completion and ldir.service on this machine (install-tools:
#                 all but ldir.ko)
# make man        ldctl(8), ldsyncd(8) and ldir(7) into build/man (scdoc)
# make deb        the Debian packages ldir-dkms, ldctl and ldsyncd into build/deb

KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
# MODBUILD: build the module in a copy of the sources there, so that builds
# against several kernels do not share object files.
MODBUILD ?=
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/ldctl
EXAMPLESDIR ?= $(DOCDIR)/examples
# generated files (man pages, the unit, packages)
BUILD ?= build
# checkpatch comes from Debian's linux-source-6.12, unpacked on first use
LDIR_CACHE ?= /var/cache/ldir
CHECKPATCH ?= $(LDIR_CACHE)/checkpatch/scripts/checkpatch.pl
KSRC_TAR ?= $(lastword $(sort $(wildcard /usr/src/linux-source-6.12*.tar.xz)))
# ynl (tools/net/ynl: its spec parser and CLI) and the genetlink schemas, from
# the same tarball; the QEMU harness copies its CLI into the 6.12 guest
YNL ?= $(LDIR_CACHE)/ynl/tools/net/ynl
SPEC := Documentation/netlink/specs/ldir.yaml

SRCDIR := $(CURDIR)
MOD_SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/nl/*.c kmod/nl/*.h kmod/Kbuild \
	kmod/layers.txt) \
	uapi/linux/ldir.h

.PHONY: all module ldctl ldsyncd install-ldsyncd check fuzz demo bench style spec-check layers \
	sparse install install-tools man deb clean

all: module ldctl ldsyncd

module:
ifeq ($(KDIR),)
	$(error no kernel headers found: install linux-headers-amd64 or pass KDIR=)
endif
ifeq ($(MODBUILD),)
	$(MAKE) -C $(KDIR) M=$(SRCDIR) W=1 modules
else
	mkdir -p $(MODBUILD)
	tar -C $(SRCDIR) -cf - $(MOD_SRCS) | tar -C $(MODBUILD) -xf -
	$(MAKE) -C $(KDIR) M=$(abspath $(MODBUILD)) W=1 modules
endif

ldctl:
	$(MAKE) -C tools/ldctl

ldsyncd:
	$(MAKE) -C tools/ldsyncd

check:
	bash selftests/qemu/check.sh

# make fuzz: selftests/test-fuzz.sh (which `make check` runs short) with
# FUZZ_N netlink requests per fuzzer and FUZZ_PKTS packets per sender, on
# the debug kernel (KASAN, lockdep, kmemleak); a new seed each time unless
# FUZZ_SEED replays a run (make check fuzzes with seed 1).
FUZZ_N ?= 20000
FUZZ_PKTS ?= 20000
FUZZ_SEED ?= random
fuzz:
	LDIR_KERNELS=debug LDIR_KUNIT=0 LDIR_TESTS='^test-fuzz\.sh$$' \
	LDIR_FUZZ_N=$(FUZZ_N) LDIR_FUZZ_PKTS=$(FUZZ_PKTS) LDIR_FUZZ_SEED=$(FUZZ_SEED) \
	LDIR_TEST_TIMEOUT=$${LDIR_TEST_TIMEOUT:-$$((600 + $(FUZZ_N) / 10 + $(FUZZ_PKTS) / 4))} \
		bash selftests/qemu/check.sh

demo:
	bash selftests/qemu/demo.sh

# benchmarks: not a test, never part of check
bench:
	bash selftests/qemu/bench.sh

sparse:
	$(MAKE) -C $(KDIR) M=$(SRCDIR) C=2 W=1 modules

$(CHECKPATCH):
	@test -n "$(KSRC_TAR)" || { echo "style: apt-get install linux-source-6.12"; exit 1; }
	mkdir -p $(LDIR_CACHE)/checkpatch
	tar -C $(LDIR_CACHE)/checkpatch --strip-components=1 -xf $(KSRC_TAR) \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'

$(YNL)/cli.py:
	@test -n "$(KSRC_TAR)" || { echo "spec-check: apt-get install linux-source-6.12"; exit 1; }
	rm -rf $(LDIR_CACHE)/ynl.tmp.$$$$ && mkdir -p $(LDIR_CACHE)/ynl.tmp.$$$$ && \
	tar -C $(LDIR_CACHE)/ynl.tmp.$$$$ --strip-components=1 -xf $(KSRC_TAR) \
		--wildcards '*/tools/net/ynl/cli.py' '*/tools/net/ynl/lib/*.py' \
		'*/Documentation/netlink/*.yaml' && \
	{ mv -T $(LDIR_CACHE)/ynl.tmp.$$$$ $(LDIR_CACHE)/ynl 2>/dev/null || \
		rm -rf $(LDIR_CACHE)/ynl.tmp.$$$$; }

# the spec is the ABI: the hand-written header and the module follow it
spec-check: $(YNL)/cli.py
	python3 tools/spec/check.py $(YNL) $(SPEC) uapi/linux/ldir.h kmod

# The calls between the module's objects point down the layers of
# kmod/layers.txt: built in a copy of the sources, checked from nm.
layers:
	$(MAKE) module MODBUILD=$(BUILD)/layers >/dev/null
	python3 scripts/layers.py kmod/layers.txt $(BUILD)/layers/kmod

# LINUX_VERSION_CODE: compat.h is the one place that compares versions.
style: $(CHECKPATCH) spec-check layers
	$(CHECKPATCH) --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h kmod/nl/*.c kmod/nl/*.h)) \
		uapi/linux/ldir.h

MAN := $(BUILD)/man/ldctl.8 $(BUILD)/man/ldsyncd.8 $(BUILD)/man/ldir.7

man: $(MAN)

$(BUILD)/man/%: doc/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@

install: all install-tools install-ldsyncd
	$(MAKE) -C $(KDIR) M=$(SRCDIR) modules_install
	depmod -a $(KVER) || true

# the unit names ldctl where this installs it
install-tools: ldctl $(MAN)
	$(MAKE) -C tools/ldctl install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/ldir.service.in >$(BUILD)/ldir.service
	install -D -m 0644 $(BUILD)/man/ldctl.8 $(DESTDIR)$(MANDIR)/man8/ldctl.8
	install -D -m 0644 $(BUILD)/man/ldir.7 $(DESTDIR)$(MANDIR)/man7/ldir.7
	install -D -m 0644 dist/ldctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/ldctl
	install -D -m 0644 $(BUILD)/ldir.service $(DESTDIR)$(UNITDIR)/ldir.service
	install -m 0644 tools/ldctl/contrib/ldir-metrics.service \
		tools/ldctl/contrib/ldir-metrics.timer $(DESTDIR)$(UNITDIR)/
	install -D -m 0644 tools/ldctl/contrib/README.md \
		$(DESTDIR)$(DOCDIR)/metrics.md
	install -D -m 0644 dist/ldir.conf $(DESTDIR)$(EXAMPLESDIR)/ldir.conf
	install -D -m 0644 -t $(DESTDIR)$(EXAMPLESDIR)/keepalived \
		examples/keepalived/keepalived.conf examples/keepalived/ldir-notify \
		examples/keepalived/ldir-ready
	install -D -m 0644 -t $(DESTDIR)$(EXAMPLESDIR)/bgp \
		examples/bgp/bird-director.conf examples/bgp/bird-router.conf \
		examples/bgp/ldir-bgp-hook examples/bgp/ldir-bgp-hook.service

# ldsyncd, its manual, an example configuration and its unit (the Debian
# package ldsyncd)
install-ldsyncd: ldsyncd $(BUILD)/man/ldsyncd.8
	$(MAKE) -C tools/ldsyncd install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/ldsyncd.service.in >$(BUILD)/ldsyncd.service
	install -D -m 0644 $(BUILD)/man/ldsyncd.8 $(DESTDIR)$(MANDIR)/man8/ldsyncd.8
	install -D -m 0644 $(BUILD)/ldsyncd.service $(DESTDIR)$(UNITDIR)/ldsyncd.service
	install -D -m 0644 dist/ldsyncd.conf \
		$(DESTDIR)$(PREFIX)/share/doc/ldsyncd/examples/ldsyncd.conf

deb:
	bash dist/deb.sh

clean:
	$(MAKE) -C $(KDIR) M=$(SRCDIR) clean || true
	$(MAKE) -C tools/ldctl clean
	$(MAKE) -C tools/ldsyncd clean
	$(MAKE) -C tools/bench clean
	rm -rf $(BUILD)
