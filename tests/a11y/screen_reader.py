#!/usr/bin/python3
"""Bondsmith as a screen reader sees it, over AT-SPI (python3-pyatspi), and driven with the
keyboard only (xdotool key events into the X display, never a pointer).

    screen_reader.py SHOTDIR

Runs against the app that tests/a11y/run.sh started (GTK_A11Y=atspi, a private session bus
with at-spi2-core's registry, test bed A's NetworkManager). It
  1. walks every screen a user reaches (bond list, bond page, its export dialog, Check a
     Draft with a finding, create form, Preferences) and
     fails on any focusable widget without a name (or with only a GTK type name, which is
     what GTK 4.8 falls back to); a list item may take its name from its text, as Orca reads it;
  2. checks that the bond's state is there as text (the bond page's labels);
  3. creates a bond with Tab, arrows, space and Enter alone, and checks it through nmcli.
"""
import itertools
import os
import re
import subprocess
import sys
import time

import pyatspi

SHOTS = sys.argv[1] if len(sys.argv) > 1 else None
TYPE_NAME = re.compile(r"^(Gtk|Adw)[A-Z]\w*$")
MNEMONIC = re.compile(r"(^|\s)_[^_\s]")
failures = []


def fail(msg):
    print("FAIL:", msg, flush=True)
    failures.append(msg)


def app():
    """The app on the AT-SPI bus: bondsmith, or the process BONDSMITH_A11Y_PID names (a GUI
    test binary that runs the window in itself)."""
    pid = os.environ.get("BONDSMITH_A11Y_PID")
    deadline = time.time() + 30
    while time.time() < deadline:
        for a in pyatspi.Registry.getDesktop(0):
            try:
                if a is not None and (str(a.get_process_id()) == pid if pid else a.name == "bondsmith"):
                    return a
            except Exception:
                pass
        time.sleep(0.2)
    sys.exit("FAIL: no application named bondsmith on the AT-SPI bus in 30 s "
             "(GTK_A11Y=atspi, at-spi2-core's bus launcher on the session bus)")


def children(acc):
    try:
        return [c for c in acc if c is not None]
    except Exception:
        return []


def walk(acc, path=()):
    """Yields (accessible, path) for the whole subtree."""
    try:
        label = f"{acc.getRoleName()} '{(acc.name or '')[:40]}'"
    except Exception:
        return
    here = path + (label,)
    yield acc, here
    for c in children(acc):
        yield from walk(c, here)


def text_of(acc):
    """What Orca would read for a list item without a name: the names of its labels."""
    parts = []
    for node, _ in walk(acc):
        try:
            if node.getRole() == pyatspi.ROLE_LABEL and node.name:
                parts.append(node.name)
        except Exception:
            pass
    return " ".join(parts)


def labelled_by(node):
    """The names of the widgets a LABELLED_BY relation points to (Orca reads those)."""
    names = []
    try:
        for rel in node.getRelationSet():
            if rel.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                for i in range(rel.getNTargets()):
                    t = rel.getTarget(i)
                    if t is not None and t.name:
                        names.append(t.name)
    except Exception:
        pass
    return " ".join(names)


def unnamed(root):
    """Focusable, visible widgets a screen reader has no proper name for."""
    bad = []
    for node, path in walk(root):
        try:
            st = node.getState()
            name = (node.name or "").strip()
            role = node.getRole()
        except Exception:
            continue
        if not (st.contains(pyatspi.STATE_FOCUSABLE) and st.contains(pyatspi.STATE_VISIBLE)):
            continue
        where = " > ".join(path[-4:])
        if MNEMONIC.search(name):
            bad.append(f"{where} (read with its mnemonic underscore)")
            continue
        if name and not TYPE_NAME.match(name):
            continue
        if labelled_by(node):
            continue
        if role == pyatspi.ROLE_LIST_ITEM and text_of(node):
            continue
        bad.append(where)
    return bad


def check_screen(what):
    a = app()
    bad = unnamed(a)
    count = sum(1 for n, _ in walk(a) if safe_focusable(n))
    if bad:
        for b in bad:
            fail(f"{what}: focusable widget without a name: {b}")
    else:
        print(f"ok: {what}: all {count} focusable widgets have a name", flush=True)
    shot(what)


def safe_focusable(n):
    try:
        return n.getState().contains(pyatspi.STATE_FOCUSABLE)
    except Exception:
        return False


def shot(what):
    if SHOTS:
        name = "a11y-" + re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-") + ".png"
        subprocess.run(["/usr/bin/import", "-window", "root", os.path.join(SHOTS, name)],
                       check=False)


def focus_window(holding=None):
    """Gives the keyboard to the app's window that holds a widget named `holding` (a dialog
    that just opened), or to its main window, as a window manager would; Xvfb has none.
    Waits for that window to be mapped and active."""
    deadline = time.time() + 20
    while time.time() < deadline:
        pid = str(app().get_process_id())
        ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", pid],
                             capture_output=True, text=True).stdout.split()
        # X window ids grow: the newest window (a dialog) has the highest.
        if ids and (holding is None or len(ids) > 1):
            wid = max(ids, key=int) if holding else min(ids, key=int)
            subprocess.run(["xdotool", "windowfocus", "--sync", wid], check=False)
            time.sleep(0.3)
            if holding is None or find(holding, dialogs_only=True) is not None:
                return
        time.sleep(0.3)
    sys.exit(f"FAIL: no window holding /{holding}/ took the keyboard in 20 s")


def key(*keys):
    subprocess.run(["xdotool", "key", "--delay", "60", *keys], check=True)
    time.sleep(0.4)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "60", text], check=True)
    time.sleep(0.4)


def active_window():
    """The app's window that has the keyboard (a dialog over the main window, say)."""
    for w in children(app()):
        try:
            if w.getState().contains(pyatspi.STATE_ACTIVE):
                return w
        except Exception:
            pass
    return app()


def focused_in_dialogs():
    """The focused widget of a small window (a dialog), without walking the main window."""
    for nodes in dialogs():
        for node, _ in nodes:
            try:
                if node.getState().contains(pyatspi.STATE_FOCUSED):
                    return node
            except Exception:
                pass
    return None


def focused():
    for node, path in walk(active_window()):
        try:
            if node.getState().contains(pyatspi.STATE_FOCUSED):
                return node
        except Exception:
            pass
    return None


def describe(node):
    if node is None:
        return "nothing"
    try:
        return f"{node.getRoleName()} '{node.name}'"
    except Exception:
        return "a vanished widget"


def tab_to(pattern, limit=60, back=False, window=None):
    """Presses Tab (or Shift+Tab) until the focused widget's name matches, as a screen reader
    user listens for it; fails with the names heard on the way. With `window` (a pattern
    naming a widget in a dialog), the keyboard is handed back to that dialog before each key,
    as a window manager keeps it on a modal dialog (without one, the main window takes it
    back whenever it updates)."""
    heard = []
    if window:
        focus_window(holding=window)
    for _ in range(limit):
        node = focused_in_dialogs() if window else focused()
        try:
            if node is not None and re.search(pattern, node.name or ""):
                print(f"  focus on {describe(node)}", flush=True)
                return node
        except Exception:
            pass
        heard.append(describe(node))
        key("shift+Tab" if back else "Tab")
    sys.exit(f"FAIL: Tab never reached /{pattern}/; heard: " + ", ".join(heard[:8]) + " … " + ", ".join(heard[-4:]))


def arrow_to(pattern, limit=10):
    """Presses Down until the focused item reads as `pattern` (Up first, to the top)."""
    heard = []
    for _ in range(limit):
        node = focused()
        said = f"{getattr(node, 'name', '') or ''} {text_of(node) if node else ''}"
        if re.search(pattern, said):
            print(f"  focus on {describe(node)}: {said.strip()}", flush=True)
            return node
        heard.append(said.strip())
        key("Down")
    sys.exit(f"FAIL: the arrows never reached /{pattern}/; heard: " + ", ".join(heard))


def wait_for(what, cond, secs=20):
    deadline = time.time() + secs
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.3)
    sys.exit(f"FAIL: timed out waiting for {what}")


def find(pattern, role=None, dialogs_only=False):
    """The first widget named like `pattern`. With `dialogs_only`, only small windows are
    searched (a dialog has a few dozen widgets, the main window hundreds, and every node
    costs D-Bus round trips), which is what a dialog with a countdown needs."""
    if not dialogs_only:
        return find_in(app(), pattern, role)
    for nodes in dialogs():
        hit = match(nodes, pattern, role)
        if hit is not None:
            return hit
    return None


DIALOG_SIZE = 150


def dialogs():
    """The app's windows other than the main one (named Bondsmith, its title), each with its
    nodes, when small: walking the main window costs seconds that a countdown does not have."""
    out = []
    for w in children(app()):
        try:
            if w.name == "Bondsmith":
                continue
        except Exception:
            continue
        nodes = list(itertools.islice(walk(w), DIALOG_SIZE))
        if len(nodes) < DIALOG_SIZE:
            out.append(nodes)
    return out


def match(nodes, pattern, role=None):
    for node, _ in nodes:
        try:
            if re.search(pattern, node.name or "") and (role is None or node.getRole() == role):
                return node
        except Exception:
            pass
    return None


def find_in(root, pattern, role=None):
    for node, _ in walk(root):
        try:
            if re.search(pattern, node.name or "") and (role is None or node.getRole() == role):
                return node
        except Exception:
            pass
    return None


def review_text():
    node = find(r"^The change as nmcli commands$")
    if node is None:
        return None
    try:
        t = node.queryText()
        text = t.getText(0, t.characterCount)
    except Exception:
        return None
    return text if "nmcli" in text else None


def nmcli(*args):
    return subprocess.run(["nmcli", *args], capture_output=True, text=True).stdout


def main():
    # The window must have the keyboard: a window manager-less Xvfb gives it on map.
    wait_for("the bond list", lambda: find(r"^bondx$"))
    focus_window()
    check_screen("Bond list")

    # The bond page, opened from its row with the keyboard.
    tab_to(r"^bondx$")
    key("Return")
    wait_for("the bond page", lambda: find(r"^Bond Status$"))
    time.sleep(1)
    check_screen("Bond page")
    state = [n.name for n, _ in walk(app()) if safe_role(n) == pyatspi.ROLE_LABEL and n.name]
    joined = " | ".join(state)
    if re.search(r"not active|inactive|Not Active|Inactive", joined, re.I):
        print("ok: the bond page says the bond's state in text", flush=True)
    else:
        fail("the bond page has no label saying whether bondx is active; labels: " + joined[:400])

    # Export… from the bond page: the dialog's widgets, then Escape closes it.
    tab_to(r"^Export")
    key("Return")
    wait_for("the export dialog", lambda: find(r"^Preview$", dialogs_only=True))
    focus_window(holding=r"^Preview$")
    check_screen("Export dialog")
    key("Escape")
    wait_for("the export dialog to close", lambda: not find(r"^Preview$", dialogs_only=True))
    focus_window()
    tab_to(r"^Back$")
    key("Return")
    wait_for("the bond list again", lambda: find(r"^Bonds$"))

    # Check a Draft, from the main menu (F10): a draft typed in, its finding read as text.
    key("F10")
    arrow_to(r"Check a Draft")
    key("Return")
    wait_for("the draft page", lambda: find(r"^Draft$"))
    type_text('nmcli con add type bond ifname bond8 bond.options "mode=1,miimon=100,lacp_rate=fast"')
    finding = wait_for("the draft's finding", lambda: find(r"only works in mode 802.3ad"))
    print(f"ok: the draft's finding reads as text: {finding.name[:90]}", flush=True)
    check_screen("Check a Draft")
    key("Escape")
    wait_for("the bond list after the draft", lambda: find(r"^Bonds$"))

    # Preferences (Ctrl+comma), then back with Escape.
    key("ctrl+comma")
    wait_for("Preferences", lambda: find(r"^Redundancy Alerts$"))
    focus_window(holding=r"^Redundancy Alerts$")
    check_screen("Preferences")
    key("Escape")
    wait_for("Preferences to close", lambda: not find(r"^Redundancy Alerts$"))
    focus_window()

    # Create a bond with the keyboard alone: Tab to Create Bond, Enter, type, arrows, space.
    tab_to(r"^Create Bond$")
    key("Return")
    wait_for("the create form", lambda: find(r"^Bond name$"))
    time.sleep(0.5)
    check_screen("Create form")
    tab_to(r"^Bond name$")
    type_text("bond7")
    mode = tab_to(r"^Mode")
    key("Return")           # opens the mode list
    time.sleep(0.5)
    arrow_to(r"802\.3ad")
    key("Return")
    time.sleep(0.5)
    for port in ("eno1", "eno2"):
        tab_to(rf"^{port}$")
        key("space")
    tab_to(r"Bring Up")
    key("space")            # this host's kernel has no bonding: create only
    shot("Create form filled by keyboard")
    tab_to(r"^Review Changes$", limit=150)
    key("Return")
    review = wait_for("the review", lambda: review_text(), secs=10)
    if "nmcli connection add type bond con-name bond7" in review and "mode=802.3ad" in review:
        print("ok: the review reads as text: " + review.splitlines()[0][:90] + " …", flush=True)
    else:
        fail("the review text does not hold bond7's nmcli commands: " + review[:300])
    tab_to(r"^Apply$", limit=150)
    key("Return")
    # The keep dialog: its default answer is Keep; Enter gives it.
    # It rolls back by itself after a few seconds: answer it without dawdling.
    wait_for("the keep dialog",
             lambda: find(r"^Keep$", pyatspi.ROLE_PUSH_BUTTON, dialogs_only=True), secs=30)
    seen = time.time()
    tab_to(r"^Keep$", window=r"^Keep$")
    key("Return")
    print(f"  answered the keep dialog {time.time() - seen:.1f} s after it was found", flush=True)
    out = wait_for("bond7 in NetworkManager",
                   lambda: "bond7" in nmcli("-t", "-f", "NAME", "connection", "show") and
                   nmcli("-t", "-f", "NAME", "connection", "show"), secs=30)
    opts = nmcli("-g", "bond.options", "connection", "show", "bond7").strip()
    ports = sorted(l.split(":")[0] for l in nmcli("-t", "-f", "NAME,TYPE", "connection", "show").splitlines()
                   if l.startswith("bond7-"))
    if "mode=802.3ad" in opts and ports == ["bond7-eno1", "bond7-eno2"]:
        print(f"ok: keyboard-only creation: bond7 ({opts}) over {', '.join(ports)}", flush=True)
    else:
        fail(f"keyboard-only creation gave bond.options '{opts}' and ports {ports}; connections:\n{out}")
    shot("After keyboard creation")

    if failures:
        sys.exit(f"{len(failures)} accessibility failure(s)")
    print("screen reader checks passed", flush=True)


def safe_role(n):
    try:
        return n.getRole()
    except Exception:
        return None


if __name__ == "__main__":
    main()
