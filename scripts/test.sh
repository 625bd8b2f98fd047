#!/bin/sh
# Runs Bondsmith's tests. With no argument, every tier; or name tiers to run just those:
#   lint   cargo fmt --check and cargo clippy -D warnings
#   unit   library and CLI unit tests (no daemon needed)
#   nm     bondkit and bondctl against a real NetworkManager (test bed A), plus the
#          differential test of option validation
# Needs root: test bed A creates network namespaces.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"

tiers=${*:-lint unit nm}
"$top/scripts/deps.sh" nm
need_cargo

for tier in $tiers; do
    echo "== tier: $tier"
    case "$tier" in
        lint)
            cargo fmt --all -- --check
            cargo clippy --workspace --all-targets --locked -- -D warnings
            ;;
        unit)
            cargo test --workspace --locked --lib --bins
            ;;
        nm)
            [ "$(id -u)" = 0 ] || { echo "The nm tier needs root for network namespaces; run it with sudo." >&2; exit 1; }
            cargo test -p bondkit --locked --test nm_integration
            cargo test -p bondkit --locked --test nm_differential
            ;;
        *)
            echo "unknown tier '$tier' (lint, unit or nm)" >&2
            exit 2
            ;;
    esac
done
echo "== all requested tiers passed: $tiers"
