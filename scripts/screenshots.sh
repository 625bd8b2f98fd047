#!/bin/sh
# Makes the screenshots the metainfo and README use (data/screenshots/*.png) by running the
# GUI tests under Xvfb against test bed A: empty state, create form, review, keep dialog,
# a conflict at its field, an error, the narrow layout and the German and French UI.
set -eu
. "$(dirname "$0")/common.sh"
cd "$top"
"$top/scripts/deps.sh" gui
need_cargo
cargo build --locked -p bondkit --bin bondctl
BONDSMITH_SCREENSHOTS="$top/data/screenshots" xvfb-run -a -s "-screen 0 1280x1024x24" \
    cargo test --locked -p bondsmith --test gui
ls -1 "$top/data/screenshots"
