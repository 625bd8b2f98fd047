#!/usr/bin/python3
"""The failover result as a screen reader reads it: run by tests/gui_vm.rs in test bed B's
guest, over AT-SPI, against its own window (BONDSMITH_A11Y_PID) once a real failover test on
a real bond has finished. It fails on a focusable widget without a name on that screen, and
unless the verdict and the result rows carry the figures as text:

    failover_result.py OUTAGE_MS LOST SENT
"""
import re
import sys

import pyatspi

import screen_reader as sr

outage, lost, sent = sys.argv[1:4]
a = sr.app()
bad = sr.unnamed(a)
for b in bad:
    sr.fail(f"failover result: focusable widget without a name: {b}")

descriptions = []
rows = {}
for node, _ in sr.walk(a):
    try:
        d = node.description or ""
        if d:
            descriptions.append(d)
        if node.getRole() == pyatspi.ROLE_LIST_ITEM and node.name:
            rows[node.name] = sr.text_of(node)
    except Exception:
        pass

want = f"Outage {outage} ms, {lost} of {sent} probes lost"
if any(d.startswith(want) for d in descriptions):
    print(f"ok: the verdict's description reads: {next(d for d in descriptions if d.startswith(want))}")
else:
    sr.fail(f"no accessible description starts with '{want}'; descriptions: {descriptions[:8]}")
row = rows.get("Longest Outage", "")
if re.search(rf"\b{outage} ms\b", row):
    print(f"ok: the Longest Outage row reads: {row}")
else:
    sr.fail(f"the Longest Outage row reads '{row}', not {outage} ms; rows: {list(rows)[:12]}")
if sr.failures:
    sys.exit(f"{len(sr.failures)} failure(s) in the failover result's accessible text")
print("the failover result reads as text")
