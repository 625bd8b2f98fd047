#!/bin/sh
# Benchmark (not a test): wall time of `bondctl create` (bond + 2 ports) beside the seed's
# nmcli sequence (`nmcli con add` x3) on the same real NetworkManager (test bed A), and the
# ratio. Goal: ratio <= 0.5. Profiles are created with --no-activate (this kernel may have no
# bonding driver) and deleted between rounds, outside the timing.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"
rounds=${1:-30}
"$top/scripts/deps.sh" nm
need_cargo
cargo build --locked --release -p bondkit --bin bondctl
state=$(mktemp -d /tmp/bondsmith-bench.XXXXXX)
trap '"$top/tests/testbed/nm-testbed.sh" stop "$state"; rm -rf "$state"' EXIT INT TERM
export "$("$top/tests/testbed/nm-testbed.sh" start "$state" eno1 eno2)"
bondctl="$top/target/release/bondctl"

now() { date +%s%N; }
clean() { for uuid in $(nmcli -g UUID,TYPE connection show | grep -v ":loopback$" | cut -d: -f1); do nmcli connection delete "$uuid" >/dev/null; done; }

t_bondctl=""; t_nmcli=""
i=0
while [ $i -lt "$rounds" ]; do
    i=$((i + 1))
    a=$(now)
    "$bondctl" create bond0 --mode active-backup --port eno1 --port eno2 --option miimon=100 --no-activate >/dev/null 2>&1
    b=$(now)
    clean
    c=$(now)
    nmcli con add type bond ifname bond0 con-name bond0 bond.options "mode=active-backup,miimon=100" >/dev/null
    nmcli con add type ethernet ifname eno1 master bond0 con-name bond0-eno1 >/dev/null
    nmcli con add type ethernet ifname eno2 master bond0 con-name bond0-eno2 >/dev/null
    d=$(now)
    clean
    t_bondctl="$t_bondctl $(( (b - a) / 1000 ))"
    t_nmcli="$t_nmcli $(( (d - c) / 1000 ))"
done

median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mb=$(median "$t_bondctl"); mn=$(median "$t_nmcli")
echo "rounds: $rounds (medians, wall time)"
echo "bondctl create (bond + 2 ports, checkpointed): $((mb / 1000)).$(( (mb % 1000) / 100 )) ms"
echo "nmcli con add x3 (seed sequence):               $((mn / 1000)).$(( (mn % 1000) / 100 )) ms"
awk -v a="$mb" -v b="$mn" 'BEGIN { printf "ratio bondctl/nmcli: %.2f (goal <= 0.50)\n", a / b }'
