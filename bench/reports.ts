/**
 * Distinct incident reports for the load: a mix of the plan's categories and tiers, each made
 * unique by its ticket and claim numbers, as support agents would send them (POST /incidents).
 */
const TEMPLATES = [
  {
    title: '客户来电催问赔款',
    description: '客户反映理赔决定已于上月出具，至今已超过15个工作日赔款仍未到账，要求尽快打款。',
    source: 'hotline',
    facts: { daysSinceDecision: 18 },
  },
  {
    title: 'Claim documents recorded wrongly',
    description: 'The diagnosis code on the claim does not match the hospital invoice; the customer asks for a correction.',
    source: 'ticket',
    facts: {},
  },
  {
    title: '客户对理赔结果强烈质疑，扬言投诉',
    description: '客户来电称理赔金额计算错误，强烈质疑审核结果，表示将向监管投诉。',
    source: 'hotline',
    facts: {},
  },
  {
    title: 'Payout batch delayed',
    description: 'The nightly payout batch did not run; payouts for approved claims are delayed by 4 working days.',
    source: 'system-alert',
    facts: { batchDelayDays: 4, affectedClaims: 12 },
  },
  {
    title: '理赔系统无法登录',
    description: '理赔核心系统登录页面报错，客服无法查询理赔进度，影响全部线上报案。',
    source: 'system-alert',
    facts: { system: 'claims-core' },
  },
  {
    title: 'Customer complaint about a rejected outpatient claim',
    description: 'The customer complains that the outpatient claim was rejected without explanation and wants it reviewed.',
    source: 'email',
    facts: {},
  },
] as const;

/** The `index`-th report of run `run`: distinct from every other index and run. */
export function incidentReport(run: string, index: number): Record<string, unknown> {
  const template = TEMPLATES[index % TEMPLATES.length]!;
  const ticket = `${run}-${String(index).padStart(6, '0')}`;
  return {
    title: `${template.title} (#${ticket})`,
    description: `${template.description} Ticket ${ticket}.`,
    source: template.source,
    reporter: `bench-agent-${index % 50}`,
    facts: { ...template.facts, claimId: `CLM-${ticket}` },
  };
}

export function idempotencyKey(run: string, index: number): string {
  return `bench-${run}-${index}`;
}
