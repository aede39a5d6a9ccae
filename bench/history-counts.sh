#!/bin/bash
# Mean history events, workflow tasks, activities and timers per incident workflow, from a stack
# folder kept by BENCH_KEEP=1 (opens its temporal.sqlite on port 17233 with no worker attached).
# usage: bash bench/history-counts.sh <stack folder>
cd "$(dirname "$0")/.."
T=".temporal/bin/temporal --address 127.0.0.1:17233"
(.temporal/bin/temporal server start-dev --db-filename $1/temporal.sqlite --port 17233 --ui-port 18233 --headless > /tmp/probe-srv.log 2>&1 &)
sleep 6
rm -rf /tmp/hist; mkdir -p /tmp/hist
for id in $($T workflow list --query "WorkflowType='incidentWorkflow'" --limit 100 -o json | python3 -c "import json,sys; print(' '.join(w['execution']['workflowId'] for w in json.load(sys.stdin)))"); do
  $T workflow show -w $id -o json > /tmp/hist/$id.json
done
pkill -f "port 17233"
python3 - <<'PY'
import json,glob,collections
files=glob.glob('/tmp/hist/*.json'); tot=collections.Counter(); acts=collections.Counter()
for f in files:
    ev=json.load(open(f))['events']
    tot['events']+=len(ev)
    for e in ev:
        tot[e['eventType']]+=1
        if 'activityTaskScheduledEventAttributes' in e: acts[e['activityTaskScheduledEventAttributes']['activityType']['name']]+=1
n=len(files); print('incidents',n)
for k in ['events','EVENT_TYPE_WORKFLOW_TASK_COMPLETED','EVENT_TYPE_ACTIVITY_TASK_SCHEDULED','EVENT_TYPE_TIMER_STARTED']: print(k, round(tot[k]/n,1))
for k,v in acts.most_common(): print(' ',k, round(v/n,1))
PY
