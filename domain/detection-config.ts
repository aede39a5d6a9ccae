import { z } from 'zod';
import { CATEGORY_LEXICONS, DATA_LOSS_TERMS, MEDIA_TERMS, BULK_TERMS, OUTAGE_TERMS } from './triage';

/**
 * Detection and correlation settings (R-DET-*, R-CAT-COMP group complaints, R-SYS-*): the
 * lexicon extension, the correlation windows, the payout-watch thresholds that are not already
 * in the response policy, the monitored systems and the system-incident checklist. Parsed once
 * at start-up (`DETECTION_FILE`) into a typed object and passed down; nothing deeper reads it.
 *
 * Thresholds the response policy already holds are not repeated here, so there is one place to
 * change each: `policy.triage.groupComplaintCustomers` (more than 5 distinct customers),
 * `policy.triage.payoutLimitWorkingDays` (15) and `policy.triage.batchDelayWorkingDays` (3).
 */

/** Every term the triage lexicons know, in the spelling they use; aliases must point at one. */
export function knownTriageTerms(): Set<string> {
  const terms = new Set<string>();
  for (const lexicon of Object.values(CATEGORY_LEXICONS)) {
    for (const byWeight of [lexicon.zh, lexicon.en]) {
      for (const list of Object.values(byWeight)) for (const term of list ?? []) terms.add(term);
    }
  }
  for (const list of [MEDIA_TERMS, DATA_LOSS_TERMS, BULK_TERMS, OUTAGE_TERMS]) {
    for (const term of [...list.zh, ...list.en]) terms.add(term);
  }
  return terms;
}

/**
 * A lexicon extension entry: a deployment's own word read as a term the triage lexicons already
 * know ("踢皮球" means "推诿"). Reading it as a known term keeps one matcher, one set of weights
 * and the same negation and gratitude handling ("没有踢皮球" is negated like "没有推诿").
 */
const aliasSchema = z
  .object({
    term: z.string().trim().min(1).max(40),
    means: z.string().trim().min(1).max(40),
  })
  .strict();

/** A cause read from text when an event carries no cause fields ("门诊报销比例" → outpatient-ratio). */
const textCauseSchema = z
  .object({
    /** Stable key: lower case, digits, dashes. Part of the cause key, so never personal data. */
    key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lower-case letters, digits and dashes'),
    label: z.string().trim().min(1).max(80),
    /** Chinese terms match as substrings, English ones as whole words, case-insensitively. */
    terms: z.array(z.string().trim().min(1).max(40)).min(1),
  })
  .strict();

/**
 * Shipped text causes: the dispute topics claims leads see most. Used when a deployment gives
 * none of its own; each is narrow enough that six customers sharing one is worth a look.
 */
export const DEFAULT_TEXT_CAUSES: ReadonlyArray<z.input<typeof textCauseSchema>> = [
  { key: 'claim-rejection', label: 'Claim rejected', terms: ['拒赔', '拒付', '不予赔付', '不予理赔', 'rejected', 'denied', 'declined'] },
  { key: 'reimbursement-ratio', label: 'Reimbursement ratio or payout amount', terms: ['报销比例', '赔付比例', '赔付金额', '少赔', '赔少了', 'reimbursement rate', 'payout amount', 'underpaid'] },
  { key: 'payout-delay', label: 'Payout delayed', terms: ['未到账', '没到账', '拖延', '迟迟不赔', 'not received', 'payout delay', 'delayed payout'] },
  { key: 'staff-attitude', label: 'Staff attitude', terms: ['态度', 'rude', 'attitude'] },
  { key: 'document-requests', label: 'Repeated document requests', terms: ['补充材料', '补材料', '反复要求', 'more documents', 'resubmit'] },
  { key: 'online-service', label: 'App or portal not working', terms: ['app', '小程序', '公众号', 'portal', 'website'] },
];

export const CAUSE_FIELDS = ['product', 'claimType', 'reasonCode', 'hospital', 'diseaseCategory'] as const;
export type CauseField = (typeof CAUSE_FIELDS)[number];

/** Component and system names appear in workflow ids and URLs: a closed, harmless alphabet. */
export const SYSTEM_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
const systemName = z.string().regex(SYSTEM_NAME, 'lower-case letters, digits and dashes, at most 48');

const monitoredSystemSchema = z
  .object({
    /** Expected time between two heartbeats. */
    intervalSeconds: z.number().int().positive().max(86_400),
    /** Extra silence tolerated past the interval before the system counts as down (network jitter). */
    graceSeconds: z.number().int().min(0).max(86_400).default(0),
    /** Resolve the heartbeat's system incident by itself when beats resume. */
    autoResolve: z.boolean().default(true),
    /** The component whose system incident a silence opens; the system's own name by default. */
    component: systemName.optional(),
    /** Words in a customer's text that name this system ("上传", "upload"): such reports attach to its incident (R-SYS-4). */
    aliases: z.array(z.string().trim().min(1).max(40)).default([]),
  })
  .strict();

const restoreStepSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
    label: z.string().trim().min(1).max(120),
  })
  .strict();

export const detectionConfigSchema = z
  .object({
    /** R-DET-2: deployment words read as known trigger terms. */
    lexicon: z
      .object({ aliases: z.array(aliasSchema).default([]) })
      .strict()
      .prefault({}),
    /** Duplicates: events about the same claim or customer, category and cause within this window attach to one incident. */
    duplicateWindowHours: z.number().positive().max(24 * 30).default(24),
    groupComplaint: z
      .object({
        /** R-CAT-COMP: the sliding window distinct complaining customers are counted in. */
        windowHours: z.number().positive().max(24 * 30).default(24),
      })
      .strict()
      .prefault({}),
    cause: z
      .object({
        /** The event fields that together say what "the same cause" is; an event needs at least one. */
        fields: z.array(z.enum(CAUSE_FIELDS)).min(1).default([...CAUSE_FIELDS]),
        /** Causes read from text, first match wins, for events that carry no cause fields. */
        textCauses: z.array(textCauseSchema).default(() => DEFAULT_TEXT_CAUSES.map((cause) => ({ ...cause, terms: [...cause.terms] }))),
      })
      .strict()
      .prefault({}),
    payout: z
      .object({
        /** R-T-BREACH for payouts: warn this many working days before the contractual limit. */
        warningWorkingDays: z.number().int().min(0).max(30).default(3),
        /** R-DET-2: an open claim with no activity for this many working days is flagged. */
        untouchedWorkingDays: z.number().int().positive().max(365).default(5),
      })
      .strict()
      .prefault({}),
    /** R-DET-1: systems that post `POST /heartbeats/:system`, by name. */
    systems: z.record(systemName, monitoredSystemSchema).default(() => ({
      'claims-core': { intervalSeconds: 60, graceSeconds: 30, autoResolve: true, aliases: ['核心系统', '理赔系统', '无法提交', '提交失败', 'core system', 'claims system', 'submit'] },
      'upload-platform': { intervalSeconds: 60, graceSeconds: 30, autoResolve: true, aliases: ['上传', 'upload'] },
      'query-system': { intervalSeconds: 60, graceSeconds: 30, autoResolve: true, aliases: ['查询', 'query', 'look up', 'claim status'] },
    })),
    systemIncidents: z
      .object({
        /** R-SYS-2: restore steps in the order the plan wants them; the first is the core function. */
        restoreChecklist: z.array(restoreStepSchema).min(1).default([
          { id: 'claim-query', label: 'Claim query restored (core function, R-SYS-2: first)' },
          { id: 'claim-submission', label: 'Claim submission restored' },
          { id: 'document-upload', label: 'Document upload restored' },
          { id: 'payout-run', label: 'Payout runs caught up' },
        ]),
        /** R-SYS-3: what affected customers are told until full recovery. */
        offlineAlternative: z
          .string()
          .trim()
          .min(1)
          .default('理赔系统暂时故障，您可通过客服热线或线下柜台办理报案、查询和材料递交。We are fixing a system fault; meanwhile you can file, check or send documents by hotline or at a service counter.'),
        serviceRestored: z
          .string()
          .trim()
          .min(1)
          .default('理赔系统已恢复，您可以照常在线办理。Our claims service is back online; you can use it as usual.'),
        /** How often an open system incident is checked for a resolution made elsewhere (the incident API). */
        statusCheckMinutes: z.number().positive().max(24 * 60).default(10),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const known = knownTriageTerms();
    config.lexicon.aliases.forEach((alias, index) => {
      if (!known.has(alias.means)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lexicon', 'aliases', index, 'means'],
          message: `"${alias.means}" is not a term of the triage lexicons (domain/triage.ts)`,
        });
      }
    });
    const keys = new Set<string>();
    config.cause.textCauses.forEach((cause, index) => {
      if (keys.has(cause.key)) ctx.addIssue({ code: 'custom', path: ['cause', 'textCauses', index, 'key'], message: `duplicate key ${cause.key}` });
      keys.add(cause.key);
    });
    const steps = new Set<string>();
    config.systemIncidents.restoreChecklist.forEach((step, index) => {
      if (steps.has(step.id)) {
        ctx.addIssue({ code: 'custom', path: ['systemIncidents', 'restoreChecklist', index, 'id'], message: `duplicate step ${step.id}` });
      }
      steps.add(step.id);
    });
  });

export type DetectionConfig = z.infer<typeof detectionConfigSchema>;
export type MonitoredSystem = DetectionConfig['systems'][string];
export type TextCause = DetectionConfig['cause']['textCauses'][number];

/** The shipped defaults: the plan's figures, the three systems the plan names, the shipped text causes. */
export function defaultDetectionConfig(): DetectionConfig {
  return parseDetectionConfig({});
}

/** Parses a detection config document, naming each bad field in the error. */
export function parseDetectionConfig(input: unknown): DetectionConfig {
  const result = detectionConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid detection config: ${problems.join('; ')}`);
  }
  return result.data;
}


export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** What a system workflow carries of the config (R-SYS-2 checklist, R-SYS-3 texts). */
export interface SystemSettingsView {
  restoreChecklist: { id: string; label: string }[];
  offlineAlternative: string;
  serviceRestored: string;
  statusCheckMs: number;
}

/** A monitored system's heartbeat settings as its workflow carries them. */
export interface HeartbeatSettingsView {
  intervalMs: number;
  graceMs: number;
  autoResolve: boolean;
  component: string;
  system: SystemSettingsView;
}

/** The system-incident settings the workflows carry, from the detection config. */
export function systemSettingsOf(config: DetectionConfig): SystemSettingsView {
  return {
    restoreChecklist: config.systemIncidents.restoreChecklist.map((step) => ({ ...step })),
    offlineAlternative: config.systemIncidents.offlineAlternative,
    serviceRestored: config.systemIncidents.serviceRestored,
    statusCheckMs: config.systemIncidents.statusCheckMinutes * MINUTE,
  };
}

/** A monitored system's heartbeat settings, or undefined for a system the config does not know. */
export function heartbeatSettingsOf(config: DetectionConfig, system: string): HeartbeatSettingsView | undefined {
  const monitored = config.systems[system];
  if (monitored === undefined) return undefined;
  return {
    intervalMs: monitored.intervalSeconds * 1000,
    graceMs: monitored.graceSeconds * 1000,
    autoResolve: monitored.autoResolve,
    component: monitored.component ?? system,
    system: systemSettingsOf(config),
  };
}

