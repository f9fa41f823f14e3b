#!/usr/bin/env bash
# Installs the Debian packages the test suites drive as real components, only those missing.
# `make test` and `make e2e` call it, so the README's commands work on a fresh machine; without root
# it prints the apt-get line to run and fails, rather than letting a suite fail halfway.
set -euo pipefail

want=()
need() { command -v "$1" >/dev/null || want+=("$2"); }

need openssl openssl                       # openssl verify / s_client on the generated PKI and TLS
need kubectl kubernetes-client             # kubectl as a real client-go client of the webhook
need docker-registry docker-registry       # a real OCI registry for tag resolution (tests/registry)
need skopeo skopeo                         #   ... images pushed with skopeo
need umoci umoci                           #   ... and built with umoci
need htpasswd apache2-utils                #   ... behind basic auth
need prometheus prometheus                 # a real Prometheus scrapes the webhook
need promtool prometheus                   # alert rules checked and unit-tested
need docker-compose docker-compose         # compose file validated by Debian's docker-compose
if [ "${1:-}" = "--e2e" ]; then
  need dockerd docker.io                   # a private Docker engine for the container e2e
  need debootstrap debootstrap             # a Debian root with systemd as PID 1 for the unit's e2e
fi

[ ${#want[@]} -eq 0 ] && exit 0
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages for the tests; install them first:" >&2
  echo "  sudo apt-get install -y ${want[*]}" >&2
  exit 1
fi
echo "installing Debian packages the tests use: ${want[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}"
