#!/usr/bin/env bash
# End-to-end test of the container deployment on a real Docker engine: builds the image from the
# Dockerfile, runs it with docker-compose.yml exactly as a control-plane node would (host network,
# read-only root, non-root), and asks it for decisions over mutual TLS.
#
# Everything runs on a private dockerd started here (own socket, data and exec roots under one
# temporary folder) and is removed on exit, pass or fail. Nothing can be pulled from Docker Hub on
# CI, so the Dockerfile's base image is first created from this machine's Node.js under the exact
# name its FROM line uses (scripts/import-node-base-image.sh). The build stage runs `npm ci`
# against the npm registry, so `docker build` uses the host network: this dockerd runs without
# iptables, so the default bridge has no route out.
#
# usage: scripts/e2e-docker.sh            (root; `make e2e` builds dist/ first)
# env:   IPW_E2E_STORAGE_DRIVER=overlay2|vfs   force a storage driver (default: overlay2, then vfs)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly REPO_DIR=$PWD

readonly IMAGE=image-policy-webhook:e2e
readonly BASE_IMAGE=node:20-bookworm-slim
readonly WEBHOOK_UID=65532
readonly COMPOSE_PROJECT=ipw-e2e
readonly ENGINE_START_SECONDS=60
readonly HEALTHY_SECONDS=90
readonly STOP_SECONDS=60
readonly RELOAD_SECONDS=20
readonly ENGINE_TMPFS_SIZE=8g

passed=0
failed=0
started_at=$SECONDS
work=''
dockerd_pid=''
compose_up=false
created_docker0=false

log() { printf 'e2e: %s\n' "$*"; }
pass() { passed=$((passed + 1)); printf 'ok   - %s\n' "$1"; }
fail() {
  failed=$((failed + 1))
  printf 'FAIL - %s\n' "$1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/       /'; fi
}
# A step the rest depends on failed: say why, count it, and stop (cleanup prints the summary).
abort() {
  fail "$1" "${2:-}"
  exit 1
}
elapsed() { printf '%d s' $((SECONDS - $1)); }
# kill -0 also succeeds on a zombie, and an exited child of this shell stays one until waited for.
is_running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# ---------------------------------------------------------------- prerequisites
ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    abort "prerequisites" "missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) or run as root"
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- private Docker engine
start_engine() {
  local driver=$1 began=$SECONDS
  mkdir -p "$work/engine"
  # Image layers hold ~100k small files: on a disk mounted with online discard, deleting them alone
  # took 20-90 s. A memory-backed folder makes the build faster and the cleanup instant.
  mount -t tmpfs -o size=${ENGINE_TMPFS_SIZE},mode=0700 ipw-e2e-engine "$work/engine" 2>/dev/null \
    || log "no tmpfs for the engine (mount refused); using $work on disk"
  ip link show docker0 >/dev/null 2>&1 || created_docker0=true
  # Flags from the project's toolchain notes: no iptables/NAT/forwarding changes on the host, cgroupfs
  # since no systemd runs here. --bridge=none would break `docker build`, so the default bridge stays.
  dockerd \
    --data-root "$work/engine/data" --exec-root "$work/engine/exec" --pidfile "$work/engine/dockerd.pid" \
    -H "unix://$work/engine/docker.sock" --storage-driver="$driver" \
    --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
    --exec-opt native.cgroupdriver=cgroupfs >"$work/engine/dockerd.log" 2>&1 &
  dockerd_pid=$!
  export DOCKER_HOST="unix://$work/engine/docker.sock"
  while [ $((SECONDS - began)) -lt $ENGINE_START_SECONDS ]; do
    is_running "$dockerd_pid" || return 1
    "$DOCKER" version >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

stop_engine() {
  [ -n "$dockerd_pid" ] || return 0
  local containerd_pid='' began=$SECONDS
  containerd_pid=$(cat "$work/engine/exec/containerd/containerd.pid" 2>/dev/null || true)
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  while is_running "$dockerd_pid" && [ $((SECONDS - began)) -lt 30 ]; do sleep 0.5; done
  is_running "$dockerd_pid" && kill -KILL "$dockerd_pid" 2>/dev/null
  wait "$dockerd_pid" 2>/dev/null || true
  # dockerd stops the containerd it started; if dockerd had to be killed, containerd may remain.
  if [ -n "$containerd_pid" ] && is_running "$containerd_pid"; then kill -KILL "$containerd_pid" || true; fi
  dockerd_pid=''
  # Overlay, shm and netns mounts left by a killed engine would make the folder impossible to remove.
  local mountpoint
  for mountpoint in $({ grep -o " $work/[^ ]*" /proc/mounts || true; } | sort -r); do umount -l "$mountpoint" || true; done
}

cleanup() {
  local status=$?
  set +e
  if $compose_up; then
    timeout $STOP_SECONDS docker-compose -p "$COMPOSE_PROJECT" -f "$REPO_DIR/docker-compose.yml" \
      down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
  fi
  if [ $status -ne 0 ] && [ -n "$work" ] && [ -f "$work/engine/dockerd.log" ]; then
    log "last lines of the dockerd log:"
    tail -n 15 "$work/engine/dockerd.log" | sed 's/^/       /'
  fi
  local began=$SECONDS
  stop_engine
  local stopped=$SECONDS
  if $created_docker0; then ip link delete docker0 2>/dev/null; fi
  [ -n "$work" ] && rm -rf "$work"
  log "cleaned up: engine stopped in $((stopped - began)) s, files removed in $(elapsed "$stopped")"
  if [ $status -ne 0 ] && [ $failed -eq 0 ]; then fail "unexpected error (exit status $status)"; fi
  log "finished in $((SECONDS - started_at)) s"
  # The last line, in the plain form CI reads.
  printf 'e2e: %d passed, %d failed\n' "$passed" "$failed"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts an engine on the requested driver, or overlay2 then vfs, and proves it can run a container.
start_working_engine() {
  local driver drivers=("${IPW_E2E_STORAGE_DRIVER:-overlay2}")
  [ -z "${IPW_E2E_STORAGE_DRIVER:-}" ] && drivers+=(vfs)
  for driver in "${drivers[@]}"; do
    local began=$SECONDS
    if start_engine "$driver" \
      && DOCKER_CLI=$DOCKER scripts/import-node-base-image.sh "$BASE_IMAGE" >"$work/base-image.log" 2>&1 \
      && "$DOCKER" run --rm --network host --user $WEBHOOK_UID:$WEBHOOK_UID "$BASE_IMAGE" node -e 'process.exit(0)' >"$work/smoke.log" 2>&1; then
      pass "dockerd ($driver storage) started and ran the $BASE_IMAGE base image as uid $WEBHOOK_UID ($(elapsed "$began"))"
      return 0
    fi
    log "dockerd with $driver storage did not work:"
    tail -q -n 5 "$work/base-image.log" "$work/smoke.log" "$work/engine/dockerd.log" 2>/dev/null | sed 's/^/       /' || true
    stop_engine
    rm -rf "$work/engine"
  done
  abort "a private Docker engine could not start here (tried: ${drivers[*]})"
}

# ---------------------------------------------------------------- helpers
free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

container_id() { docker-compose -p "$COMPOSE_PROJECT" -f "$REPO_DIR/docker-compose.yml" ps -q image-policy-webhook; }

# POSTs an ImageReview for one image over mutual TLS and prints the response body.
review() {
  local namespace=$1 image=$2
  shift 2
  printf '{"kind":"ImageReview","apiVersion":"imagepolicy.k8s.io/v1alpha1","metadata":{},"spec":{"containers":[{"image":"%s"}],"namespace":"%s"},"status":{"allowed":false}}\n' \
    "$image" "$namespace" \
    | curl --silent --show-error --max-time 10 --cacert "$work/pki/ca.crt" "$@" \
      -H 'Content-Type: application/json' --data-binary @- "https://127.0.0.1:$listen_port/imagepolicy?timeout=30s"
}

# Runs a command every half second until it succeeds or SECONDS pass.
wait_until() {
  local seconds=$1 began=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - began)) -lt "$seconds" ] || return 1
    sleep 0.5
  done
}

# Prints the decision (true/false) for IMAGE in NAMESPACE, asked as kube-apiserver.
decision() {
  review "$1" "$2" --cert "$work/pki/apiserver-client.crt" --key "$work/pki/apiserver-client.key" \
    | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>console.log(JSON.parse(s).status.allowed))'
}
decision_is() { [ "$(decision "$1" "$2")" = "$3" ]; }

# Checks that a review of IMAGE in NAMESPACE is answered with allowed == WANT (true|false).
check_decision() {
  local got
  got=$(decision "$1" "$2" 2>&1 || true)
  if [ "$got" = "$3" ]; then
    pass "review of $2 in $1 over mutual TLS: allowed=$3"
  else
    fail "review of $2 in $1 over mutual TLS: want allowed=$3" "$got"
  fi
}

# Not `docker logs | grep -q`: grep's early exit fails the pipeline under pipefail.
logs_contain() { [[ $(docker logs "$container" 2>&1) == *"$1"* ]]; }

# Replaces the policy as editors and ConfigMap updates do: write beside it, then rename over it.
replace_policy() {
  printf '%s\n' "$1" >"$work/etc/policy/.policy.yaml.new"
  chmod 0644 "$work/etc/policy/.policy.yaml.new"
  mv "$work/etc/policy/.policy.yaml.new" "$work/etc/policy/policy.yaml"
}

# ---------------------------------------------------------------- the test
[ -f dist/main.js ] || abort "prerequisites" "dist/main.js is missing: run \`npm run build\` (make e2e does)"
[ "$(id -u)" -eq 0 ] || abort "prerequisites" "a private dockerd needs root"
ensure_packages
# The Debian client matches the Debian engine; another docker on PATH (e.g. a newer static client
# in /usr/local/bin) may insist on the buildx plugin.
DOCKER=$(command -v /usr/bin/docker || command -v docker)
docker() { "$DOCKER" "$@"; }
work=$(mktemp -d /tmp/ipw-e2e.XXXXXX)
log "working in $work; docker $("$DOCKER" --version | cut -d' ' -f3 | tr -d ,), $(docker-compose version --short)"

start_working_engine

began=$SECONDS
if docker build --network host -t "$IMAGE" . >"$work/build.log" 2>&1; then
  pass "docker build (multi-stage, npm ci inside) ($(elapsed "$began"))"
else
  abort "docker build" "$(tail -n 20 "$work/build.log")"
fi

# Lay out the node's files as the README tells operators to: the serving key readable by the
# webhook's group only, the CA key not given to the webhook at all.
node dist/main.js pki --out "$work/pki" >/dev/null
install -d -m 0750 -g $WEBHOOK_UID "$work/etc/pki" "$work/etc/policy"
install -m 0644 "$work/pki/ca.crt" "$work/pki/server.crt" "$work/etc/pki/"
install -m 0640 -g $WEBHOOK_UID "$work/pki/server.key" "$work/etc/pki/"
install -m 0644 examples/policy.yaml "$work/etc/policy/policy.yaml"

listen_port=$(free_port)
health_port=$(free_port)
export IPW_IMAGE=$IMAGE IPW_POLICY_DIR=$work/etc/policy IPW_PKI_DIR=$work/etc/pki \
  IPW_LISTEN=127.0.0.1:$listen_port IPW_HEALTH_LISTEN=127.0.0.1:$health_port
compose=(docker-compose -p "$COMPOSE_PROJECT" -f "$REPO_DIR/docker-compose.yml")

began=$SECONDS
compose_up=true
if ! output=$("${compose[@]}" up -d --no-build 2>&1); then abort "docker-compose up" "$output"; fi
container=$(container_id)
status=''
while [ $((SECONDS - began)) -lt $HEALTHY_SECONDS ]; do
  status=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$container")
  case $status in running/healthy | exited/* | dead/*) break ;; esac
  sleep 1
done
if [ "$status" = running/healthy ]; then
  pass "docker-compose up: container healthy by its own healthcheck ($(elapsed "$began"))"
else
  abort "docker-compose up: container not healthy after $(elapsed "$began") (state $status)" "$(docker logs --tail 20 "$container" 2>&1)"
fi

if body=$(curl --silent --show-error --fail --max-time 5 "http://127.0.0.1:$health_port/readyz" 2>&1); then
  pass "/readyz on the health port answers from the host network: $body"
else
  fail "/readyz on the health port" "$body"
fi

check_decision kube-system registry.k8s.io/kube-apiserver:v1.31.0 true
check_decision default docker.io/library/nginx:latest false

if output=$(review default registry.k8s.io/pause:3.10 2>&1); then
  fail "a review without a client certificate is refused" "$output"
else
  pass "a review without a client certificate is refused (mutual TLS)"
fi

began=$SECONDS
replace_policy 'apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: e2e-narrowed
mode: enforce
allow:
  - registry.k8s.io/pause'
if wait_until $RELOAD_SECONDS decision_is kube-system registry.k8s.io/kube-apiserver:v1.31.0 false \
  && decision_is kube-system registry.k8s.io/pause:3.10 true && logs_contain 'policy reloaded'; then
  pass "a policy edit saved by rename on the host reaches the container and is reloaded ($(elapsed "$began"))"
else
  fail "a policy edit saved by rename on the host reaches the container and is reloaded" "$(docker logs --tail 5 "$container" 2>&1)"
fi

began=$SECONDS
replace_policy 'apiVersion: image-policy-webhook/v1
kind: ImagePolicy
allow: [registry.k8s.io/**'
if wait_until $RELOAD_SECONDS logs_contain 'reload refused' \
  && decision_is kube-system registry.k8s.io/pause:3.10 true \
  && decision_is kube-system registry.k8s.io/kube-apiserver:v1.31.0 false; then
  pass "a broken policy edit is refused and the last good policy stays in force ($(elapsed "$began"))"
else
  fail "a broken policy edit is refused and the last good policy stays in force" "$(docker logs --tail 5 "$container" 2>&1)"
fi

uid=$(docker exec "$container" node -p 'process.getuid() + ":" + process.getgid()' 2>&1 || true)
if [ "$uid" = "$WEBHOOK_UID:$WEBHOOK_UID" ]; then
  pass "runs as uid:gid $uid, not root"
else
  fail "runs as uid:gid $WEBHOOK_UID:$WEBHOOK_UID" "got: $uid"
fi

readonly_rootfs=$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$container")
write=$(docker exec "$container" node -e 'for (const f of ["/app/probe", "/tmp/probe"]) { try { require("fs").writeFileSync(f, "x"); console.log("wrote " + f) } catch (e) { console.log(e.code) } }' 2>&1 || true)
if [ "$readonly_rootfs" = true ] && [ "$write" = $'EROFS\nEROFS' ]; then
  pass "root filesystem is read-only (writes to /app and /tmp fail with EROFS) and the webhook still serves"
else
  fail "root filesystem is read-only" "ReadonlyRootfs=$readonly_rootfs; writes: $write"
fi

began=$SECONDS
"${compose[@]}" stop --timeout 35 >/dev/null 2>&1 || true
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
if [ "$exit_code" = 0 ] && logs_contain '"stopped"'; then
  pass "SIGTERM: drained and exited 0 ($(elapsed "$began"))"
else
  fail "SIGTERM: drained and exited 0" "exit code $exit_code; $(docker logs --tail 5 "$container" 2>&1)"
fi

if output=$("${compose[@]}" down --volumes --remove-orphans --timeout 10 2>&1) && [ -z "$(container_id)" ]; then
  compose_up=false
  pass "docker-compose down removed the container"
else
  fail "docker-compose down" "$output"
fi

[ "$failed" -eq 0 ]
