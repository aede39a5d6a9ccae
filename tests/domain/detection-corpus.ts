/**
 * A labelled corpus of monitoring events as the engine receives them on `POST /signals`: ticket
 * texts, chat lines, hotline transcripts, e-mails, claims-system alerts, claim-status records and
 * internal reports, in Chinese and English, with the label a claims lead would give each one —
 * the incident category it should open, or `none` when it is no incident.
 *
 * Written for detection (R-DET-*), not copied from the triage corpus: most items are near-misses
 * a keyword matcher trips on — negations ("没有拖延", "no delay"), thanks for a fix, questions
 * ("会不会延迟"), trigger words in harmless senses, informational or resolved alerts, payouts
 * still within their limit. Labels follow domain/emergency-plan.md; a `note` says which reading
 * was taken where the plan leaves room.
 *
 * Claim-status items are measured at {@link CORPUS_NOW} (a Friday) on the shipped mainland-China
 * calendar (R-T-CAL).
 */
import type { SignalEvent } from '../../domain/detection';
import type { Category } from '../../domain/types';

export type DetectionLabel = Category | 'none';

export interface DetectionCorpusItem {
  event: SignalEvent;
  expected: DetectionLabel;
  note?: string;
}

/** The instant claim-status items are measured at: Friday 2026-03-20 10:00 Asia/Shanghai. */
export const CORPUS_NOW = '2026-03-20T10:00:00+08:00';

let sequence = 0;
const id = (prefix: string): string => `${prefix}-${String(++sequence).padStart(4, '0')}`;

function text(source: 'ticket' | 'chat' | 'hotline' | 'email', body: string, expected: DetectionLabel, note?: string): DetectionCorpusItem {
  const item: DetectionCorpusItem = { event: { source, sourceEventId: id(source.toUpperCase()), text: body, customerRef: `CUST-${sequence}` }, expected };
  if (note !== undefined) item.note = note;
  return item;
}

function alert(
  component: string,
  status: 'firing' | 'resolved',
  severity: 'critical' | 'warning' | 'info',
  title: string,
  body: string,
  expected: DetectionLabel,
): DetectionCorpusItem {
  return {
    event: { source: 'system-alert', sourceEventId: id('ALERT'), title, text: body, alert: { component, status, severity } },
    expected,
  };
}

function claimStatus(status: SignalEvent['claimStatus'], expected: DetectionLabel, note?: string): DetectionCorpusItem {
  const item: DetectionCorpusItem = {
    event: { source: 'claim-status', sourceEventId: id('CS'), occurredAt: CORPUS_NOW, claimId: `CLM-CS-${sequence}`, claimStatus: status },
    expected,
  };
  if (note !== undefined) item.note = note;
  return item;
}

function internal(
  kind: 'fault' | 'process-block' | 'latent-risk',
  department: string,
  title: string,
  body: string,
  expected: DetectionLabel,
  note?: string,
): DetectionCorpusItem {
  const item: DetectionCorpusItem = {
    event: { source: 'internal-report', sourceEventId: id('IR'), title, text: body, internal: { kind, department }, reporter: `staff-${sequence}` },
    expected,
  };
  if (note !== undefined) item.note = note;
  return item;
}

export const DETECTION_CORPUS: readonly DetectionCorpusItem[] = [
  // ================================================================ complaints (R-CAT-COMP)
  text('hotline', '客户来电投诉理赔员态度恶劣，挂断电话，要求公司道歉。', 'complaint'),
  text('hotline', '客户对拒赔结果强烈质疑，表示要向银保监投诉。', 'complaint'),
  text('chat', '你们这个审核结果我不认可，凭什么只赔一半？我要投诉！', 'complaint'),
  text('ticket', '客户对免赔额扣除有异议，认为条款解释不合理，要求复议。', 'complaint'),
  text('email', '本人对贵公司理赔处理极为不满，多次沟通无果，现正式投诉。', 'complaint'),
  text('hotline', '客户情绪激动，称理赔专员推诿责任，扬言要找律师起诉。', 'complaint'),
  text('chat', '客服一直推诿，说不清楚为什么拒赔，我要讨个说法。', 'complaint'),
  text('ticket', '客户称已向12378热线举报我司理赔不公平。', 'complaint'),
  text('hotline', '客户说如果今天不给答复就把聊天记录发到网上曝光。', 'complaint', 'press threat: a complaint with public-opinion risk'),
  text('email', '我已经联系了电视台记者，他们对我的理赔遭遇很感兴趣。', 'complaint'),
  text('ticket', 'Customer strongly disputes the rejection of her hospitalisation claim and wants a formal review.', 'complaint'),
  text('email', 'I am writing to complain about the way my claim was handled. Your agent was rude and unprofessional.', 'complaint'),
  text('chat', 'This is unacceptable. I disagree with the payout amount and I will take legal action.', 'complaint'),
  text('hotline', 'Caller was furious that the claim was declined and asked for a supervisor; he says he will contact the regulator.', 'complaint'),
  text('ticket', 'Policyholder is dissatisfied with the outcome and has filed a complaint with the ombudsman.', 'complaint'),
  text('email', 'I want to appeal this decision. It is unfair that you deny my claim for a pre-existing condition I never had.', 'complaint'),
  text('chat', 'If this is not fixed today I will post about it on social media.', 'complaint', 'social-media threat'),
  text('hotline', 'Customer complained twice this week about the attitude of the claims handler.', 'complaint'),
  text('ticket', '客户不同意理赔金额的计算方式，坚持要求重新审核。', 'complaint'),
  text('chat', '你们的理赔员态度差，问三句答一句，我很生气。', 'complaint'),
  text('email', 'Your handling of my late father\'s claim was misleading from the start; I dispute every deduction.', 'complaint'),
  text('hotline', '客户表示对答复不满意，要求升级处理并给出书面说明。', 'complaint'),
  text('ticket', '客户投诉：同样的门诊发票，上次赔了这次不赔。', 'complaint'),
  text('chat', 'I am upset: nobody explained why my claim was rejected. I want to file a complaint.', 'complaint'),

  // ================================================================ timeliness (R-CAT-TIME)
  text('hotline', '客户反映理赔决定已经下来一个月了，赔款至今未到账。', 'timeliness'),
  text('chat', '我的理赔款怎么还没到账？已经超过合同约定的时限了。', 'timeliness'),
  text('ticket', '客户称理赔进度三周没有任何进展，怀疑被拖延。', 'timeliness'),
  text('email', '我的报销申请提交一个多月了，APP上一直显示审核中，石沉大海。', 'timeliness'),
  text('hotline', '客户多次来电催款，称打款一直延迟。', 'timeliness'),
  text('chat', '赔款说好上周打款，到现在钱还没到，能不能别再拖延了？', 'timeliness'),
  text('ticket', '客户反映已结案赔款未按时支付，要求说明原因。', 'timeliness'),
  text('email', 'My claim was approved on 2 March but I still have not received the payment.', 'timeliness'),
  text('chat', 'The payout is overdue. You promised it within 5 working days, it has been three weeks.', 'timeliness'),
  text('ticket', 'Customer is still waiting for the payout; the status has shown no update for 20 days.', 'timeliness'),
  text('hotline', 'Caller chasing a reimbursement that is long past the deadline.', 'timeliness'),
  text('email', 'Why is my claim delayed again? Nothing has happened since I uploaded the documents.', 'timeliness'),
  text('chat', 'Payment has not arrived yet and nobody tells me why.', 'timeliness'),
  text('ticket', '客户称赔款打款失败两次，至今没有到账。', 'timeliness'),
  text('hotline', '客户催问理赔进度，称提交材料后一直没有更新。', 'timeliness'),
  text('email', 'It has been 25 working days since the decision and the payout has not come through.', 'timeliness'),
  text('chat', '理赔审核迟迟没有结果，已经过了承诺的时间。', 'timeliness'),
  text('ticket', 'The reimbursement is stuck in pending payment for two weeks, customer asks us to chase finance.', 'timeliness'),

  // ================================================================ information (R-CAT-INFO)
  text('ticket', '客户上传的发票抬头写错了公司名称，需要重新开具。', 'info'),
  text('chat', '你们系统里我的身份证号录错了一位，导致理赔被退回。', 'info'),
  text('email', '理赔被退件，说缺少出院小结，但我明明上传过了，麻烦核对。', 'info'),
  text('ticket', '诊断与治疗项目不符，需客户补充病历材料后才能继续审核。', 'info'),
  text('hotline', '客户反映理赔记录里出现了另一位同名客户的就诊信息。', 'info', 'identity linked to the wrong person: internal data error'),
  text('ticket', '客户银行账户信息有误，赔款退回，需要更正账户。', 'info'),
  text('email', 'The invoice title on my receipts is incorrect; please tell me how to resubmit.', 'info'),
  text('chat', 'My claim was returned because the test report is missing, but I attached it.', 'info'),
  text('ticket', 'Diagnosis on the claim does not match the treatment billed; claim cannot proceed until corrected.', 'info'),
  text('hotline', 'Caller says her claim history shows a visit from someone else with the same name.', 'info'),
  text('ticket', 'Uploaded discharge summary is illegible; customer must re-upload a clear copy.', 'info'),
  text('email', 'There is a mistake in my bank account number on the claim form.', 'info'),
  text('chat', '上传的检查报告模糊看不清，审核要求补交。', 'info'),
  text('ticket', '客户的出生日期信息错误，和身份证不一致。', 'info'),
  text('hotline', '客户反映理赔申请中的就诊医院填错了，要求更正。', 'info'),
  text('email', 'The hospital name on my claim is wrong, it should be the Second People\'s Hospital.', 'info'),
  text('ticket', 'Claim documents incomplete: the pathology report is missing.', 'info'),
  text('chat', '理赔资料不全被退回了，请问还要补充什么材料？', 'info', 'a returned claim is an information incident even when phrased as a question'),

  // ================================================================ system (R-CAT-SYS), reported by people
  text('chat', 'APP一直闪退，理赔材料上传失败好几次了。', 'system'),
  text('hotline', '客户反映理赔查询页面打不开，一直白屏。', 'system'),
  text('ticket', 'Customer cannot upload documents: the portal shows "something went wrong".', 'system'),
  text('email', 'Your website is down, I cannot submit my claim.', 'system'),
  text('chat', '登录验证码一直收不到，无法登录理赔平台。', 'system'),
  text('ticket', '多名客户反映小程序提交理赔时报错，提示系统故障。', 'system'),
  text('hotline', 'Caller says the claims app crashes every time she opens the claim status page.', 'system'),
  text('email', 'The upload keeps failing with a timeout error.', 'system'),

  // ================================================================ no incident: routine matters
  text('hotline', '客户来电咨询保单的等待期是多久，已解答。', 'none'),
  text('chat', '请问门诊报销需要准备哪些材料？', 'none'),
  text('ticket', '客户询问理赔款一般几个工作日到账。', 'none'),
  text('email', '您好，我想了解一下住院医疗险的报销范围。', 'none'),
  text('hotline', 'Customer asked how to add a family member to the policy.', 'none'),
  text('chat', 'Hi, what documents do I need for a dental claim?', 'none'),
  text('email', 'Could you send me a copy of my policy schedule?', 'none'),
  text('ticket', 'Customer requests a change of mailing address.', 'none'),
  text('hotline', '客户来电确认保费扣款日期。', 'none'),
  text('chat', '请问理赔进度在哪里可以查看？', 'none'),
  text('email', 'What is the claims hotline number on weekends?', 'none'),
  text('ticket', '客户申请开具保费发票，已转财务处理。', 'none'),
  text('chat', '好的，谢谢，我明天把材料拍照上传。', 'none'),
  text('hotline', 'Customer called to check whether physiotherapy is covered; explained the terms.', 'none'),
  text('email', 'Please update my phone number in your records.', 'none'),

  // ================================================================ no incident: negations
  text('hotline', '客户来电确认赔款没有拖延，只是想知道具体到账时间。', 'none'),
  text('chat', '我不是要投诉，只是想问一下进度。', 'none'),
  text('ticket', '经核对，扣除的免赔额不是错误，已向客户解释清楚。', 'none'),
  text('email', '理赔过程没有任何延迟，感谢。', 'none'),
  text('hotline', '客户说不会找媒体，只是希望尽快处理。', 'none'),
  text('chat', 'There has been no delay on my claim, I just want to confirm the amount.', 'none'),
  text('ticket', 'Customer is not making a complaint, only asking for the decision letter.', 'none'),
  text('email', 'This is not an error on your side, I typed my own address wrong and have fixed it myself.', 'none', 'the customer corrected their own detail: nothing to do'),
  text('hotline', 'Caller confirmed the payment arrived without any delay.', 'none'),
  text('chat', 'No complaint here, just checking the status.', 'none'),
  text('ticket', '客户撤回之前的投诉，表示问题已经解决。', 'none'),
  text('email', 'I withdraw my complaint from last week; everything was sorted out.', 'none'),
  text('hotline', '客户表示并未发现任何错误，只是确认报销比例。', 'none'),
  text('chat', '我从未收到过拒赔通知，请问我的理赔结果是什么？', 'none', 'asks for a decision letter; no dispute yet'),

  // ================================================================ no incident: thanks for a fix
  text('hotline', '客户来电感谢专员及时解决了发票抬头错误的问题。', 'none'),
  text('email', 'Thank you for fixing the error in my claim so quickly!', 'none'),
  text('chat', '谢谢你们把我的银行账户更正过来了，钱已经收到。', 'none'),
  text('ticket', 'Customer praised the handler for resolving the mismatch in her documents.', 'none'),
  text('hotline', '客户表扬理赔员耐心，之前的投诉问题已经处理好了，感谢。', 'none'),
  text('email', 'Many thanks for sorting out the delay with my payment; it arrived this morning.', 'none'),

  // ================================================================ no incident: questions
  text('chat', '请问国庆期间赔款会不会延迟？', 'none'),
  text('hotline', '客户询问如果材料有误会不会影响理赔。', 'none'),
  text('email', 'Will the holiday delay my payout?', 'none', 'a question about a future delay is no delay', ),
  text('chat', '是不是节假日打款会慢一点？', 'none'),
  text('ticket', 'Customer asks whether she can dispute a decision if she ever needs to.', 'none', 'asks about the dispute process; disputes nothing'),

  // ================================================================ no incident: trigger words in harmless senses
  text('ticket', '客户询问延迟退休政策是否影响保单续保。', 'none', '"延迟退休" is retirement policy, not a delayed payout'),
  text('chat', 'The doctor said the surgery was delayed by a week because of my blood test; do I need to tell you?', 'none', 'a delayed operation, not a delayed claim'),
  text('email', 'I saw a media report about your new product and would like to know more.', 'none'),
  text('hotline', '客户说在抖音上看到我们的产品广告，想咨询投保。', 'none'),
  text('ticket', 'Customer asked for the claims team supervisor\'s e-mail to send a thank-you note.', 'none'),

  // ================================================================ system alerts (R-DET-1, R-CAT-SYS, R-SYS-4)
  alert('claims-core', 'firing', 'critical', 'claims-core 5xx rate 35%', 'Error rate above 30% for 5 minutes on /claims/submit.', 'system'),
  alert('claims-core', 'firing', 'critical', '理赔核心系统宕机', '核心系统数据库连接池耗尽，服务不可用。', 'system'),
  alert('upload-platform', 'firing', 'warning', 'upload-platform latency p95 8s', 'OCR service timing out on document uploads.', 'system'),
  alert('query-system', 'firing', 'critical', 'query-system not responding', 'Health check failed 5 times in a row.', 'system'),
  alert('payout-batch', 'firing', 'warning', '批处理任务失败', '夜间赔款批处理任务失败，待重跑。', 'system'),
  alert('claims-core', 'firing', 'warning', 'replication lag', 'Database replica 20 minutes behind primary.', 'system'),
  alert('upload-platform', 'firing', 'critical', '影像存储磁盘故障', '影像存储节点磁盘故障，部分影像丢失。', 'system'),
  alert('claims-core', 'resolved', 'critical', 'claims-core 5xx rate back to normal', 'Error rate below threshold for 10 minutes.', 'none'),
  alert('query-system', 'resolved', 'warning', '查询系统恢复', '健康检查恢复正常。', 'none'),
  alert('claims-core', 'firing', 'info', 'deployment finished', 'Release 4.2.1 rolled out to all nodes.', 'none'),
  alert('upload-platform', 'firing', 'info', 'disk usage 61%', 'Informational: storage usage above 60%.', 'none'),
  alert('claims-core', 'firing', 'info', '证书将在30天后到期', '提示：TLS证书30天后到期。', 'none'),

  // ================================================================ claim status (R-CAT-TIME, R-DET-2 untouched, R-T-CAL)
  claimStatus({ stage: 'decided', decidedAt: '2026-02-20T10:00:00+08:00' }, 'timeliness', 'decided before the Spring Festival break: more than 15 working days by 20 March'),
  claimStatus({ stage: 'decided', decidedAt: '2026-02-27T10:00:00+08:00' }, 'timeliness', '15 working days exactly: late from the deadline instant'),
  claimStatus({ stage: 'decided', decidedAt: '2026-03-02T10:00:00+08:00' }, 'none', '14 working days: close to due, a warning only'),
  claimStatus({ stage: 'decided', decidedAt: '2026-03-16T10:00:00+08:00' }, 'none', '4 working days: within the limit'),
  claimStatus({ stage: 'decided', decidedAt: '2026-03-19T10:00:00+08:00' }, 'none'),
  claimStatus({ stage: 'paid', decidedAt: '2026-01-05T10:00:00+08:00' }, 'none', 'paid: nothing overdue however old the decision'),
  claimStatus({ stage: 'closed', decidedAt: '2025-12-01T10:00:00+08:00' }, 'none'),
  claimStatus(
    { stage: 'decided', decidedAt: '2026-03-12T10:00:00+08:00', batch: { id: 'PB-0312', scheduledAt: '2026-03-13T02:00:00+08:00' } },
    'timeliness',
    'batch run 5 working days late: more than 3',
  ),
  claimStatus(
    { stage: 'decided', decidedAt: '2026-03-16T10:00:00+08:00', batch: { id: 'PB-0317', scheduledAt: '2026-03-17T02:00:00+08:00' } },
    'none',
    'batch 3 working days late: not more than 3',
  ),
  claimStatus({ stage: 'in-review', lastActivityAt: '2026-03-09T15:00:00+08:00' }, 'timeliness', 'untouched 9 working days'),
  claimStatus({ stage: 'in-review', lastActivityAt: '2026-03-17T15:00:00+08:00' }, 'none', 'untouched 2 working days'),
  claimStatus({ stage: 'in-review', lastActivityAt: '2026-03-13T09:00:00+08:00' }, 'timeliness', '5 working days and an hour: at the limit'),
  claimStatus({ stage: 'in-review', lastActivityAt: '2026-03-14T09:00:00+08:00' }, 'none', 'Saturday 14 March: the clock starts Monday, 4 working days'),
  claimStatus({ stage: 'decided', decidedAt: '2026-03-18T10:00:00+08:00', lastActivityAt: '2026-03-18T10:00:00+08:00' }, 'none'),
  claimStatus({ stage: 'paid', lastActivityAt: '2026-01-02T10:00:00+08:00' }, 'none', 'a paid claim is never untouched'),

  // ================================================================ internal reports (R-DET-4, R-DET-5)
  internal('fault', 'technology', '理赔核心系统批量提交失败', '今天上午起理赔核心系统提交接口报错，新报案无法提交。', 'system'),
  internal('process-block', 'claims', '赔款审批流程卡住', '财务审批节点人员缺岗，已有40笔赔款逾期未付。', 'timeliness'),
  internal('latent-risk', 'technology', '数据备份存在风险', '发现理赔影像库备份任务近两周未成功，一旦存储故障可能导致数据丢失。', 'system', 'a backup job failing is a supporting system failing (R-CAT-SYS)'),
  internal('latent-risk', 'customer-service', '话术可能误导客户', '新版外呼话术对免赔额的说明容易误导客户，可能引发投诉。', 'complaint'),
  internal('fault', 'claims', 'Wrong customer linked to claims', 'Two customers with the same name were merged into one record; claim history mixed up.', 'info'),
  internal('process-block', 'claims', 'Backlog in manual review', 'Manual review backlog of 300 claims; payouts delayed beyond the contractual limit.', 'timeliness'),
  internal('latent-risk', 'technology', 'Single point of failure', 'The upload service runs on one server with no failover; an outage would stop all document uploads.', 'system', 'a latent risk about a system: labelled system'),
  internal('fault', 'customer-service', '客户投诉处理超时', '本周有客户投诉未在24小时内回复，客户已表示不满。', 'complaint'),
  internal('latent-risk', 'compliance', 'Regulator inquiry expected', 'A journalist asked our press office about rejected cancer claims; public-opinion risk.', 'complaint'),
  internal('process-block', 'claims', '理赔材料校验规则错误', '新上线的材料校验规则把合格的出院小结判为缺失，导致大量理赔被退回。', 'info'),

  // ================================================================ more near-misses and mixed cases
  text('hotline', '客户感谢我们解决了发票问题，但赔款至今还没到账，已超过合同约定时限。', 'timeliness', 'gratitude stops at 但: the delay counts'),
  text('email', 'Thanks for fixing my address, but my payout is still delayed.', 'timeliness'),
  text('chat', '不是我要投诉，是你们的打款真的拖延太久了。', 'timeliness', 'the complaint word is negated, the delay is not'),
  text('ticket', 'Customer says she will not go to the media, but she disputes the rejection.', 'complaint'),
  text('hotline', '客户称没有收到任何补充材料通知，理赔就被退回了，非常不满，要投诉。', 'complaint'),
  text('chat', '上传失败不是你们的问题，是我网络不好，现在已经传上去了。', 'none'),
  text('email', 'The app is working fine now, thanks for the quick fix.', 'none'),
  text('ticket', 'Customer asked if the app will be down during the weekend maintenance.', 'none'),
  text('hotline', '客户咨询理赔申请被退回后多久可以重新提交。', 'none'),
  text('chat', 'Do you have an English version of the claim form?', 'none'),
  text('email', '麻烦问一下，发票丢了可以用复印件报销吗？', 'none'),
  text('ticket', 'Customer asks whether the reimbursement rate for outpatient care is 80% or 90%.', 'none'),
];
