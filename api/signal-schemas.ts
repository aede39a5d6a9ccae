import { z } from 'zod';
import { CAUSE_FIELDS, SYSTEM_NAME } from '../domain/detection-config';
import { DETECTION_SOURCES } from '../domain/detection';

/**
 * Request schemas of the detection endpoints, validated once at the edge; a failure answers 400
 * naming each bad field. References (claim, customer, source event id) are opaque ids: a narrow
 * alphabet keeps free text — and so personal data — out of them (R-SEC-1).
 */
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const reference = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:\-/#]*$/, 'letters, digits and . _ : - / # only');
const instant = z.iso.datetime({ offset: true });
const componentName = z.string().regex(SYSTEM_NAME, 'lower-case letters, digits and dashes, at most 48');

const causeSchema = z.object(Object.fromEntries(CAUSE_FIELDS.map((field) => [field, text(100).optional()]))).strict();

const alertSchema = z
  .object({
    component: componentName,
    status: z.enum(['firing', 'resolved']).default('firing'),
    severity: z.enum(['critical', 'warning', 'info']).default('warning'),
    affectedClaims: z.array(reference).max(10_000).optional(),
    affectedCustomers: z.array(reference).max(10_000).optional(),
  })
  .strict();

const claimStatusSchema = z
  .object({
    stage: z.enum(['in-review', 'decided', 'paid', 'closed']),
    decidedAt: instant.optional(),
    lastActivityAt: instant.optional(),
    batch: z.object({ id: reference, scheduledAt: instant }).strict().optional(),
  })
  .strict();

const internalSchema = z
  .object({
    kind: z.enum(['fault', 'process-block', 'latent-risk']),
    department: text(100),
  })
  .strict();

export const signalBodySchema = z
  .object({
    source: z.enum(DETECTION_SOURCES),
    sourceEventId: reference,
    occurredAt: instant.optional(),
    title: text(200).optional(),
    text: text(10_000).optional(),
    claimId: reference.optional(),
    customerRef: reference.optional(),
    cause: causeSchema.optional(),
    alert: alertSchema.optional(),
    claimStatus: claimStatusSchema.optional(),
    internal: internalSchema.optional(),
    reporter: text(100).optional(),
    drill: z.boolean().default(false),
  })
  .strict()
  .superRefine((body, ctx) => {
    const require = (field: keyof typeof body, why: string) => {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for source ${body.source}: ${why}` });
    };
    switch (body.source) {
      case 'system-alert':
        require('alert', 'the component and status of the alert');
        break;
      case 'claim-status':
        require('claimStatus', 'the claim stage and its dates');
        require('claimId', 'the claim the status is about');
        if (body.claimStatus?.stage === 'decided' && body.claimStatus.decidedAt === undefined) {
          ctx.addIssue({ code: 'custom', path: ['claimStatus', 'decidedAt'], message: 'required when stage is decided' });
        }
        break;
      case 'internal-report':
        require('internal', 'the kind of report and the department');
        require('reporter', 'who reports (R-DET-5 records latent-risk reporters)');
        require('text', 'what is reported');
        break;
      default:
        if (body.text === undefined && body.title === undefined) {
          ctx.addIssue({ code: 'custom', path: ['text'], message: `required for source ${body.source}: the words to judge (R-DET-2)` });
        }
    }
  });
export type SignalBody = z.infer<typeof signalBodySchema>;

/** `GET /signals/:source/:sourceEventId`: the pair an event was posted with. */
export const signalRefSchema = z.object({ source: z.enum(DETECTION_SOURCES), sourceEventId: reference });

export const systemParamSchema = componentName;

export const restoreStepBodySchema = z.object({ note: text(1000).optional() }).strict();
export const recoveredBodySchema = z.object({ reason: text(1000) }).strict();
