#!/usr/bin/env bash
# Brings up what the integration tests need on this machine, idempotently:
# dockerd, a busybox image built offline, a set of test containers, and an sshd on 127.0.0.1:2222
# whose root login uses a key made here. Prints what it did and how long it took.
set -euo pipefail
t0=$(date +%s)
say() { echo "[test-env +$(( $(date +%s) - t0 ))s] $*"; }
STATE=${DM_TEST_STATE:-/tmp/docker-monitor-test}
mkdir -p "$STATE"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  say "starting dockerd"
  (nohup dockerd >"$STATE/dockerd.log" 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see $STATE/dockerd.log" >&2; exit 1; }
fi

if ! docker image inspect dm-busybox:test >/dev/null 2>&1; then
  say "building dm-busybox:test with docker import"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  for a in sh sleep httpd cat ls ps top nc yes dd head; do ln -s busybox "$root/bin/$a"; done
  echo "hello from docker-monitor" > "$root/www/index.html"
  tar -C "$root" -c . | docker import - dm-busybox:test >/dev/null
  rm -rf "$root"
fi

run() { # name, docker run args..., -- command
  local name=$1; shift
  if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != "true" ]; then
    docker rm -f "$name" >/dev/null 2>&1 || true
    docker run -d --name "$name" --label com.docker.compose.project=dmtest "$@" >/dev/null
    say "started $name"
  fi
}
# A limited container, an unlimited one, one on the host network, one with several processes.
# dm-limited burns CPU against its 0.5-CPU quota, so CPU % and throttling are real and non-zero.
run dm-limited --label com.docker.compose.service=limited --memory 64m --cpus 0.5 --pids-limit 50 dm-busybox:test sh -c 'yes > /dev/null & sleep 100000'
run dm-unlimited --label com.docker.compose.service=unlimited dm-busybox:test httpd -f -p 8080 -h /www
run dm-hostnet --network host dm-busybox:test sleep 100000
run dm-multi --memory 128m dm-busybox:test sh -c 'httpd -p 8081 -h /www; sleep 100001 & sleep 100002 & wait'
if ! docker inspect dm-stopped >/dev/null 2>&1; then
  docker create --name dm-stopped dm-busybox:test sleep 1 >/dev/null; say "created dm-stopped"
fi

# sshd on 127.0.0.1:2222, root by key.
SSHD=$STATE/sshd
mkdir -p "$SSHD" /run/sshd
[ -f "$SSHD/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD/host_ed25519"
# A second host key of another type: host-key tests need a server that holds both (OpenSSH's negotiation).
[ -f "$SSHD/host_ecdsa" ] || ssh-keygen -q -t ecdsa -N '' -f "$SSHD/host_ecdsa"
[ -f "$SSHD/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD/client_ed25519"
cp "$SSHD/client_ed25519.pub" "$SSHD/authorized_keys"
cat > "$SSHD/sshd_config.new" <<CFG
Port 2222
ListenAddress 127.0.0.1
HostKey $SSHD/host_ed25519
HostKey $SSHD/host_ecdsa
AuthorizedKeysFile $SSHD/authorized_keys
PidFile $SSHD/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
StrictModes no
UsePAM no
CFG
running() { [ -f "$SSHD/sshd.pid" ] && kill -0 "$(cat "$SSHD/sshd.pid")" 2>/dev/null; }
if ! cmp -s "$SSHD/sshd_config.new" "$SSHD/sshd_config"; then
  mv "$SSHD/sshd_config.new" "$SSHD/sshd_config"
  # A changed config needs a new sshd: stop the one this script started before (its own pid file only).
  if running; then kill "$(cat "$SSHD/sshd.pid")"; for _ in $(seq 1 20); do running || break; sleep 0.1; done; say "sshd config changed: restarting"; fi
else
  rm -f "$SSHD/sshd_config.new"
fi
if ! running; then
  /usr/sbin/sshd -f "$SSHD/sshd_config"
  say "started sshd on 127.0.0.1:2222"
fi
say "ready"
