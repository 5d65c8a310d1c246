"""The summary tables of bench/endpoints.py, as Markdown (the form of bench/README.md's results)."""

from __future__ import annotations


def report_latency(results: list, rates: list) -> None:
    if not results:
        return
    by = {(r["peer"], r["rate"]): r for r in results}
    print("\n| rate | peer | p50 us | p99 us | p99.9 us | added over direct (p50 / p99 / p99.9) | router JVM pauses |")
    print("|---:|---|---:|---:|---:|---|---|")
    for rate in rates:
        direct = by[("direct", rate)]
        for peer in ("direct", "router", "nginx"):
            r = by[(peer, rate)]
            added = "" if peer == "direct" else " / ".join(
                f"{r[k] - direct[k]:+.0f}" for k in ("p50_us", "p99_us", "p999_us"))
            failed = f" ({r['failed']} failed)" if r["failed"] else ""
            print(f"| {rate} | {peer} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | {r['p999_us']:.0f} | {added}{failed} "
                  f"| {_pauses(r)} |")


def report_rest(saturation: list, scenarios: list) -> None:
    if saturation:
        by = {p["peer"]: p for p in saturation}
        direct = by.get("direct", {}).get("rps") or 0
        print(f"\nSaturation ({saturation[0]['workers']} vegeta workers, {saturation[0]['seconds']:.0f} s a path):\n")
        print("| peer | requests/s | of direct | p50 us | p99 us | failed | router JVM pauses |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for peer in ("direct", "router", "nginx"):
            if peer in by:
                p = by[peer]
                share = f"{p['rps'] / direct:.2f}" if direct else "-"
                print(f"| {peer} | {p['rps']:.0f} | {share} | {p['p50_us']:.0f} | {p['p99_us']:.0f} | {p['failed']} "
                      f"| {_pauses(p)} |")
    for s in scenarios:
        if s["scenario"] == "update":
            print(f"\nUpdateEndpoint at {s['rate']} requests/s ({s['seconds']} s of load; asked {s['asked']}, "
                  f"applied {s['applied']}; {s['update_seconds']} s from the call to InService on the new config"
                  + (f"; phases {' -> '.join(s['phases'])}" if s["phases"] else "") + "):")
            _failures(s)
            if s.get("note"):
                print(f"  note: {s['note']}")
        elif s["scenario"] == "weights":
            print(f"\nWeight change at {s['rate']} requests/s (Blue 1 / Green 1 -> 0 / 1 -> 1 / 1; "
                  f"{s['change_seconds']} s each to InService):")
            _failures(s)
        elif s["scenario"] == "capture":
            print(f"\nData capture at 100% ({s['workers']} vegeta workers, {s['seconds']} s a round, best of "
                  f"{len(s['rounds']['off'])}):\n")
            print("| capture | requests/s | p50 us | p99 us | failed |")
            print("|---|---:|---:|---:|---:|")
            for peer in ("off", "on"):
                best = max(s["rounds"][peer], key=lambda p: p["rps"])
                print(f"| {peer} | {best['rps']:.0f} | {best['p50_us']:.0f} | {best['p99_us']:.0f} | {best['failed']} |")
            print(f"\non / off = {s['on_over_off']}; captured {s['captured']}, uploaded {s['uploaded']}, "
                  f"dropped {s['dropped']}, pending {s['pending']}")


def _pauses(r: dict) -> str:
    """``3, longest 12.1 ms (ParallelCollectForAllocation)`` for the router's points."""
    if "pauses" not in r:
        return ""
    if not r["pauses"]:
        return "none"
    return (f"{r['pauses']}, {r['pause_total_us'] / 1000:.1f} ms in all, longest {r['pause_max_us'] / 1000:.1f} ms "
            f"({r['pause_max_reason']})")


def _failures(s: dict) -> None:
    codes = ", ".join(f"{n} x {code}" for code, n in sorted(s["by_status"].items())) or "none"
    print(f"  {s['failed']} of {s['requests']} requests not 2xx ({codes})")
    if s.get("windows"):
        print("  by window: " + "; ".join(f"{w['window']}: {w['failed']} of {w['requests']}" for w in s["windows"]))
    for e in s["errors"]:
        print(f"  e.g. {e}")
    shifts = _shifts(s.get("by_second") or {})
    if shifts:
        print(f"  answered by, per second: {shifts}")


def _shifts(by_second: dict) -> str:
    """The seconds where the answering variants changed, e.g. ``0-4 Blue; 5 Blue 420 Green 80; 6- Green``."""
    spans: list[tuple[int, int, str]] = []
    for second, counts in by_second.items():
        second = int(second)
        label = " ".join(f"{v} {n}" for v, n in sorted(counts.items())) if len(counts) > 1 else next(iter(counts))
        if spans and spans[-1][2] == label and len(counts) == 1:
            spans[-1] = (spans[-1][0], second, label)
        else:
            spans.append((second, second, label))
    return "; ".join(f"{a}" + (f"-{b}" if b != a else "") + f" s {label}" for a, b, label in spans)
