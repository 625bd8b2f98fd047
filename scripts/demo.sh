#!/bin/sh
# The demo: the Bondsmith app against a private, real NetworkManager that manages four
# virtual NICs (eno1..eno4: veth pairs whose far ends sit on a bridge with 10.77.0.1). The
# host's own network and system bus are never touched; everything is torn down on exit.
#
#   sudo scripts/demo.sh          the app, run as the desktop user who called sudo
#   sudo scripts/demo.sh --cli    a shell where bondctl talks to the demo NM instead
#
# This host may have no bonding driver: then activating a bond fails with a message that
# says so, and "Bring Up After Applying" can be switched off to create profiles only.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"

mode=gui
[ "${1:-}" = "--cli" ] && { mode=cli; shift; }
"$top/scripts/deps.sh" gui
[ "$(id -u)" = 0 ] || { echo "The demo needs root to create its network namespaces; run it with sudo." >&2; exit 1; }
need_cargo
cargo build --locked -p bondsmith -p bondkit

state=${BONDSMITH_DEMO_DIR:-/tmp/bondsmith-demo}
cleanup() { "$top/tests/testbed/nm-testbed.sh" stop "$state"; }
trap cleanup EXIT INT TERM
bus=$(NM_TESTBED_AUTH=false "$top/tests/testbed/nm-testbed.sh" start "$state" eno1 eno2 eno3 eno4)
export "$bus"
export PATH="$top/target/debug:$PATH"

if [ "$mode" = cli ]; then
    [ $# -gt 0 ] && { bondctl "$@"; exit $?; }
    cat <<MSG

Bondsmith demo: a private NetworkManager manages eno1..eno4 (virtual NICs). Try:
  bondctl devices
  bondctl create bond0 --mode active-backup --port eno1 --port eno2 --option miimon=100 --dry-run
  bondctl create bond0 --mode 802.3ad --port eno1 --port eno2 --option lacp_rate=fast --no-activate
  bondctl show bond0 --json
Exit the shell to stop the demo.

MSG
    PS1='bondsmith-demo# ' sh -i
    exit 0
fi

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: start the demo from a terminal in your desktop session, or use 'sudo scripts/demo.sh --cli'." >&2
    exit 1
fi
mkdir -p "$state/schemas"
glib-compile-schemas --targetdir="$state/schemas" "$top/data"
app_env="DBUS_SYSTEM_BUS_ADDRESS=${bus#DBUS_SYSTEM_BUS_ADDRESS=} GSETTINGS_SCHEMA_DIR=$state/schemas"
user=${SUDO_USER:-${PKEXEC_UID:+$(id -nu "$PKEXEC_UID")}}
if [ -n "$user" ] && [ "$user" != root ]; then
    # The GUI never runs as root: hand it to the desktop user with their session's display.
    uid=$(id -u "$user")
    echo "Starting Bondsmith as $user against the demo NetworkManager…"
    runuser -u "$user" -- env $app_env DISPLAY="${DISPLAY:-}" WAYLAND_DISPLAY="${WAYLAND_DISPLAY:-}" \
        XAUTHORITY="${XAUTHORITY:-/home/$user/.Xauthority}" XDG_RUNTIME_DIR="/run/user/$uid" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$top/target/debug/bondsmith"
else
    echo "No desktop user found (not started with sudo); running Bondsmith as root for this demo only." >&2
    env $app_env "$top/target/debug/bondsmith"
fi
