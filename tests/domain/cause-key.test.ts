// R-CAT-COMP "the same cause", explicitly: cause fields first, else a configured text cause, else
// none; names derived from events carry no personal data (R-SEC-1); the detection config is
// validated once, naming each bad field.
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { causeClusterWorkflowId, duplicateKeys, signalWorkflowId } from '../../domain/correlation-keys';
import { deriveCause, detect, type SignalEvent } from '../../domain/detection';
import { parseDetectionConfig } from '../../domain/detection-config';
import { DEFAULT_POLICY } from '../../domain/policy';

const config = parseDetectionConfig({});
const complaint = (overrides: Partial<SignalEvent> = {}): SignalEvent => ({
  source: 'hotline',
  sourceEventId: 'HL-1',
  text: '客户投诉门诊费用被拒赔，强烈不满。',
  customerRef: 'CUST-881',
  ...overrides,
});

describe('cause keys (R-CAT-COMP)', () => {
  test('fields make the key, in the configured order, absent ones as *, normalised', () => {
    const a = deriveCause(complaint({ cause: { reasonCode: 'R-OUT-CAP', product: 'Med Plus ' } }), '', config);
    const b = deriveCause(complaint({ cause: { product: 'MED  PLUS', reasonCode: 'r-out-cap' } }), '', config);
    expect(a).toEqual({
      key: 'fields:product=med plus|claimType=*|reasonCode=r-out-cap|hospital=*|diseaseCategory=*',
      label: 'product med plus, reasonCode r-out-cap',
      from: 'fields',
    });
    expect(b?.key).toBe(a?.key);
  });

  test('a deployment narrows "the same cause" to the fields it trusts', () => {
    const narrow = parseDetectionConfig({ cause: { fields: ['reasonCode'] } });
    const a = deriveCause(complaint({ cause: { reasonCode: 'R-1', hospital: 'A' } }), '', narrow);
    const b = deriveCause(complaint({ cause: { reasonCode: 'R-1', hospital: 'B' } }), '', narrow);
    expect(a?.key).toBe('fields:reasonCode=r-1');
    expect(b?.key).toBe(a?.key);
  });

  test('without fields, the first configured text cause; without one, no cause (never grouped)', () => {
    expect(deriveCause(complaint(), '客户投诉门诊费用被拒赔', config)).toEqual({ key: 'text:claim-rejection', label: 'Claim rejected', from: 'text' });
    expect(deriveCause(complaint(), 'Customer complains the payout amount is too low', config)?.key).toBe('text:reimbursement-ratio');
    expect(deriveCause(complaint(), '客户投诉，情况不明', config)).toBeUndefined();
    const own = parseDetectionConfig({ cause: { textCauses: [{ key: 'dental-cap', label: 'Dental cap', terms: ['牙科', 'dental'] }] } });
    expect(deriveCause(complaint(), 'complaint about the dental limit', own)?.key).toBe('text:dental-cap');
  });

  test('a complaint with a cause goes to its cluster; one without is only deduplicated', () => {
    const context = { config, policy: DEFAULT_POLICY, calendar: createCalendar(readCalendarData()), receivedAt: new Date('2026-03-20T02:00:00Z') };
    const grouped = detect(complaint({ cause: { reasonCode: 'R-1' } }), context);
    expect(grouped).toMatchObject({ kind: 'incident', correlation: { kind: 'cluster', cause: { from: 'fields' } } });
    const alone = detect(complaint({ text: '客户投诉理赔员态度，要求道歉。'.replace('态度', '服务') }), context);
    expect(alone).toMatchObject({ kind: 'incident', correlation: { kind: 'duplicate' } });
  });
});

describe('names carry no personal data (R-SEC-1)', () => {
  test('workflow ids and duplicate keys hash claim, customer and cause values', () => {
    const cause = { key: 'fields:hospital=协和医院', label: 'hospital 协和医院', from: 'fields' as const };
    const names = [
      signalWorkflowId('hotline', 'HL-13800138000'),
      causeClusterWorkflowId(cause.key),
      ...duplicateKeys('complaint', { kind: 'customer', ref: 'CUST-张伟' }, cause, new Date(), 86_400_000, 'hotline:HL-1'),
    ];
    for (const name of names) {
      expect(name).not.toMatch(/13800138000|张伟|协和|CUST-/);
      expect(name).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  test('the same subject and cause share a key within a window bucket; the previous bucket is offered too', () => {
    const at = new Date('2026-03-20T08:00:00Z');
    const [current, previous] = duplicateKeys('timeliness', { kind: 'claim', ref: 'CLM-1' }, undefined, at, 86_400_000, 'chat:1');
    const later = duplicateKeys('timeliness', { kind: 'claim', ref: 'CLM-1' }, undefined, new Date('2026-03-20T20:00:00Z'), 86_400_000, 'email:2');
    expect(later[0]).toBe(current);
    const nextDay = duplicateKeys('timeliness', { kind: 'claim', ref: 'CLM-1' }, undefined, new Date('2026-03-21T01:00:00Z'), 86_400_000, 'email:3');
    expect(nextDay[1]).toBe(current);
    expect(previous).not.toBe(current);
    // No subject: the event is its own key.
    expect(duplicateKeys('info', undefined, undefined, at, 86_400_000, 'chat:9')).toHaveLength(1);
  });
});

describe('the detection config is validated once, naming each bad field', () => {
  test('defaults: the plan figures and the three systems the plan names', () => {
    expect(config).toMatchObject({ duplicateWindowHours: 24, groupComplaint: { windowHours: 24 }, payout: { warningWorkingDays: 3, untouchedWorkingDays: 5 } });
    expect(Object.keys(config.systems)).toEqual(['claims-core', 'upload-platform', 'query-system']);
    expect(config.systemIncidents.restoreChecklist[0]?.id).toBe('claim-query');
  });

  test('an alias must mean a known lexicon term; names must be harmless words', () => {
    expect(() => parseDetectionConfig({ lexicon: { aliases: [{ term: '踢皮球', means: '踢球' }] } })).toThrow(
      /lexicon\.aliases\.0\.means: "踢球" is not a term of the triage lexicons/,
    );
    expect(() => parseDetectionConfig({ systems: { 'Claims Core!': { intervalSeconds: 60 } } })).toThrow(/systems/);
    expect(() => parseDetectionConfig({ payout: { warningWorkingDays: -1 } })).toThrow(/payout\.warningWorkingDays/);
  });

  test('an alias is read as its term, with the same negation handling', () => {
    const withAlias = parseDetectionConfig({ lexicon: { aliases: [{ term: '踢皮球', means: '推诿' }] } });
    const context = { config: withAlias, policy: DEFAULT_POLICY, calendar: createCalendar(readCalendarData()), receivedAt: new Date() };
    const asserted = detect({ source: 'chat', sourceEventId: 'C-1', text: '客服一直踢皮球，问题没人管，很生气。' }, context);
    expect(asserted.kind).toBe('incident');
    if (asserted.kind !== 'incident') return;
    expect(asserted.triage.category).toBe('complaint');
    expect(asserted.reasons).toContainEqual({ rule: 'R-DET-2', evidence: 'lexicon alias "踢皮球" read as keyword "推诿"' });
    expect(asserted.report.description).toContain('[R-DET-2 lexicon] "踢皮球" = 推诿');
    const negated = detect({ source: 'chat', sourceEventId: 'C-2', text: '客服没有踢皮球，很快就回复了。' }, context);
    expect(negated.kind).toBe('none');
  });
});
