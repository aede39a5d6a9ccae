#!/bin/bash
# Fetches the incident workflows' histories of a stack folder kept by BENCH_KEEP=1 into <out>, one
# JSON file each: opens its temporal.sqlite on port 17233 with no worker attached (which fires the
# timers then due), takes every Nth incident of at most <limit>, and stops that server.
# usage: bash bench/fetch-histories.sh <stack folder> <out> [every Nth, 1] [limit, 100]
cd "$(dirname "$0")/.."
T=".temporal/bin/temporal --address 127.0.0.1:17233"
(.temporal/bin/temporal server start-dev --db-filename $1/temporal.sqlite --port 17233 --ui-port 18233 --headless > /tmp/fetch-histories-srv.log 2>&1 &)
sleep 8
rm -rf "$2"; mkdir -p "$2"
for id in $($T workflow list --query "WorkflowType='incidentWorkflow'" --limit "${4:-100}" -o json | EVERY="${3:-1}" python3 -c "import json,os,sys; l=json.load(sys.stdin); print(' '.join(w['execution']['workflowId'] for w in l[::int(os.environ['EVERY'])]))"); do
  $T workflow show -w $id -o json > "$2/$id.json"
done
pkill -f "port 17233"
