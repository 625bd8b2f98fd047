#!/bin/sh
# The demo: the Bondsmith app against a private, real NetworkManager that manages four
# virtual NICs (eno1..eno4, veth pairs) in a network namespace of its own. Beyond them sits
# a "switch" (a bridge in a second namespace) that is also the gateway (10.77.0.1), hands
# out DHCP leases and routes to a far target (10.78.0.2); eno3 and eno4 face a switch side
# that speaks LACP. The host's own network and system bus are never touched; everything is
# torn down on exit.
#
#   sudo scripts/demo.sh          the app, as the desktop user who called sudo
#   sudo scripts/demo.sh --cli    a shell where bondctl talks to the demo NM instead
#   sudo scripts/demo.sh --vm     always use the virtual machine (see below)
#
# Where the kernel has the bonding driver, the app runs inside the demo's namespace, so
# the bond page and the failover test see the demo's bonds. Where it has none (containers,
# many CI and cloud kernels), the demo boots test bed B instead: Debian's kernel under
# QEMU with the same network, NetworkManager and the app inside, shown through GTK's
# Broadway backend at an address on 127.0.0.1 that a browser opens.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"

mode=gui
vm=""
in_vm=""
for arg in "$@"; do
    case "$arg" in
        --cli) mode=cli ;;
        --vm) vm=1 ;;
        --in-vm) in_vm=1 ;; # internal: this is the guest's half of the --vm demo
        *) echo "demo.sh: unknown argument '$arg' (use --cli or --vm)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "The demo needs root to create its network namespaces; run it with sudo." >&2; exit 1; }

if [ -z "$in_vm" ]; then
    "$top/scripts/deps.sh" gui
    if [ -z "${BONDSMITH_DEMO_NO_BUILD:-}" ]; then
        need_cargo
        cargo build --locked -p bondsmith -p bondkit
    fi
    # Loading the driver by hand keeps it from making a bond0 in the host's namespace.
    [ -d /sys/module/bonding ] || modprobe -q bonding max_bonds=0 2>/dev/null || true
    if [ -n "$vm" ] || [ ! -d /sys/module/bonding ]; then
        [ -n "$vm" ] || echo "This kernel has no bonding driver, so the demo runs in a small virtual machine (Debian's kernel under QEMU) and shows the app in your browser."
        exec "$top/scripts/demo-vm.sh" "$mode"
    fi
fi

state=${BONDSMITH_DEMO_DIR:-/tmp/bondsmith-demo}
progress() { [ -z "$in_vm" ] || echo "$*" > /results/progress; }
cleanup() {
    [ -z "${app_pid:-}" ] || kill "$app_pid" 2>/dev/null || true
    [ -s "$state/broadwayd.pid" ] && kill "$(cat "$state/broadwayd.pid")" 2>/dev/null
    rm -f "$state/broadwayd.pid"
    "$top/tests/testbed/nm-testbed.sh" stop "$state"
}
trap cleanup EXIT INT TERM
progress "Starting NetworkManager and the demo network"
bus=$(NM_TESTBED_AUTH=false NM_TESTBED_DEMO=1 "$top/tests/testbed/nm-testbed.sh" start "$state" eno1 eno2 eno3 eno4)
bus=${bus#DBUS_SYSTEM_BUS_ADDRESS=}
ns=$(cut -d' ' -f1 "$state/netns")
bin="$top/target/debug"
lacp="eno3 and eno4 face a switch that does not speak LACP"
ip -n "$(cut -d' ' -f2 "$state/netns")" link show swbond >/dev/null 2>&1 && lacp="eno3 and eno4 face a switch port channel that speaks LACP (802.3ad)"

if [ "$mode" = cli ]; then
    cat <<MSG

Bondsmith demo: a private NetworkManager manages eno1..eno4 (virtual NICs); the switch
10.77.0.1 is their gateway and DHCP server, 10.78.0.2 is a target beyond it, and
$lacp. Try:
  bondctl devices
  bondctl create bond0 --mode active-backup --port eno1 --port eno2 --option miimon=100 --ipv4 dhcp --dry-run
  bondctl create bond0 --mode active-backup --port eno1 --port eno2 --option miimon=100 --ipv4 dhcp
  bondctl status bond0
  bondctl failover-test bond0 --target 10.78.0.2
  bondctl create bond1 --mode 802.3ad --port eno3 --port eno4 --option lacp_rate=fast --ipv4 10.77.0.31/24
Exit the shell to stop the demo.

MSG
    progress "ready"
    ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="$bus" PATH="$bin:$PATH" PS1='bondsmith-demo# ' sh -i
    exit 0
fi

mkdir -p "$state/schemas"
glib-compile-schemas --targetdir="$state/schemas" "$top/data"

# Shows the app through GTK's Broadway backend: gtk4-broadwayd listens on ADDRESS:PORT in
# this (the host's or guest's own) namespace; the app reaches it through its socket.
broadway() {
    command -v gtk4-broadwayd >/dev/null 2>&1 || { echo "gtk4-broadwayd is missing: apt-get install libgtk-4-bin" >&2; exit 1; }
    run="$state/run"
    mkdir -p "$run" "$state/home"
    chown "$user" "$run" "$state/home"
    chmod 700 "$run"
    runuser -u "$user" -- env XDG_RUNTIME_DIR="$run" gtk4-broadwayd --address "$1" --port "$2" :0 > "$state/broadwayd.log" 2>&1 &
    echo $! > "$state/broadwayd.pid"
    i=0
    until ls "$run"/broadway*.socket >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 300 ] || { cat "$state/broadwayd.log" >&2; exit 1; }
        sleep 0.1
    done
}
free_port() {
    p=8080
    while ss -ltnH "sport = :$p" 2>/dev/null | grep -q .; do p=$((p + 1)); done
    echo "$p"
}

# The app runs inside the demo's namespace (its netlink, /proc/net/bonding and probes see
# the demo's bonds) but never as root: as the desktop user, or else as nobody in a browser.
user=${SUDO_USER:-${PKEXEC_UID:+$(id -nu "$PKEXEC_UID")}}
if [ -n "$in_vm" ]; then
    user=nobody
    # Broadway hands frames over in POSIX shared memory; the guest's /dev has no /dev/shm.
    mountpoint -q /dev/shm || { mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 shm /dev/shm; }
    # QEMU forwards the guest NIC's port 8080 to the host's 127.0.0.1 only.
    ip link set lo up
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    progress "Starting the Broadway display"
    broadway 10.0.2.15 8080
    set -- GDK_BACKEND=broadway BROADWAY_DISPLAY=:0 XDG_RUNTIME_DIR="$run" HOME="$state/home" NO_AT_BRIDGE=1
elif [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -z "$user" ] || [ "$user" = root ]; then
    # No desktop session to show a window in (a root shell, SSH): show it in a browser.
    user=nobody
    port=$(free_port)
    broadway 127.0.0.1 "$port"
    set -- GDK_BACKEND=broadway BROADWAY_DISPLAY=:0 XDG_RUNTIME_DIR="$run" HOME="$state/home" NO_AT_BRIDGE=1
    url="http://127.0.0.1:$port/"
else
    uid=$(id -u "$user")
    set -- DISPLAY="${DISPLAY:-}" WAYLAND_DISPLAY="${WAYLAND_DISPLAY:-}" \
        XAUTHORITY="${XAUTHORITY:-$(getent passwd "$user" | cut -d: -f6)/.Xauthority}" \
        XDG_RUNTIME_DIR="/run/user/$uid"
    [ -S "/run/user/$uid/bus" ] && set -- "$@" DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus"
fi
app=${BONDSMITH_DEMO_APP:-$bin/bondsmith}
if ! runuser -u "$user" -- test -x "$app"; then
    # The checkout is private to root (under /root, say): give the user a copy.
    mkdir -p "$state/bin"
    cp "$app" "$state/bin/"
    app="$state/bin/$(basename "$app")"
    chmod 755 "$state/bin" "$app"
fi
progress "Starting Bondsmith"
ip netns exec "$ns" runuser -u "$user" -- env "$@" DBUS_SYSTEM_BUS_ADDRESS="$bus" \
    GSETTINGS_SCHEMA_DIR="$state/schemas" PATH="$bin:$PATH" \
    BONDSMITH_DEMO_DIR="$state" "$app" &
app_pid=$!
if [ -n "${url:-}" ]; then
    echo "Bondsmith runs as $user in the demo's network namespace ($lacp)."
    echo "Open $url in a browser on this machine. Press Ctrl-C here to stop the demo."
else
    [ -n "$in_vm" ] || echo "Bondsmith runs as $user in the demo's network namespace ($lacp)."
fi
progress "ready"
rc=0
wait "$app_pid" || rc=$?
app_pid=""
exit "$rc"
