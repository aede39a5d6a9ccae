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

/**
 * CPU seconds of `pid` itself plus those of its children that have exited and been waited for
 * (cutime and cstime, proc(5) 16 and 17). Summed over every live process of a tree, this counts
 * each process of the tree once, including the ones that are gone (a database's backends).
 */
export function cpuSecondsWithReapedChildren(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Proportional set size of `pid` in bytes (`Pss` of /proc/<pid>/smaps_rollup): its private pages
 * plus its share of the pages it shares, so the PSS of several processes adds up to the memory
 * they hold together (a database's shared buffers counted once, not once per backend).
 */
export function proportionalBytes(pid: number): number | undefined {
  try {
    const match = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
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

/**
 * Several processes sampled as one figure (the Temporal server and its PostgreSQL), in named
 * parts whose members are looked up again at each sample (database backends come and go). A
 * group's memory is the sum of its members' PSS, its CPU the sum of their own and reaped children's.
 */
export interface ProcessGroup {
  parts: Record<string, () => number[]>;
}

/** What a sampled name stands for: one process, or a group. */
export type SampleTarget = number | ProcessGroup;

export interface ProcessUsage {
  maxRssBytes: number;
  lastRssBytes: number;
  cpuSeconds: number;
  /** A group's parts, each measured the same way; not counted again in the machine's totals. */
  parts?: Record<string, { maxRssBytes: number; lastRssBytes: number; cpuSeconds: number }>;
  /** How the memory figures were taken: VmRSS of one process, or the PSS summed over a group. */
  memory?: 'rss' | 'pss-sum';
}

export interface UsageReport {
  /** Per process (or group): peak and last RSS (bytes), CPU seconds used over the window. */
  processes: Record<string, ProcessUsage>;
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
  /** Samples of each group's parts, by `<group>\0<part>`. */
  private readonly partSamples = new Map<string, ProcessSample>();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private readonly machineStart = machineCpuSeconds();
  private readonly selfStart = cpuSeconds(process.pid) ?? 0;

  constructor(
    private readonly targets: Record<string, SampleTarget>,
    intervalMs = 1_000,
  ) {
    for (const [name, target] of Object.entries(targets)) {
      if (typeof target === 'number') {
        this.samples.set(name, fresh(cpuSeconds(target) ?? 0, residentBytes(target) ?? 0));
        continue;
      }
      let cpu = 0;
      let memory = 0;
      for (const [part, pids] of Object.entries(target.parts)) {
        const measured = measureGroup(pids());
        this.partSamples.set(`${name}\0${part}`, fresh(measured.cpu, measured.memory));
        cpu += measured.cpu;
        memory += measured.memory;
      }
      this.samples.set(name, fresh(cpu, memory));
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const [name, target] of Object.entries(this.targets)) {
      const sample = this.samples.get(name);
      if (!sample) continue;
      if (typeof target === 'number') {
        record(sample, cpuSeconds(target), residentBytes(target));
        continue;
      }
      let cpu = 0;
      let memory = 0;
      for (const [part, pids] of Object.entries(target.parts)) {
        const measured = measureGroup(pids());
        const partSample = this.partSamples.get(`${name}\0${part}`);
        if (partSample) record(partSample, measured.cpu, measured.memory);
        cpu += measured.cpu;
        memory += measured.memory;
      }
      record(sample, cpu, memory);
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
      const target = this.targets[name];
      if (target !== undefined && typeof target !== 'number') {
        const parts: NonNullable<ProcessUsage['parts']> = {};
        for (const part of Object.keys(target.parts)) {
          const partSample = this.partSamples.get(`${name}\0${part}`);
          if (partSample) {
            parts[part] = { maxRssBytes: partSample.maxRss, lastRssBytes: partSample.lastRss, cpuSeconds: partSample.cpuLast - partSample.cpuStart };
          }
        }
        processes[name] = { ...processes[name]!, parts, memory: 'pss-sum' };
      }
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

function fresh(cpu: number, memory: number): ProcessSample {
  return { maxRss: memory, lastRss: memory, cpuStart: cpu, cpuLast: cpu };
}

function record(sample: ProcessSample, cpu: number | undefined, memory: number | undefined): void {
  if (memory !== undefined) {
    sample.lastRss = memory;
    sample.maxRss = Math.max(sample.maxRss, memory);
  }
  // A group's CPU only grows while its processes live; a sum read while one of them was being
  // reaped could dip by a tick, so the figure never goes back.
  if (cpu !== undefined) sample.cpuLast = Math.max(sample.cpuLast, cpu);
}

/** A group's CPU (own and reaped children's) and memory (PSS), summed over the pids alive now. */
function measureGroup(pids: number[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const pid of new Set(pids)) {
    cpu += cpuSecondsWithReapedChildren(pid) ?? 0;
    memory += proportionalBytes(pid) ?? 0;
  }
  return { cpu, memory };
}
