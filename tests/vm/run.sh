#!/bin/sh
# Test bed B, part 2: boot Debian's kernel under QEMU (TCG) with the host root shared
# read-only, run SCRIPT inside, and exit with its exit code. Its output is printed and kept
# in RESULTS/output.log. Fails loudly when the guest cannot boot.
#   run.sh SCRIPT [RESULTS_DIR]      SCRIPT may carry arguments ("demo.sh --in-vm")
# BONDSMITH_VM_TIMEOUT: seconds before the guest is stopped (default 1500; 0: never). QEMU
#   stays in this script's process group (timeout --foreground), so killing the group stops it.
# BONDSMITH_VM_FORWARD=127.0.0.1:PORT gives the guest a NIC (eth0, 10.0.2.15, no way out)
#   whose TCP port 8080 QEMU forwards to that host address only.
# BONDSMITH_VM_INTERACTIVE=1 puts SCRIPT on the serial console, on this terminal.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
script=${1:?usage: run.sh SCRIPT [RESULTS_DIR]}
results=${2:-$(mktemp -d /tmp/bondsmith-vm.XXXXXX)}
case "$script" in /*) ;; *) script="$(pwd)/$script" ;; esac
cache=$("$top/tests/vm/prepare.sh")
kver=$(cat "$cache/kver")
mkdir -p "$results"
rm -f "$results/exit-code" "$results/output.log" "$results/progress"
case "$script" in
    *" "*)
        # The kernel command line splits at spaces: hand a command with arguments over
        # as a script in the results share.
        printf '#!/bin/sh\nexec %s\n' "$script" > "$results/command.sh"
        chmod +x "$results/command.sh"
        script=/results/command.sh
        ;;
esac
set -- -accel tcg,thread=multi -cpu max -smp 2 -m 1536 \
    -kernel "$cache/vmlinuz-$kver" -initrd "$cache/initrd-$kver.cpio.gz" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$results",mount_tag=results,security_model=none \
    -nographic -no-reboot -nodefaults
if [ -n "${BONDSMITH_VM_FORWARD:-}" ]; then
    # restrict=on: the guest reaches nothing outside; only the forwarded port comes in.
    set -- "$@" -netdev "user,id=n0,restrict=on,hostfwd=tcp:${BONDSMITH_VM_FORWARD}-:8080" \
        -device virtio-net-pci,netdev=n0
fi
append="console=ttyS0 quiet panic=-1 test=$script"
if [ -n "${BONDSMITH_VM_INTERACTIVE:-}" ]; then
    timeout --foreground "${BONDSMITH_VM_TIMEOUT:-1500}" qemu-system-x86_64 "$@" -append "$append interactive=1" \
        -serial mon:stdio || true
else
    timeout --foreground "${BONDSMITH_VM_TIMEOUT:-1500}" qemu-system-x86_64 "$@" -append "$append" \
        -serial stdio </dev/null > "$results/console.log" 2>&1 || true
fi
if [ ! -s "$results/exit-code" ]; then
    echo "TEST BED B FAILED: the guest did not boot or the test did not finish. Console:" >&2
    tail -n 40 "$results/console.log" >&2 2>/dev/null || true
    exit 1
fi
[ -n "${BONDSMITH_VM_INTERACTIVE:-}" ] || cat "$results/output.log"
exit "$(cat "$results/exit-code")"
