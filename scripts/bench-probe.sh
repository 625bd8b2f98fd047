#!/bin/sh
# Benchmark (figures, not a test): the prober's send-time jitter (p50/p99 of actual minus
# scheduled send time) at 10 ms and 1 ms and its CPU time per minute, beside iputils
# `ping -i 0.002` measured the same way; natively against loopback in a private network
# namespace, then in test bed B's guest (TCG).
#   scripts/bench-probe.sh [SECONDS]   (as root)
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"
secs=${1:-10}
need_cargo
cargo build --locked -q -p bondkit --example probe_bench
bench="$top/target/debug/examples/probe_bench"
inner="ip link set lo up && sysctl -q -w net.ipv4.ping_group_range='0 2147483647'"
echo "   goal: p99 send jitter well under the interval; CPU a small fraction of a core"
echo "== native (this host, loopback)"
unshare -n sh -c "$inner && for ms in 10 1; do $bench 127.0.0.1 \$ms $secs; done"
echo "== test bed B guest (QEMU TCG)"
script=$(mktemp /tmp/bench-probe.XXXXXX.sh)
cat > "$script" <<EOS
#!/bin/sh
unshare -n sh -c "$inner && for ms in 10 1; do $bench 127.0.0.1 \\\$ms $secs; done"
EOS
chmod +x "$script"
"$top/tests/vm/run.sh" "$script"
rm -f "$script"
