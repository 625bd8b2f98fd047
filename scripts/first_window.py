#!/usr/bin/python3
"""Milliseconds from starting a command to its first window being mapped on $DISPLAY.

    first_window.py RUNS COMMAND [ARG...]

Listens for MapNotify on the root window (python3-xlib), so it measures what a user sees
(the window appearing), for any program. Prints the median and each run; the command is
stopped after its window is up.
"""
import select
import statistics
import subprocess
import sys
import time

from Xlib import X, display

runs, cmd = int(sys.argv[1]), sys.argv[2:]
d = display.Display()
root = d.screen().root
root.change_attributes(event_mask=X.SubstructureNotifyMask)
d.sync()
times = []
for _ in range(runs):
    while d.pending_events():
        d.next_event()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = None
    while seen is None:
        if time.monotonic() - t0 > 30:
            p.kill()
            sys.exit(f"first_window: {cmd[0]} showed no window within 30 s")
        if not d.pending_events():
            select.select([d.fileno()], [], [], 0.05)
        while d.pending_events():
            ev = d.next_event()
            if ev.type == X.MapNotify and not ev.override:
                seen = time.monotonic()
                break
    times.append((seen - t0) * 1000)
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    time.sleep(0.3)
print(f"{statistics.median(times):7.0f} ms median  (runs: {' '.join(f'{t:.0f}' for t in times)})")
