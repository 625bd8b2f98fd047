"""The checks behind tests/flatpak/check.sh; run by Debian's /usr/bin/python3 (3.11: tomllib).

  sources.py shown SHOWN.json MANIFEST SOURCES   the manifest as flatpak-builder read it
  sources.py finish-args MANIFEST                 exactly the six permissions
  sources.py lock CARGO.LOCK SOURCES              every locked crate, with its checksum
  sources.py vendor SOURCES DIR DOWNLOADS CRATE_CACHE...
                                                  lay the sources into DIR as flatpak-builder does

Each prints what it checked and exits 1 with the reason when a check fails.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
import urllib.request

MODULE = "bondsmith"
FINISH_ARGS = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--system-talk-name=org.freedesktop.NetworkManager",
}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path} as JSON: {e}")


def module(manifest, where):
    mods = [m for m in manifest.get("modules", []) if isinstance(m, dict) and m.get("name") == MODULE]
    if len(mods) != 1:
        fail(f"{where}: expected one module named {MODULE!r}, found {len(mods)}")
    return mods[0]


def shown(shown_path, manifest_path, sources_path):
    """flatpak-builder exits 0 even when it cannot load a sources file (it warns and drops
    the module's sources), so compare what it read with what is committed."""
    got = load_json(shown_path)
    raw = load_json(manifest_path)
    sources = load_json(sources_path)
    if not isinstance(sources, list) or not sources:
        fail(f"{sources_path}: not a non-empty list of sources")
    for key, want in [("id", "io.github.bondsmith.Bondsmith"), ("runtime", "org.gnome.Platform"),
                      ("sdk", "org.gnome.Sdk"), ("command", "bondsmith")]:
        if got.get(key) != want:
            fail(f"shown manifest: {key} is {got.get(key)!r}, expected {want!r}")
    if got.get("runtime-version") != raw.get("runtime-version"):
        fail("shown manifest: runtime-version differs from the file's")
    if "org.freedesktop.Sdk.Extension.rust-stable" not in got.get("sdk-extensions", []):
        fail("shown manifest: the rust-stable SDK extension is missing")
    if "/usr/lib/sdk/rust-stable/bin" not in got.get("build-options", {}).get("append-path", ""):
        fail("shown manifest: build-options.append-path lacks /usr/lib/sdk/rust-stable/bin")
    mod = module(got, "shown manifest")
    if mod.get("buildsystem") != "meson":
        fail(f"shown manifest: module {MODULE} builds with {mod.get('buildsystem')!r}, not meson")
    if "-Dprofile=release" not in mod.get("config-opts", []):
        fail("shown manifest: config-opts lack -Dprofile=release")
    src = mod.get("sources", [])
    if len(src) != len(sources) + 2:
        fail(f"shown manifest: module {MODULE} has {len(src)} sources; expected the project dir, "
             f"the {len(sources)} of {os.path.basename(sources_path)} and the cargo config step "
             f"(did flatpak-builder fail to load the sources file?)")
    if src[0].get("type") != "dir" or src[0].get("path") != "..":
        fail(f"shown manifest: the first source is {src[0]!r}, expected the project dir ..")
    if "target" not in src[0].get("skip", []):
        fail("shown manifest: the project dir source must skip target/ (host build output)")
    if src[1:-1] != sources:
        fail(f"shown manifest: the sources flatpak-builder loaded differ from {sources_path}")
    cmds = src[-1].get("commands", []) if src[-1].get("type") == "shell" else []
    if not any("cargo/config" in c and ".cargo/config.toml" in c for c in cmds):
        fail("shown manifest: the last source must append cargo/config to .cargo/config.toml")
    print(f"manifest: flatpak-builder loaded it with {len(sources)} cargo sources; "
          f"{got['runtime']}//{got['runtime-version']}, meson, rust-stable")


def finish_args(manifest_path):
    args = load_json(manifest_path).get("finish-args", [])
    if len(args) != len(set(args)):
        fail(f"finish-args has duplicates: {args}")
    if set(args) != FINISH_ARGS:
        extra = sorted(set(args) - FINISH_ARGS)
        missing = sorted(FINISH_ARGS - set(args))
        fail(f"finish-args: unexpected {extra}, missing {missing}")
    print(f"finish-args: exactly the {len(FINISH_ARGS)} expected")


def lock(lock_path, sources_path):
    with open(lock_path, "rb") as f:
        packages = tomllib.load(f).get("package", [])
    sources = load_json(sources_path)
    archives = {s.get("dest"): s for s in sources if s.get("type") == "archive"}
    checksums = {s.get("dest"): s for s in sources
                 if s.get("type") == "inline" and s.get("dest-filename") == ".cargo-checksum.json"}
    crates = [p for p in packages if p.get("source", "").startswith("registry+") and "checksum" in p]
    if not crates:
        fail(f"{lock_path} has no registry crates")
    problems = []
    for p in crates:
        dest = f"cargo/vendor/{p['name']}-{p['version']}"
        a = archives.get(dest)
        if a is None:
            problems.append(f"{p['name']} {p['version']}: no archive source")
            continue
        if a.get("sha256") != p["checksum"]:
            problems.append(f"{p['name']} {p['version']}: sha256 {a.get('sha256')} != lock {p['checksum']}")
        c = checksums.get(dest)
        if c is None or json.loads(c.get("contents", "{}")).get("package") != p["checksum"]:
            problems.append(f"{p['name']} {p['version']}: .cargo-checksum.json missing or wrong")
    extra = set(archives) - {f"cargo/vendor/{p['name']}-{p['version']}" for p in crates}
    problems += [f"{d}: in the sources, not in Cargo.lock" for d in sorted(extra)]
    if problems:
        fail(f"{sources_path} does not match {lock_path}:\n  " + "\n  ".join(problems))
    print(f"lock: all {len(crates)} registry crates of Cargo.lock are in the sources, checksums equal")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(src, downloads, caches):
    """The archive's file: a cached .crate with the right sha256 (cargo's registry cache,
    CACHE/*/NAME-VERSION.crate, or an earlier download), else a download into DOWNLOADS."""
    name = os.path.basename(src["url"])
    earlier = os.path.join(downloads, name)
    if os.path.isfile(earlier) and sha256(earlier) == src["sha256"]:
        return earlier, False
    for cache in caches:
        for d in sorted(os.listdir(cache)) if os.path.isdir(cache) else []:
            p = os.path.join(cache, d, name)
            if os.path.isfile(p) and sha256(p) == src["sha256"]:
                return p, False
    os.makedirs(downloads, exist_ok=True)
    out = earlier + ".part"
    try:
        with urllib.request.urlopen(src["url"], timeout=60) as r, open(out, "wb") as f:
            shutil.copyfileobj(r, f)
    except OSError as e:
        fail(f"download of {src['url']} failed: {e}")
    got = sha256(out)
    if got != src["sha256"]:
        fail(f"{src['url']}: sha256 {got}, the sources say {src['sha256']}")
    os.replace(out, earlier)
    return earlier, True


def inside(root, dest):
    path = os.path.normpath(os.path.join(root, dest or "."))
    if path != root and not path.startswith(root + os.sep):
        fail(f"source dest {dest!r} leaves the build directory")
    return path


def vendor(sources_path, root, downloads, caches):
    """Apply the sources in order, like flatpak-builder does into a module's build dir."""
    root = os.path.abspath(root)
    counts = {}
    downloaded = 0
    for src in load_json(sources_path):
        kind = src.get("type")
        counts[kind] = counts.get(kind, 0) + 1
        dest = inside(root, src.get("dest"))
        if kind == "archive":
            if src.get("archive-type", "tar-gzip") != "tar-gzip":
                fail(f"archive-type {src.get('archive-type')!r} is not handled")
            path, new = fetch(src, downloads, caches)
            downloaded += new
            os.makedirs(dest, exist_ok=True)
            strip = src.get("strip-components", 1)
            subprocess.run(["tar", "-xzf", path, f"--strip-components={strip}", "-C", dest],
                           check=True)
        elif kind == "inline":
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, src["dest-filename"]), "w", encoding="utf-8") as f:
                f.write(src["contents"])
        elif kind == "git":
            os.makedirs(dest, exist_ok=True)
            for cmd in (["init", "-q"], ["fetch", "-q", "--depth=1", src["url"], src["commit"]],
                        ["checkout", "-q", src["commit"]]):
                subprocess.run(["git", "-C", dest, *cmd], check=True)
        elif kind == "shell":
            for cmd in src.get("commands", []):
                subprocess.run(["sh", "-c", cmd], cwd=root, check=True)
        else:
            fail(f"source type {kind!r} is not handled by this check")
    print(f"vendor: {counts} into {root} ({downloaded} crates downloaded, the rest from caches)")


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if cmd == "shown" and len(args) == 3:
        shown(*args)
    elif cmd == "finish-args" and len(args) == 1:
        finish_args(*args)
    elif cmd == "lock" and len(args) == 2:
        lock(*args)
    elif cmd == "vendor" and len(args) >= 3:
        vendor(args[0], args[1], args[2], args[3:])
    else:
        fail(f"usage: {__doc__}")


if __name__ == "__main__":
    main(sys.argv)
