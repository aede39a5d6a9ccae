/**
 * A labelled corpus of incident reports as support agents, monitoring and internal reporters
 * write them, in Chinese and English, with the label a claims lead would give each one.
 *
 * Labels follow domain/emergency-plan.md. Where the plan leaves room, the note says which
 * reading was taken. Reports that describe no incident at all (a thank-you, a routine progress
 * question, "it is not an error") still have to land somewhere: they are labelled `info` /
 * `minor`, the triage fallback — a routine matter customer service closes quickly (R-SEV-MINOR,
 * R-CAT-X lets a person reclassify).
 */
import type { Category, IncidentReport, Line, ReportFacts, Severity, Source } from '../../domain/types';

export interface CorpusItem {
  report: IncidentReport;
  expected: { category: Category; severity: Severity; lines?: Line[] };
  note?: string;
  /**
   * Set when triage is known to get this item wrong: the label stays honest, the test is marked
   * `test.failing` (it fails loudly once fixed) and the miss counts against precision/recall.
   */
  knownLimitation?: string;
}

function report(source: Source, reporter: string, title: string, description: string, facts: ReportFacts = {}): IncidentReport {
  return { title, description, source, facts, reporter, drill: false };
}

export const TRIAGE_CORPUS: readonly CorpusItem[] = [
  // ------------------------------------------------------------------ Chinese: timeliness
  {
    report: report(
      'hotline',
      'cs-agent-017',
      '客户来电催问赔款',
      '客户反映理赔决定已于上月出具，至今已超过15个工作日赔款仍未到账，情绪较急，要求尽快打款。',
      { claimId: 'CLM-2024-0811', daysSinceDecision: 18 },
    ),
    expected: { category: 'timeliness', severity: 'general', lines: ['customer-service', 'claims'] },
  },
  {
    report: report(
      'chat',
      'cs-agent-031',
      '进度长时间无更新',
      '客户称3月初提交的门诊理赔，APP上查询进度一直显示“审核中”，已经一个多月没有任何变化，问是不是被拖延了。',
    ),
    expected: { category: 'timeliness', severity: 'general' },
    note: 'progress shows no update for a long time (R-CAT-TIME); the "是不是被拖延" question alone proves nothing',
  },
  {
    report: report(
      'system-alert',
      'monitor:payout-batch',
      '批量付款任务延迟',
      '6月12日的赔款批量代付任务因银行通道对账未完成而挂起，截至今日已延迟4个工作日，涉及待付赔案312笔。',
      { batchDelayDays: 4, affectedClaims: 312 },
    ),
    expected: { category: 'timeliness', severity: 'major', lines: ['customer-service', 'claims', 'management'] },
  },
  {
    report: report(
      'email',
      'cs-agent-005',
      '邮件：赔款逾期未付',
      '客户邮件称其住院理赔在5月20日已结案并通知赔付金额，但至今未收到赔款，合同约定15个工作日内支付，目前已逾期。',
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report('claim-status', 'monitor:claim-status', '赔案超时未付', '自动检测：赔案结案后已18个工作日未付款。', {
      claimId: 'CLM-2024-1290',
      daysSinceDecision: 18,
    }),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'internal-report',
      'finance-ops-02',
      '节后集中付款积压',
      '春节后付款集中，财务付款系统处理能力不足，约1500笔已结案赔款延迟支付，预计还需5个工作日。',
    ),
    expected: { category: 'timeliness', severity: 'major' },
    note: 'the symptom is payouts delayed in bulk; the capacity shortfall is the cause, not a system outage',
  },
  {
    report: report(
      'hotline',
      'cs-agent-017',
      '客户咨询理赔进度',
      '客户来电确认没有拖延，只是咨询进度，已告知预计下周三前到账。',
    ),
    expected: { category: 'info', severity: 'minor', lines: ['customer-service'] },
    note: 'near-miss: "没有拖延" is negated; a progress question is no incident: the fallback, customer service only',
  },
  {
    report: report('chat', 'cs-agent-044', '客户催促赔款', '客户表示着急用钱，催促尽快打款。', {
      claimId: 'CLM-2024-1502',
      daysSinceDecision: 6,
    }),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: the customer is chasing, but the facts say the payout is not late (6 < 15 working days)',
  },
  {
    report: report(
      'hotline',
      'cs-agent-023',
      '客户询问节假日是否影响到账',
      '客户听说国庆假期银行停业，来电询问赔款会不会延迟到账，已解释按工作日计算。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: "会不会延迟" is a question, not a delay',
  },
  // ------------------------------------------------------------------ Chinese: info
  {
    report: report(
      'ticket',
      'claims-assessor-12',
      '发票抬头错误',
      '客户提交的门诊发票抬头写成了公司名称，与被保险人不一致，理赔被退回，需要客户重新开具发票后补交。',
    ),
    expected: { category: 'info', severity: 'minor', lines: ['customer-service', 'claims'] },
  },
  {
    report: report(
      'ticket',
      'claims-assessor-07',
      '缺少检查报告',
      '审核发现客户住院理赔材料中缺少出院小结和病理检查报告，案件无法继续处理，已通知客户补充材料。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'claims-assessor-03',
      '诊断与治疗项目不符',
      '理赔审核发现病历诊断为急性胃炎，但费用清单中包含心脏彩超，诊断与治疗项目不匹配，需客户提供医生说明。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'claims-qa-01',
      '客户身份关联错误',
      '核查发现一位客户的理赔记录被关联到另一位同名客户名下，两人的理赔历史混在一起，需技术和理赔共同核对修正。',
    ),
    expected: { category: 'info', severity: 'general' },
    note: 'an internal data error (identity linked to the wrong person) is not a customer correction: general',
  },
  {
    report: report(
      'internal-report',
      'internal-audit-02',
      '理赔历史记录疑似被篡改',
      '内审发现3笔已结案理赔的赔付金额在结案后被修改，操作日志缺失，疑似数据被篡改。',
      { dataLoss: true, affectedClaims: 3 },
    ),
    expected: { category: 'info', severity: 'major', lines: ['customer-service', 'claims', 'technology', 'management'] },
  },
  {
    report: report(
      'chat',
      'cs-agent-031',
      '银行卡信息有误',
      '客户填写的收款银行卡号少了一位，导致赔款退票，已联系客户更正账户信息后重新支付。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'claims-assessor-12',
      '发票金额录入错误',
      '录入人员把发票金额1280元录成了12800元，系统已拦截，需更正后重新审核。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss for system: the system only caught the typing error',
  },
  {
    report: report(
      'hotline',
      'cs-agent-009',
      '客户致谢',
      '客户来电感谢专员两天内解决了她之前投诉的赔款问题，表示很满意，无需再跟进。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: thanks for resolving an earlier complaint is not a complaint',
  },
  {
    report: report('hotline', 'cs-agent-009', '客户表扬', '客户来电表扬理赔专员服务态度好、效率高，希望转达谢意。'),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: praise, no incident',
  },
  // ------------------------------------------------------------------ Chinese: complaint
  {
    report: report(
      'hotline',
      'cs-agent-017',
      '客户投诉理赔拖延',
      '客户来电投诉：理赔结案已近一个月赔款还没到账，多次催办无果，对处理效率非常不满，要求给个说法。',
    ),
    expected: { category: 'complaint', severity: 'general', lines: ['customer-service', 'claims'] },
    note: 'a formal complaint about a delay without timeliness facts: complaint (its R-T-COMPLAINT deadlines apply)',
  },
  {
    report: report(
      'hotline',
      'cs-agent-023',
      '客户质疑理赔结果',
      '客户对核定的赔付金额有异议，认为自费药品不应全部剔除，质疑审核标准不一致，要求复核。',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report('chat', 'cs-agent-044', '客户投诉客服态度', '客户在线投诉昨天来电时客服人员态度恶劣，中途挂断电话，要求道歉。'),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-005',
      '客户扬言曝光',
      '客户因拒赔决定情绪激动，称如果三天内不给答复就联系记者并发微博曝光。',
    ),
    expected: { category: 'complaint', severity: 'major', lines: ['customer-service', 'claims', 'management'] },
  },
  {
    report: report(
      'system-alert',
      'monitor:cause-cluster',
      '同一原因投诉激增',
      '24小时内有8位客户投诉同一问题：门诊险报销比例与宣传材料不符。',
      { complainingCustomers: 8 },
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'email',
      'cs-agent-005',
      '团体险员工联名投诉',
      '某企业团体险的员工联名投诉，称公司统一投保的补充医疗险理赔被无故拒赔，已有12人签名。',
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'email',
      'cs-agent-031',
      '对拒赔结果有异议',
      '客户邮件表示不认可拒赔结论，认为既往症认定有误，要求提供书面解释并申请复议。',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-009',
      '客户不满理赔员反复要求补材料',
      '客户称理赔员三次要求补交不同材料，认为是故意刁难，对此非常不满，要求更换经办人。',
    ),
    expected: { category: 'complaint', severity: 'general' },
    note: 'the material requests are the subject; the dispute about handling is the incident',
  },
  {
    report: report(
      'hotline',
      'cs-agent-023',
      '客户说明不是投诉',
      '客户来电强调不是投诉，只是想了解拒赔的具体条款依据，已发送条款说明。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: "不是投诉"; asking why a claim was denied is a consultation',
  },
  // ------------------------------------------------------------------ Chinese: system
  {
    report: report(
      'system-alert',
      'monitor:claims-core',
      '理赔核心系统宕机',
      '【监控告警】理赔核心系统数据库连接池耗尽，09:42起服务不可用，新报案全部无法提交，影响全国各分公司。',
      { system: 'claims-core' },
    ),
    expected: { category: 'system', severity: 'major', lines: ['customer-service', 'technology', 'management'] },
  },
  {
    report: report(
      'ticket',
      'cs-agent-044',
      '上传页面报错',
      '个别客户反映在APP上传发票照片时提示“上传失败，请稍后重试”，其他客户上传正常，已建议客户改用网页端。',
    ),
    expected: { category: 'system', severity: 'general', lines: ['customer-service', 'technology'] },
  },
  {
    report: report(
      'hotline',
      'cs-team-lead-02',
      '影像上传平台故障',
      '上午10点起大量客户来电反映影像上传平台打不开，理赔材料无法上传，客服热线排队超过200人。',
    ),
    expected: { category: 'system', severity: 'major' },
  },
  {
    report: report(
      'system-alert',
      'monitor:claims-query',
      '理赔查询接口响应超时',
      '理赔进度查询接口近15分钟平均响应时间超过8秒，部分请求超时，核心理赔功能正常。',
      { system: 'claims-query-api' },
    ),
    expected: { category: 'system', severity: 'general' },
    note: 'degraded, not down, and no bulk impact stated',
  },
  {
    report: report(
      'system-alert',
      'monitor:image-store',
      '影像存储数据丢失',
      '存储服务器磁盘阵列故障，恢复后发现6月10日至11日上传的理赔影像资料部分丢失，备份正在核对。',
      { system: 'image-store', dataLoss: true, affectedClaims: 140 },
    ),
    expected: { category: 'system', severity: 'major' },
  },
  {
    report: report(
      'ticket',
      'cs-agent-017',
      '客户无法登录APP',
      '客户反映输入验证码后仍无法登录APP，重装后问题依旧，其他用户登录正常，已转技术排查。',
    ),
    expected: { category: 'system', severity: 'general' },
  },
  {
    report: report(
      'system-alert',
      'monitor:upload-svc',
      '【告警】claim-upload-svc 5xx 错误率升高',
      'claim-upload-svc 近10分钟 5xx 错误率 38%，影像上传大量失败。',
      { system: 'claim-upload-svc', affectedClaims: 45 },
    ),
    expected: { category: 'system', severity: 'major' },
  },

  // ------------------------------------------------------------------ English: timeliness
  {
    report: report(
      'email',
      'cs-agent-052',
      'Payout still not received',
      'Policyholder writes that her claim was approved on 2 May and she was told to expect payment within 15 working days. It is now 4 weeks later and nothing has arrived in her account.',
    ),
    expected: { category: 'timeliness', severity: 'general', lines: ['customer-service', 'claims'] },
  },
  {
    report: report(
      'claim-status',
      'monitor:claim-status',
      'Claim paid late: decision + 17 working days',
      'Automated check: claim decided 17 working days ago, payment instruction not yet issued.',
      { claimId: 'CLM-2024-2231', daysSinceDecision: 17 },
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'system-alert',
      'monitor:payout-batch',
      'Nightly payout batch stuck',
      'Payout batch PB-0613 has not completed since Monday; 4 working days behind schedule. 480 approved claims are waiting for payment.',
      { batchDelayDays: 4, affectedClaims: 480 },
    ),
    expected: { category: 'timeliness', severity: 'major', lines: ['customer-service', 'claims', 'management'] },
  },
  {
    report: report(
      'chat',
      'cs-agent-061',
      'Chasing payment for the third time',
      "Customer has chased us three times this month. Claim was settled in March but the money still hasn't come through. He says nobody calls him back.",
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'chat',
      'cs-agent-058',
      'Progress tracker shows no update for 6 weeks',
      "Claimant reports the online tracker has shown 'Under assessment' for six weeks with no update and no one has contacted her.",
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'email',
      'cs-agent-052',
      'Reimbursement delayed beyond contract terms',
      "Customer's reimbursement was approved 19 working days ago. Contract promises payment within 15 working days. Customer is asking for interest on the delayed amount.",
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-061',
      'Payment late, customer calm',
      'Payment is late: 18 working days since approval against a 15-day limit. Customer was calm and said she is not making a complaint, she just wants a date.',
    ),
    expected: { category: 'timeliness', severity: 'general' },
    note: 'near-miss for complaint: "not making a complaint" is negated',
  },
  {
    report: report(
      'hotline',
      'cs-agent-058',
      'Customer threatens Weibo post over unpaid claim',
      "Customer says she will post about us on Weibo if the payout doesn't arrive by Friday. Claim was approved five weeks ago.",
    ),
    expected: { category: 'timeliness', severity: 'major' },
    note: 'the incident is a late payout; the public-opinion threat makes it major (R-SEV-MAJOR)',
  },
  {
    report: report(
      'hotline',
      'cs-agent-052',
      'Customer checking on claim progress',
      'Customer called to check progress. There has been no delay - the claim is still within the normal review period and she was happy with the explanation.',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: "no delay"; a progress check is no incident, so the fallback label',
  },
  // ------------------------------------------------------------------ English: info
  {
    report: report(
      'ticket',
      'claims-assessor-21',
      'Invoice made out to employer',
      "Invoice title shows the customer's employer instead of the insured person, so the claim was returned. Customer asked to get a corrected invoice from the hospital.",
    ),
    expected: { category: 'info', severity: 'minor', lines: ['customer-service', 'claims'] },
  },
  {
    report: report(
      'email',
      'claims-assessor-21',
      'Missing discharge summary',
      'Inpatient claim cannot proceed: the discharge summary and the pathology report are missing from the submission. Requested from the customer by email.',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'claims-assessor-18',
      'Diagnosis does not match treatment',
      'Assessor flagged that the diagnosis on the medical record (sprained ankle) does not match the MRI of the lumbar spine billed on the invoice. Need clarification from the hospital.',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'claims-qa-04',
      'Claim attached to wrong customer record',
      'Claim CLM-88213 was attached to the wrong customer record (same name and date of birth). Needs to be moved and similar records checked.',
    ),
    expected: { category: 'info', severity: 'general' },
    note: 'internal data error: general, not a customer correction',
  },
  {
    report: report(
      'internal-report',
      'internal-audit-05',
      'Bank details tampered before payout',
      'Audit found the payee bank account on two settled claims was changed after approval without a change request. Looks like the records were tampered with; payouts on hold.',
      { dataLoss: true },
    ),
    expected: { category: 'info', severity: 'major', lines: ['customer-service', 'claims', 'technology', 'management'] },
  },
  {
    report: report(
      'ticket',
      'cs-agent-058',
      'Wrong ID number on claim form',
      "The ID number on the claim form has one digit wrong and doesn't match the policy, so the system cannot verify the insured. Customer will send a corrected form.",
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss for system: the system is working, the data is wrong',
  },
  {
    report: report(
      'ticket',
      'claims-assessor-18',
      'Claim returned - receipt illegible',
      'Receipts uploaded are blurry and the amounts cannot be read; claim returned to customer with a request to re-upload clear copies.',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'chat',
      'cs-agent-061',
      'Customer queries co-payment deduction',
      'Customer queried the 10% co-payment on her claim. Checked the policy: it is not an error, the co-pay applies to out-of-network hospitals. Explained and customer accepted.',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: "not an error"; fallback label',
  },
  {
    report: report(
      'email',
      'cs-agent-052',
      'Compliment for claims handler',
      'Customer emailed to thank the claims team for resolving her complaint so quickly and asked for it to be passed on to management.',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: thanks for resolving a complaint',
  },
  {
    report: report(
      'hotline',
      'cs-agent-058',
      'Not a complaint - wants explanation of exclusion',
      'Customer said this is not a complaint; she just wants to understand why the pre-existing condition exclusion applies to her claim.',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: "not a complaint"',
  },
  {
    report: report(
      'hotline',
      'cs-agent-061',
      'Thanks for fixing login issue',
      'Customer called back to thank us for fixing the login problem - she can now see her claims.',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: thanks for a fix, no incident',
  },
  // ------------------------------------------------------------------ English: complaint
  {
    report: report(
      'hotline',
      'cs-agent-052',
      'Customer disputes partial payout',
      'Customer disputes the amount paid on his outpatient claim - says the physiotherapy sessions were pre-approved by phone and should not have been deducted. Wants a formal review.',
    ),
    expected: { category: 'complaint', severity: 'general', lines: ['customer-service', 'claims'] },
  },
  {
    report: report(
      'chat',
      'cs-agent-058',
      'Rude agent complaint',
      'Customer complained that the agent she spoke to yesterday was rude and hung up on her. She wants an apology and a call from a supervisor.',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-061',
      'Customer threatening to go to the press',
      'Customer is very angry about the rejection of his cancer claim and says he has already contacted a journalist at a local newspaper. He has also posted about it on social media.',
    ),
    expected: { category: 'complaint', severity: 'major', lines: ['customer-service', 'claims', 'management'] },
  },
  {
    report: report(
      'system-alert',
      'monitor:cause-cluster',
      'Complaint spike: same cause',
      'Cause-cluster monitor: 7 distinct customers complained within 24 hours that their dental claims were rejected with reason code D14.',
      { complainingCustomers: 7 },
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'ticket',
      'cs-team-lead-03',
      'Three customers complain about new excess rule',
      'Three customers have complained today about the new excess applied to physiotherapy claims.',
      { complainingCustomers: 3 },
    ),
    expected: { category: 'complaint', severity: 'general' },
    note: 'below the group threshold (more than 5): a complaint, not a group complaint',
  },
  {
    report: report(
      'email',
      'cs-agent-052',
      'Customer disagrees with claim rejection',
      'Customer disagrees with the decision to reject her claim for IVF treatment and has asked for the decision to be reviewed. She says the policy wording is misleading.',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  // ------------------------------------------------------------------ English: system
  {
    report: report(
      'system-alert',
      'monitor:claims-portal',
      'Claims portal outage',
      'ALERT claims-portal: HTTP 503 on /claims/submit for 100% of requests since 14:05. Customers cannot submit new claims.',
      { system: 'claims-portal' },
    ),
    expected: { category: 'system', severity: 'major', lines: ['customer-service', 'technology', 'management'] },
  },
  {
    report: report(
      'ticket',
      'cs-agent-058',
      'App crashes when uploading photos on one device',
      'Customer reports the app closes when she attaches photos from her gallery. Only this customer has reported it; upload works for others. Asked her to update the app.',
    ),
    expected: { category: 'system', severity: 'general', lines: ['customer-service', 'technology'] },
  },
  {
    report: report(
      'system-alert',
      'monitor:claims-query',
      'Query service latency high',
      'claims-query p95 latency 6.2s (threshold 2s) for 20 minutes. Some status queries are timing out; submissions unaffected.',
      { system: 'claims-query' },
    ),
    expected: { category: 'system', severity: 'general', lines: ['technology'] },
    note: 'a back-end alert with no customer impact stated: technology only',
  },
  {
    report: report(
      'internal-report',
      'it-ops-07',
      'Document store lost uploads',
      "After last night's storage migration, documents uploaded between 01:00 and 03:00 are missing. Data loss confirmed for about 60 claims; restore from backup in progress.",
    ),
    expected: { category: 'system', severity: 'major' },
  },
  {
    report: report(
      'system-alert',
      'monitor:ocr',
      'OCR service down',
      'Invoice OCR service is down after a failed deployment; 230 claims stuck in the intake queue.',
      { system: 'ocr', affectedClaims: 230 },
    ),
    expected: { category: 'system', severity: 'major' },
  },
  {
    report: report(
      'hotline',
      'cs-team-lead-03',
      'Many callers cannot log in',
      'Since 8am hundreds of customers have called saying they cannot log in to the app or the website to check their claims.',
    ),
    expected: { category: 'system', severity: 'major' },
  },
  // ------------------------------------------------------------------ held-out batches
  // The items below were written in three batches after the lexicons were frozen, scored, and
  // only then used to extend the lexicons (batch 1 scored 10/16 on both labels, batch 2 5/14,
  // batch 3 5/12). They keep the phrasing the lexicons were not built from.
  // ------------------------------------------------------------------ held-out batch 1
  {
    report: report(
      'hotline',
      'cs-agent-017',
      '理赔款迟迟不到',
      '客户王女士称4月份的住院理赔早就审核通过了，钱到现在都没打过来，打了好几次电话都说在走流程。',
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-023',
      '客户要求退保并投诉销售误导',
      '客户认为购买时销售人员未说明等待期，导致住院费用不予赔付，要求全额退保并投诉销售误导。',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'ticket',
      'cs-agent-044',
      '理赔APP查询功能异常',
      '今天下午起多名客户反映在APP里查不到理赔进度，页面一直转圈，技术已确认是查询服务的问题。',
    ),
    expected: { category: 'system', severity: 'general' },
  },
  {
    report: report(
      'ticket',
      'claims-assessor-07',
      '客户上传的身份证照片过期',
      '客户上传的身份证已过有效期，无法完成实名核验，需要重新上传有效证件。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'pr-team-01',
      '客户在抖音发视频投诉理赔',
      '客户将理赔被拒经过拍成视频发到抖音，目前播放量已过万，评论区有不少负面留言。',
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'internal-report',
      'finance-ops-02',
      '多地分公司反映赔款未按时支付',
      '华东、华南多地分公司反映本周应付赔款均未按时支付，初步统计涉及赔案约600件，财务正在排查原因。',
    ),
    expected: { category: 'timeliness', severity: 'major' },
  },
  {
    report: report(
      'ticket',
      'claims-assessor-12',
      '被保险人姓名录入有误',
      '核保时被保险人姓名中的“晔”被录成“烨”，导致与医院发票姓名不一致，理赔暂时无法赔付。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'it-ops-03',
      '夜间批处理失败导致理赔数据未同步',
      '凌晨的理赔数据同步批处理任务失败，上午各分公司查询不到昨天新增的案件，影响所有理赔员作业。',
    ),
    expected: { category: 'system', severity: 'major' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-061',
      'Where is my money?',
      'Customer says the insurer agreed to pay 8,400 CNY three weeks ago and she is still waiting. She has had to borrow money to pay the hospital.',
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'chat',
      'cs-agent-058',
      'Escalation: customer unhappy with handling',
      'Customer feels she was given the run-around by three different staff and wants to speak to a manager. Very frustrated.',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'ticket',
      'claims-assessor-21',
      'Hospital invoice has wrong dates',
      "Admission and discharge dates on the invoice don't line up with the medical report. Asked the customer to get the hospital to reissue.",
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'ticket',
      'cs-team-lead-03',
      'Upload service returning errors',
      "Multiple customers reporting 'Something went wrong' when uploading receipts since 10:30. Engineering is looking into it.",
    ),
    expected: { category: 'system', severity: 'general' },
  },
  {
    report: report(
      'ticket',
      'cs-team-lead-03',
      'Group of policyholders complaining about rejected COVID claims',
      "We've had 11 complaints since yesterday from different customers, all about COVID-19 hospitalisation claims being rejected under the pandemic exclusion.",
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'chat',
      'cs-agent-052',
      'Customer asks how long payment takes',
      'Customer asked how long it usually takes for the money to arrive after approval. Told her up to 5 working days. No issue.',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'ticket',
      'cs-agent-058',
      'Login SMS codes not arriving',
      'Some customers say the one-time login code SMS is not arriving. SMS provider status page shows delays in China Mobile network.',
    ),
    expected: { category: 'system', severity: 'general' },
    knownLimitation: '"not arriving" and "delays" read as a payout not arriving: keywords are not tied to their object (SMS codes)',
  },
  {
    report: report(
      'internal-report',
      'claims-qa-04',
      'Claim history missing after merge',
      'After merging duplicate customer profiles, the claim history for about 40 customers has disappeared from their records.',
    ),
    expected: { category: 'info', severity: 'major' },
  },
  // ------------------------------------------------------------------ held-out batch 2
  {
    report: report(
      'hotline',
      'cs-agent-017',
      '客户反映理赔款至今未到',
      '客户说5月底就收到了理赔通知短信，金额也确认了，但一个多月过去了钱还没到卡上，问我们是不是忘了打款。',
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-023',
      '客户要求撤销拒赔决定',
      '客户认为其甲状腺结节属于投保后新发疾病，拒赔理由站不住脚，要求重新审核并书面答复，语气很冲。',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'internal-report',
      'claims-lead-02',
      '理赔系统今天上午卡顿严重',
      '从9点开始理赔作业系统打开案件要等一两分钟，理赔员基本无法正常作业，技术排查中。',
    ),
    expected: { category: 'system', severity: 'major' },
    note: 'claim handlers cannot work: claims delayed in bulk',
  },
  {
    report: report(
      'ticket',
      'claims-assessor-07',
      '费用清单缺页',
      '客户提交的住院费用明细清单只有第1页和第3页，缺了第2页，无法核对费用，已电话通知客户补传。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-009',
      '客户不会用APP上传材料',
      '老年客户不会使用APP上传发票，已指导其通过邮寄方式提交纸质材料。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: a customer needing help with the app, not a system failure (a lone context word does not make a category)',
  },
  {
    report: report(
      'system-alert',
      'monitor:payout-batch',
      '批量代付失败',
      '今日14:00批量代付文件被银行退回，格式校验失败，共涉及赔款287笔，需重新生成后再次提交。',
      { affectedClaims: 287 },
    ),
    expected: { category: 'timeliness', severity: 'major' },
    note: 'a failed payout batch delays payouts: timeliness, though a file was rejected',
  },
  {
    report: report(
      'chat',
      'cs-agent-058',
      'Customer wants her rejected claim looked at again',
      'Customer is upset that her maternity claim was declined on the grounds of the waiting period. She believes she was never told about it when she bought the policy and wants it looked at again.',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'email',
      'cs-agent-052',
      'Customer chasing reimbursement from January',
      'Customer submitted receipts in January, got an approval email in February and has heard nothing since. It is now April.',
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'system-alert',
      'monitor:mobile',
      'Mobile app down for Android users',
      "Android app fails to open after this morning's release (v5.2.0); crash reports spiking. iOS and web are fine.",
    ),
    expected: { category: 'system', severity: 'major' },
  },
  {
    report: report(
      'ticket',
      'claims-assessor-21',
      'Payment bounced - account closed',
      "Payment to the customer's bank account bounced because the account has been closed. Need new bank details from the customer before we can pay.",
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-061',
      'Customer threatens to go on the 3.15 TV programme',
      'Customer furious about the claim denial, says he will take his story to the 3.15 consumer rights programme on TV unless we reverse it.',
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'internal-report',
      'claims-qa-04',
      'Two customers merged into one profile',
      'Two different customers with the same name had their claims merged into one profile during onboarding; a payment went to the wrong account.',
    ),
    expected: { category: 'info', severity: 'general' },
    note: 'internal data error: general',
  },
  {
    report: report(
      'email',
      'cs-agent-052',
      'Feedback on claim form',
      "Customer wasn't complaining, just suggested the claim form could be shorter.",
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: "was not complaining"',
  },
  {
    report: report(
      'internal-report',
      'it-ops-03',
      '理赔系统计划升级',
      '今晚22:00-24:00理赔系统计划升级，期间暂停报案，已提前通知客户，不属于故障。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: planned maintenance announced in advance is no incident; "不属于故障" is negated',
  },
  // ------------------------------------------------------------------ held-out batch 3
  {
    report: report(
      'hotline',
      'cs-agent-017',
      '客户的赔款审批后一直显示“待支付”',
      '客户的门诊理赔6月3日审批通过，系统状态至今显示“待支付”，已超过合同约定时限，客户多次来电。',
    ),
    expected: { category: 'timeliness', severity: 'general' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-023',
      '客户质问为什么只赔一半',
      '客户对按50%比例赔付很有意见，认为条款里没写清楚，要求我们给出合理解释，否则要找律师。',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'internal-report',
      'claims-lead-02',
      '发票OCR识别错误',
      '近两天发票OCR识别经常把金额识别错，需要人工逐张核对，影响审核效率。',
    ),
    expected: { category: 'system', severity: 'general' },
  },
  {
    report: report(
      'ticket',
      'claims-assessor-07',
      '收款账户非被保险人本人',
      '赔款需转入被保险人本人账户，客户提供的是其配偶的银行卡，需补充被保险人本人银行卡信息。',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'internal-report',
      'pr-team-01',
      '客户在黑猫投诉平台集中发帖',
      '近期有客户在黑猫投诉平台集中发帖反映我司理赔慢，已有20多条，部分被转发到微博。',
    ),
    expected: { category: 'complaint', severity: 'major' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-009',
      '客户撤回投诉',
      '客户表示赔款已收到，问题已解决，主动撤回之前的投诉。',
    ),
    expected: { category: 'info', severity: 'minor' },
    note: 'near-miss: a withdrawn complaint ("撤回…投诉")',
  },
  {
    report: report(
      'internal-report',
      'claims-assessor-18',
      'Document viewer not loading PDFs for assessors',
      'Assessors report the internal document viewer shows a blank screen for some PDF files since yesterday; images open fine. Workaround: download the file.',
    ),
    expected: { category: 'system', severity: 'general', lines: ['technology'] },
  },
  {
    report: report(
      'internal-report',
      'finance-ops-02',
      'Payment file rejected by bank - 150 claimants unpaid',
      "Yesterday's payment file was rejected by the bank due to a formatting issue. 150 claimants who were due to be paid have not received their money; finance is re-sending today.",
    ),
    expected: { category: 'timeliness', severity: 'major' },
    note: '150 affected customers count as bulk (each has at least one claim)',
  },
  {
    report: report(
      'ticket',
      'claims-assessor-21',
      "Customer sent wrong hospital's receipt",
      'Customer uploaded a receipt from a different hospital visit than the one claimed. Asked her to send the correct receipt for the 12 March admission.',
    ),
    expected: { category: 'info', severity: 'minor' },
  },
  {
    report: report(
      'hotline',
      'cs-agent-061',
      'Customer unhappy with call-back wait',
      'Customer says he was promised a call back within 24 hours and nobody called for three days. He is unhappy with the service and wants it noted.',
    ),
    expected: { category: 'complaint', severity: 'general' },
  },
  {
    report: report(
      'ticket',
      'cs-team-lead-03',
      'Complaints about dental claim rejections this week',
      "Team has logged complaints from 9 different policyholders this week, all about dental claims rejected for 'cosmetic' reasons.",
    ),
    expected: { category: 'complaint', severity: 'general' },
    note: '9 complaints over a week is a trend for review (R-REV-2), not a group complaint (more than 5 within 24 hours)',
  },
  {
    report: report(
      'system-alert',
      'monitor:claims-db',
      'Database failover completed',
      'Database failover at 02:10 completed in 40 seconds. No data loss and no customer impact; monitoring only.',
    ),
    expected: { category: 'system', severity: 'general', lines: ['technology'] },
    note: 'a brief fault with no customer impact: technology reviews it; "no data loss" is negated',
  },
];
