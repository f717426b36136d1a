#!/usr/bin/env python3
"""Evaluates every panel query of grafana-dashboard.json against a running Prometheus and reports, per query,
whether it returns data (at least one series with a value). Grafana's variables are replaced as Grafana would with
"All" selected: $application and $instance by .*, $__range by the --range given, $__rate_interval by --rate.

usage: check-dashboard.py --prometheus http://127.0.0.1:9099 [--allow-empty TITLE ...]
Exit status 1 when a query not allowed to be empty returns no data, or fails."""
import argparse, json, os, sys, urllib.parse, urllib.request

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--prometheus", default="http://127.0.0.1:9099")
parser.add_argument("--dashboard", default=os.path.join(here, "grafana-dashboard.json"))
parser.add_argument("--range", default="10m")
parser.add_argument("--rate", default="30s")
parser.add_argument("--expect-positive", nargs="*", default=[],
                    help="panels (by title) whose value must be above 0, e.g. the failovers of a run that had one")
parser.add_argument("--allow-empty", nargs="*", default=[],
                    help="expressions containing one of these strings may return no data (events that did not happen)")
args = parser.parse_args()

def queries(panels):
    for p in panels:
        yield from queries(p.get("panels", []))
        for t in p.get("targets", []):
            if t.get("expr"):
                yield p.get("title", "?"), t["expr"]

def substitute(expr):
    return (expr.replace("$application", ".*").replace("$instance", ".*")
            .replace("$__range", args.range).replace("$__rate_interval", args.rate))

with open(args.dashboard) as f:
    dashboard = json.load(f)
failed = 0
total = 0
for title, expr in queries(dashboard["panels"]):
    total += 1
    q = substitute(expr)
    url = args.prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except Exception as e:  # a bad query answers 400 with the parser's error
        print(f"FAIL  {title}: {q}\n      {e}")
        failed += 1
        continue
    result = body.get("data", {}).get("result", [])
    values = [s["value"][1] for s in result]
    if values and title in args.expect_positive and not any(float(v) > 0 for v in values):
        print(f"FAIL  {title}: {values} but a value above 0 was expected  [{q}]")
        failed += 1
    elif values:
        print(f"ok    {title}: {len(values)} series, e.g. {values[0]}  [{q}]")
    elif any(a in expr for a in args.allow_empty):
        print(f"empty {title}: no data, allowed (the event did not happen in this run)  [{q}]")
    else:
        print(f"FAIL  {title}: no data  [{q}]")
        failed += 1
print(f"{total - failed} of {total} queries passed")
sys.exit(1 if failed else 0)
