#!/bin/sh
# The demo without the bonding driver, end to end, as a newcomer meets it: scripts/demo.sh
# --vm boots test bed B with NetworkManager and the app inside, drawn by Broadway; headless
# Chromium opens the address the demo prints and takes a screenshot once the app has drawn
# (target/screenshots/demo-broadway.png). Then the demo is stopped (with SIGTERM: a
# background job ignores Ctrl-C's SIGINT), and nothing of it may be left running.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
shots=${BONDSMITH_SCREENSHOTS:-$top/target/screenshots}
mkdir -p "$shots"
fail() { echo "DEMO TEST FAILED: $*" >&2; [ -f "$log" ] && sed 's/^/  demo: /' "$log" | tail -n 40 >&2; exit 1; }
log=$(mktemp /tmp/bondsmith-demo-test.XXXXXX)

BONDSMITH_DEMO_NO_BUILD=1 setsid "$top/scripts/demo.sh" --vm > "$log" 2>&1 < /dev/null &
demo=$!
trap 'kill -TERM "-$demo" 2>/dev/null || true' EXIT

i=0
url=""
while [ -z "$url" ]; do
    url=$(sed -n 's|.*Open \(http://127\.0\.0\.1:[0-9]*/\) in a browser.*|\1|p' "$log")
    kill -0 "$demo" 2>/dev/null || fail "the demo stopped before it printed an address"
    i=$((i + 1)); [ $i -lt 900 ] || fail "no address after 900 s"
    sleep 1
done
echo "demo: ready after ${i} s at $url; progress lines: $(grep -c '^\[' "$log")"
grep -q "Booting Debian's kernel" "$log" || fail "no progress line while booting"
/usr/bin/python3 "$top/tests/demo/browser_shot.py" "$url" "$shots/demo-broadway.png" 300 || fail "Chromium did not see the app"
colors=$(/usr/bin/convert "$shots/demo-broadway.png" -format %k info:)
echo "demo: screenshot $shots/demo-broadway.png has $colors colours"
[ "$colors" -ge 40 ] || fail "the screenshot is nearly blank ($colors colours)"

# Stopped, the demo stops its virtual machine and leaves nothing behind.
kill -TERM "-$demo"
i=0
while kill -0 "$demo" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 60 ] || fail "the demo did not stop within 60 s of SIGTERM"
    sleep 1
done
trap - EXIT
port=${url#http://127.0.0.1:}
port=${port%/}
! ss -ltnH "sport = :$port" | grep -q . || fail "port $port still listens after the demo stopped"
! pgrep -f "bondsmith-demo-vm" >/dev/null || fail "a virtual machine of the demo is still running"
rm -f "$log"
echo "demo without bonding: ok"
