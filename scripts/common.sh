# Shared by the scripts: where things are, and a check for the Rust toolchain.
top=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

need_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    command -v cargo >/dev/null 2>&1 || {
        echo "cargo is missing: install Rust 1.92 or newer with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    }
}
