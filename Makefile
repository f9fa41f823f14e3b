# Two commands matter on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
CLI := node dist/main.js
PKI_DIR ?= pki
POLICY ?= examples/policy.yaml
LISTEN ?= 127.0.0.1:8443
HEALTH_LISTEN ?= 127.0.0.1:9090

.PHONY: install build run test test-unit test-system typecheck clean bench test-deps

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(NODE_MODULES_STAMP)

build: install
	npm run build

typecheck: install
	npx tsc --noEmit

$(PKI_DIR)/ca.crt: | build
	$(CLI) pki --out $(PKI_DIR)

# `pki` is also a directory, so both targets must be phony. Extra flags: make pki PKI_FLAGS='--force --san node1.example.com'
PKI_FLAGS ?=
.PHONY: pki pki-status
pki: build
	$(CLI) pki --out $(PKI_DIR) $(PKI_FLAGS)

pki-status: build
	$(CLI) pki status --dir $(PKI_DIR)

# `apiserver-config` is also a directory, so the target is phony. Generated files are replaced, others kept.
# Extra flags: make apiserver-config WEBHOOK_URL=https://node1.example.com:8443/imagepolicy APISERVER_CONFIG_FLAGS='--deny-ttl 10'
WEBHOOK_URL ?= https://127.0.0.1:8443/imagepolicy
APISERVER_CONFIG_FLAGS ?=
.PHONY: apiserver-config
apiserver-config: build
	$(CLI) apiserver-config --server $(WEBHOOK_URL) --pki-dir $(PKI_DIR) --out apiserver-config $(APISERVER_CONFIG_FLAGS)

run: build $(PKI_DIR)/ca.crt
	@echo "Try it from another shell (examples/requests/denied-latest.json gets a denial):"
	@echo "  curl --cacert $(PKI_DIR)/ca.crt --cert $(PKI_DIR)/apiserver-client.crt --key $(PKI_DIR)/apiserver-client.key \\"
	@echo "    -H 'Content-Type: application/json' --data-binary @examples/requests/allowed-coredns.json \\"
	@echo "    https://$(LISTEN)/imagepolicy"
	$(CLI) serve --policy $(POLICY) --tls-cert $(PKI_DIR)/server.crt --tls-key $(PKI_DIR)/server.key \
	  --client-ca $(PKI_DIR)/ca.crt --listen $(LISTEN) --health-listen $(HEALTH_LISTEN)

# Debian packages the suites drive for real (openssl, kubectl, registry, prometheus, ...), when missing.
test-deps:
	scripts/install-test-deps.sh

# Two tiers (jest projects in jest.config.js). unit: no Debian package, no child process, about a
# minute. system: the built binary and real parts (TLS, kubectl, openssl, registry, Prometheus,
# deploy files, reliability); it always builds first, so it never runs a stale dist/.
JEST := npx jest --ci
test: install test-deps typecheck build
	$(JEST) --selectProjects unit
	$(JEST) --selectProjects system

test-unit: install
	$(JEST) --selectProjects unit

test-system: install test-deps build
	$(JEST) --selectProjects system

# Benchmarks: BENCH_PART=http|scaling|reload|hostile|all; BENCH_QUICK=1 smoke-tests the harness (see bench/README.md).
BENCH_PART ?= all
bench: build
	npx tsc -p bench/tsconfig.json
	node bench/.build/bench/main.js $(BENCH_PART)

# Reliability, loopback only, bounded, stop by themselves; each prints a summary and exits 1 on any failure.
# make fault: policy/TLS file faults, slow clients, SIGTERM and a small-heap flood under load (~2 min; FAULT_HEAP_MIB=32).
# make soak DURATION=<seconds>: sustained load, policy reloaded every second, certificate rotated every ten (default 60).
DURATION ?= 60
.PHONY: fault soak
fault: build
	npx tsc -p scripts/reliability/tsconfig.json
	node scripts/reliability/.build/scripts/reliability/fault.js

soak: build
	npx tsc -p scripts/reliability/tsconfig.json
	node scripts/reliability/.build/scripts/reliability/soak.js --duration $(DURATION)

# Container image (see Dockerfile). Offline, a base image and host-network build are needed: see scripts/e2e-docker.sh.
# Tagged with the package version: a moving :latest tag is what our own example policy denies.
VERSION := $(shell node -p "require('./package.json').version")
IMAGE ?= image-policy-webhook:$(VERSION)
DOCKER_BUILD_FLAGS ?=
.PHONY: image e2e
image:
	docker build $(DOCKER_BUILD_FLAGS) -t $(IMAGE) .

# On a private, throwaway dockerd (root; installs docker.io, docker-compose, debootstrap if missing): the Dockerfile
# and docker-compose.yml, then deploy/systemd under a real systemd in a debootstrapped Debian.
e2e: build
	scripts/install-test-deps.sh --e2e
	scripts/e2e-docker.sh
	scripts/e2e-systemd.sh

clean:
	rm -rf dist
