#!/usr/bin/env bash
# Fuzzes the API against its own OpenAPI document (issue 6, "Inputs"): starts the real stack
# (`scripts/start.ts`: Temporal dev server on a throw-away SQLite file, worker, API) on free
# ports, runs a bounded Schemathesis run against /openapi.json, and reports the case count.
# Fails (exit 1) on any 5xx or any response that breaks the document.
#
#   scripts/fuzz-api.sh                     # 20 examples per operation, 5 minutes at most
#   FUZZ_MAX_EXAMPLES=50 FUZZ_MAX_TIME=600 scripts/fuzz-api.sh
#
# Schemathesis comes from PyPI, pinned, into a git-ignored venv under .temporal/.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-20}"
MAX_TIME="${FUZZ_MAX_TIME:-300}"
SEED="${FUZZ_SEED:-}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.temporal/fuzz-venv"
cd "$root"

say() { printf '[fuzz] %s\n' "$*"; }

# ---- Schemathesis, pinned ------------------------------------------------------------------------
if [[ "$("$venv/bin/st" --version 2>/dev/null || true)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  say "installing schemathesis==$SCHEMATHESIS_VERSION into ${venv#"$root"/}"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# ---- the real stack on free ports, in a throw-away folder -----------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
work="$(mktemp -d "${TMPDIR:-/tmp}/fuzz-api-XXXXXX")"
port="$(free_port)"
engine_pid=""

stop() {
  if [[ -n "$engine_pid" ]] && kill -0 "$engine_pid" 2>/dev/null; then
    kill -INT "$engine_pid" 2>/dev/null || true
    for _ in $(seq 1 80); do kill -0 "$engine_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$engine_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

# R-SEC-2: the fuzzer calls with a manager's key (adopted by npm start through API_KEY_MANAGER), so
# it reaches the incident handlers; operations of other roles answer their documented 403.
api_key="cie_$(python3 -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))')"
say "starting the engine (API on port $port; log in $work/engine.log)"
# No rate limit: the fuzzer's burst must reach the handlers.
env -u RATE_LIMIT_PER_MINUTE -u RATE_LIMIT_BURST \
  PORT="$port" \
  TEMPORAL_DEV_PORT="$(free_port)" \
  TEMPORAL_UI_PORT="$(free_port)" \
  TEMPORAL_DB_FILE="$work/temporal.sqlite" \
  OUTBOX_FILE="$work/outbox.jsonl" \
  SENT_LEDGER_FILE="$work/sent-ledger.jsonl" \
  CUSTOMER_NOTICES_FILE="$work/customer-notices.jsonl" \
  ARCHIVE_DATABASE="$work/archive.sqlite" \
  API_KEY_MANAGER="$api_key" \
  ACK_LINK_SECRET="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(16))')" \
  node --import tsx scripts/start.ts >"$work/engine.log" 2>&1 &
engine_pid=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 180); do
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" == 200 ]]; then break; fi
  if ! kill -0 "$engine_pid" 2>/dev/null; then tail -50 "$work/engine.log"; say "the engine died while starting"; exit 1; fi
  sleep 0.5
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" == 200 ]] || { tail -50 "$work/engine.log"; say "the engine did not become healthy"; exit 1; }

# ---- the run --------------------------------------------------------------------------------------
report="$work/report"
say "schemathesis: $MAX_EXAMPLES examples per operation, at most ${MAX_TIME}s"
status=0
# The run is bounded by the examples per operation; `timeout` is the hard stop (Schemathesis'
# own --max-time would instead keep fuzzing until the budget is spent). One worker: Hypothesis'
# source introspection is not thread-safe on every CPython (an AST SystemError with 4).
# Run from the throw-away folder: Schemathesis' example database stays out of the repository.
(cd "$work" && timeout --signal=INT --kill-after=30 "$MAX_TIME" "$venv/bin/st" run "$base/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,ignored_auth \
  --phases examples,coverage,fuzzing \
  --max-examples "$MAX_EXAMPLES" \
  --header "Authorization: Bearer $api_key" \
  --request-timeout 20 \
  --workers 1 \
  ${SEED:+--seed "$SEED"} \
  --report junit --report-junit-path "$report.xml" \
  --no-color) 2>&1 | tee "$work/schemathesis.log" || status=${PIPESTATUS[0]}
# What the note reports: how many cases ran, and whether any failed.
grep -E '^ +[0-9]+ generated' "$work/schemathesis.log" | sed 's/^ */[fuzz] test cases: /' || true

# Engine-side 5xx leave a trace in the API's log even when a response looked fine.
if grep -q 'unexpected error' "$work/engine.log"; then
  say "the API logged unexpected errors:"
  grep -A3 'unexpected error' "$work/engine.log" | head -40
  status=1
fi
if [[ "$status" == 124 ]]; then say "stopped after ${MAX_TIME}s (FUZZ_MAX_TIME)"; fi
if [[ -n "${FUZZ_KEEP_LOG:-}" ]]; then cp "$work/engine.log" "$FUZZ_KEEP_LOG"; fi
exit "$status"
