#!/usr/bin/env python3
"""Table 1 of the CONSENT paper per billing month, and mean +- sample sd over months.

Reads the summary.json files that `evmech v2b negotiate` wrote (one per directory given; each
may hold several billing months) and prints Markdown: one table per month, the mean +- sd table,
and the paper's orderings checked per month.

    python3 scripts/consent-months.py OUT_CALTECH OUT_JPL
"""
import json
import statistics
import sys

ROWS = ["building-only", "uncoordinated-free", "smart-free", "smart-fixed", "smart-utility",
        "menu", "consent", "consent-no-reject"]
PAPER_ORDER = ["smart-utility", "smart-fixed", "consent-no-reject", "consent", "menu",
               "building-only", "smart-free", "uncoordinated-free"]


def months_of(paths):
    """{(site, month): {row: {building, usd_per_kwh, user_usd, reject}}}"""
    out = {}
    for path in paths:
        summary = json.load(open(f"{path}/summary.json"))
        site = path.rstrip("/").split("/")[-1]
        for row, body in summary.items():
            for m in body["months"]:
                u = m.get("users", {})
                out.setdefault((site, m["month"]), {})[row] = {
                    "building": m["building_cost_usd"],
                    "usd_per_kwh": u.get("user_cost_usd_per_kwh", 0.0),
                    "user_usd": m["payments_usd"],
                    "reject": u.get("reject_pct", 0.0),
                }
    return out


def fmt(x, digits=2):
    return f"{x:,.{digits}f}"


def main(paths):
    months = months_of(paths)
    rows = [r for r in ROWS if any(r in v for v in months.values())]
    print("| month | " + " | ".join(rows) + " |")
    print("|---|" + "---|" * len(rows))
    for (site, month), v in sorted(months.items()):
        cells = [fmt(v[r]["building"]) if r in v else "-" for r in rows]
        print(f"| {site} {month} | " + " | ".join(cells) + " |")
    print()
    print("| # | policy | building USD/mo | user USD/kWh | user USD/mo | reject % |")
    print("|---|---|---|---|---|---|")
    for i, r in enumerate(ROWS, 1):
        vals = [v[r] for v in months.values() if r in v]
        if not vals:
            continue
        def ms(key, digits=2):
            xs = [x[key] for x in vals]
            sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
            return f"{fmt(statistics.mean(xs), digits)} ± {fmt(sd, digits)}"
        print(f"| {i} | {r} | {ms('building')} | {ms('usd_per_kwh', 3)} | {ms('user_usd')} | {ms('reject')} |")
    print()
    print("Checks per month (CONSENT = consent row):")
    for (site, month), v in sorted(months.items()):
        got = sorted((r for r in PAPER_ORDER if r in v), key=lambda r: v[r]["building"])
        checks = []
        if "consent" in v and "smart-free" in v:
            checks.append("consent <= smart-free: " + str(v["consent"]["building"] <= v["smart-free"]["building"]))
        if "consent" in v and "menu" in v:
            checks.append("consent price < menu price: " + str(v["consent"]["usd_per_kwh"] < v["menu"]["usd_per_kwh"]))
            checks.append("consent rejects < menu rejects: " + str(v["consent"]["reject"] < v["menu"]["reject"]))
        if "consent" in v:
            checks.append("consent price >= 0: " + str(v["consent"]["usd_per_kwh"] >= 0))
        print(f"- {site} {month}: order {' < '.join(got)}; " + "; ".join(checks))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
