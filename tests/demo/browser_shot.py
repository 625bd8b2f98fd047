#!/usr/bin/python3
"""Opens a Broadway page in headless Chromium and saves a screenshot once the app has drawn.

    browser_shot.py URL OUT.png [TIMEOUT_S]

Talks to Chromium over its DevTools protocol (python3-websocket). "Drawn" means GTK's
Broadway client has put a surface of at least 300x200 px into the page and the page has
stopped changing for two seconds. Exits 1, saying why, when that does not happen in time.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

url, out = sys.argv[1], sys.argv[2]
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 180
chromium = shutil.which("chromium") or "/usr/bin/chromium"
profile = tempfile.mkdtemp(prefix="bondsmith-chromium-")
port = 9300 + os.getpid() % 500
cmd = [chromium, "--headless=new", "--disable-gpu", "--no-first-run",
       "--remote-debugging-address=127.0.0.1", f"--remote-debugging-port={port}",
       f"--user-data-dir={profile}", "--window-size=1280,960", "about:blank"]
if os.geteuid() == 0:
    cmd.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
browser = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fail(why):
    print(f"browser_shot: {why}", file=sys.stderr)
    browser.kill()
    sys.exit(1)


try:
    deadline = time.time() + 30
    while True:
        try:
            pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
            page = next(p for p in pages if p.get("type") == "page")
            break
        except Exception:
            if time.time() > deadline or browser.poll() is not None:
                fail("Chromium's DevTools endpoint did not come up")
            time.sleep(0.3)
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
    ids = iter(range(1, 1 << 30))

    def call(method, **params):
        n = next(ids)
        ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            msg = json.loads(ws.recv())
            if msg.get("id") == n:
                if "error" in msg:
                    fail(f"{method}: {msg['error']}")
                return msg.get("result", {})

    call("Page.enable")
    call("Page.navigate", url=url)
    # The biggest element GTK's client put into the page, and how many there are.
    probe = """(() => { let big = 0, n = 0;
        for (const e of document.body ? document.body.querySelectorAll('*') : []) {
            n++; const r = e.getBoundingClientRect();
            if (r.width >= 300 && r.height >= 200) big++; }
        return JSON.stringify([big, n]); })()"""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while True:
        try:
            r = call("Runtime.evaluate", expression=probe, returnByValue=True)
            state = json.loads(r.get("result", {}).get("value", "[0,0]"))
        except websocket.WebSocketTimeoutException:
            # The page is still loading from a slow (emulated) server: ask again.
            state = last or [0, 0]
        if state != last:
            last, since = state, time.time()
        if state[0] > 0 and state[1] > 20 and time.time() - since >= 2:
            break
        if time.time() > deadline:
            fail(f"the app did not draw into {url} within {timeout:.0f} s (page elements: {state})")
        time.sleep(0.5)
    shot = call("Page.captureScreenshot", format="png")
    import base64
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"browser_shot: {url} drawn ({state[1]} elements); saved {out}")
finally:
    browser.kill()
    browser.wait()
    shutil.rmtree(profile, ignore_errors=True)
