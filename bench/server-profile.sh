#!/bin/bash
# A CPU profile of the Temporal CLI's dev server while a benchmark runs (issue 7). The CLI's
# binary is stripped and has no profiler endpoint, so this samples it with Linux `perf` (frame
# pointers, which Go keeps) and names the frames from the binary's own Go line table with
# `go tool addr2line`, which reads it from stripped binaries too.
#
#   bash bench/server-profile.sh <seconds> <out folder> [pid]
#
# Without a pid it profiles the newest `temporal server start-dev` running. Writes <out>/perf.data,
# <out>/self.txt and <out>/inclusive.txt (share of samples per Go function, kernel time counted in
# the Go frame that entered it) and <out>/syscalls.txt (what the time in system calls was for).
# Needs perf (linux-perf) and go on PATH, and the right to profile the process (root, or
# kernel.perf_event_paranoid <= 1).
set -euo pipefail
seconds="${1:?usage: server-profile.sh <seconds> <out folder> [pid]}"
out="${2:?usage: server-profile.sh <seconds> <out folder> [pid]}"
pid="${3:-$(pgrep -n -f 'temporal server start-dev' || true)}"
[[ -n "$pid" ]] || { echo "server-profile: no dev server running" >&2; exit 1; }
binary="$(readlink -f "/proc/$pid/exe")"
mkdir -p "$out"
echo "server-profile: sampling pid $pid ($binary) at 199 Hz for $seconds s" >&2
perf record -F 199 -g -p "$pid" -o "$out/perf.data" -- sleep "$seconds" 2>"$out/perf-record.log" >/dev/null
# One address per line, samples apart by a blank line; kernel frames dropped.
perf script -i "$out/perf.data" -F ip,dso 2>/dev/null | grep -v 'kallsyms\|\[vdso\]' | awk 'NF == 0 { print ""; next } { print $1 }' > "$out/stacks.txt"
OUT="$out" BINARY="$binary" python3 - <<'PY'
import collections, os, subprocess
out, binary = os.environ['OUT'], os.environ['BINARY']
# perf gives a non-PIE static binary's addresses relative to its first mapping, which the
# linker puts at 0x400000 on amd64.
base = 0x400000
stacks, cur = [], []
for line in open(f'{out}/stacks.txt'):
    line = line.strip()
    if not line:
        if cur: stacks.append(cur)
        cur = []
    else:
        cur.append(int(line, 16) + base)
if cur: stacks.append(cur)
addrs = sorted({a for s in stacks for a in s})
res = subprocess.run(['go', 'tool', 'addr2line', binary], input=''.join(f'{a:#x}\n' for a in addrs),
                     capture_output=True, text=True, check=True).stdout.split('\n')
name = {a: res[2 * i] for i, a in enumerate(addrs)}
total = len(stacks)
self_, incl, sysc = collections.Counter(), collections.Counter(), collections.Counter()
for s in stacks:
    names = [name[a] for a in s]
    self_[names[0]] += 1
    for n in set(names): incl[n] += 1
    if names[0].startswith(('syscall.', 'internal/runtime/syscall')):
        sysc[' < '.join(n.rsplit('/', 1)[-1] for n in names[1:6])] += 1
def write(file, counter, title):
    with open(f'{out}/{file}', 'w') as f:
        f.write(f'{title}: {total} samples at 199 Hz ({total / 199:.1f} CPU-seconds)\n')
        for k, v in counter.most_common(300): f.write(f'{100 * v / total:6.2f}%  {k}\n')
write('self.txt', self_, 'self')
write('inclusive.txt', incl, 'inclusive')
write('syscalls.txt', sysc, 'system calls, by the five frames above them')
print(f'server-profile: {total} samples ({total / 199:.1f} CPU-seconds); {out}/self.txt, inclusive.txt, syscalls.txt')
PY
