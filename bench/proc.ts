/**
 * What the benchmark reads from /proc: each stack process's resident memory (VmRSS) and CPU
 * time, and the machine's total CPU time, so a report can say which process did the work and
 * whether anything outside the stack competed for the two cores while it ran.
 */
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/** VmRSS of `pid` in bytes; undefined once the process is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds `pid` has used so far (its own threads, not its children). */
export function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // Fields after the command: state is [0], utime is [11], stime is [12] (proc(5) 14 and 15).
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The parent pid of `pid`. */
export function parentPid(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command is in parentheses and may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Direct children of `pid`, from the process table. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    if (parentPid(child) === pid) children.push(child);
  }
  return children;
}

/** Busy and total CPU seconds of the whole machine (all cores) since boot, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  // idle and iowait are not busy.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND };
}

export interface ProcessSample {
  maxRss: number;
  lastRss: number;
  cpuStart: number;
  cpuLast: number;
}

export interface UsageReport {
  /** Per process: peak and last RSS (bytes), CPU seconds used over the window. */
  processes: Record<string, { maxRssBytes: number; lastRssBytes: number; cpuSeconds: number }>;
  /** Wall seconds the window lasted. */
  seconds: number;
  /** Busy CPU seconds of the whole machine over the window, and how many went to processes outside the stack and the bench. */
  machineBusySeconds: number;
  outsideBusySeconds: number;
  cores: number;
}

/**
 * Samples RSS and CPU of named processes every `intervalMs` until `stop()`; `stop()` answers the
 * peak and last RSS of each and the CPU each used, plus the machine's busy time and the part of
 * it spent outside the named processes (and this one), which is interference.
 */
export class UsageSampler {
  private readonly samples = new Map<string, ProcessSample>();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private readonly machineStart = machineCpuSeconds();
  private readonly selfStart = cpuSeconds(process.pid) ?? 0;

  constructor(
    private readonly pids: Record<string, number>,
    intervalMs = 1_000,
  ) {
    for (const [name, pid] of Object.entries(pids)) {
      const cpu = cpuSeconds(pid) ?? 0;
      const rss = residentBytes(pid) ?? 0;
      this.samples.set(name, { maxRss: rss, lastRss: rss, cpuStart: cpu, cpuLast: cpu });
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const sample = this.samples.get(name);
      if (!sample) continue;
      const rss = residentBytes(pid);
      const cpu = cpuSeconds(pid);
      if (rss !== undefined) {
        sample.lastRss = rss;
        sample.maxRss = Math.max(sample.maxRss, rss);
      }
      if (cpu !== undefined) sample.cpuLast = cpu;
    }
  }

  /** Current RSS of one named process (bytes), for progress lines. */
  current(name: string): number | undefined {
    return this.samples.get(name)?.lastRss;
  }

  stop(): UsageReport {
    this.sample();
    clearInterval(this.timer);
    const machineEnd = machineCpuSeconds();
    const processes: UsageReport['processes'] = {};
    let stackCpu = 0;
    for (const [name, sample] of this.samples) {
      const used = sample.cpuLast - sample.cpuStart;
      stackCpu += used;
      processes[name] = { maxRssBytes: sample.maxRss, lastRssBytes: sample.lastRss, cpuSeconds: used };
    }
    const selfCpu = (cpuSeconds(process.pid) ?? 0) - this.selfStart;
    processes.bench = { maxRssBytes: residentBytes(process.pid) ?? 0, lastRssBytes: residentBytes(process.pid) ?? 0, cpuSeconds: selfCpu };
    const machineBusySeconds = machineEnd.busy - this.machineStart.busy;
    return {
      processes,
      seconds: (performance.now() - this.startedAt) / 1000,
      machineBusySeconds,
      outsideBusySeconds: Math.max(0, machineBusySeconds - stackCpu - selfCpu),
      cores: Math.round((machineEnd.total - this.machineStart.total) / ((performance.now() - this.startedAt) / 1000)) || 0,
    };
  }
}
