#!/bin/sh
# Benchmark (figures, not a test): time from start to the first window on one Xvfb, for
# Bondsmith (against test bed A's NetworkManager), the barest GTK4 + libadwaita window
# (examples/bare_window.rs, built the same way) and nm-connection-editor (against the same
# NetworkManager). Goal: Bondsmith within 10 % of the bare window.
#   scripts/bench-startup.sh [RUNS] [PROFILE]      (as root; PROFILE release or dev)
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"
runs=${1:-10}
profile=${2:-release}
"$top/scripts/deps.sh" gui
for p in python3-xlib network-manager-gnome; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
        echo "Installing: $p" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
    }
done
need_cargo
cargo build --locked -q --profile "$profile" -p bondsmith --bin bondsmith --example bare_window
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
bin="$top/target/$dir"

state=$(mktemp -d /tmp/bench-startup.XXXXXX)
display=:57
Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp > /dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; "$top/tests/testbed/nm-testbed.sh" stop "$state/bed"; rm -rf "$state"' EXIT
bus=$("$top/tests/testbed/nm-testbed.sh" start "$state/bed" eno1 eno2)
while [ ! -S "/tmp/.X11-unix/X${display#:}" ]; do sleep 0.1; done
export DISPLAY="$display" "$bus" GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 GTK_A11Y=none
# A session bus of its own, so each start is a primary GApplication, as on a desktop.
session=$(dbus-daemon --session --fork --print-address=1 --print-pid=1)
export DBUS_SESSION_BUS_ADDRESS="$(echo "$session" | sed -n 1p)"
session_pid=$(echo "$session" | sed -n 2p)

echo "   goal: Bondsmith within 10 % of the bare GTK4 + libadwaita window ($runs runs each, $profile build)"
printf '%-24s' "bare GTK4 + libadwaita"; /usr/bin/python3 "$top/scripts/first_window.py" "$runs" "$bin/examples/bare_window"
printf '%-24s' "Bondsmith"; /usr/bin/python3 "$top/scripts/first_window.py" "$runs" "$bin/bondsmith"
printf '%-24s' "nm-connection-editor"; /usr/bin/python3 "$top/scripts/first_window.py" "$runs" nm-connection-editor
kill "$session_pid"
