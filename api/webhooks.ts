/**
 * Acknowledge and resolve from the page itself: the Twilio webhooks (SMS replies, the voice
 * call's keypress) and the signed one-click link in e-mail pages. Thin like the rest of the API:
 * check who is asking (Twilio's signature, the link's HMAC), read the command, call the incident
 * workflow through the contracts, answer in the channel's own format (TwiML or a small page).
 *
 * - `POST /webhooks/twilio/sms`: `ACK 4821`, `RES 4821` (and the variants `parseSmsReply`
 *   reads), or `ACK INC-…` when a code is shared by several open incidents.
 * - `GET|POST /webhooks/twilio/voice?incident=…&lang=…`: the TwiML a page call reads (no personal
 *   data, R-SEC-1) with a keypress: 1 acknowledges, 2 escalates now.
 * - `POST /webhooks/twilio/voice/gather?incident=…`: that keypress.
 * - `GET /ack/:token`: the e-mail link, signed by `signAckToken` (activities/paging.ts).
 *
 * Every webhook answers 403 unless `X-Twilio-Signature` validates against the URL Twilio
 * requested (`PUBLIC_BASE_URL` + path and query) and the posted parameters. A webhook never
 * answers 500: the person replying always hears or reads what happened (R-SEC-2: every action
 * is attributed to the person, or to the masked number when it is not on the roster).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import twilio from 'twilio';
import type { Client } from '@temporalio/client';
import { describeDue } from '../activities/paging';
import { pageTwiml } from '../activities/channels';
import { maskContact, parseSmsReply, renderPage, type PageLanguage } from '../domain/message';
import type { Roster, Person } from '../domain/roster';
import type { incidentWorkflow } from '../workflows/incident';
import {
  acknowledgeUpdate,
  escalateUpdate,
  resolveUpdate,
  stateQuery,
  type Actor,
  type IncidentState,
  type PageContent,
} from '../workflows/contracts';
import { toHttpError } from './errors';
import { incidentIdSchema } from './schemas';

/** What the paging endpoints need; built once at start-up (`api/server.ts`). */
export interface PagingApiDependencies {
  /** Who is who: senders are matched to people by mobile number; `/oncall` reads the rotations. */
  roster: Roster;
  /** Validates `X-Twilio-Signature`. Without it no webhook request can be trusted: all answer 403. */
  twilioAuthToken?: string;
  /**
   * How Twilio and people reach this API (`PUBLIC_BASE_URL`). Signatures are checked against
   * this base plus the request's path; without it, against the request's own protocol and Host.
   */
  publicBaseUrl?: string;
  /** Verifies e-mail acknowledgement links; without it `/ack/…` answers 404. */
  ackLinkSecret?: string;
  /** The language of replies (the policy's page language): Chinese unless configured. */
  language?: PageLanguage;
  /** Deadlines read out on calls are given in this zone (R-T-CAL). */
  timeZone?: string;
  clock?: () => Date;
}

export interface WebhooksRouterDependencies extends PagingApiDependencies {
  client: Client;
  /** Bounds every call to Temporal (the app's `bounded`). */
  bounded: <T>(fn: () => Promise<T>) => Promise<T>;
}

// ——— e-mail acknowledgement links ———

export interface AckTokenPayload {
  incidentId: string;
  personId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const tokenPayloadSchema = z.object({
  incidentId: incidentIdSchema,
  personId: z.string().min(1).max(200),
  expiresAt: z.number().int().positive(),
});

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{43}$/;

/**
 * Checks a token made by `signAckToken`: the HMAC-SHA256 of its body (compared in constant time)
 * and then its expiry. The incident and the person are inside the signed body, so a token
 * cannot be pointed at another incident without breaking the signature (`invalid`), and an
 * expired one is refused (`expired`) however often it is replayed.
 */
export function verifyAckToken(
  secret: string,
  token: string,
  now: Date,
): { ok: true; payload: AckTokenPayload } | { ok: false; reason: 'invalid' | 'expired' } {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'invalid' };
  const [body = '', signature = ''] = token.split('.');
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const payload = tokenPayloadSchema.safeParse(decoded);
  if (!payload.success) return { ok: false, reason: 'invalid' };
  if (payload.data.expiresAt <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, payload: payload.data };
}

// ——— SMS commands ———

/** A reply naming the incident itself, for when one code is shared by several open incidents. */
const REPLY_WITH_ID = /^(ACKNOWLEDGE|ACK|RESOLVED|RESOLVE|RES|确认|解决)[\s#:：,，.-]*(INC-[0-9A-Z]{12})(?![0-9A-Z])/;

export type SmsCommand =
  | { action: 'ack' | 'resolve'; code: string; incidentId?: undefined }
  | { action: 'ack' | 'resolve'; incidentId: string; code?: undefined };

/** Reads an SMS reply: `parseSmsReply`'s code forms, or `ACK INC-…` / `RES INC-…`. */
export function readSmsCommand(body: string): SmsCommand | undefined {
  const byCode = parseSmsReply(body);
  if (byCode) return byCode;
  const match = REPLY_WITH_ID.exec(body.normalize('NFKC').trim().toUpperCase());
  const [, word, incidentId] = match ?? [];
  if (word === undefined || incidentId === undefined) return undefined;
  const action = word.startsWith('ACK') || word === '确认' ? 'ack' : 'resolve';
  return { action, incidentId };
}

/** Whether the incident's timeline shows a page by SMS or call to this sender. */
export function pagedSender(state: IncidentState, sender: { person?: Person; number: string }): boolean {
  const masked = maskContact(sender.number);
  return state.timeline.some((entry) => {
    if (entry.type !== 'paged' || !entry.data) return false;
    const { channel, personId, to } = entry.data;
    if (channel !== 'sms' && channel !== 'voice') return false;
    return (sender.person !== undefined && personId === sender.person.id) || to === masked;
  });
}

// ——— what people are told ———

type Outcome =
  | { result: 'done'; state: IncidentState }
  | { result: 'already-acknowledged'; id: string; by: string }
  | { result: 'resolved'; id: string }
  | { result: 'not-found'; id: string }
  | { result: 'refused'; id: string; reason: string }
  | { result: 'unavailable' };

type Action = 'ack' | 'resolve' | 'escalate';

const WORDS = {
  zh: {
    acknowledged: (id: string, by: string) => `已确认事件 ${id}（${by}），后续通知已停止。处理完毕请回复 RES 加确认码。`,
    resolvedNow: (id: string, by: string) => `事件 ${id} 已由 ${by} 标记为解决。`,
    escalated: (id: string) => `事件 ${id} 已升级，正在通知下一级值班人员。`,
    alreadyAcknowledged: (id: string, by: string) => `事件 ${id} 已由 ${by} 确认，无需重复确认。`,
    alreadyResolved: (id: string) => `事件 ${id} 已解决，无需操作。`,
    notFound: (id: string) => `未找到事件 ${id}。`,
    refused: (id: string, reason: string) => `事件 ${id} 暂不能执行该操作：${reason}`,
    unavailable: '系统暂时无法处理，请稍后重试，或登录事件系统操作。',
    unknownCode: (code: string) => `未找到确认码 ${code} 对应的未结事件，请核对通知中的确认码。`,
    ambiguous: (code: string, ids: string[]) =>
      `确认码 ${code} 对应多个未结事件${ids.length ? `（${ids.join('、')}）` : ''}，请回复 ACK 加事件编号，如 ACK INC-XXXXXXXXXXXX。`,
    notACommand: '未识别的回复。确认请回复 ACK 加确认码（如 ACK 4821），解决请回复 RES 加确认码。',
    escalateHint: '如需立即升级，请按 2。',
    badKey: '未识别的按键。',
    voiceAcknowledged: '已确认，后续通知已停止。谢谢。',
    voiceEscalated: '已升级，正在通知下一级值班人员。',
    voiceAlreadyAcknowledged: (by: string) => `该事件已由 ${by} 确认。`,
    voiceResolved: '该事件已解决，无需处理。',
    voiceNotFound: '未找到该事件。',
    voiceUnavailable: '系统暂时无法处理，请通过短信或邮件确认。',
    pageTitle: '理赔突发事件确认',
    linkAcknowledged: (id: string, by: string) => `已确认事件 ${id}（${by}），后续通知已停止。`,
    linkExpired: '该确认链接已过期，请回复短信或登录事件系统确认。',
    linkInvalid: '该确认链接无效。',
    linkDisabled: '本系统未启用邮件确认链接。',
  },
  en: {
    acknowledged: (id: string, by: string) => `Incident ${id} acknowledged by ${by}; paging stopped. Reply RES and the code once resolved.`,
    resolvedNow: (id: string, by: string) => `Incident ${id} resolved by ${by}.`,
    escalated: (id: string) => `Incident ${id} escalated: the next on-call step is being paged.`,
    alreadyAcknowledged: (id: string, by: string) => `Incident ${id} was already acknowledged by ${by}.`,
    alreadyResolved: (id: string) => `Incident ${id} is already resolved; nothing to do.`,
    notFound: (id: string) => `No incident ${id}.`,
    refused: (id: string, reason: string) => `Incident ${id}: not possible now: ${reason}`,
    unavailable: 'The engine cannot process this right now; try again shortly or use the incident system.',
    unknownCode: (code: string) => `No open incident has code ${code}; check the code in the page.`,
    ambiguous: (code: string, ids: string[]) =>
      `Code ${code} matches several open incidents${ids.length ? ` (${ids.join(', ')})` : ''}; reply ACK and the incident id, e.g. ACK INC-XXXXXXXXXXXX.`,
    notACommand: 'Reply not understood. Reply ACK and the code (e.g. ACK 4821) to acknowledge, RES and the code to resolve.',
    escalateHint: 'Press 2 to escalate now.',
    badKey: 'That key is not an option.',
    voiceAcknowledged: 'Acknowledged; paging stopped. Thank you.',
    voiceEscalated: 'Escalated: the next on-call step is being paged.',
    voiceAlreadyAcknowledged: (by: string) => `This incident was already acknowledged by ${by}.`,
    voiceResolved: 'This incident is resolved; nothing to do.',
    voiceNotFound: 'This incident was not found.',
    voiceUnavailable: 'The engine cannot process this right now; please acknowledge by SMS or e-mail.',
    pageTitle: 'Claims incident acknowledgement',
    linkAcknowledged: (id: string, by: string) => `Incident ${id} acknowledged by ${by}; paging stopped.`,
    linkExpired: 'This acknowledgement link has expired; reply to the SMS or use the incident system.',
    linkInvalid: 'This acknowledgement link is not valid.',
    linkDisabled: 'Acknowledgement links are not enabled here.',
  },
} as const;

const VOICE = {
  zh: { language: 'cmn-CN', voice: 'Polly.Zhiyu' },
  en: { language: 'en-US', voice: 'Polly.Joanna' },
} as const;

/** A code, or the most a search for one returns: more than this is "ambiguous" anyway. */
const ACK_CODE = /^\d{4,6}$/;
const MAX_CANDIDATES = 20;
/** Candidate ids are listed in the reply only to people on the roster, and only this many. */
const MAX_LISTED = 5;

export const voiceQuerySchema = z.object({
  incident: incidentIdSchema,
  lang: z.enum(['zh', 'en']).optional(),
});

const formParser = express.urlencoded({ extended: false, limit: '64kb' });

export function createWebhooksRouter(deps: WebhooksRouterDependencies): Router {
  const { client, bounded, roster } = deps;
  const language = deps.language ?? 'zh';
  const clock = deps.clock ?? (() => new Date());
  const publicBase = deps.publicBaseUrl?.replace(/\/+$/, '');
  const router = express.Router();

  // ---- who is asking -------------------------------------------------------------------------

  /** The URL Twilio requested and signed: the public base (or this request's origin) + path and query. */
  function requestedUrl(req: Request): string {
    return `${publicBase ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`}${req.originalUrl}`;
  }

  function formOf(req: Request): Record<string, string | string[]> {
    return req.method === 'POST' && req.body && typeof req.body === 'object' ? (req.body as Record<string, string | string[]>) : {};
  }

  function field(req: Request, name: string): string {
    const value = formOf(req)[name];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  }

  /** Twilio's signature over the URL and the posted parameters (GET: the URL alone). */
  function signedByTwilio(req: Request): boolean {
    const signature = req.get('x-twilio-signature');
    if (!deps.twilioAuthToken || !signature) return false;
    return twilio.validateRequest(deps.twilioAuthToken, signature, requestedUrl(req), formOf(req));
  }

  function refuseUnsigned(res: Response): void {
    res.status(403).type('text/plain').send('invalid or missing X-Twilio-Signature');
  }

  /** The roster person with this mobile number (E.164, as Twilio sends it). */
  function personByNumber(number: string): Person | undefined {
    const compact = number.replace(/[\s-]/g, '');
    return compact ? roster.people.find((person) => person.mobile === compact) : undefined;
  }

  /** R-SEC-2: the person, or the masked number (R-SEC-1) when the number is not on the roster. */
  function actorFor(person: Person | undefined, number: string): Actor {
    return { name: person?.name ?? (maskContact(number) || 'unknown caller'), role: 'oncall' };
  }

  // ---- acting on an incident -----------------------------------------------------------------

  /** Runs one action and says what came of it; refusals are read back from the incident itself. */
  async function act(id: string, action: Action, actor: Actor): Promise<Outcome> {
    const handle = client.workflow.getHandle<typeof incidentWorkflow>(id);
    try {
      const state = await bounded(() => {
        if (action === 'ack') return handle.executeUpdate(acknowledgeUpdate, { args: [{ actor }] });
        if (action === 'escalate') return handle.executeUpdate(escalateUpdate, { args: [{ actor }] });
        const summary = `resolved by SMS reply from ${actor.name}`;
        return handle.executeUpdate(resolveUpdate, { args: [{ actor, summary }] });
      });
      return { result: 'done', state };
    } catch (err) {
      const refusal = toHttpError(err);
      if (refusal.status >= 500) return { result: 'unavailable' };
      let state: IncidentState | undefined;
      try {
        state = await bounded(() => handle.query(stateQuery));
      } catch (queryError) {
        const unread = toHttpError(queryError);
        if (unread.status === 404) return { result: 'not-found', id };
        if (unread.status >= 500) return { result: 'unavailable' };
      }
      if (!state) return { result: 'refused', id, reason: refusal.message };
      if (state.status === 'resolved') return { result: 'resolved', id };
      if (state.status === 'acknowledged' && action !== 'resolve') {
        return { result: 'already-acknowledged', id, by: state.acknowledgedBy ?? '?' };
      }
      return { result: 'refused', id, reason: refusal.message };
    }
  }

  /** Open incidents carrying this code (visibility; only a validated digit string reaches the query). */
  async function openIncidentsWithCode(code: string): Promise<string[]> {
    if (!ACK_CODE.test(code)) return [];
    const query = [
      `WorkflowType = 'incidentWorkflow'`,
      `ExecutionStatus = 'Running'`,
      `IncidentAckCode = '${code}'`,
      `IncidentStatus != 'resolved'`,
    ].join(' AND ');
    return bounded(async () => {
      const ids = new Set<string>();
      for await (const info of client.workflow.list({ query, pageSize: MAX_CANDIDATES })) {
        ids.add(info.workflowId);
        if (ids.size >= MAX_CANDIDATES) break;
      }
      return [...ids];
    });
  }

  /** One incident for a code: the only one, or the only one that paged this sender. */
  async function pickIncident(
    code: string,
    sender: { person?: Person; number: string },
  ): Promise<{ id: string } | { none: true } | { ambiguous: string[] }> {
    const ids = await openIncidentsWithCode(code);
    if (ids.length === 0) return { none: true };
    if (ids.length === 1) return { id: ids[0]! };
    const states = await Promise.all(ids.map((id) => bounded(() => client.workflow.getHandle(id).query(stateQuery)).catch(() => undefined)));
    const paged = states.filter((state): state is IncidentState => state !== undefined && pagedSender(state, sender));
    if (paged.length === 1) return { id: paged[0]!.id };
    return { ambiguous: (paged.length > 1 ? paged.map((s) => s.id) : ids).sort() };
  }

  // ---- SMS -----------------------------------------------------------------------------------

  function answerSms(res: Response, text: string): void {
    const response = new twilio.twiml.MessagingResponse();
    response.message(text);
    res.type('text/xml').send(response.toString());
  }

  router.post('/webhooks/twilio/sms', formParser, async (req, res) => {
    if (!signedByTwilio(req)) return refuseUnsigned(res);
    const words = WORDS[language];
    const from = field(req, 'From');
    const person = personByNumber(from);
    const command = readSmsCommand(field(req, 'Body'));
    if (!command) return answerSms(res, words.notACommand);
    // Resolving closes the incident for everyone: only people on the roster may do it by SMS.
    if (command.action === 'resolve' && !person) {
      return answerSms(
        res,
        language === 'zh' ? '仅值班名单中的人员可以通过短信解决事件。' : 'Only people on the on-call roster can resolve an incident by SMS.',
      );
    }
    try {
      let id: string;
      if (command.incidentId !== undefined) {
        id = command.incidentId;
      } else {
        const picked = await pickIncident(command.code, { ...(person ? { person } : {}), number: from });
        if ('none' in picked) return answerSms(res, words.unknownCode(command.code));
        // Incident ids are listed back only to people on the roster.
        if ('ambiguous' in picked) return answerSms(res, words.ambiguous(command.code, person ? picked.ambiguous.slice(0, MAX_LISTED) : []));
        id = picked.id;
      }
      const actor = actorFor(person, from);
      const outcome = await act(id, command.action, actor);
      if (outcome.result === 'done') {
        return answerSms(res, command.action === 'ack' ? words.acknowledged(id, actor.name) : words.resolvedNow(id, actor.name));
      }
      return answerSms(res, describeOutcome(outcome, words));
    } catch (err) {
      if (toHttpError(err).status >= 500) console.error('SMS webhook: the engine did not answer:', err instanceof Error ? err.message : err);
      return answerSms(res, words.unavailable);
    }
  });

  // ---- voice ---------------------------------------------------------------------------------

  function say(response: twilio.twiml.VoiceResponse, lang: PageLanguage, text: string): void {
    response.say(VOICE[lang], text);
  }

  function answerVoice(res: Response, lang: PageLanguage, text: string): void {
    const response = new twilio.twiml.VoiceResponse();
    say(response, lang, text);
    response.hangup();
    res.type('text/xml').send(response.toString());
  }

  function voiceUrl(path: string, id: string, lang: PageLanguage): string {
    return `${publicBase ?? ''}${path}?incident=${encodeURIComponent(id)}&lang=${lang}`;
  }

  /** What the call reads: class, tier, what is due and the code; no incident id, no personal data. */
  function spokenPage(state: IncidentState, lang: PageLanguage): string {
    const pending = state.deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
    const content: PageContent = {
      incidentId: state.id,
      ackCode: state.ackCode,
      category: state.category ?? 'system',
      severity: state.severity ?? 'general',
      kind: 'page',
      ...(pending ? { due: { deadline: pending.id, dueAt: pending.dueAt } } : {}),
      drill: state.report.drill,
      lang,
    };
    const { due: _due, ...rest } = content;
    return renderPage({ ...rest, dueSummary: describeDue(content, deps.timeZone) }).voice;
  }

  const readPage = async (req: Request, res: Response) => {
    if (!signedByTwilio(req)) return refuseUnsigned(res);
    const query = voiceQuerySchema.safeParse(req.query);
    if (!query.success) return void res.status(400).type('text/plain').send('incident must be an incident id; lang zh or en');
    const { incident: id } = query.data;
    const lang = query.data.lang ?? language;
    const words = WORDS[lang];
    let state: IncidentState;
    try {
      state = await bounded(() => client.workflow.getHandle(id).query(stateQuery));
    } catch (err) {
      return answerVoice(res, lang, toHttpError(err).status === 404 ? words.voiceNotFound : words.voiceUnavailable);
    }
    if (state.status === 'resolved') return answerVoice(res, lang, words.voiceResolved);
    if (state.status === 'acknowledged') {
      return answerVoice(res, lang, `${spokenPage(state, lang)}${lang === 'en' ? ' ' : ''}${words.voiceAlreadyAcknowledged(state.acknowledgedBy ?? '?')}`);
    }
    const text = `${spokenPage(state, lang)}${lang === 'en' ? ' ' : ''}${words.escalateHint}`;
    res.type('text/xml').send(pageTwiml({ say: text, lang, gatherUrl: voiceUrl('/webhooks/twilio/voice/gather', id, lang) }));
  };
  router.get('/webhooks/twilio/voice', readPage);
  router.post('/webhooks/twilio/voice', formParser, readPage);

  router.post('/webhooks/twilio/voice/gather', formParser, async (req, res) => {
    if (!signedByTwilio(req)) return refuseUnsigned(res);
    const query = voiceQuerySchema.safeParse(req.query);
    if (!query.success) return void res.status(400).type('text/plain').send('incident must be an incident id; lang zh or en');
    const { incident: id } = query.data;
    const lang = query.data.lang ?? language;
    const words = WORDS[lang];
    const digits = field(req, 'Digits');
    if (digits !== '1' && digits !== '2') {
      const response = new twilio.twiml.VoiceResponse();
      say(response, lang, words.badKey);
      response.redirect({ method: 'POST' }, voiceUrl('/webhooks/twilio/voice', id, lang));
      return void res.type('text/xml').send(response.toString());
    }
    // A page call goes out from the Twilio number to the person: `To` is theirs (an inbound call: `From`).
    const to = field(req, 'To');
    const from = field(req, 'From');
    const number = personByNumber(to) ? to : from;
    const outcome = await act(id, digits === '1' ? 'ack' : 'escalate', actorFor(personByNumber(number), number));
    switch (outcome.result) {
      case 'done':
        return answerVoice(res, lang, digits === '1' ? words.voiceAcknowledged : words.voiceEscalated);
      case 'already-acknowledged':
        return answerVoice(res, lang, words.voiceAlreadyAcknowledged(outcome.by));
      case 'resolved':
        return answerVoice(res, lang, words.voiceResolved);
      case 'not-found':
        return answerVoice(res, lang, words.voiceNotFound);
      case 'refused':
        return answerVoice(res, lang, words.refused(id, outcome.reason));
      case 'unavailable':
        return answerVoice(res, lang, words.voiceUnavailable);
    }
  });

  // ---- e-mail acknowledgement links ----------------------------------------------------------

  function answerPage(res: Response, status: number, heading: string, text: string): void {
    const words = WORDS[language];
    res
      .status(status)
      // The token is a credential until it expires: keep it out of caches, referrers and indexes.
      .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' })
      .type('html')
      .send(
        `<!doctype html><html lang="${language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">` +
          `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">` +
          `<title>${escapeHtml(words.pageTitle)}</title></head><body>` +
          `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p></body></html>`,
      );
  }

  router.get('/ack/:token', async (req, res) => {
    const words = WORDS[language];
    if (!deps.ackLinkSecret) return answerPage(res, 404, words.pageTitle, words.linkDisabled);
    const verified = verifyAckToken(deps.ackLinkSecret, String(req.params.token), clock());
    if (!verified.ok) {
      return verified.reason === 'expired'
        ? answerPage(res, 410, words.pageTitle, words.linkExpired)
        : answerPage(res, 403, words.pageTitle, words.linkInvalid);
    }
    const { incidentId: id, personId } = verified.payload;
    const person = roster.people.find((p) => p.id === personId);
    // Someone taken off the roster since the page went out no longer acknowledges for the team.
    if (!person) return answerPage(res, 403, words.pageTitle, words.linkInvalid);
    const outcome = await act(id, 'ack', { name: person.name, role: 'oncall' });
    if (outcome.result === 'done') return answerPage(res, 200, words.pageTitle, words.linkAcknowledged(id, person.name));
    const status = outcome.result === 'unavailable' ? 503 : outcome.result === 'not-found' ? 404 : outcome.result === 'refused' ? 409 : 200;
    return answerPage(res, status, words.pageTitle, describeOutcome(outcome, words));
  });

  return router;
}

function describeOutcome(outcome: Exclude<Outcome, { result: 'done' }>, words: (typeof WORDS)[PageLanguage]): string {
  switch (outcome.result) {
    case 'already-acknowledged':
      return words.alreadyAcknowledged(outcome.id, outcome.by);
    case 'resolved':
      return words.alreadyResolved(outcome.id);
    case 'not-found':
      return words.notFound(outcome.id);
    case 'refused':
      return words.refused(outcome.id, outcome.reason);
    case 'unavailable':
      return words.unavailable;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
