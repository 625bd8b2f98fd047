#!/bin/sh
# The demo: Bondsmith against a private, real NetworkManager that manages four virtual NICs
# (eno1..eno4, veth pairs whose far ends sit on a bridge with 10.77.0.1). The host's own
# network and system bus are never touched. Everything is torn down on exit.
#
#   sudo scripts/demo.sh              an interactive shell where bondctl talks to the demo NM
#   sudo scripts/demo.sh ARGS...      run one bondctl command against it
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"

"$top/scripts/deps.sh" nm
need_cargo
cargo build --locked --release -p bondkit --bin bondctl
[ "$(id -u)" = 0 ] || { echo "The demo needs root to create its network namespaces; run it with sudo." >&2; exit 1; }

state=${BONDSMITH_DEMO_DIR:-/tmp/bondsmith-demo}
cleanup() { "$top/tests/testbed/nm-testbed.sh" stop "$state"; }
trap cleanup EXIT INT TERM
bus=$("$top/tests/testbed/nm-testbed.sh" start "$state" eno1 eno2 eno3 eno4)
export "$bus"
export PATH="$top/target/release:$PATH"

if [ $# -gt 0 ]; then
    bondctl "$@"
    exit $?
fi
cat <<MSG

Bondsmith demo: a private NetworkManager manages eno1..eno4 (virtual NICs). Try:
  bondctl devices
  bondctl create bond0 --mode active-backup --port eno1 --port eno2 --option miimon=100 \\
      --ipv4 10.77.0.20/24 --gateway 10.77.0.1 --dry-run
  bondctl create bond0 --mode 802.3ad --port eno1 --port eno2 --option lacp_rate=fast --no-activate
  bondctl show bond0 --json
  nmcli connection            (the real nmcli sees the same daemon)
Exit the shell to stop the demo.

MSG
PS1='bondsmith-demo# ' sh -i
