#!/usr/bin/env bash
# Brings up what the integration tests need on this machine, idempotently, next to whatever else runs here:
# dockerd, a busybox image built offline, a set of test containers labelled docker-monitor-test=1, and an sshd
# of its own on 127.0.0.1 (2222 when free, else a free port; port and pid in $DM_TEST_STATE/sshd/state) whose
# root login uses a key made here and whose user dmpass logs in by password. Prints what it did and how long it took.
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
# Prometheus and promtool for test/integration/serve.test.ts, which starts its own on a port of its own.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  say "installing prometheus"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
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

# Every test container carries TEST_LABEL: the tests assert about these and ignore whatever else runs here.
TEST_LABEL=docker-monitor-test=1
labelled() { [ "$(docker inspect -f '{{index .Config.Labels "docker-monitor-test"}}' "$1" 2>/dev/null)" = 1 ]; }
run() { # name, docker run args..., -- command
  local name=$1; shift
  if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != "true" ] || ! labelled "$name"; then
    docker rm -f "$name" >/dev/null 2>&1 || true
    docker run -d --name "$name" --label "$TEST_LABEL" --label com.docker.compose.project=dmtest "$@" >/dev/null
    say "started $name"
  fi
}
# A limited container, an unlimited one, one on the host network, one with several processes.
# dm-limited burns CPU against its 0.5-CPU quota, so CPU % and throttling are real and non-zero.
run dm-limited --label com.docker.compose.service=limited --memory 64m --cpus 0.5 --pids-limit 50 dm-busybox:test sh -c 'yes > /dev/null & sleep 100000'
run dm-unlimited --label com.docker.compose.service=unlimited dm-busybox:test httpd -f -p 8080 -h /www
run dm-hostnet --network host dm-busybox:test sleep 100000
run dm-multi --memory 128m dm-busybox:test sh -c 'httpd -p 8081 -h /www; sleep 100001 & sleep 100002 & wait'
if ! labelled dm-stopped; then
  docker rm -f dm-stopped >/dev/null 2>&1 || true
  docker create --name dm-stopped --label "$TEST_LABEL" dm-busybox:test sleep 1 >/dev/null; say "created dm-stopped"
fi

# The test sshd: root by key, dmpass by password, on a port of its own. This machine may already run another
# sshd on 2222 (another project's, or another checkout's test env): we keep 2222 only while it is free, else take
# a free port, and write the port and our sshd's pid to $SSHD/state, which the tests read (test/integration/env.ts
# also checks that the sshd answering there presents our host key).
SSHD=$STATE/sshd
mkdir -p "$SSHD" /run/sshd
STATE_FILE=$SSHD/state
[ -f "$SSHD/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD/host_ed25519"
# A second host key of another type: host-key tests need a server that holds both (OpenSSH's negotiation).
[ -f "$SSHD/host_ecdsa" ] || ssh-keygen -q -t ecdsa -N '' -f "$SSHD/host_ecdsa"
[ -f "$SSHD/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD/client_ed25519"
cp "$SSHD/client_ed25519.pub" "$SSHD/authorized_keys"

# The password user: a random password, kept in a root-only file next to the keys. The account is this
# machine's, so every state directory sets it to its own password when it runs (one test env per machine at a time);
# DM_TEST_PASS_USER= (empty) leaves it out, as the test of this script does.
PASS_USER=${DM_TEST_PASS_USER-dmpass}
if [ -n "$PASS_USER" ]; then
  if [ ! -s "$SSHD/$PASS_USER.password" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$SSHD/$PASS_USER.password")
  fi
  chmod 600 "$SSHD/$PASS_USER.password"
  id "$PASS_USER" >/dev/null 2>&1 || { useradd -M -d / -s /bin/sh "$PASS_USER"; say "created user $PASS_USER"; }
  echo "$PASS_USER:$(cat "$SSHD/$PASS_USER.password")" | chpasswd
fi

# Is the sshd of our pid file running, and is it ours (its command line names our config)?
running() {
  [ -f "$SSHD/sshd.pid" ] || return 1
  local pid; pid=$(cat "$SSHD/sshd.pid" 2>/dev/null) || return 1 # a stopping sshd removes it
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $SSHD/sshd_config"
}
port_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
state_port() { sed -n 's/^port=//p' "$STATE_FILE" 2>/dev/null || true; }
pick_port() {
  if [ -n "${DM_TEST_SSH_PORT:-}" ]; then echo "$DM_TEST_SSH_PORT"; return; fi
  port_free 2222 && { echo 2222; return; }
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    port_free "$p" && { echo "$p"; return; }
  done
  echo "no free port found for the test sshd" >&2; exit 1
}
write_config() { # port -> $SSHD/sshd_config.new
  cat > "$SSHD/sshd_config.new" <<CFG
Port $1
ListenAddress 127.0.0.1
HostKey $SSHD/host_ed25519
HostKey $SSHD/host_ecdsa
AuthorizedKeysFile $SSHD/authorized_keys
PidFile $SSHD/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
StrictModes no
UsePAM no
CFG
  # Password authentication only for the password user (src and tests: auth by password, secrets never logged).
  [ -z "$PASS_USER" ] || printf 'Match User %s\n  PasswordAuthentication yes\n' "$PASS_USER" >> "$SSHD/sshd_config.new"
}

# Our sshd already running keeps its port (from the state file, or from its config when an older script started it).
PORT=
if running; then PORT=$(state_port); [ -n "$PORT" ] || PORT=$(sed -n 's/^Port //p' "$SSHD/sshd_config" 2>/dev/null || true); fi
[ -n "$PORT" ] || PORT=$(pick_port)
write_config "$PORT"
if ! cmp -s "$SSHD/sshd_config.new" "$SSHD/sshd_config"; then
  mv "$SSHD/sshd_config.new" "$SSHD/sshd_config"
  # A changed config needs a new sshd: stop the one this script started before (its own pid file only).
  if running; then kill "$(cat "$SSHD/sshd.pid")"; for _ in $(seq 1 20); do running || break; sleep 0.1; done; say "sshd config changed: restarting"; fi
else
  rm -f "$SSHD/sshd_config.new"
fi
if ! running; then
  rm -f "$SSHD/sshd.pid"
  if ! port_free "$PORT"; then # taken since we chose it (or by another sshd): choose again
    PORT=$(pick_port); write_config "$PORT"; mv "$SSHD/sshd_config.new" "$SSHD/sshd_config"
  fi
  /usr/sbin/sshd -f "$SSHD/sshd_config" || { echo "sshd did not start on 127.0.0.1:$PORT" >&2; exit 1; }
  for _ in $(seq 1 50); do running && break; sleep 0.1; done
  running || { echo "sshd did not write $SSHD/sshd.pid" >&2; exit 1; }
  say "started sshd on 127.0.0.1:$PORT"
fi
printf 'port=%s\npid=%s\n' "$PORT" "$(cat "$SSHD/sshd.pid")" > "$STATE_FILE.new" && mv "$STATE_FILE.new" "$STATE_FILE"
say "ready: sshd on 127.0.0.1:$PORT (pid $(cat "$SSHD/sshd.pid")), state in $STATE_FILE"
