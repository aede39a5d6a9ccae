import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { maskPersonalData } from '../domain/message';

/**
 * A message to one affected customer about a system incident (R-SYS-3): the offline
 * alternative while the system is down, and that service is back once it is resolved.
 */
export interface CustomerNotice {
  /** Idempotency key: incident, notice kind and hashed customer. */
  key: string;
  incidentId: string;
  kind: 'offline-alternative' | 'service-restored';
  /** The opaque customer reference the customer-contact system resolves (R-SEC-1: never a phone or name). */
  customerRef: string;
  text: string;
  drill: boolean;
}

/** Where customer notices go (SMS gateway, app push, the CRM's outbound queue…). */
export interface CustomerNoticeSender {
  /**
   * Sends one notice. Retry contract: a transient failure throws a plain Error and the activity
   * retries with backoff; a key already sent answers `duplicate: true` and sends nothing, so a
   * retry after a crash never messages a customer twice.
   */
  send(notice: CustomerNotice): Promise<{ duplicate: boolean }>;
}

/**
 * The default sender: one JSON line per notice in a local file that the customer-contact team
 * (or its integration) picks up. The file is its own ledger: keys already in it are not written
 * again. Text is masked before it is written (R-SEC-1).
 */
export class CustomerNoticeOutbox implements CustomerNoticeSender {
  private keys: Promise<Set<string>> | undefined;

  constructor(
    private readonly path: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private loadKeys(): Promise<Set<string>> {
    this.keys ??= readFile(this.path, 'utf8').then(
      (text) => new Set(text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as CustomerNotice).key)),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return new Set<string>();
        throw err;
      },
    );
    return this.keys;
  }

  async send(notice: CustomerNotice): Promise<{ duplicate: boolean }> {
    const keys = await this.loadKeys();
    if (keys.has(notice.key)) return { duplicate: true };
    keys.add(notice.key);
    await mkdir(dirname(this.path), { recursive: true });
    try {
      await appendFile(this.path, `${JSON.stringify({ ...notice, text: maskPersonalData(notice.text), at: this.clock().toISOString() })}\n`);
    } catch (err) {
      keys.delete(notice.key);
      throw err;
    }
    return { duplicate: false };
  }
}

/** Reads the outbox back (tests, and whoever drains it). */
export async function readCustomerNotices(path: string): Promise<Array<CustomerNotice & { at: string }>> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as CustomerNotice & { at: string });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
