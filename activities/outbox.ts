import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NotificationRequest } from '../workflows/contracts';

/** Where notifications go. Implementations must be idempotent by `request.key`. */
export interface Notifier {
  /**
   * Delivers one notification. Retry contract: a transient failure throws a plain Error and
   * the activity is retried with backoff; delivering a key a second time is a no-op that
   * answers `duplicate: true`, so a retry after a crash never pages twice.
   */
  deliver(request: NotificationRequest): Promise<{ duplicate: boolean; channel: string; recipients?: string[] }>;
}

export interface OutboxLine extends NotificationRequest {
  at: string;
}

/**
 * The default channel: every notification is appended as one JSON line to a local outbox
 * file a person can read (`tail -f data/outbox.jsonl`) and echoed to the log. The file is its
 * own sent-ledger: keys already in it are not written again.
 */
export class OutboxNotifier implements Notifier {
  private keys: Promise<Set<string>> | undefined;

  constructor(
    private readonly path: string,
    private readonly log: (line: string) => void = (line) => console.log(line),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private loadKeys(): Promise<Set<string>> {
    this.keys ??= readFile(this.path, 'utf8').then(
      (text) => new Set(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as OutboxLine).key)),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return new Set<string>();
        throw err;
      },
    );
    return this.keys;
  }

  async deliver(request: NotificationRequest): Promise<{ duplicate: boolean; channel: string }> {
    const keys = await this.loadKeys();
    if (keys.has(request.key)) return { duplicate: true, channel: 'outbox' };
    keys.add(request.key);
    const line: OutboxLine = { ...request, at: this.clock().toISOString() };
    await mkdir(dirname(this.path), { recursive: true });
    try {
      await appendFile(this.path, JSON.stringify(line) + '\n');
    } catch (err) {
      keys.delete(request.key);
      throw err;
    }
    this.log(`[outbox] ${request.kind} → ${request.lines.join(',')} · ${request.subject}`);
    return { duplicate: false, channel: 'outbox' };
  }
}

/** Reads every line of an outbox file (for people and tests). */
export async function readOutbox(path: string): Promise<OutboxLine[]> {
  try {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as OutboxLine);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
