#!/bin/sh
# Test bed B, part 2: boot Debian's kernel under QEMU (TCG) with the host root shared
# read-only, run SCRIPT inside, and exit with its exit code. Its output is printed and kept
# in RESULTS/output.log. Fails loudly when the guest cannot boot.
#   run.sh SCRIPT [RESULTS_DIR]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
script=${1:?usage: run.sh SCRIPT [RESULTS_DIR]}
results=${2:-$(mktemp -d /tmp/bondsmith-vm.XXXXXX)}
case "$script" in /*) ;; *) script="$(pwd)/$script" ;; esac
cache=$("$top/tests/vm/prepare.sh")
kver=$(cat "$cache/kver")
mkdir -p "$results"
rm -f "$results/exit-code" "$results/output.log"
timeout "${BONDSMITH_VM_TIMEOUT:-1500}" qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu max -smp 2 -m 1536 \
    -kernel "$cache/vmlinuz-$kver" -initrd "$cache/initrd-$kver.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 test=$script" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$results",mount_tag=results,security_model=none \
    -nographic -no-reboot -nodefaults -serial stdio </dev/null > "$results/console.log" 2>&1 || true
if [ ! -s "$results/exit-code" ]; then
    echo "TEST BED B FAILED: the guest did not boot or the test did not finish. Console:" >&2
    tail -n 40 "$results/console.log" >&2
    exit 1
fi
cat "$results/output.log"
exit "$(cat "$results/exit-code")"
