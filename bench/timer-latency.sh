#!/bin/bash
# Where a timer's work waits, from a stack folder kept by BENCH_KEEP=1: for every timer that fired
# in a sample of the incidents (every Nth, default 25), how late the server fired it, how long its
# workflow task waited to be picked up by the worker, and how long the task ran (replay, local
# activities, completion), as percentiles per 2-minute band of the run and over the breach window.
# usage: bash bench/timer-latency.sh <stack folder> [every Nth incident] [window from s] [window to s]
cd "$(dirname "$0")/.."
bash bench/fetch-histories.sh "$1" /tmp/timer-latency "${2:-25}" 100000
FROM="${3:-660}" TO="${4:-1330}" python3 - <<'PY'
import json, glob, os
from datetime import datetime
def at(e):
    t = e['eventTime'].rstrip('Z'); head, _, frac = t.partition('.')
    return datetime.fromisoformat(head + '+00:00').timestamp() + float('0.' + (frac or '0'))
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))]
rows = []
files = glob.glob('/tmp/timer-latency/*.json')
for f in files:
    ev = json.load(open(f))['events']
    started = {}
    for e in ev:
        a = e.get('timerStartedEventAttributes')
        if a: started[a['timerId']] = at(e) + float(a['startToFireTimeout'].rstrip('s'))
    for i, e in enumerate(ev):
        a = e.get('timerFiredEventAttributes')
        if not a: continue
        ws = wc = None
        for x in ev[i + 1:]:
            if ws is None and x['eventType'] == 'EVENT_TYPE_WORKFLOW_TASK_STARTED': ws = at(x)
            if ws is not None and x['eventType'] == 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED': wc = at(x); break
        if ws is not None and wc is not None:
            rows.append((started[a['timerId']], at(e) - started[a['timerId']], ws - at(e), wc - ws))
first = min(r[0] for r in rows)
print(f'{len(files)} incidents sampled, {len(rows)} timers fired; seconds from the first timer due')
print('band     timers  fired late p50/p99  task waited p50/p99  task ran p50/p99  sum p50/p99/max (ms)')
for lo in range(0, int(max(r[0] for r in rows) - first) + 120, 120):
    b = [r for r in rows if lo <= r[0] - first < lo + 120]
    if not b: continue
    s = [r[1] + r[2] + r[3] for r in b]
    c = lambda k: f'{q([r[k] for r in b], .5)*1000:5.0f}/{q([r[k] for r in b], .99)*1000:5.0f}'
    print(f'{lo:5d}  {len(b):7d}  {c(1):>18}  {c(2):>19}  {c(3):>16}  {q(s,.5)*1000:5.0f}/{q(s,.99)*1000:5.0f}/{max(s)*1000:5.0f}')
w = [r for r in rows if float(os.environ['FROM']) <= r[0] - first <= float(os.environ['TO'])]
for name, k in [('fired late', 1), ('task waited', 2), ('task ran', 3)]:
    v = [r[k] for r in w]
    print(f'window {name:12s} p50 {q(v,.5)*1000:6.0f} ms  p95 {q(v,.95)*1000:6.0f}  p99 {q(v,.99)*1000:6.0f}  max {max(v)*1000:6.0f}')
PY
