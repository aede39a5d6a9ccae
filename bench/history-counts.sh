#!/bin/bash
# Mean history events, workflow tasks, activities and timers per incident workflow, from a stack
# folder kept by BENCH_KEEP=1 (opens its temporal.sqlite on port 17233 with no worker attached).
# usage: bash bench/history-counts.sh <stack folder> [from seconds] [to seconds]
# With them, only the events from/before that many seconds after the first incident's first event
# count (e.g. from the first warning: the contact minutes less the warning minutes, in seconds, to
# the last due time). Opening the file starts a server that fires the timers then due; give [to]
# when the stack stopped more than a moment before.
cd "$(dirname "$0")/.."
bash bench/fetch-histories.sh "$1" /tmp/hist
SINCE="${2:-}" UNTIL="${3:-}" python3 - <<'PY'
import json,glob,collections,os
from datetime import datetime, timezone
def at(e):
    # RFC 3339, its fraction of a second up to nanoseconds.
    t=e['eventTime'].rstrip('Z'); head,_,frac=t.partition('.')
    return datetime.fromisoformat(head+'+00:00').timestamp()+float('0.'+(frac or '0'))
files=glob.glob('/tmp/hist/*.json'); tot=collections.Counter(); acts=collections.Counter()
histories=[json.load(open(f))['events'] for f in files]
first=min(at(ev[0]) for ev in histories)
since=first+float(os.environ['SINCE'] or 0)
until=first+float(os.environ['UNTIL']) if os.environ['UNTIL'] else float('inf')
last=max(at(e) for ev in histories for e in ev if at(e)<until)
print('counting from', datetime.fromtimestamp(since, timezone.utc).isoformat(), 'to', datetime.fromtimestamp(last, timezone.utc).isoformat())
for ev in histories:
    ev=[e for e in ev if since<=at(e)<until]
    tot['events']+=len(ev)
    for e in ev:
        tot[e['eventType']]+=1
        if 'activityTaskScheduledEventAttributes' in e: acts[e['activityTaskScheduledEventAttributes']['activityType']['name']]+=1
n=len(files); print('incidents',n)
for k in ['events','EVENT_TYPE_WORKFLOW_TASK_COMPLETED','EVENT_TYPE_ACTIVITY_TASK_SCHEDULED','EVENT_TYPE_TIMER_STARTED']: print(k, round(tot[k]/n,1))
for k,v in acts.most_common(): print(' ',k, round(v/n,1))
PY
