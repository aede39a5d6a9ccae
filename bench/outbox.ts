/**
 * Reads the outbox (the embedded default's channel: every page and notification, one JSON line
 * each, with the time it was handed over) as it grows, without re-reading what it has read.
 *
 * A page's key is `<incident>:<run>:r<round>:s<step>:<person>:<channel>` (workflows/paging.ts),
 * so the first page of an incident's triage run or of its contact-breach run, and the moment
 * it went out, can be told from the file alone: no query to the engine under load.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface PageRecord {
  incidentId: string;
  run: string;
  round: number;
  step: number;
  personId: string;
  channel: string;
  atMs: number;
}

export class OutboxTail {
  private offset = 0;
  private partial = '';
  /** Lines read so far, pages or not. */
  lines = 0;

  constructor(private readonly path: string) {}

  /** Every page appended since the last call. */
  readNewPages(): PageRecord[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    const pages: PageRecord[] = [];
    try {
      const size = fstatSync(fd).size;
      const chunk = Buffer.alloc(1 << 20);
      while (this.offset < size) {
        const read = readSync(fd, chunk, 0, chunk.length, this.offset);
        if (read <= 0) break;
        this.offset += read;
        const text = this.partial + chunk.subarray(0, read).toString('utf8');
        const lines = text.split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          this.lines += 1;
          const page = parsePage(line);
          if (page) pages.push(page);
        }
      }
    } finally {
      closeSync(fd);
    }
    return pages;
  }
}

function parsePage(line: string): PageRecord | undefined {
  let entry: { at?: string; key?: string };
  try {
    entry = JSON.parse(line) as { at?: string; key?: string };
  } catch {
    return undefined;
  }
  const parts = entry.key?.split(':') ?? [];
  if (parts.length !== 6 || !entry.at) return undefined;
  const [incidentId, run, round, step, personId, channel] = parts as [string, string, string, string, string, string];
  if (!/^r\d+$/.test(round) || !/^s\d+$/.test(step)) return undefined;
  return {
    incidentId,
    run,
    round: Number(round.slice(1)),
    step: Number(step.slice(1)),
    personId,
    channel,
    atMs: Date.parse(entry.at),
  };
}

/** The earliest page per incident of run `run` (round 0, step 0), kept as pages arrive. */
export class FirstPages {
  readonly at = new Map<string, number>();

  constructor(private readonly run: string) {}

  add(pages: readonly PageRecord[]): void {
    for (const page of pages) {
      if (page.run !== this.run || page.round !== 0 || page.step !== 0) continue;
      const seen = this.at.get(page.incidentId);
      if (seen === undefined || page.atMs < seen) this.at.set(page.incidentId, page.atMs);
    }
  }
}
