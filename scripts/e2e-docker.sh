#!/usr/bin/env bash
# End-to-end test of the container deployment on a real Docker engine: builds the image from the
# Dockerfile, runs it with docker-compose.yml exactly as a control-plane node would (host network,
# read-only root, non-root), and asks it for decisions over mutual TLS.
#
# Everything runs on a private dockerd (scripts/lib/e2e.sh) that is removed on exit. Nothing can
# be pulled from Docker Hub on CI, so the Dockerfile's base image is first created from this
# machine's Node.js under the exact name its FROM line uses (scripts/import-node-base-image.sh).
# The build stage runs `npm ci` against the npm registry, so `docker build` uses the host network:
# this dockerd runs without iptables, so the default bridge has no route out.
#
# usage: scripts/e2e-docker.sh            (root; `make e2e` builds dist/ first)
# env:   IPW_E2E_STORAGE_DRIVER=overlay2|vfs   force a storage driver (default: overlay2, then vfs)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly REPO_DIR=$PWD
readonly E2E_NAME=e2e-docker
# shellcheck source=lib/e2e.sh
. scripts/lib/e2e.sh

readonly IMAGE=image-policy-webhook:e2e
readonly BASE_IMAGE=node:20-bookworm-slim
readonly WEBHOOK_UID=65532
readonly COMPOSE_PROJECT=ipw-e2e
readonly HEALTHY_SECONDS=90
readonly STOP_SECONDS=60
readonly RELOAD_SECONDS=20

compose_up=false
e2e_before_engine_stop() {
  if $compose_up; then
    timeout $STOP_SECONDS docker-compose -p "$COMPOSE_PROJECT" -f "$REPO_DIR/docker-compose.yml" \
      down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
  fi
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
# Creates the base image and runs it as the webhook's user: the engine can store and run images.
smoke_base_image() {
  DOCKER_CLI=$DOCKER scripts/import-node-base-image.sh "$BASE_IMAGE" \
    && docker run --rm --network host --user $WEBHOOK_UID:$WEBHOOK_UID "$BASE_IMAGE" node -e 'process.exit(0)'
}

[ -f dist/main.js ] || abort "prerequisites" "dist/main.js is missing: run \`npm run build\` (make e2e does)"
e2e_begin docker-compose:docker-compose curl:curl
log "docker-compose $(docker-compose version --short)"
start_working_engine "ran the $BASE_IMAGE base image as uid $WEBHOOK_UID" smoke_base_image

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
