#!/usr/bin/env python3
"""Adds translated messages to po/de.po and po/fr.po and their msgids to po/bondsmith.pot.

Input: a JSON file of [{"ref": "path", "msgid": ..., "de": ..., "fr": ...}, ...]; a plural
entry has "plural" and lists of forms for "de" and "fr".
A msgid a catalog already has is left alone. (meson's bondsmith-update-po does the same from
the sources, but needs a configured build directory; this keeps the catalogs complete in one
step when strings are added.)
"""
import json
import sys


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def add(path, entries, lang):
    text = open(path, encoding="utf-8").read()
    out = []
    for e in entries:
        if "\nmsgid " + quote(e["msgid"]) + "\n" in text:
            continue
        if "plural" in e:
            forms = e[lang] if lang else ["", ""]
            strs = "".join(f"msgstr[{i}] {quote(f)}\n" for i, f in enumerate(forms))
            out.append(f"\n#: {e['ref']}\nmsgid {quote(e['msgid'])}\nmsgid_plural {quote(e['plural'])}\n{strs}")
            continue
        msgstr = e[lang] if lang else ""
        out.append(f"\n#: {e['ref']}\nmsgid {quote(e['msgid'])}\nmsgstr {quote(msgstr)}\n")
    with open(path, "a", encoding="utf-8") as f:
        f.write("".join(out))
    return len(out)


entries = json.load(open(sys.argv[1], encoding="utf-8"))
for lang in ("de", "fr"):
    print(lang, add(f"po/{lang}.po", entries, lang))
print("pot", add("po/bondsmith.pot", entries, None))
