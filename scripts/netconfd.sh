#!/usr/bin/env bash
# netconfkit's NETCONF test peer: Debian's netconfd (yuma123) behind a private OpenSSH
# daemon that listens on 127.0.0.1 only and serves the `netconf` SSH subsystem.
#
#   scripts/netconfd.sh start     install missing packages, start both daemons (those not
#                                 running), wait for a NETCONF <hello>, write peer.json
#   scripts/netconfd.sh stop      stop the daemons recorded in the pid files (nothing else)
#   scripts/netconfd.sh restart   stop, then start (datastores come back empty)
#   scripts/netconfd.sh status    exit 0 when both daemons run and the port answers, 3 if not
#
# Settings (environment):
#   NETCONFKIT_PEER_PORT  SSH port on 127.0.0.1   (default 8830)
#   NETCONFKIT_PEER_DIR   state directory         (default /tmp/netconfkit-peer)
#
# Login: user `netconf`, password `netconf` (never printed; it is in peer.json), or the
# client key <state>/client_ed25519. netconfd runs as that user with --target=candidate and
# the modules ietf-interfaces, iana-if-type and toaster.
#
# Needs root for start (apt-get, useradd, sshd). Works without stdin (CI). Every call is
# idempotent: `start` on a running peer changes nothing but rewrites peer.json.
# Progress goes to stderr (prefixed), the summary of `start` and `status` to stdout.
set -euo pipefail

DIR=${NETCONFKIT_PEER_DIR:-/tmp/netconfkit-peer}
PORT=${NETCONFKIT_PEER_PORT:-8830}
NC_USER=netconf
NC_PASSWORD=netconf
TARGET=candidate
HOST=127.0.0.1

NETCONFD=/usr/sbin/netconfd
SUBSYSTEM=/usr/sbin/netconf-subsystem
SSHD=/usr/sbin/sshd
PY=/usr/bin/python3 # Debian's python: python3-ncclient and python3-paramiko live there
PACKAGES=(openssh-server openssh-client netconfd python3-ncclient python3-paramiko)

RUN="$DIR/netconfd" # owned by the login user: socket, log, datastores
SOCK="$RUN/ncxserver.sock"
NETCONFD_PID="$DIR/netconfd.pid"
SSHD_PID="$DIR/sshd.pid"
SSHD_CONFIG="$DIR/sshd_config"
PEER_JSON="$DIR/peer.json"
APT_LOG="$DIR/apt.log"

T0=$SECONDS
log() { printf '[netconfkit-peer +%ss] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# true while the process runs: a zombie has stopped (it waits for PID 1 to reap it, which in
# containers can take seconds, or forever when PID 1 does not reap)
running() { # pid
  local state
  state=$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# pid from a pid file, only if that process runs and has the expected name
live_pid() { # file comm
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == "$2" ]] || return 1
  running "$pid" || return 1
  echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$PORT" 2>/dev/null; }

check_settings() {
  if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    die "NETCONFKIT_PEER_PORT must be a TCP port number"
  fi
  [[ $DIR == /* ]] || die "NETCONFKIT_PEER_DIR must be an absolute path"
  # the path ends up in peer.json, sshd_config and a subsystem command line: keep it plain
  [[ $DIR =~ ^[A-Za-z0-9._/-]+$ ]] || die "NETCONFKIT_PEER_DIR may only contain letters, digits, . _ - /"
  # a UNIX socket path must fit in sun_path (108 bytes)
  ((${#SOCK} < 100)) || die "NETCONFKIT_PEER_DIR is too long for a UNIX socket path: $DIR"
}

# One start/stop at a time per state directory (parallel test runs, CI retries).
# The lock fd (9) is closed for every daemon started below, so they do not keep it.
LOCKED=
take_lock() {
  [[ -n $LOCKED ]] && return 0 # restart: held from stop through start
  mkdir -p "$DIR"
  exec 9>"$DIR/lock"
  flock -w 600 9 || die "could not lock $DIR/lock within 600 s"
  LOCKED=1
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=
remove_policy() { [[ -n $ADDED_POLICY ]] && rm -f "$POLICY"; ADDED_POLICY=; }

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages (${missing[*]}) and not root"
  log "installing ${missing[*]} with apt-get (log: $APT_LOG)"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l
  # keep package scripts from starting the system sshd on port 22 while installing
  if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\n# added by netconfkit scripts/netconfd.sh during apt-get install\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    ADDED_POLICY=1
  fi
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  : >"$APT_LOG"
  log "apt-get update"
  if ! "${apt[@]}" update >>"$APT_LOG" 2>&1 </dev/null; then
    remove_policy
    tail -n 30 "$APT_LOG" >&2 || true
    die "apt-get update failed"
  fi
  log "apt-get install ${missing[*]}"
  if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >>"$APT_LOG" 2>&1 </dev/null; then
    remove_policy
    tail -n 30 "$APT_LOG" >&2 || true
    die "apt-get could not install ${missing[*]}"
  fi
  remove_policy
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after apt-get: ${missing[*]}"
  log "packages installed"
}

ensure_user() {
  if ! id -u "$NC_USER" >/dev/null 2>&1; then
    log "creating user $NC_USER"
    useradd --create-home --shell /bin/sh "$NC_USER"
  fi
  # sshd runs the subsystem through the login shell, so it must be a real one
  case $(getent passwd "$NC_USER" | cut -d: -f7) in
    */nologin | */false | "") usermod --shell /bin/sh "$NC_USER" ;;
  esac
  # set on every start (someone may have changed it); chpasswd reads it from stdin
  printf '%s:%s\n' "$NC_USER" "$NC_PASSWORD" | chpasswd
}

prepare_dir() {
  mkdir -p "$DIR" "$RUN/yuma/data"
  chmod 755 "$DIR"
  chown -R "$NC_USER:" "$RUN"
  (
    umask 077
    local t
    for t in ed25519 rsa; do
      [[ -s $DIR/ssh_host_${t}_key && -s $DIR/ssh_host_${t}_key.pub ]] && continue
      log "generating the $t host key"
      rm -f "$DIR/ssh_host_${t}_key" "$DIR/ssh_host_${t}_key.pub"
      ssh-keygen -q -t "$t" -N '' -C netconfkit-peer -f "$DIR/ssh_host_${t}_key" </dev/null
    done
    # a client key for tests of public-key login (password login works too)
    if [[ ! -s $DIR/client_ed25519 || ! -s $DIR/client_ed25519.pub ]]; then
      log "generating the client key"
      rm -f "$DIR/client_ed25519" "$DIR/client_ed25519.pub"
      ssh-keygen -q -t ed25519 -N '' -C "$NC_USER@netconfkit-peer" -f "$DIR/client_ed25519" </dev/null
    fi
  )
  cp "$DIR/client_ed25519.pub" "$DIR/authorized_keys"
  chmod 644 "$DIR/authorized_keys" "$DIR"/*.pub
  # known_hosts lines for clients that verify the host key
  local t tmp="$DIR/known_hosts.tmp"
  : >"$tmp"
  for t in ed25519 rsa; do
    printf '[%s]:%s %s\n' "$HOST" "$PORT" "$(cut -d' ' -f1,2 "$DIR/ssh_host_${t}_key.pub")" >>"$tmp"
  done
  chmod 644 "$tmp"
  mv -f "$tmp" "$DIR/known_hosts"
}

write_sshd_config() {
  cat >"$SSHD_CONFIG" <<EOF
# private sshd for netconfkit's NETCONF test peer (written by scripts/netconfd.sh)
Port $PORT
ListenAddress $HOST
AddressFamily inet
HostKey $DIR/ssh_host_ed25519_key
HostKey $DIR/ssh_host_rsa_key
PidFile $SSHD_PID
UsePAM no
PasswordAuthentication yes
PermitEmptyPasswords no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $DIR/authorized_keys
StrictModes no
AllowUsers $NC_USER
PermitRootLogin no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PrintMotd no
PrintLastLog no
LoginGraceTime 30
MaxAuthTries 10
MaxSessions 64
MaxStartups 100:30:200
LogLevel VERBOSE
Subsystem netconf $SUBSYSTEM --ncxserver-sockname=$PORT@$SOCK
EOF
  # newer OpenSSH releases throttle addresses that fail to log in; tests do that on purpose
  if "$SSHD" -t -f "$SSHD_CONFIG" -o PerSourcePenalties=no >/dev/null 2>&1; then
    echo "PerSourcePenalties no" >>"$SSHD_CONFIG"
  fi
  "$SSHD" -t -f "$SSHD_CONFIG" || die "sshd rejected $SSHD_CONFIG"
}

start_netconfd() {
  local pid
  if pid=$(live_pid "$NETCONFD_PID" netconfd); then
    log "netconfd already running (pid $pid)"
    return 0
  fi
  # a socket left by a killed netconfd makes the next one exit at once
  rm -f "$NETCONFD_PID" "$SOCK" "$RUN/yuma/data/startup-cfg.xml"
  local gid args
  gid=$(id -g "$NC_USER")
  args=(
    --ncxserver-sockname="$SOCK"
    --port="$PORT" # without it netconfd drops sessions arriving over any SSH port but 830
    --yuma-home="$RUN/yuma"
    --factory-startup
    --target="$TARGET"
    --with-startup=true
    --superuser="$NC_USER"
    --access-control=off
    --module=iana-if-type
    --module=ietf-interfaces
    --module=toaster
    --log="$RUN/netconfd.log"
    --log-level=info
  )
  # the pid file is written by the process that becomes netconfd (exec keeps the pid);
  # setsid detaches it from the caller's session, so a test runner's exit does not hit it
  (
    cd "$RUN"
    # shellcheck disable=SC2016 # $$ and $@ belong to the inner bash
    exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$NETCONFD_PID" \
      setpriv --reuid="$NC_USER" --regid="$gid" --init-groups --reset-env -- \
      "$NETCONFD" "${args[@]}"
  ) </dev/null >>"$RUN/netconfd.out" 2>&1 9>&- &
  LAUNCHED+=(netconfd)
  local i
  for i in $(seq 1 150); do
    [[ -S $SOCK ]] && pid=$(live_pid "$NETCONFD_PID" netconfd) && {
      log "netconfd started (pid $pid)"
      return 0
    }
    sleep 0.1
  done
  tail -n 20 "$RUN/netconfd.log" >&2 2>/dev/null || true
  tail -n 20 "$RUN/netconfd.out" >&2 2>/dev/null || true
  die "netconfd did not start (see $RUN/netconfd.log)"
}

start_sshd() {
  local pid
  if pid=$(live_pid "$SSHD_PID" sshd); then
    log "sshd already running (pid $pid)"
    return 0
  fi
  rm -f "$SSHD_PID"
  port_open && die "$HOST:$PORT is already in use by another program (set NETCONFKIT_PEER_PORT)"
  mkdir -p /run/sshd && chmod 755 /run/sshd # privilege separation directory
  write_sshd_config
  # sshd daemonizes itself; its stdio must not keep the caller's pipes open
  LAUNCHED+=(sshd)
  "$SSHD" -f "$SSHD_CONFIG" -E "$DIR/sshd.log" </dev/null >>"$DIR/sshd.out" 2>&1 9>&-
  local i
  for i in $(seq 1 100); do
    pid=$(live_pid "$SSHD_PID" sshd) && port_open && {
      log "sshd started (pid $pid) on $HOST:$PORT"
      return 0
    }
    sleep 0.1
  done
  tail -n 20 "$DIR/sshd.log" >&2 2>/dev/null || true
  die "sshd did not start (see $DIR/sshd.log)"
}

# Log in with the password, open the netconf subsystem, read the server <hello>.
hello_check() {
  NC_HOST=$HOST NC_PORT=$PORT NC_USER=$NC_USER NC_PASSWORD=$NC_PASSWORD "$PY" - <<'PYEOF' 9>&-
import os, re, socket, sys, time
import paramiko
env = os.environ
deadline = time.time() + 30
last = None
while time.time() < deadline:
    t = None
    try:
        sock = socket.create_connection((env['NC_HOST'], int(env['NC_PORT'])), timeout=5)
        t = paramiko.Transport(sock)
        t.start_client(timeout=10)
        t.auth_password(env['NC_USER'], env['NC_PASSWORD'])
        ch = t.open_session(timeout=10)
        ch.settimeout(10)
        ch.invoke_subsystem('netconf')
        buf = b''
        while b']]>]]>' not in buf:
            d = ch.recv(65536)
            if not d:
                raise EOFError('channel closed before <hello>')
            buf += d
        hello = buf.split(b']]>]]>')[0]
        if b'<hello' not in hello or b'<session-id>' not in hello:
            raise ValueError('unexpected greeting: %r' % hello[:200])
        ch.sendall(b'<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
                   b'<capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>')
        # netconfd leaves an <rpc> that arrives in the same read as the <hello> unprocessed
        # until more input comes, so the two are not written back to back
        time.sleep(0.2)
        ch.sendall(b'<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><close-session/></rpc>]]>]]>')
        reply = b''
        while b']]>]]>' not in reply:
            d = ch.recv(65536)
            if not d:
                break
            reply += d
        caps = re.findall(rb'<capability>([^<]*)</capability>', hello)
        sid = re.search(rb'<session-id>(\d+)</session-id>', hello).group(1).decode()
        print('[netconfkit-peer] <hello> received: session-id %s, %d capabilities, base:1.1 %s' % (
            sid, len(caps), 'yes' if b'urn:ietf:params:netconf:base:1.1' in caps else 'no'), file=sys.stderr)
        sys.exit(0)
    except Exception as e:  # server still starting: retry until the deadline
        last = e
        time.sleep(0.5)
    finally:
        if t is not None:
            t.close()
print('[netconfkit-peer] no NETCONF <hello> from %s:%s: %r' % (env['NC_HOST'], env['NC_PORT'], last), file=sys.stderr)
sys.exit(1)
PYEOF
}

fingerprint() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }

write_peer_json() {
  local sshd_pid netconfd_pid fp_ed fp_rsa
  sshd_pid=$(live_pid "$SSHD_PID" sshd) || die "sshd is gone"
  netconfd_pid=$(live_pid "$NETCONFD_PID" netconfd) || die "netconfd is gone"
  fp_ed=$(fingerprint "$DIR/ssh_host_ed25519_key.pub")
  fp_rsa=$(fingerprint "$DIR/ssh_host_rsa_key.pub")
  # values are plain (checked in check_settings), but let a JSON encoder do the quoting
  P_HOST=$HOST P_PORT=$PORT P_USER=$NC_USER P_PASSWORD=$NC_PASSWORD P_DIR=$DIR \
    P_KEY="$DIR/client_ed25519" P_KH="$DIR/known_hosts" P_FP="$fp_ed $fp_rsa" \
    P_SSHD=$sshd_pid P_NETCONFD=$netconfd_pid P_OUT="$PEER_JSON" "$PY" - <<'PYEOF' 9>&-
import json, os
e = os.environ
peer = {
    'host': e['P_HOST'],
    'port': int(e['P_PORT']),
    'username': e['P_USER'],
    'password': e['P_PASSWORD'],
    'clientKey': e['P_KEY'],
    'knownHosts': e['P_KH'],
    'hostKeyFingerprints': e['P_FP'].split(),
    'sshdPid': int(e['P_SSHD']),
    'netconfdPid': int(e['P_NETCONFD']),
    'stateDir': e['P_DIR'],
}
tmp = e['P_OUT'] + '.tmp'
with open(tmp, 'w') as f:
    json.dump(peer, f, indent=2)
    f.write('\n')
os.chmod(tmp, 0o644)
os.replace(tmp, e['P_OUT'])
PYEOF
}

print_info() {
  local t
  echo "NETCONF peer ready"
  echo "  address      $HOST:$PORT (user $NC_USER, password in $PEER_JSON)"
  echo "  target       $TARGET"
  for t in ed25519 rsa; do
    echo "  host key     $(fingerprint "$DIR/ssh_host_${t}_key.pub") ($t)"
  done
  echo "  known_hosts  $DIR/known_hosts"
  echo "  client key   $DIR/client_ed25519"
  echo "  pids         sshd $(live_pid "$SSHD_PID" sshd || echo -), netconfd $(live_pid "$NETCONFD_PID" netconfd || echo -)"
  echo "  peer.json    $PEER_JSON"
  echo "  logs         $RUN/netconfd.log  $DIR/sshd.log"
}

# A start that fails stops the daemons it launched itself (not those that already ran).
LAUNCHED=()
on_exit() {
  local rc=$? name pid
  remove_policy
  if ((rc != 0 && ${#LAUNCHED[@]} > 0)); then
    for name in "${LAUNCHED[@]}"; do
      if pid=$(live_pid "$DIR/$name.pid" "$name"); then
        log "start failed: stopping the $name it launched (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
      fi
    done
    rm -f "$PEER_JSON"
  fi
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# SIGTERM to the recorded daemons (sshd first: no new sessions), wait up to 10 s
# (netconfd needs about 1 s), then SIGKILL what still runs. Nothing but these pids is signalled.
stop_daemons() {
  local pids=() names=() pid i n
  if pid=$(live_pid "$SSHD_PID" sshd); then pids+=("$pid"); names+=(sshd); else log "sshd not running"; fi
  if pid=$(live_pid "$NETCONFD_PID" netconfd); then pids+=("$pid"); names+=(netconfd); else log "netconfd not running"; fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 100); do
    n=0
    for pid in "${pids[@]}"; do running "$pid" && n=$((n + 1)); done
    ((n == 0)) && break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if running "${pids[$i]}"; then
      log "${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for 10 s: SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
    log "${names[$i]} stopped (pid ${pids[$i]})"
  done
  rm -f "$SSHD_PID" "$NETCONFD_PID"
}

cmd_start() {
  check_settings
  [[ $(id -u) == 0 ]] || die "start needs root (apt-get, useradd, sshd)"
  take_lock
  log "starting the NETCONF peer on $HOST:$PORT (state: $DIR)"
  install_packages
  ensure_user
  prepare_dir
  if ! live_pid "$SSHD_PID" sshd >/dev/null && port_open; then
    die "$HOST:$PORT is already in use by another program (set NETCONFKIT_PEER_PORT)"
  fi
  start_netconfd
  start_sshd
  hello_check || die "server does not answer (logs: $RUN/netconfd.log, $DIR/sshd.log)"
  write_peer_json
  log "ready"
  print_info
}

cmd_stop() {
  check_settings
  [[ -d $DIR ]] || { log "nothing to stop ($DIR does not exist)"; return 0; }
  take_lock
  rm -f "$PEER_JSON"
  stop_daemons
  rm -f "$SOCK"
}

cmd_status() {
  check_settings
  local rc=0 pid
  if pid=$(live_pid "$NETCONFD_PID" netconfd); then echo "netconfd  running (pid $pid)"; else echo "netconfd  stopped"; rc=3; fi
  if pid=$(live_pid "$SSHD_PID" sshd); then echo "sshd      running (pid $pid)"; else echo "sshd      stopped"; rc=3; fi
  if port_open; then echo "port      $HOST:$PORT accepts connections"; else echo "port      $HOST:$PORT closed"; rc=3; fi
  echo "state     $DIR"
  return $rc
}

case ${1:-start} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
