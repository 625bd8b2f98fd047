#!/bin/sh
# Test bed A: a real NetworkManager on a private system bus, inside its own network
# namespace, managing veth "NICs" whose peers sit on a bridge in a second namespace.
# Nothing here touches the host's own network or its system bus.
#
#   nm-testbed.sh start DIR [PORT...]   start; prints DBUS_SYSTEM_BUS_ADDRESS=... on stdout
#   nm-testbed.sh stop DIR              stop what start DIR started, by PID
#
# NM_TESTBED_AUTH=false lets any user change settings (default: root-only).
# NM_TESTBED_DEMO=1 adds the demo's network around the switch: a DHCP server, a gateway that
# routes to a far target, and, when the kernel has bonding, an LACP switch side for the
# third and fourth NIC (see demo_network below).
#
# Needs root (namespaces), NetworkManager, dbus-daemon and iproute2.
set -eu

cmd=${1:?usage: nm-testbed.sh start|stop DIR [PORT...]}
dir=${2:?usage: nm-testbed.sh start|stop DIR [PORT...]}
shift 2 || true

fail() { echo "nm-testbed: $*" >&2; exit 1; }

stop() {
    [ -d "$dir" ] || return 0
    for f in nm.pid dbus.pid udhcpd.pid; do
        if [ -s "$dir/$f" ]; then
            pid=$(cat "$dir/$f")
            kill "$pid" 2>/dev/null || true
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null || true
            rm -f "$dir/$f"
        fi
    done
    if [ -s "$dir/netns" ]; then
        for ns in $(cat "$dir/netns"); do ip netns del "$ns" 2>/dev/null || true; done
        rm -f "$dir/netns"
    fi
}

# The demo's network beyond the switch: the switch (br0, 10.77.0.1) is the gateway to a far
# target (10.78.0.2) in a third namespace, busybox udhcpd hands out 10.77.0.100-199 with
# that gateway, and anyone in the NICs' namespace may send ICMP echo (the failover test's
# probes, unprivileged).
demo_network() {
    far="bsm-$tag-far"
    echo "$ns $peer $far" > "$dir/netns"
    ip netns add "$far"
    ip -n "$far" link set lo up
    ip -n "$peer" link add up0 type veth peer name wan0
    ip -n "$peer" link set wan0 netns "$far"
    ip -n "$peer" addr add 10.78.0.1/24 dev up0
    ip -n "$peer" link set up0 up
    ip -n "$far" addr add 10.78.0.2/24 dev wan0
    ip -n "$far" link set wan0 up
    ip -n "$far" route add default via 10.78.0.1
    ip netns exec "$peer" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
    command -v busybox >/dev/null 2>&1 || fail "busybox is missing (its udhcpd is the demo's DHCP server): apt-get install busybox-static"
    : > "$dir/udhcpd.leases"
    cat > "$dir/udhcpd.conf" <<CONF
interface br0
start 10.77.0.100
end 10.77.0.199
option subnet 255.255.255.0
option router 10.77.0.1
option lease 3600
lease_file $dir/udhcpd.leases
CONF
    ip netns exec "$peer" busybox udhcpd -f "$dir/udhcpd.conf" > "$dir/udhcpd.log" 2>&1 &
    echo $! > "$dir/udhcpd.pid"
}

start() {
    [ "$(id -u)" = 0 ] || fail "must run as root: it creates network namespaces (try sudo)."
    for tool in NetworkManager dbus-daemon ip nm-online; do
        command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is missing: install network-manager, dbus and iproute2 (apt-get install network-manager dbus iproute2)."
    done
    [ $# -gt 0 ] || set -- eno1 eno2 eno3 eno4
    mkdir -p "$dir"
    # Non-root clients (the demo's desktop user, the polkit-denial test) must reach the bus socket.
    chmod 755 "$dir"
    dir=$(cd "$dir" && pwd)
    stop
    tag=$(basename "$dir" | tr -c 'a-zA-Z0-9\n' '-' | cut -c1-20)
    ns="bsm-$tag"
    peer="bsm-$tag-peer"
    echo "$ns $peer" > "$dir/netns"
    demo=${NM_TESTBED_DEMO:-}

    ip netns add "$ns"
    ip netns add "$peer"
    ip -n "$ns" link set lo up
    ip -n "$peer" link set lo up
    ip -n "$peer" link add br0 type bridge
    ip -n "$peer" addr add 10.77.0.1/24 dev br0
    ip -n "$peer" addr add fd77::1/64 dev br0 nodad
    ip -n "$peer" link set br0 up
    # The demo's third and fourth NIC face a switch port channel: an 802.3ad bond that
    # speaks LACP (only where the kernel has the bonding driver).
    lacp=""
    if [ -n "$demo" ] && [ $# -ge 4 ] && [ -d /sys/module/bonding ] &&
        ip -n "$peer" link add swbond type bond mode 802.3ad lacp_rate fast miimon 100 2>/dev/null; then
        ip -n "$peer" link set swbond master br0 up
        lacp="sw3 sw4"
    fi
    i=0
    for port in "$@"; do
        i=$((i + 1))
        # Create both ends in the peer namespace, then move the NIC end over: the
        # port names may clash with the host's own interfaces.
        ip -n "$peer" link add "$port" type veth peer name "sw$i"
        ip -n "$peer" link set "$port" netns "$ns"
        case " $lacp " in
            *" sw$i "*) ip -n "$peer" link set "sw$i" master swbond && ip -n "$peer" link set "sw$i" up ;;
            *) ip -n "$peer" link set "sw$i" master br0 up ;;
        esac
        ip -n "$ns" link set "$port" up
    done
    [ -n "$demo" ] && demo_network
    echo "$*" > "$dir/ports"

    # Every start is a fresh machine: no profiles or state from an earlier run.
    rm -rf "$dir/varlib" "$dir/system-connections" "$dir/NM.state" "$dir/intern.conf"
    mkdir -p "$dir/varlib" "$dir/system-connections" "$dir/conf.d"
    chmod 700 "$dir/system-connections"
    cat > "$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
CONF
    cat > "$dir/NetworkManager.conf" <<CONF
[main]
plugins=keyfile
# Default: only root may change things, as with polkit and no admin password, so tests that
# run a client as another user see NM's real permission errors. The demo sets
# NM_TESTBED_AUTH=false so that the desktop user may change this private NM.
auth-polkit=${NM_TESTBED_AUTH:-root-only}
dns=none
rc-manager=unmanaged
systemd-resolved=false
hostname-mode=none
no-auto-default=*
dhcp=internal

[keyfile]
path=$dir/system-connections

[connectivity]
enabled=false

[logging]
level=INFO
CONF
    rm -f "$dir/system_bus_socket"
    dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address=1 > "$dir/bus.address" 2> "$dir/dbus.log" &
    echo $! > "$dir/dbus.pid"
    i=0
    while [ ! -S "$dir/system_bus_socket" ]; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "dbus-daemon did not start: $(cat "$dir/dbus.log")"
        sleep 0.05
    done
    bus="unix:path=$dir/system_bus_socket"

    # A read-only /sys makes NM run without udev, so it manages the veths at once. Only this
    # mount is read-only (remount,bind): the network devices' directory is bound back
    # writable from a fresh sysfs, so NM can change a live bond's options (Device.Reapply
    # writes them through sysfs), as on a real host.
    DBUS_SYSTEM_BUS_ADDRESS="$bus" ip netns exec "$ns" sh -c "mount -o remount,bind,ro /sys && mount -t tmpfs tmpfs /run && mkdir -p /run/NetworkManager /run/sysrw && mount -t sysfs sysfs /run/sysrw && mount --bind /run/sysrw/devices/virtual/net /sys/devices/virtual/net && mount --bind '$dir/varlib' /var/lib/NetworkManager && exec NetworkManager --no-daemon --config='$dir/NetworkManager.conf' --config-dir='$dir/conf.d' --system-config-dir='$dir/conf.d' --intern-config='$dir/intern.conf' --state-file='$dir/NM.state'" > "$dir/nm.log" 2>&1 &
    echo $! > "$dir/nm.pid"
    if ! DBUS_SYSTEM_BUS_ADDRESS="$bus" nm-online -s -q -t 30; then
        tail -n 30 "$dir/nm.log" >&2
        stop
        fail "NetworkManager did not come up on the private bus (log above)."
    fi
    echo "DBUS_SYSTEM_BUS_ADDRESS=$bus"
}

case "$cmd" in
    start) start "$@" ;;
    stop) stop ;;
    *) fail "unknown command '$cmd' (use start or stop)" ;;
esac
