"""The slowest tests of a suite, from its JUnit XML reports (pytest --junitxml, Maven's surefire and
failsafe reports, Playwright's junit reporter), for `atelier test`'s summary.

    python3 slowest_tests.py N PATH...   (a PATH is a report, or a folder of TEST-*.xml reports)

Prints up to N lines `  SECONDS  CLASS::TEST`, slowest first; nothing when there is no report.
"""

from __future__ import annotations

import glob
import os
import sys
import xml.etree.ElementTree as ET


def reports(paths: list[str]) -> list[str]:
    found: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found += sorted(glob.glob(os.path.join(p, "TEST-*.xml")))
        elif os.path.isfile(p):
            found.append(p)
    return found


def cases(path: str) -> list[tuple[float, str]]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return []
    out = []
    for case in root.iter("testcase"):
        try:
            seconds = float(case.get("time") or 0)
        except ValueError:
            continue
        cls = (case.get("classname") or "").rsplit(".", 1)[-1]
        out.append((seconds, f"{cls}::{case.get('name')}" if cls else str(case.get("name"))))
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    n = int(argv[0])
    every = [c for r in reports(argv[1:]) for c in cases(r)]
    for seconds, name in sorted(every, key=lambda c: -c[0])[:n]:
        print(f"  {seconds:7.1f}s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
