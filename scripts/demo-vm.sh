#!/bin/sh
# The demo on a kernel without the bonding driver: boots test bed B (Debian's kernel under
# QEMU, the host's root shared read-only, tests/vm/) and runs scripts/demo.sh inside, where
# bonds are real. The guest's app is drawn by GTK's Broadway backend; QEMU forwards its port
# to 127.0.0.1 on this host only, and this prints the address to open in a browser.
#
#   demo-vm.sh gui|cli      (called by scripts/demo.sh)
set -eu
. "$(dirname "$0")/common.sh"
mode=${1:-gui}
"$top/scripts/deps.sh" vm
results=$(mktemp -d /tmp/bondsmith-demo-vm.XXXXXX)
chmod 755 "$results"
"$top/tests/vm/prepare.sh" >/dev/null

if [ "$mode" = cli ]; then
    echo "Booting the virtual machine (software emulation: about a minute); the bondctl shell starts inside it."
    BONDSMITH_VM_INTERACTIVE=1 BONDSMITH_VM_TIMEOUT=0 "$top/tests/vm/run.sh" "$top/scripts/demo.sh --in-vm --cli" "$results" || true
    rm -rf "$results"
    exit 0
fi

port=${BONDSMITH_DEMO_PORT:-8080}
while ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; do port=$((port + 1)); done
BONDSMITH_VM_FORWARD="127.0.0.1:$port" BONDSMITH_VM_TIMEOUT=0 setsid "$top/tests/vm/run.sh" "$top/scripts/demo.sh --in-vm" "$results" > "$results/run.log" 2>&1 &
vm=$!
stop() {
    trap - EXIT INT TERM
    kill -TERM "-$vm" 2>/dev/null || true
    wait "$vm" 2>/dev/null || true
    [ -n "${keep:-}" ] || rm -rf "$results"
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

# One progress line while the guest boots, from what the guest says it is doing.
start=$(date +%s)
line=""
while :; do
    step=$(cat "$results/progress" 2>/dev/null || echo "Booting Debian's kernel under QEMU (software emulation)")
    [ "$step" = ready ] && break
    if ! kill -0 "$vm" 2>/dev/null; then
        printf '\n' >&2
        echo "The virtual machine stopped before the app was up:" >&2
        tail -n 30 "$results/run.log" >&2
        keep=1
        echo "(its files are in $results)" >&2
        exit 1
    fi
    line=$(printf '[%3ds] %s…' "$(( $(date +%s) - start ))" "$step")
    if [ -t 1 ]; then printf '\r%-78s' "$line"; else echo "$line"; fi
    sleep 1
done
[ -t 1 ] && printf '\r%-78s\n' "[$(( $(date +%s) - start ))s] Ready."
echo "Bondsmith runs in the virtual machine, against its own NetworkManager and real bonds."
echo "Open http://127.0.0.1:$port/ in a browser on this machine; build a bond there and test its failover."
echo "Press Ctrl-C here to stop the demo."
wait "$vm" || true
echo "The app was closed; the demo has stopped."
