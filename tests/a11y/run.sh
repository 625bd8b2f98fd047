#!/bin/bash
# The screen reader's view of Bondsmith (tests/a11y/screen_reader.py), end to end: test bed
# A's NetworkManager with one nmcli-made bond, a private session bus on which at-spi2-core's
# bus launcher and registry start as a desktop's would, and the real app with GTK_A11Y=atspi,
# all as an unprivileged user (nobody) on an Xvfb display.
#   run.sh [BONDSMITH_BINARY]     (run it under xvfb-run; scripts/test.sh gui does)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
app=${1:-$top/target/debug/bondsmith}
shots=${BONDSMITH_SCREENSHOTS:-}
fail() { echo "tests/a11y/run.sh: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (test bed A creates network namespaces)"
[ -n "${DISPLAY:-}" ] || fail "needs an X display: run it under xvfb-run -a"
[ -x "$app" ] || fail "$app is missing: cargo build -p bondsmith first"
for t in xdotool dbus-daemon setpriv nmcli /usr/libexec/at-spi-bus-launcher; do
    command -v "$t" >/dev/null 2>&1 || fail "$t is missing (scripts/deps.sh gui)"
done
/usr/bin/python3 -c 'import pyatspi' 2>/dev/null || fail "python3-pyatspi is missing (scripts/deps.sh gui)"

run=$(mktemp -d /tmp/bsm-a11y.XXXXXX)
chmod 755 "$run"
bed=$run/bed
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "$top/tests/testbed/nm-testbed.sh" stop "$bed" >/dev/null 2>&1 || true
    [ -n "${keep_run:-}" ] || rm -rf "$run"
}
trap cleanup EXIT INT TERM

# Any user may change this private NM, as a desktop user may change their own through polkit.
addr=$(NM_TESTBED_AUTH=false "$top/tests/testbed/nm-testbed.sh" start "$bed" eno1 eno2 eno3 \
    | sed -n 's/^DBUS_SYSTEM_BUS_ADDRESS=//p')
[ -n "$addr" ] || fail "test bed A did not start"
export DBUS_SYSTEM_BUS_ADDRESS=$addr
nmcli connection add type bond con-name bondx ifname bondx bond.options mode=active-backup,miimon=100 \
    connection.autoconnect no ipv4.method disabled ipv6.method disabled >/dev/null
nmcli connection add type ethernet con-name bondx-eno3 ifname eno3 connection.master bondx \
    connection.slave-type bond connection.autoconnect no >/dev/null

# The desktop side runs as nobody, with a home, an X cookie and a session bus of its own.
home=$run/home
mkdir -p "$home" "$run/shots"
if [ -n "${XAUTHORITY:-}" ]; then
    cp "$XAUTHORITY" "$run/Xauthority"
    chmod 644 "$run/Xauthority"
fi
chown -R 65534:65534 "$home" "$run/shots"
as_nobody() {
    exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i \
        PATH=/usr/bin:/bin HOME="$home" XDG_RUNTIME_DIR="$home" XDG_CONFIG_HOME="$home/config" \
        XDG_DATA_HOME="$home/data" DISPLAY="$DISPLAY" XAUTHORITY="$run/Xauthority" \
        DBUS_SYSTEM_BUS_ADDRESS="$addr" DBUS_SESSION_BUS_ADDRESS="${session:-}" \
        LANG=C.UTF-8 GTK_A11Y=atspi NO_AT_BRIDGE=0 "$@"
}
# In the background, so that $! is the program itself (the subshell execs it) and the
# cleanup stops it, not just a shell around it.
spawn_nobody() {
    local out=$1
    shift
    as_nobody "$@" >"$out" 2>&1 &
    pids+=($!)
}

(as_nobody dbus-daemon --session --nofork --print-address=1 2>"$run/session.log") >"$run/session" &
pids+=($!)
for _ in $(seq 50); do [ -s "$run/session" ] && break; sleep 0.1; done
session=$(head -1 "$run/session")
[ -n "$session" ] || fail "the session bus did not start: $(cat "$run/session.log")"

spawn_nobody "$run/app.log" "$app"

status=0
(as_nobody /usr/bin/python3 "$top/tests/a11y/screen_reader.py" "$run/shots") || status=$?
if [ -n "$shots" ]; then
    mkdir -p "$shots"
    cp "$run"/shots/*.png "$shots"/ 2>/dev/null || true
fi
if [ "$status" != 0 ]; then
    echo "--- the app's output:" >&2
    tail -40 "$run/app.log" >&2
    fail "the screen reader checks failed (exit $status)"
fi
