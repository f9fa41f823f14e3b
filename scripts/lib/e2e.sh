# Shared by the end-to-end scripts (sourced, not run): check counting, bounded waits, and a
# private, throwaway Docker engine (own socket, data and exec roots in one temporary folder on a
# tmpfs) that is stopped and removed on exit, pass or fail, ending with the plain summary line.
#
# A script sets E2E_NAME, may define e2e_before_engine_stop (run first on exit), then calls
# e2e_begin and start_working_engine.

readonly ENGINE_START_SECONDS=60
readonly ENGINE_STOP_SECONDS=30
readonly ENGINE_TMPFS_SIZE=8g

passed=0
failed=0
started_at=$SECONDS
work=''
dockerd_pid=''
created_docker0=false
DOCKER=docker

log() { printf '%s: %s\n' "$E2E_NAME" "$*"; }
pass() { passed=$((passed + 1)); printf 'ok   - %s\n' "$1"; }
fail() {
  failed=$((failed + 1))
  printf 'FAIL - %s\n' "$1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/       /'; fi
}
# A step the rest depends on failed: say why, count it, and stop (the exit trap prints the summary).
abort() {
  fail "$1" "${2:-}"
  exit 1
}
elapsed() { printf '%d s' $((SECONDS - $1)); }
# kill -0 also succeeds on a zombie, and an exited child of this shell stays one until waited for.
is_running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# Runs a command every half second until it succeeds or SECONDS pass.
wait_until() {
  local seconds=$1 began=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - began)) -lt "$seconds" ] || return 1
    sleep 0.5
  done
}

# ensure_packages COMMAND:DEBIAN_PACKAGE... installs (as root, with apt) what is missing.
ensure_packages() {
  local pair missing=()
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    abort "prerequisites" "missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) or run as root"
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

e2e_begin() {
  [ "$(id -u)" -eq 0 ] || abort "prerequisites" "a private dockerd needs root"
  ensure_packages dockerd:docker.io "$@"
  # The Debian client matches the Debian engine; another docker on PATH (e.g. a newer static client
  # in /usr/local/bin) may insist on the buildx plugin.
  DOCKER=$(command -v /usr/bin/docker || command -v docker)
  work=$(mktemp -d "/tmp/ipw-$E2E_NAME.XXXXXX")
  log "working in $work; docker $("$DOCKER" --version | cut -d' ' -f3 | tr -d ,)"
}
docker() { "$DOCKER" "$@"; }

start_engine() {
  local driver=$1 began=$SECONDS
  mkdir -p "$work/engine"
  # Image layers hold ~100k small files: on a disk mounted with online discard, deleting them alone
  # took 20-90 s. A memory-backed folder makes the build faster and the cleanup instant.
  mount -t tmpfs -o size=${ENGINE_TMPFS_SIZE},mode=0700 "ipw-$E2E_NAME" "$work/engine" 2>/dev/null \
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
  local containerd_pid='' began=$SECONDS mountpoint
  containerd_pid=$(cat "$work/engine/exec/containerd/containerd.pid" 2>/dev/null || true)
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  while is_running "$dockerd_pid" && [ $((SECONDS - began)) -lt $ENGINE_STOP_SECONDS ]; do sleep 0.5; done
  is_running "$dockerd_pid" && kill -KILL "$dockerd_pid" 2>/dev/null
  wait "$dockerd_pid" 2>/dev/null || true
  # dockerd stops the containerd it started; if dockerd had to be killed, containerd may remain.
  if [ -n "$containerd_pid" ] && is_running "$containerd_pid"; then kill -KILL "$containerd_pid" || true; fi
  dockerd_pid=''
  # Overlay, shm and netns mounts (and the tmpfs) would make the folder impossible to remove.
  for mountpoint in $({ grep -o " $work/[^ ]*" /proc/mounts || true; } | sort -r); do umount -l "$mountpoint" || true; done
}

# start_working_engine WHAT COMMAND...: overlay2, then vfs (or IPW_E2E_STORAGE_DRIVER only), until
# an engine starts and COMMAND (a smoke test that WHAT describes) succeeds on it.
start_working_engine() {
  local what=$1 driver drivers=("${IPW_E2E_STORAGE_DRIVER:-overlay2}")
  shift
  [ -z "${IPW_E2E_STORAGE_DRIVER:-}" ] && drivers+=(vfs)
  for driver in "${drivers[@]}"; do
    local began=$SECONDS
    if start_engine "$driver" && "$@" >"$work/smoke.log" 2>&1; then
      pass "dockerd ($driver storage) started and $what ($(elapsed "$began"))"
      return 0
    fi
    log "dockerd with $driver storage did not work:"
    tail -q -n 5 "$work/smoke.log" "$work/engine/dockerd.log" 2>/dev/null | sed 's/^/       /' || true
    stop_engine
    rm -rf "$work/engine"
  done
  abort "a private Docker engine could not start here (tried: ${drivers[*]})"
}

e2e_cleanup() {
  local status=$? began stopped
  set +e
  if declare -F e2e_before_engine_stop >/dev/null; then e2e_before_engine_stop; fi
  if [ $status -ne 0 ] && [ -n "$work" ] && [ -f "$work/engine/dockerd.log" ]; then
    log "last lines of the dockerd log:"
    tail -n 15 "$work/engine/dockerd.log" | sed 's/^/       /'
  fi
  began=$SECONDS
  stop_engine
  stopped=$SECONDS
  if $created_docker0; then ip link delete docker0 2>/dev/null; fi
  [ -n "$work" ] && rm -rf "$work"
  log "cleaned up: engine stopped in $((stopped - began)) s, files removed in $(elapsed "$stopped")"
  if [ $status -ne 0 ] && [ $failed -eq 0 ]; then fail "unexpected error (exit status $status)"; fi
  log "finished in $((SECONDS - started_at)) s"
  # The last line, in the plain form CI reads.
  printf '%s: %d passed, %d failed\n' "$E2E_NAME" "$passed" "$failed"
  exit $status
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM
