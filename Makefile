# cps-bridge: the two commands of the README, and what they need.
#   make demo   the main job: the demo federator on a simulated CPS3 card
#   make test   every test suite, through the real chain (private pcscd, vpcd, OpenSC, SoftHSM)
#   make bench  the card-stack baselines in release (BENCHMARKS.md)
SHELL := /bin/bash

# Debian packages the build and the tests need. Always --no-install-recommends: without it
# apt pulls systemd, udev and avahi.
APT_PACKAGES := pcscd libpcsclite-dev vsmartcard-vpcd softhsm2 opensc libp11-kit-dev pcsc-tools openssl python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=

.PHONY: all deps build test demo bench measure clean-beds

all: build

## deps: install the Debian packages that are missing (nothing when all are there)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
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
## Suites that stop pcscd (*PCSCDRestart*) run in a test process of their own: pcsc-lite
## clients in one process share one daemon, and OpenSC in process would see it die.
test: build
	@status=0; \
	trap 'bash scripts/stop-test-beds.sh' EXIT; \
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --no-parallel --skip PCSCDRestart || status=$$?; \
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --no-parallel --filter PCSCDRestart || status=$$?; \
	exit $$status

## demo: the main job on a machine with no reader: a simulated CPS3 card in a private
## pcscd, what cps-bridge sees of it, a login through cps-bridge serve, OpenSC's signature.
demo: deps
	swift build $(SWIFT_BUILD_FLAGS)
	@bash scripts/demo-card.sh

## bench: build cps-bench and cps-card-sim in release (side by side: the bench starts the
## simulator found next to itself) and run the three baselines of BENCHMARKS.md.
## Each run starts and stops its own bed; nothing is left running.
bench: deps
	swift build -c release --product cps-card-sim
	swift build -c release --product cps-bench
	@bin=$$(swift build -c release --show-bin-path) && \
	$$bin/cps-bench apdu-roundtrip && echo && \
	$$bin/cps-bench pkcs11-sign && echo && \
	$$bin/cps-bench pkcs11-inprocess

## measure: the daemon's figures in release (BENCHMARKS.md, "The daemon"; scripts/measure-daemon.sh)
measure: deps
	@bash scripts/measure-daemon.sh

## clean-beds: stop any pcscd or simulated card a test run left behind
clean-beds:
	@bash scripts/stop-test-beds.sh
