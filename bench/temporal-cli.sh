#!/bin/sh
# The Temporal CLI for benchmark runs (bench/stack.ts points TEMPORAL_CLI_PATH here when
# DEV_SERVER_EXTRA_ARGS is set): `server start-dev` gets the extra arguments, e.g.
# DEV_SERVER_EXTRA_ARGS="--sqlite-pragma synchronous=off"; everything else goes through as is.
# BENCH_TEMPORAL_CLI is the real binary.
if [ "$1" = "server" ] && [ "$2" = "start-dev" ]; then
  shift 2
  # shellcheck disable=SC2086 # the extra arguments are split on spaces on purpose
  exec "$BENCH_TEMPORAL_CLI" server start-dev "$@" $DEV_SERVER_EXTRA_ARGS
fi
exec "$BENCH_TEMPORAL_CLI" "$@"
