#!/usr/bin/env bash
# End-to-end test of deploy/systemd under a real systemd: a minimal Debian with systemd (made by
# debootstrap from this machine's apt sources) boots as PID 1 in a container on a private dockerd,
# with the app installed in /opt and the files laid out as deploy/README.md says. It proves the
# sandbox in the unit leaves the webhook working (reviews, metrics, reload, SIGTERM, restart) and
# still keeps it from writing its files or reading the cluster's keys.
#
# usage: scripts/e2e-systemd.sh           (root; `make e2e` builds dist/ first)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly E2E_NAME=e2e-systemd
# shellcheck source=lib/e2e.sh
. scripts/lib/e2e.sh

readonly IMAGE=ipw-systemd-node:e2e
readonly CONTAINER=ipw-e2e-systemd
readonly UNIT=image-policy-webhook
readonly WEBHOOK_UID=65532
readonly DEBOOTSTRAP_SECONDS=600
readonly BOOT_SECONDS=60
readonly RELOAD_SECONDS=20

e2e_before_engine_stop() { docker rm -f "$CONTAINER" >/dev/null 2>&1 || true; }

in_node() { docker exec -i "$CONTAINER" "$@"; }
journal_contains() { [[ $(in_node journalctl -u "$UNIT" --no-pager -o cat) == *"$1"* ]]; }
main_pid() { in_node systemctl show -p MainPID --value "$UNIT"; }
ready() { in_node curl --silent --fail http://127.0.0.1:9090/readyz; }
# Serving again from a new process (before it is ready, a SIGTERM would find no handler yet).
back_from() { local pid; pid=$(main_pid) && [ "$pid" != 0 ] && [ "$pid" != "$1" ] && ready; }

# Asks the webhook inside the node, as kube-apiserver would, and prints status.allowed.
decision() {
  printf '{"kind":"ImageReview","apiVersion":"imagepolicy.k8s.io/v1alpha1","spec":{"containers":[{"image":"%s"}],"namespace":"%s"}}' "$2" "$1" \
    | in_node curl --silent --show-error --max-time 10 --cacert /root/ca.crt --cert /root/apiserver-client.crt \
      --key /root/apiserver-client.key -H 'Content-Type: application/json' --data-binary @- https://127.0.0.1:8443/imagepolicy \
    | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>console.log(JSON.parse(s).status.allowed))'
}

# equals WANT GOT: like test, but says what it got.
equals() { [ "$1" = "$2" ] || { echo "want '$1', got '$2'"; return 1; }; }

check() {
  local what=$1
  shift
  if "$@" >"$work/check.log" 2>&1; then pass "$what"; else fail "$what" "$(tail -n 5 "$work/check.log")"; fi
}

# The archive this machine's apt uses for SUITE (apt's lists must have been fetched).
apt_mirror() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' | awk -v suite="$1" '$2 == suite { print $1; exit }'
}

# The node's root file system: Debian with systemd, then the webhook installed as an operator would.
make_node_rootfs() {
  local rootfs=$work/rootfs suite mirror
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  mirror=$(apt_mirror "$suite")
  [ -n "$mirror" ] || { apt-get update -qq && mirror=$(apt_mirror "$suite"); }
  [ -n "$mirror" ] || abort "debootstrap" "no apt source for $suite on this machine"
  # procps brings /bin/kill, which ExecReload uses; every full Debian or Ubuntu install has it.
  timeout $DEBOOTSTRAP_SECONDS debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,procps,curl \
    "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || abort "debootstrap $suite from $mirror" "$(tail -n 5 "$work/debootstrap.log")"

  install -m 0755 "$(readlink -f "$(command -v node)")" "$rootfs/usr/bin/node"
  local app=$work/app
  mkdir -p "$app"
  cp -a package.json package-lock.json dist "$app/"
  (cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null) || abort "npm ci --omit=dev for /opt"
  mkdir -p "$rootfs/opt"
  cp -a "$app" "$rootfs/opt/image-policy-webhook"
  chown -R root:root "$rootfs/opt/image-policy-webhook"

  install -D -m 0644 deploy/systemd/image-policy-webhook.sysusers "$rootfs/etc/sysusers.d/image-policy-webhook.conf"
  install -m 0644 deploy/systemd/image-policy-webhook.service "$rootfs/etc/systemd/system/"
  ln -s /etc/systemd/system/image-policy-webhook.service "$rootfs/etc/systemd/system/multi-user.target.wants/"

  node dist/main.js pki --out "$work/pki" >/dev/null
  install -d -m 0755 "$rootfs/etc/image-policy-webhook"
  install -d -m 0750 -g $WEBHOOK_UID "$rootfs/etc/image-policy-webhook/pki" "$rootfs/etc/image-policy-webhook/policy"
  install -m 0644 "$work/pki/ca.crt" "$work/pki/server.crt" "$rootfs/etc/image-policy-webhook/pki/"
  install -m 0640 -g $WEBHOOK_UID "$work/pki/server.key" "$rootfs/etc/image-policy-webhook/pki/"
  install -m 0644 examples/policy.yaml "$rootfs/etc/image-policy-webhook/policy/"
  install -m 0600 "$work/pki/ca.crt" "$work/pki/apiserver-client.crt" "$work/pki/apiserver-client.key" "$rootfs/root/"
  # A stand-in for the cluster's keys, which the unit must hide from the webhook.
  install -d "$rootfs/etc/kubernetes/pki"
  echo 'not for the webhook' >"$rootfs/etc/kubernetes/pki/ca.key"
}

# ---------------------------------------------------------------- the test
[ -f dist/main.js ] || abort "prerequisites" "dist/main.js is missing: run \`npm run build\` (make e2e does)"
e2e_begin debootstrap:debootstrap
began=$SECONDS
make_node_rootfs
pass "a Debian node with systemd and the webhook in /opt ($(elapsed "$began"))"

start_working_engine "imported the node" sh -c "tar -C '$work/rootfs' --numeric-owner -c . | '$DOCKER' import - $IMAGE"
rm -rf "$work/rootfs"

# systemd as PID 1 needs to mount (PrivateTmp, ProtectSystem...) and manage cgroups; no network:
# everything below talks over the node's loopback, as kube-apiserver on the node would.
began=$SECONDS
# SYS_PTRACE only lets this test enter the service's namespaces to look at its view of the files.
docker run -d --name "$CONTAINER" --network none --cap-add SYS_ADMIN --cap-add SYS_PTRACE \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw "$IMAGE" /lib/systemd/systemd >/dev/null
if wait_until $BOOT_SECONDS ready; then
  pass "systemd started $UNIT.service at boot and it is ready ($(elapsed "$began"))"
else
  abort "systemd started $UNIT.service at boot" "$(in_node systemctl status "$UNIT" --no-pager 2>&1 | tail -n 15)"
fi

check "systemd-sysusers created the user with uid and gid $WEBHOOK_UID" \
  equals "$WEBHOOK_UID:$WEBHOOK_UID" "$(in_node id -u "$UNIT"):$(in_node id -g "$UNIT")"
check "the service runs as $UNIT" equals "$UNIT" "$(in_node ps -o user= -p "$(main_pid)")"
check "review of registry.k8s.io/kube-apiserver:v1.31.0 in kube-system: allowed" \
  equals true "$(decision kube-system registry.k8s.io/kube-apiserver:v1.31.0)"
check "review of docker.io/library/nginx:latest in default: denied" \
  equals false "$(decision default docker.io/library/nginx:latest)"
metrics=$(in_node curl --silent --fail http://127.0.0.1:9090/metrics || true)
check "/metrics works under ProtectProc=invisible" test -n "$(grep '^process_open_fds ' <<<"$metrics" || true)"

# As root inside the service's mount namespace: what the webhook's view of the file system allows.
sandbox=$(in_node nsenter -t "$(main_pid)" -m -- sh -c '
  touch /etc/image-policy-webhook/policy/probe; touch /opt/image-policy-webhook/probe; cat /etc/kubernetes/pki/ca.key' 2>&1 || true)
if [ "$(grep -c 'Read-only file system' <<<"$sandbox")" = 2 ] && [[ $sandbox != *'not for the webhook'* ]]; then
  pass "sandbox: its files are read-only and the cluster keys are out of sight"
else
  fail "sandbox: its files are read-only and the cluster keys are out of sight" "$sandbox"
fi

in_node systemctl reload "$UNIT"
check "systemctl reload sends SIGHUP and the webhook re-reads its files" wait_until $RELOAD_SECONDS journal_contains '"trigger":"signal"'

in_node sh -c 'cd /etc/image-policy-webhook/policy && sed "s/^  name: .*/  name: edited-on-the-node/" policy.yaml >.new && chmod 0644 .new && mv .new policy.yaml'
check "a policy saved by rename is reloaded inside the sandbox" wait_until $RELOAD_SECONDS journal_contains 'edited-on-the-node'

pid=$(main_pid)
in_node kill -KILL "$pid"
check "Restart=always: killed, it is back and ready in a new process" wait_until $BOOT_SECONDS back_from "$pid"

in_node systemctl stop "$UNIT"
check "systemctl stop: SIGTERM drains and the service exits 0" equals success/0 \
  "$(in_node systemctl show -p Result --value "$UNIT")/$(in_node systemctl show -p ExecMainStatus --value "$UNIT")"

[ "$failed" -eq 0 ]
