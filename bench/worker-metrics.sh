#!/usr/bin/env bash
# Samples the worker's SDK-core metrics (WORKER_METRICS_ADDRESS, bench/worker-tuning.cjs) while a
# benchmark runs, and prints per interval what the worker's cache and workflow tasks did:
#
#   WORKER_METRICS_ADDRESS=127.0.0.1:9464 … npm run bench &
#   bash bench/worker-metrics.sh 127.0.0.1:9464 /tmp/metrics.txt 30     # samples until the endpoint goes away
#   bash bench/worker-metrics.sh --report /tmp/metrics.txt               # the table, from the samples
#
# Each sample is the endpoint's counters and histogram sums/counts, each line prefixed with the
# sample's epoch second. The report gives, per interval: workflow tasks completed, sticky-cache
# hits and misses (a miss is a task for an incident the cache did not hold: its whole history is
# fetched and replayed), the mean execution time, and the mean schedule-to-start wait.
set -euo pipefail

if [[ "${1:-}" == "--report" ]]; then
  samples="${2:?usage: worker-metrics.sh --report <samples file>}"
  awk '
    function value(name) { return (name in cur) ? cur[name] : 0 }
    function flush() {
      if (prev_t != "") {
        dt = t - prev_t
        tasks = value("temporal_workflow_task_execution_latency_count") - prev["temporal_workflow_task_execution_latency_count"]
        hits = value("temporal_sticky_cache_hit") - prev["temporal_sticky_cache_hit"]
        misses = value("temporal_sticky_cache_miss") - prev["temporal_sticky_cache_miss"]
        exec_ms = value("temporal_workflow_task_execution_latency_sum") - prev["temporal_workflow_task_execution_latency_sum"]
        waits = value("temporal_workflow_task_schedule_to_start_latency_count") - prev["temporal_workflow_task_schedule_to_start_latency_count"]
        wait_ms = value("temporal_workflow_task_schedule_to_start_latency_sum") - prev["temporal_workflow_task_schedule_to_start_latency_sum"]
        printf "| %s | %d | %d | %d | %d | %s | %s | %s |\n", strftime("%H:%M:%S", t, 1), dt, tasks, hits, misses, \
          (hits + misses) ? sprintf("%.0f%%", 100 * misses / (hits + misses)) : "–", \
          tasks ? sprintf("%.1f", exec_ms / tasks) : "–", \
          waits ? sprintf("%.1f", wait_ms / waits) : "–"
      }
      for (name in cur) prev[name] = cur[name]
      prev_t = t
      delete cur
    }
    BEGIN {
      print "| sample (UTC) | s | workflow tasks | cache hits | misses | miss share | execution ms (mean) | schedule-to-start ms (mean) |"
      print "| --- | --- | --- | --- | --- | --- | --- | --- |"
    }
    {
      if ($1 != t && t != "") flush()
      t = $1
      name = $2; sub(/\{.*/, "", name)
      # Counters and histogram sums/counts summed over their labels (task queues, sticky or not).
      cur[name] += $NF
    }
    END { if (t != "") flush() }
  ' "$samples"
  exit 0
fi

address="${1:?usage: worker-metrics.sh <host:port> <samples file> [seconds=30]}"
out="${2:?usage: worker-metrics.sh <host:port> <samples file> [seconds=30]}"
every="${3:-30}"
misses=0
while (( misses < 10 )); do
  if body="$(curl -sf --max-time 5 "http://${address}/metrics")"; then
    misses=0
    now="$(date +%s)"
    grep -E '^temporal_(sticky_cache_(hit|miss|size|total_forced_eviction)|workflow_task_(execution|schedule_to_start)_latency_(sum|count)|workflow_completed|workflow_task_execution_failed)' <<<"$body" \
      | sed "s/^/${now} /" >>"$out" || true
  else
    misses=$((misses + 1))
  fi
  sleep "$every"
done
