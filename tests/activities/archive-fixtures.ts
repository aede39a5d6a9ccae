/**
 * Incident states as the workflow would archive them, built by hand: a report with personal
 * data in its text (to prove it never reaches the file in clear) and a timeline that grows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PayloadKey } from '../../config/payload-codec';
import type { Category, Severity } from '../../domain/types';
import type { IncidentState, TimelineEntry, TimelineType } from '../../workflows/contracts';

/** Personal data the report carries; none of it may appear in the database file's bytes. */
export const PERSONAL = { phone: '13812345678', idNumber: '11010519491231002X', name: '张伟' };

export function temporaryArchivePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'archive-')), 'archive.sqlite');
}

export function payloadKey(id: string): PayloadKey {
  return { id, key: randomBytes(32) };
}

export interface StateOptions {
  id?: string;
  reportedAt?: string;
  category?: Category;
  severity?: Severity;
  drill?: boolean;
  title?: string;
  description?: string;
  /** Timeline entry types after `reported`, each a minute after the one before. */
  steps?: TimelineType[];
  resolution?: string;
  runs?: number;
}

export function incidentState(options: StateOptions = {}): IncidentState {
  const reportedAt = options.reportedAt ?? '2026-11-02T01:00:00.000Z';
  const steps: TimelineType[] = ['reported', 'triaged', ...(options.steps ?? [])];
  const timeline: TimelineEntry[] = steps.map((type, index) => ({
    seq: index + 1,
    at: new Date(Date.parse(reportedAt) + index * 60_000).toISOString(),
    type,
    actor: index === 0 ? PERSONAL.name : 'system',
    text: type === 'resolved' ? (options.resolution ?? 'resolved') : `${type} step`,
  }));
  const resolved = steps.includes('resolved');
  return {
    id: options.id ?? 'INC-TEST00000001',
    status: resolved ? 'resolved' : steps.includes('acknowledged') ? 'acknowledged' : 'triggered',
    report: {
      title: options.title ?? 'Payout late for outpatient claim',
      description:
        options.description ?? `Customer ${PERSONAL.name}, phone ${PERSONAL.phone}, ID ${PERSONAL.idNumber}, says the payout is 9 days late.`,
      source: 'hotline',
      facts: { claimId: 'CLM-1001' },
      reporter: PERSONAL.name,
      drill: options.drill ?? false,
    },
    reportedAt,
    category: options.category ?? 'timeliness',
    severity: options.severity ?? 'general',
    lines: ['customer-service', 'claims'],
    reasons: [{ rule: 'R-CAT-TIME', evidence: 'payout late' }],
    deadlines: [
      {
        id: 'contact',
        kind: 'contact',
        dueAt: new Date(Date.parse(reportedAt) + 30 * 60_000).toISOString(),
        warnAt: new Date(Date.parse(reportedAt) + 25 * 60_000).toISOString(),
        state: steps.includes('contacted') ? 'met' : 'pending',
        warned: false,
      },
    ],
    escalationLevel: 0,
    ...(resolved ? { resolution: options.resolution ?? 'resolved' } : {}),
    timeline,
    runs: options.runs ?? 1,
    links: [],
    ackCode: '4821',
    pagingRuns: [],
  };
}
