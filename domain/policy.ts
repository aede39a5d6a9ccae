import { z } from 'zod';
import { CATEGORIES, LINES, SEVERITIES } from './types';

/**
 * The response policy: every duration and threshold the plan names, with the plan's figures as
 * defaults. A deployment, a drill or a test supplies its own file (`POLICY_FILE`); it is parsed
 * once at start-up and passed down, never read deeper in the code.
 */
const minutes = z.number().positive();
const lineList = z.array(z.enum(LINES)).min(1);

/** Who a paging step reaches: the incident's responsible lines, a team's on-call, or one person. */
const pagingTarget = z.union([
  z.object({ lines: z.literal(true) }).strict(),
  z.object({ team: z.enum(LINES) }).strict(),
  z.object({ person: z.string().min(1) }).strict(),
]);
const pagingStep = z
  .object({
    targets: z.array(pagingTarget).min(1),
    /** How long this step waits for an acknowledgement before the next step starts. */
    escalateAfterMinutes: z.number().min(0),
  })
  .strict();
const tierPaging = z
  .object({
    steps: z.array(pagingStep).min(1),
    /** How many times the whole policy runs again after its last step (0: once). */
    repeat: z.number().int().min(0).max(10).default(0),
  })
  .strict();

export const policySchema = z
  .object({
    /** R-T-CAL: the time zone working days are counted in. */
    timeZone: z.string().min(1).default('Asia/Shanghai'),
    deadlines: z
      .object({
        /** R-T-CONTACT: contact the customer within 30 minutes. */
        contactMinutes: minutes.default(30),
        /** R-T-SOLUTION: an initial solution within 1 hour. */
        solutionMinutes: minutes.default(60),
        /** R-T-DAILY: a progress update every day until resolved. */
        progressIntervalMinutes: minutes.default(24 * 60),
        /** R-T-COMPLAINT: a reply to a complaint within 24 hours. */
        complaintReplyMinutes: minutes.default(24 * 60),
        /** R-T-COMPLAINT: a finished investigation within 15 working days (R-T-CAL). */
        complaintInvestigationWorkingDays: z.number().int().positive().default(15),
      })
      .prefault({}),
    /** R-T-BREACH: how long before each deadline the "close to due" (临近超期) warning goes out. */
    warningLeadMinutes: z
      .object({
        contact: minutes.default(10),
        solution: minutes.default(15),
        progress: minutes.default(120),
        'complaint-reply': minutes.default(120),
        'complaint-investigation': minutes.default(2 * 24 * 60),
      })
      .prefault({}),
    /**
     * R-T-BREACH / R-LINE-*: who is paged at each escalation level, per tier. Level 0 is paged
     * when the incident is raised; each breach moves one level up (the last level repeats).
     * Management is level 0 of every major incident (R-LINE-MGMT).
     */
    escalation: z
      .object({
        minor: z.array(lineList).min(1).default([['customer-service'], ['claims'], ['management']]),
        general: z.array(lineList).min(1).default([['claims', 'customer-service'], ['management']]),
        major: z
          .array(lineList)
          .min(1)
          .default([['management', 'claims', 'customer-service'], ['management']]),
      })
      .prefault({}),
    /**
     * Escalation policies (paging): per tier, ordered steps with targets and a wait; an
     * acknowledgement stops the rest. Each person is reached by their own notification rules.
     */
    paging: z
      .object({
        /** Page language: Chinese by default, English by configuration. */
        language: z.enum(['zh', 'en']).default('zh'),
        minor: tierPaging.default({
          steps: [
            { targets: [{ lines: true }], escalateAfterMinutes: 15 },
            { targets: [{ team: 'claims' }], escalateAfterMinutes: 30 },
          ],
          repeat: 0,
        }),
        general: tierPaging.default({
          steps: [
            { targets: [{ lines: true }], escalateAfterMinutes: 10 },
            { targets: [{ team: 'management' }], escalateAfterMinutes: 20 },
          ],
          repeat: 1,
        }),
        major: tierPaging.default({
          steps: [
            { targets: [{ lines: true }, { team: 'management' }], escalateAfterMinutes: 5 },
            { targets: [{ team: 'management' }, { team: 'technology' }], escalateAfterMinutes: 10 },
          ],
          repeat: 2,
        }),
      })
      .prefault({}),
    /**
     * R-T-DAILY: what the customer's progress update says, per language and category.
     * `{incident}` and `{update}` are filled in; the text is masked before it is sent (R-SEC-1).
     */
    customerTemplates: z
      .object({
        zh: z.record(z.enum(CATEGORIES), z.string().min(1)).default({
          timeliness: '【理赔进度】您的理赔款项正在加急处理（事件 {incident}）：{update}',
          info: '【理赔进度】您的理赔材料处理进展（事件 {incident}）：{update}',
          complaint: '【投诉处理进度】您反映的问题正在处理（事件 {incident}）：{update}',
          system: '【服务通知】理赔系统恢复进展（事件 {incident}）：{update}。如需办理可使用线下渠道。',
        }),
        en: z.record(z.enum(CATEGORIES), z.string().min(1)).default({
          timeliness: 'Claim payout update (ref {incident}): {update}',
          info: 'Claim documents update (ref {incident}): {update}',
          complaint: 'Your complaint is being handled (ref {incident}): {update}',
          system: 'Service update (ref {incident}): {update}. Offline handling remains available.',
        }),
      })
      .prefault({}),
    triage: z
      .object({
        /** R-CAT-TIME: working days after the decision by which a payout is late. */
        payoutLimitWorkingDays: z.number().int().positive().default(15),
        /** R-CAT-TIME: a batch run delaying payouts by more than this many working days. */
        batchDelayWorkingDays: z.number().int().positive().default(3),
        /** R-SEV-MAJOR: affected claims from which a problem counts as bulk. */
        bulkClaims: z.number().int().positive().default(20),
        /** R-CAT-COMP: more than this many distinct customers make a group complaint. */
        groupComplaintCustomers: z.number().int().positive().default(5),
      })
      .prefault({}),
    /** Continue-as-new once a run's history passes this many events (Temporal's own hint also counts). */
    continueAsNewAfterEvents: z.number().int().min(100).default(5000),
    /** Severity at or above which management is informed at once (R-SEV-MAJOR, R-LINE-MGMT). */
    managementInformedFrom: z.enum(SEVERITIES).default('major'),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type DeadlineKind = keyof Policy['warningLeadMinutes'];
export type PagingPolicy = Policy['paging'];
export type TierPaging = PagingPolicy['major'];
export type PagingStep = TierPaging['steps'][number];
export type PagingTarget = PagingStep['targets'][number];

/** The plan's own figures. */
export const DEFAULT_POLICY: Policy = policySchema.parse({});

/** Parses a policy document, naming each bad field in the error. */
export function parsePolicy(input: unknown): Policy {
  const result = policySchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid policy: ${problems.join('; ')}`);
  }
  return result.data;
}
