#!/bin/sh
# Benchmark (not a test): kernel link event -> bondkit model re-read, natively on this host,
# in a scratch network namespace with a veth pair. Prints p50/p99 and idle wake-ups.
# Real bonds are measured in the VM tier (test bed B), whose output prints the same figure.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"
"$top/scripts/deps.sh" nm
need_cargo
cargo build --locked --release -p bondkit --example link_events_bench
ns="bsm-bench-$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link add bench0 type veth peer name bench1
ip -n "$ns" link set bench1 up
ip netns exec "$ns" "$top/target/release/examples/link_events_bench" "${1:-100}"
