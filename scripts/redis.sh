#!/usr/bin/env bash
# netconfkit's Redis for the queue tests: Debian's redis-server on 127.0.0.1 with its own
# port, directory and pid file, never the system service.
#
#   scripts/redis.sh start     install redis-server when missing (apt-get), start it unless
#                              it runs, wait until it answers PING
#   scripts/redis.sh stop      stop the redis-server recorded in the pid file (nothing else)
#   scripts/redis.sh status    exit 0 when it runs and answers PING, 3 if not
#
# Settings (environment):
#   NETCONFKIT_REDIS_PORT  TCP port on 127.0.0.1   (default 6390)
#   NETCONFKIT_REDIS_DIR   state directory         (default /tmp/netconfkit-redis)
#
# No persistence (no RDB, no AOF): the data is test data. Needs root only to install.
# Progress goes to stderr (prefixed), the summary of `start` and `status` to stdout.
set -euo pipefail

DIR=${NETCONFKIT_REDIS_DIR:-/tmp/netconfkit-redis}
PORT=${NETCONFKIT_REDIS_PORT:-6390}
HOST=127.0.0.1
SERVER=/usr/bin/redis-server
PID_FILE="$DIR/redis.pid"
LOG="$DIR/redis.log"
APT_LOG="$DIR/apt.log"

T0=$SECONDS
log() { printf '[netconfkit-redis +%ss] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

check_settings() {
  if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    die "NETCONFKIT_REDIS_PORT must be a TCP port number"
  fi
  [[ $DIR == /* ]] || die "NETCONFKIT_REDIS_DIR must be an absolute path"
  [[ $DIR =~ ^[A-Za-z0-9._/-]+$ ]] || die "NETCONFKIT_REDIS_DIR may only contain letters, digits, . _ - /"
}

# true while the process runs (a zombie has stopped)
running() { # pid
  local state
  state=$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# the pid from the pid file, only if that process runs and is redis-server
live_pid() {
  local pid
  [[ -s $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == redis-server ]] || return 1
  running "$pid" || return 1
  echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$PORT" 2>/dev/null; }

# PING over plain bash (redis-cli is not needed): the inline command answers +PONG
pong() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$PORT && printf 'PING\r\n' >&3 && head -c 7 <&3" 2>/dev/null | grep -q '^+PONG'
}

POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=
remove_policy() { [[ -n $ADDED_POLICY ]] && rm -f "$POLICY"; ADDED_POLICY=; }

install_package() {
  [[ -x $SERVER ]] && return 0
  [[ $(id -u) == 0 ]] || die "redis-server is not installed and this is not root"
  log "installing redis-server with apt-get (log: $APT_LOG)"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l
  # keep the package scripts from starting the system redis on port 6379
  if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\n# added by netconfkit scripts/redis.sh during apt-get install\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    ADDED_POLICY=1
  fi
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  : >"$APT_LOG"
  log "apt-get update"
  "${apt[@]}" update >>"$APT_LOG" 2>&1 </dev/null || { tail -n 30 "$APT_LOG" >&2; die "apt-get update failed"; }
  log "apt-get install redis-server"
  "${apt[@]}" install -y --no-install-recommends redis-server >>"$APT_LOG" 2>&1 </dev/null ||
    { tail -n 30 "$APT_LOG" >&2; die "apt-get could not install redis-server"; }
  remove_policy
  [[ -x $SERVER ]] || die "redis-server still missing after apt-get"
  log "redis-server installed"
}

trap 'remove_policy' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

cmd_start() {
  check_settings
  mkdir -p "$DIR"
  # one start/stop at a time per state directory
  exec 9>"$DIR/lock"
  flock -w 600 9 || die "could not lock $DIR/lock within 600 s"
  install_package
  local pid
  if pid=$(live_pid); then
    log "redis-server already running (pid $pid)"
  else
    rm -f "$PID_FILE"
    port_open && die "$HOST:$PORT is already in use by another program (set NETCONFKIT_REDIS_PORT)"
    log "starting redis-server on $HOST:$PORT (state: $DIR)"
    # --daemonize writes the pid file; its stdio must not keep the caller's pipes open
    "$SERVER" --bind "$HOST" --port "$PORT" --dir "$DIR" --pidfile "$PID_FILE" --logfile "$LOG" \
      --daemonize yes --save '' --appendonly no --protected-mode yes --maxmemory-policy noeviction \
      </dev/null >>"$DIR/redis.out" 2>&1 9>&- || { tail -n 20 "$LOG" >&2 2>/dev/null || true; die "redis-server did not start"; }
  fi
  local i
  for i in $(seq 1 100); do
    if pid=$(live_pid) && pong; then
      log "ready (pid $pid)"
      echo "redis ready at $HOST:$PORT (pid $pid, dir $DIR)"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$LOG" >&2 2>/dev/null || true
  die "redis-server does not answer PING on $HOST:$PORT (log: $LOG)"
}

cmd_stop() {
  check_settings
  [[ -d $DIR ]] || { log "nothing to stop ($DIR does not exist)"; return 0; }
  exec 9>"$DIR/lock"
  flock -w 600 9 || die "could not lock $DIR/lock within 600 s"
  local pid i
  if ! pid=$(live_pid); then
    log "redis-server not running"
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    running "$pid" || break
    sleep 0.1
  done
  if running "$pid"; then
    log "redis-server (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "redis-server stopped (pid $pid)"
}

cmd_status() {
  check_settings
  local pid
  if pid=$(live_pid) && pong; then
    echo "redis-server running (pid $pid) at $HOST:$PORT, dir $DIR"
    return 0
  fi
  echo "redis-server not running at $HOST:$PORT (dir $DIR)"
  return 3
}

case ${1:-start} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
