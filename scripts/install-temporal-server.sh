#!/usr/bin/env bash
# Builds a real Temporal server (not the CLI's dev server) and its SQL schema tool from the Go
# module proxy, for the benchmark's PostgreSQL persistence (BENCH_TEMPORAL=postgres,
# bench/postgres-temporal.ts). Nothing is downloaded from GitHub: `go install` fetches the module
# go.temporal.io/server and its dependencies from GOPROXY.
#
#   bash scripts/install-temporal-server.sh
#
# Idempotent: a binary already built for the pinned version (stamp file beside it) is kept.
# Settings (environment):
#   TEMPORAL_SERVER_VERSION   module version, default v1.32.2
#   TEMPORAL_SERVER_GOTOOLCHAIN  Go toolchain for the build, default go1.27.3 (v1.32.2's go.mod
#                             asks for go >= 1.26.10; the proxy serves the toolchain as a module)
#   TEMPORAL_SERVER_BIN       where the binaries go, default <repo>/.temporal/server-bin
#   TEMPORAL_SERVER_BUILD_JOBS  go build -p, default 1 (the benchmarks run on the same cores)
# Prints `temporal-server: <path>`, `temporal-sql-tool: <path>` and `temporal-schema: <dir>`
# (the module's schema folder, which the schema tool reads) as its last lines.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="${TEMPORAL_SERVER_VERSION:-v1.32.2}"
toolchain="${TEMPORAL_SERVER_GOTOOLCHAIN:-go1.27.3}"
bin="${TEMPORAL_SERVER_BIN:-$root/.temporal/server-bin}"
jobs="${TEMPORAL_SERVER_BUILD_JOBS:-1}"

command -v go >/dev/null || { echo "install-temporal-server: no 'go' on PATH" >&2; exit 1; }
export GOTOOLCHAIN="$toolchain"
export GOBIN="$bin"
# A build outside any module: no go.mod of the repository is involved.
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
mkdir -p "$bin"

build() { # <package path> <binary name that go install produces> <name to install as>
  local pkg="$1" built="$2" name="$3"
  local stamp="$bin/.$name-$version"
  if [[ -x "$bin/$name" && -f "$stamp" ]]; then return 0; fi
  echo "install-temporal-server: building $pkg@$version with $toolchain (go build -p $jobs, nice 19)" >&2
  local started=$SECONDS
  (cd / && nice -n 19 go install -p "$jobs" "$pkg@$version")
  if [[ "$built" != "$name" ]]; then mv -f "$bin/$built" "$bin/$name"; fi
  rm -f "$bin/.$name-"*
  touch "$stamp"
  echo "install-temporal-server: $name built in $((SECONDS - started)) s" >&2
}

build go.temporal.io/server/cmd/server server temporal-server
build go.temporal.io/server/cmd/tools/sql sql temporal-sql-tool

modcache="$(GOFLAGS= go env GOMODCACHE)"
schema="$modcache/go.temporal.io/server@$version/schema"
# Binaries built earlier but the module cache cleaned since: fetch the module (its schema files) again.
if [[ ! -d "$schema/postgresql" ]]; then (cd / && go mod download "go.temporal.io/server@$version" >&2); fi
[[ -d "$schema/postgresql" ]] || { echo "install-temporal-server: no schema folder at $schema" >&2; exit 1; }

echo "temporal-server: $bin/temporal-server"
echo "temporal-sql-tool: $bin/temporal-sql-tool"
echo "temporal-schema: $schema"
