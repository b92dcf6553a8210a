# cps-bridge: the two commands of the README, and what they need.
#   make demo   the main job: the demo federator on a simulated CPS3 card, in a browser
#   make test   every test suite, through the real chain (private pcscd, vpcd, OpenSC, SoftHSM,
#               headless Chromium), then the package under a real systemd (systemd-nspawn)
#   make bench  the card-stack baselines in release (BENCHMARKS.md)
#   make fuzz   the libFuzzer targets, FUZZ_SECONDS each (docs/TESTING.md)
#   make deb    the Debian package build/deb/cps-bridge_<version>_amd64.deb (docs/INSTALL.md)
SHELL := /bin/bash

# Debian packages the build and the tests need. Always --no-install-recommends: without it
# apt pulls systemd, udev and avahi.
APT_PACKAGES := pcscd libpcsclite-dev vsmartcard-vpcd softhsm2 opensc libp11-kit-dev pcsc-tools openssl python3
# What only the tests need: headless Chromium driven by Selenium in a venv (browser tests), and
# a private PostgreSQL server (scripts/with-postgres.sh) for the verifier's shared nonce store.
APT_TEST_PACKAGES := chromium chromium-driver python3-venv udev postgresql
# What `make deb` needs: debhelper, and lintian to check its output.
APT_DEB_PACKAGES := debhelper lintian chrpath
# What the proof under a real systemd needs (scripts/systemd-tests.sh): a Debian root built by
# mmdebstrap, booted by systemd-nspawn.
APT_SYSTEMD_TEST_PACKAGES := systemd-container mmdebstrap
# The release build the package ships: the Swift runtime linked in, no toolchain at run time.
RELEASE_FLAGS := -c release --static-swift-stdlib
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=

.PHONY: all deps test-deps apt-install build test browser-test demo demo-card bench measure fuzz clean-beds deb systemd-test

all: build

## deps: install the Debian packages that are missing (nothing when all are there)
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

## test-deps: deps, plus Chromium and chromedriver for the browser tests, debhelper and lintian
## for the package, mmdebstrap and systemd-nspawn for its proof under systemd
test-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_TEST_PACKAGES) $(APT_DEB_PACKAGES) $(APT_SYSTEMD_TEST_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## build: the daemon, the simulator and the tests
build: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)

## test: build, run every suite, and leave nothing running whatever the outcome.
## The suites run under scripts/with-postgres.sh: a private PostgreSQL server for the shared
## nonce store's tests (CPSB_POSTGRES_URL), stopped at the end whatever the outcome.
## Suites that stop pcscd (*PCSCDRestart*) run in a test process of their own: pcsc-lite
## clients in one process share one daemon, and OpenSC in process would see it die.
## The browser tests (scripts/browser-tests.sh) run `cps-bridge demo` in headless Chromium,
## and check that Chromium applies the shipped policy; the Firefox policy example is checked
## against Debian's firefox-esr, unpacked, not installed (scripts/firefox-policy-test.sh).
## Then the udev rule (scripts/udev-test.sh). Last, the package and its proof under a real
## systemd: `make deb` (the release build with the Swift runtime linked in, lintian) and
## scripts/systemd-tests.sh (a Debian 12 root, built once and cached in build/nspawn/, booted
## with systemd-nspawn; it stops the container whatever the outcome). Timed on a fresh clone,
## cold: docs/TESTING.md.
test: test-deps build
	@status=0; \
	trap 'bash scripts/stop-test-beds.sh' EXIT; \
	bash scripts/with-postgres.sh swift test --skip-build $(SWIFT_BUILD_FLAGS) --no-parallel --skip PCSCDRestart || status=$$?; \
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --no-parallel --filter PCSCDRestart || status=$$?; \
	bash scripts/browser-tests.sh || status=$$?; \
	bash scripts/firefox-policy-test.sh || status=$$?; \
	bash scripts/udev-test.sh || status=$$?; \
	if $(MAKE) --no-print-directory deb; then \
	  bash scripts/systemd-tests.sh || status=$$?; \
	else \
	  status=1; echo "make test: FAILED: make deb (the package); its proof under systemd was not run" >&2; \
	fi; \
	exit $$status

## browser-test: only the browser tests and the Firefox policy check (after a build)
browser-test: test-deps
	swift build $(SWIFT_BUILD_FLAGS)
	bash scripts/browser-tests.sh
	bash scripts/firefox-policy-test.sh

## demo: the main job on a machine with no reader: `cps-bridge demo` starts a private pcscd
## with the simulated CPS3 card, the daemon and the demo federator, and prints the page's
## URL; log in there with PIN 1234. Ctrl-C stops everything.
demo: deps
	swift build $(SWIFT_BUILD_FLAGS)
	@exec "$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/cps-bridge" demo

## demo-card: the card stack without a browser: what cps-bridge sees of the simulated card,
## a login through cps-bridge serve with curl, a refused foreign site, OpenSC's signature.
demo-card: deps
	swift build $(SWIFT_BUILD_FLAGS)
	@bash scripts/demo-card.sh

## bench: build cps-bench and cps-card-sim in release (side by side: the bench starts the
## simulator found next to itself) and run the baselines of BENCHMARKS.md (the card stack's
## three, and the federator's token verification, with the shared nonce store on a private
## PostgreSQL from scripts/with-postgres.sh when the postgresql package is there).
## Each run starts and stops its own bed; nothing is left running.
bench: deps
	swift build -c release --product cps-card-sim
	swift build -c release --product cps-bench
	@bin=$$(swift build -c release --show-bin-path) && \
	$$bin/cps-bench apdu-roundtrip && echo && \
	$$bin/cps-bench pkcs11-sign && echo && \
	$$bin/cps-bench pkcs11-inprocess && echo && \
	bash scripts/with-postgres.sh $$bin/cps-bench verify

## measure: the daemon's figures in release, and side by side with AusweisApp2 (cps-bench peer,
## which installs Debian's ausweisapp2 if missing) (BENCHMARKS.md, "The daemon"; scripts/measure-daemon.sh)
measure: deps
	@bash scripts/measure-daemon.sh

## fuzz: build the libFuzzer targets of Fuzz/ with AddressSanitizer (in .build-fuzz) and run
## each for FUZZ_SECONDS (default 60) on a scratch copy of its seed corpus; fails if any
## target crashes (inputs in fuzz-artifacts/). Not part of `make test` (docs/TESTING.md).
FUZZ_SECONDS ?= 60
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

## clean-beds: stop any pcscd or simulated card a test run left behind
clean-beds:
	@bash scripts/stop-test-beds.sh

## deb: the Debian package build/deb/cps-bridge_<version>_amd64.deb: the release build
## (--static-swift-stdlib; dh_strip strips it), the man pages generated from the command line
## (scripts/man-pages.sh), the units, the udev rule and the default configuration, by debhelper
## (debian/); then lintian, which must find no error, and the package's file list. The
## simulated card's release build is put beside it for scripts/systemd-tests.sh.
deb: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_DEB_PACKAGES)"
	bash scripts/man-pages.sh
	swift build $(RELEASE_FLAGS) --product cps-bridge
	swift build $(RELEASE_FLAGS) --product cps-card-sim
	rm -rf build/deb debian/cps-bridge && mkdir -p build/deb
	debian/rules binary
	cp "$$(swift build $(RELEASE_FLAGS) --show-bin-path)/cps-card-sim" build/deb/
	lintian --fail-on error --suppress-tags-from-file debian/lintian-suppressions build/deb/cps-bridge_*_amd64.deb
	@bash scripts/check-deb-contents.sh build/deb/cps-bridge_*_amd64.deb

## systemd-test: only the package and its proof under a real systemd (part of make test)
systemd-test: deb
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_SYSTEMD_TEST_PACKAGES)"
	bash scripts/systemd-tests.sh
