/**
 * Triage: turns a report (free text in Chinese or English plus structured facts) into a
 * category, a severity tier, the response lines to page and the reasons for each decision.
 *
 * Pure and deterministic: no I/O, no clock, no Temporal or Express. The same report and
 * thresholds always give the same result, so a workflow may call it directly.
 *
 * How it decides, in order:
 * 1. Text (R-DET-2). Title and description are normalised (NFKC, lower case, English
 *    contractions expanded: "hasn't" → "has not", "cannot" → "can not") and searched with the
 *    lexicons below. Chinese terms match as substrings (Chinese has no spaces); English terms
 *    match whole words. A keyword does not count when it is negated ("没有拖延", "no delay",
 *    "not an error"), when it sits in a sentence where the customer thanks staff for a fix
 *    ("感谢…解决", "thanks for fixing"), or when a longer keyword of the same lexicon covers it.
 * 2. Category (R-CAT-TIME, R-CAT-INFO, R-CAT-COMP, R-CAT-SYS). Each asserted keyword adds its
 *    weight once to its category. A structured fact that speaks to a category adds
 *    {@link FACT_WEIGHT}, far above any text score, so facts win over text. The highest score
 *    wins; ties go to {@link CATEGORY_PRIORITY}. When no category reaches
 *    {@link MIN_CATEGORY_SCORE} the report is the fallback `info` / `minor` for customer service
 *    alone: a routine matter (a progress question, a thank-you) a person can reclassify (R-CAT-X).
 * 3. Severity (R-SEV-*). Each category has a floor; bulk impact, a group complaint, data loss or
 *    tampering, and press or public-opinion risk make it `major`. A fact, when present, settles
 *    its factor and the matching text is ignored (`affectedClaims: 3` outweighs "批量").
 * 4. Lines (R-LINE-*): customer service for customer-facing incidents, claims specialists for
 *    claim handling, technology for systems and data loss, management for major incidents.
 *
 * Every keyword, fact and rule that decided something comes back as a reason citing its rule id
 * (R-CAT-X); reasons carry lexicon terms, fact values and thresholds, never text copied from the
 * report, so no personal data leaks into them (R-SEC-1).
 */
import type { Policy } from './policy';
import {
  LINES,
  type Category,
  type IncidentReport,
  type Line,
  type ReportFacts,
  type Severity,
  type Source,
  type TriageReason,
  type TriageResult,
} from './types';

export type TriageThresholds = Policy['triage'];

// ---------------------------------------------------------------------------------------------
// Lexicons: data, not code. Extend them here; nothing else needs to change.

/**
 * Keyword notation. Chinese terms match as substrings; a `~` inside one stands for up to four
 * characters of the same clause ("其他用户~正常" matches "其他用户登录正常"). English terms match
 * whole words, case-insensitively, after contractions are expanded ("hasn't" reads "has not",
 * "cannot" reads "can not"); a trailing `*` matches any ending ("delay*": delayed, delays) and a
 * `~` word stands for up to two words ("not ~ receiv*": "not received", "not yet received").
 */
export interface TermList {
  zh: readonly string[];
  en: readonly string[];
}

/**
 * How strongly a keyword points at its category: 4 names it outright (投诉, outage), 3 is
 * strong, 2 typical, 1 only context that tips a balance (系统, invoice).
 */
export type KeywordWeight = 1 | 2 | 3 | 4;

/** Keywords grouped by weight, per language, in the {@link TermList} notation. */
export interface WeightedLexicon {
  zh: Readonly<Partial<Record<KeywordWeight, readonly string[]>>>;
  en: Readonly<Partial<Record<KeywordWeight, readonly string[]>>>;
}

/** The rule each category implements. */
export const CATEGORY_RULES: Readonly<Record<Category, string>> = {
  timeliness: 'R-CAT-TIME',
  info: 'R-CAT-INFO',
  complaint: 'R-CAT-COMP',
  system: 'R-CAT-SYS',
};

/**
 * Tie-break between equally scored categories, first wins. A system fault is the root cause the
 * others hang off (R-SYS-4); a complaint carries the strictest reply deadlines (R-T-COMPLAINT);
 * a late payout is a legal risk (plan §11); an information fix is the most routine. Preferring
 * the more demanding category means a tie never under-serves the customer.
 */
export const CATEGORY_PRIORITY: readonly Category[] = ['system', 'complaint', 'timeliness', 'info'];

/** Category of a report with no evidence at all (R-CAT-X: a person can reclassify). */
export const FALLBACK_CATEGORY: Category = 'info';

/** What one category-deciding fact adds to a score; larger than any plausible text score. */
export const FACT_WEIGHT = 100;

/**
 * The least score that establishes a category: one typical keyword (weight 2) or two context
 * words. A lone context word ("系统", "app") is not an incident: "客户不会用APP上传" is a
 * customer needing help, not a system failure.
 */
export const MIN_CATEGORY_SCORE = 2;

/** R-SEV-MAJOR; also R-CAT-COMP ("may cause negative publicity"): press or public-opinion risk. */
export const MEDIA_TERMS: TermList = {
  zh: ['曝光', '媒体', '记者', '微博', '热搜', '抖音', '小红书', '朋友圈', '舆情', '电视台', '报社', '上新闻', '发到网上', '网上发帖', '央视',
    '3·15', '315晚会'],
  en: ['press', 'journalist*', 'media', 'social media', 'newspaper*', 'go public', 'going public', 'viral', 'weibo', 'tiktok',
    'douyin', 'xiaohongshu', 'twitter', 'public opinion', 'news outlet*', 'tv', 'cctv', '3.15'],
};

/** R-SEV-MAJOR (R-CAT-INFO, R-CAT-SYS): data lost, tampered with or leaked. */
export const DATA_LOSS_TERMS: TermList = {
  zh: ['数据丢失', '丢失数据', '记录丢失', '数据被删', '被删除', '篡改', '数据损坏', '泄露', '泄漏', '消失', '不见了'],
  en: ['data loss', 'lost data', 'data ~ lost', 'records ~ lost', 'tamper*', 'deleted', 'corrupt*', 'data leak*', 'wiped',
    'disappeared', 'vanished'],
};

/** R-SEV-MAJOR: the problem touches claims or customers in bulk. */
export const BULK_TERMS: TermList = {
  zh: ['批量', '大面积', '大批', '大量', '所有客户', '全部客户', '所有用户', '全部用户', '所有理赔', '全部理赔', '所有案件',
    '全部案件', '所有报案', '全国', '多地', '各分公司', '全量'],
  en: ['bulk', 'all claims', 'every claim', 'all customers', 'all users', 'all policyholders', 'hundreds of', 'thousands of',
    'widespread', 'nationwide', 'across the board', 'mass', '100%', 'everyone', 'no one can', 'nobody can'],
};

/**
 * R-CAT-SYS, R-SEV-MAJOR: words for a service-wide failure ("new claims cannot be submitted").
 * They count as bulk impact only when the incident is a system one.
 */
export const OUTAGE_TERMS: TermList = {
  zh: ['宕机', '瘫痪', '崩溃', '服务不可用', '全部无法', '无法提交', '无法报案', '中断', '无法正常作业', '无法作业', '无法办公'],
  en: ['outage*', 'is down', 'went down', 'down for', 'can not submit', 'unable to ~ submit', 'service unavailable', 'unavailable',
    'not responding'],
};

/** R-CAT-COMP, R-SEV-MAJOR: words that name a group complaint outright. */
export const GROUP_COMPLAINT_TERMS: TermList = {
  zh: ['群体投诉', '集体投诉', '群诉', '联名'],
  en: ['group complaint*', 'collective complaint*', 'mass complaint*', 'joint complaint*', 'class action'],
};

/**
 * R-CAT-COMP counts a group complaint within 24 hours. A count stated in text over a longer
 * window ("9 complaints this week") is a trend for review (R-REV-2), not a group complaint.
 * Counts given as facts come from the cause-cluster monitor, which applies the window itself.
 */
export const LONG_WINDOW_TERMS: TermList = {
  zh: ['本周', '这周', '上周', '近一周', '一周内', '本月', '这个月', '上个月', '近一个月', '近期'],
  en: ['this week', 'last week', 'past week', 'this month', 'last month', 'past month', 'recent weeks', 'over the past'],
};

/** Words confining a problem to one customer; they cancel bulk and outage words (not counts or facts). */
export const SINGLE_SCOPE_TERMS: TermList = {
  zh: ['个别客户', '个别用户', '仅该客户', '只有该客户', '仅此一位', '单个客户', '个例', '其他客户~正常', '其他用户~正常',
    '其他人~正常'],
  en: ['only this customer', 'only one customer', 'a single customer', 'isolated case', 'works for others',
    'works for other ~ customers', 'other customers ~ fine', 'others ~ fine', 'no other customers', 'only affects'],
};

/**
 * R-CAT-INFO "internal data errors": a customer's identity or claim linked to someone else. The
 * customer cannot correct it, so it is at least `general` (a claims specialist, not a quick
 * customer-service fix).
 */
export const INTERNAL_DATA_ERROR_TERMS: TermList = {
  zh: ['关联错误', '关联到另', '关联到其他', '串号', '串户', '同名客户', '他人名下', '混在一起', '张冠李戴', '身份关联'],
  en: ['wrong customer', 'wrong person', 'linked to ~ wrong', 'attached to ~ wrong', 'another customer', 'someone else',
    'mixed up', 'same name', 'merged into one'],
};

/** R-LINE-1, R-SYS-3: words showing that a system incident reaches customers. */
export const CUSTOMER_IMPACT_TERMS: TermList = {
  zh: ['客户', '用户', '投保人', '被保险人', '来电', '客服'],
  en: ['customer*', 'policyholder*', 'claimant*', 'caller*', 'user*', 'member*'],
};

/** Channels through which customers reach us (R-DET-1); a report from one is customer-facing. */
export const CUSTOMER_SOURCES: readonly Source[] = ['support', 'ticket', 'chat', 'hotline', 'email'];

/**
 * Gratitude: a sentence holding a thanks word and a {@link REPAIR_TERMS} word is a customer
 * thanking staff for a fix ("感谢…解决", "thanks for fixing"); no trigger word in it counts.
 * Contrast words end the sentence: in "感谢你们解决了发票问题，但赔款还没到账" the delay counts.
 */
export const GRATITUDE_TERMS: TermList = {
  zh: ['感谢', '谢谢', '表扬', '致谢', '点赞'],
  en: ['thank*', 'grateful', 'appreciat*', 'compliment*', 'prais*'],
};

/** Repair words that, next to a {@link GRATITUDE_TERMS} word, mark thanks for a fix. */
export const REPAIR_TERMS: TermList = {
  zh: ['解决', '更正', '修正', '纠正', '修复', '改正', '改过来', '处理好', '搞定', '及时处理'],
  en: ['fix*', 'resolv*', 'sorted', 'sort* out', 'correct*', 'put right', 'amend*'],
};

/**
 * Chinese negators. One negates a keyword standing right after it, optionally with up to two
 * {@link ZH_NEGATION_FILLERS} between ("没有拖延", "未发现故障", "不会找媒体"). A-not-A questions
 * ("会不会延迟", "是不是被拖延") also end in a negator and are rightly not counted: a question is
 * not an assertion. "撤回/撤销" count because a withdrawn complaint is no complaint. Bare "非" is
 * left out on purpose: it starts "非常" (very).
 */
export const ZH_NEGATORS: readonly string[] = ['并没有', '没有', '从没', '从未', '未曾', '并未', '并非', '并无', '毫无', '不存在',
  '不是', '不会', '不想', '撤回', '撤销', '没', '不', '无', '未'];

/** Words allowed between a Chinese negator and the keyword it negates ("不要" is not one: "不要再拖延" asserts a delay). */
export const ZH_NEGATION_FILLERS: readonly string[] = ['任何', '出现', '发生', '存在', '发现', '查到', '什么', '涉及', '造成',
  '导致', '属于', '打算', '联系', '之前的', '此前的', '原来的', '上次的', '这个', '找', '想', '去', '向', '被', '是', '有', '会', '再'];

/** English negators; one negates a keyword it precedes by at most three words in the same clause. */
export const EN_NEGATORS: readonly string[] = ['no', 'not', 'never', 'without', 'nor', 'none', 'neither', 'withdraw', 'withdrew',
  'withdrawn', 'withdraws'];

/** Negator-led phrases that negate nothing ("no one can submit", "not only delayed"). */
export const EN_NEGATION_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  no: ['one', 'longer', 'doubt', 'matter'],
  not: ['only'],
};

/** How many words may stand between an English negator and its keyword. */
const EN_NEGATION_REACH = 3;

/** The category lexicons; the media, group and internal-error lists above are folded in. */
export const CATEGORY_LEXICONS: Readonly<Record<Category, WeightedLexicon>> = {
  /** R-CAT-TIME: payout not received in time, progress not updated for long, a batch run delaying payouts. */
  timeliness: {
    zh: {
      3: ['拖延', '迟付', '逾期', '超期', '超时未付', '未到账', '没到账', '没有到账', '未收到赔款', '没收到赔款', '没有收到赔款',
        '未收到理赔款', '未及时', '未能及时', '没有及时', '未按时', '没按时', '没有按时', '未打款', '没打款', '无更新', '没有更新',
        '没有进展', '没有任何进展', '没有变化', '没有任何变化', '石沉大海', '杳无音信', '款~未到', '款~没到', '钱~未到',
        '钱~没到', '代付失败', '付款失败', '支付失败', '打款失败', '超过~时限', '超出~时限', '超过~期限'],
      2: ['延迟', '延误', '迟迟', '未付', '不及时', '积压', '催款', '打款慢', '催促', '催问', '催办'],
      1: ['挂起', '长时间', '待支付', '多次来电'],
    },
    en: {
      3: ['delay*', 'overdue', 'not ~ receiv*', 'never ~ receiv*', 'not ~ arriv*', 'not ~ paid', 'not ~ come through',
        'no payment', 'no update*', 'no progress', 'past the deadline', 'payment* ~ failed', 'payout* ~ failed'],
      2: ['late', 'still waiting', 'still pending', 'waiting for ~ payment', 'waiting for ~ payout', 'behind schedule',
        'backlog*', 'chas*', 'heard nothing'],
      1: ['stuck'],
    },
  },
  /** R-CAT-INFO: materials missing or wrong in key facts; internal data errors. */
  info: {
    zh: {
      3: ['发票抬头', '材料不全', '资料不全', '记录丢失', '篡改', ...INTERNAL_DATA_ERROR_TERMS.zh],
      2: ['有误', '填错', '写错', '录错', '录入错误', '信息错误', '不一致', '不符', '不匹配', '对不上', '缺少', '缺失', '漏交', '漏传',
        '不完整', '补充材料', '补交', '补材料', '补件', '退回', '退件', '重新开具', '模糊', '看不清', '更正'],
      1: ['抬头', '错误', '检查报告', '病历', '诊断', '出院小结', '身份信息', '理赔历史', '修正', '纠正', '丢失'],
    },
    en: {
      3: ['invoice title', 'illegible', 'tamper*', ...INTERNAL_DATA_ERROR_TERMS.en],
      2: ['incorrect*', 'mistake*', 'typo*', 'mismatch*', 'not match', 'inconsistent', 'missing', 'incomplete', 'blurry',
        'unreadable', 'resubmit*'],
      1: ['invoice', 'error', 'wrong', 're-upload*', 'returned', 'supplement*', 'correct*', 'amend*', 'medical record*',
        'discharge summary', 'pathology report', 'test report', 'diagnosis', 'lost', 'bank account', 'claim history',
        'id number'],
    },
  },
  /** R-CAT-COMP: a serious dispute about result, handling or attitude; publicity risk; group complaints. */
  complaint: {
    zh: {
      4: ['投诉', '客诉', '不满', ...GROUP_COMPLAINT_TERMS.zh],
      3: ['12378', '质疑', '异议', '争议', '不认可', '不服', '维权', '讨说法', '给个说法', '举报', '态度差', '态度恶劣', '态度不好', '不接受',
        '不同意', '站不住脚', '有意见', '起诉'],
      2: ['不合理', '不公平', '刁难', '推诿', '情绪激动', '生气', '愤怒', '扬言', '复议', '误导', '要求道歉', '差评', '监管', '语气很冲',
        '要求重新审核', '律师', '质问',
        ...MEDIA_TERMS.zh],
      1: ['复核'],
    },
    en: {
      4: ['complain*', ...GROUP_COMPLAINT_TERMS.en],
      3: ['dispute*', 'disagree*', 'dissatisf*', 'not satisfied', 'furious', 'rude*', 'unprofessional', 'ombudsman',
        'regulator', 'cbirc', 'nfra'],
      2: ['unhappy', 'angry', 'upset', 'unacceptable', 'unfair*', 'misleading', 'misled', 'lawyer*', 'legal action',
        'appeal*', 'challeng*', 'hung up', 'formal review', ...MEDIA_TERMS.en],
      1: ['apolog*', 'supervisor'],
    },
  },
  /** R-CAT-SYS: the core or a supporting system failing (submission, upload, query); data loss. */
  system: {
    zh: {
      4: ['宕机', '瘫痪', '崩溃', '服务不可用'],
      3: ['故障', '同步失败', '报错', '错误率', '无法登录', '登录不了', '登不上', '无法上传', '上传失败', '无法提交', '提交失败',
        '无法查询', '查询不了', '打不开', '白屏', '闪退', '卡死', '不可用', '响应超时', '请求超时', '接口超时', '核心系统',
        '上传平台', '数据丢失'],
      2: ['查询不到', '查不到', '一直转圈', '卡顿', '无法正常', '失败', '验证码', '中断', '告警', '接口', '服务器', '数据库', '查询系统', '磁盘'],
      1: ['系统', '批处理', '异常', '存储', '网络'],
    },
    en: {
      4: ['outage*'],
      3: ['502', '503', '504', '5xx', 'is down', 'went down', 'crash*', 'error rate*', 'unavailable', 'not responding',
        'unresponsive', 'can not log in', 'can not login', 'unable to ~ log in', 'can not submit', 'unable to ~ submit',
        'can not upload', 'unable to ~ upload', 'upload* fail*', 'can not access', 'blank page', 'core system', 'data loss',
        'something went wrong', 'verification code*', 'login code*', 'one-time ~ code*', 'otp', 'down for', 'fail* to open',
        'fail* to load', 'not ~ loading', 'blank screen'],
      2: ['failure*', 'upload service', 'ocr', 'timeout*', 'timed out', 'timing out', 'latency', 'server*', 'database', 'api', 'bug*',
        'glitch*', 'deployment', 'storage', 'migration'],
      1: ['system', 'login', 'log in', 'portal', 'app', 'website', 'backup', 'alert', 'failed', 'sms', 'engineering'],
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Matching

type Language = 'zh' | 'en';

interface CompiledTerm {
  term: string;
  language: Language;
  weight: number;
  pattern: RegExp;
}

interface Occurrence {
  term: string;
  weight: number;
  language: Language;
  start: number;
  end: number;
}

/** Distinct asserted terms of one lexicon, and the terms found but discounted, with why. */
interface LexiconHits {
  asserted: Array<{ term: string; weight: number }>;
  discounted: Array<{ term: string; why: string }>;
}

const CJK = /[\u3400-\u9fff]/;
const ZH_CLAUSE_CHAR = '[^，,。；;！!？?\\n]';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileTerm(term: string, weight: number): CompiledTerm {
  const lower = term.toLowerCase();
  if (CJK.test(lower)) {
    const source = lower.split('~').map(escapeRegExp).join(`${ZH_CLAUSE_CHAR}{0,4}`);
    return { term, language: 'zh', weight, pattern: new RegExp(source, 'g') };
  }
  let source = '';
  for (const [index, word] of lower.split(/\s+/).entries()) {
    if (word === '~') {
      source += "(?:\\s+[a-z0-9'-]+){0,2}";
      continue;
    }
    const wordSource = word.endsWith('*') ? `${escapeRegExp(word.slice(0, -1))}[a-z0-9-]*` : escapeRegExp(word);
    source += index === 0 ? wordSource : `\\s+${wordSource}`;
  }
  return { term, language: 'en', weight, pattern: new RegExp(`(?<![a-z0-9])${source}(?![a-z0-9])`, 'g') };
}

function compileWeighted(lexicon: WeightedLexicon): CompiledTerm[] {
  const compiled: CompiledTerm[] = [];
  for (const byWeight of [lexicon.zh, lexicon.en]) {
    for (const [weight, terms] of Object.entries(byWeight)) {
      for (const term of terms ?? []) compiled.push(compileTerm(term, Number(weight)));
    }
  }
  return compiled;
}

function compileList(list: TermList): CompiledTerm[] {
  return [...list.zh, ...list.en].map((term) => compileTerm(term, 1));
}

const COMPILED_CATEGORIES: Readonly<Record<Category, CompiledTerm[]>> = {
  timeliness: compileWeighted(CATEGORY_LEXICONS.timeliness),
  info: compileWeighted(CATEGORY_LEXICONS.info),
  complaint: compileWeighted(CATEGORY_LEXICONS.complaint),
  system: compileWeighted(CATEGORY_LEXICONS.system),
};
const COMPILED_MEDIA = compileList(MEDIA_TERMS);
const COMPILED_DATA_LOSS = compileList(DATA_LOSS_TERMS);
const COMPILED_BULK = compileList(BULK_TERMS);
const COMPILED_OUTAGE = compileList(OUTAGE_TERMS);
const COMPILED_GROUP = compileList(GROUP_COMPLAINT_TERMS);
const COMPILED_SINGLE_SCOPE = compileList(SINGLE_SCOPE_TERMS);
const COMPILED_LONG_WINDOW = compileList(LONG_WINDOW_TERMS);
const COMPILED_INTERNAL_ERROR = compileList(INTERNAL_DATA_ERROR_TERMS);
const COMPILED_CUSTOMER = compileList(CUSTOMER_IMPACT_TERMS);
const COMPILED_GRATITUDE = compileList(GRATITUDE_TERMS);
const COMPILED_REPAIR = compileList(REPAIR_TERMS);

const longestFirst = (words: readonly string[]): string =>
  [...words].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');

const ZH_NEGATION_BEFORE = new RegExp(`(${longestFirst(ZH_NEGATORS)})(?:${longestFirst(ZH_NEGATION_FILLERS)}){0,2}$`);

/** Sentence ends and contrast words: the reach of gratitude. */
const SENTENCE_BOUNDARY =
  /[。！？!?;；\n]|\.(?=\s|$)|但是|但|不过|可是|然而|却|(?<![a-z])(?:but|however|although|though)(?![a-z])/g;

/** Clause ends for English negation: a negator does not reach across these. */
const EN_CLAUSE_BOUNDARY = /[,.;:!?\n，。；：！？]|(?<![a-z])(?:but|however|although|though|and)(?![a-z])/g;

/** NFKC, lower case, contractions expanded, so a lexicon needs one spelling per word. */
function normalise(report: IncidentReport): string {
  return `${report.title}\n${report.description}`
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[‘’`]/g, "'")
    .replace(/\bcan't\b|\bcannot\b/g, 'can not')
    .replace(/\bwon't\b/g, 'will not')
    .replace(/n't\b/g, ' not');
}

function findOccurrences(text: string, terms: readonly CompiledTerm[]): Occurrence[] {
  const found: Occurrence[] = [];
  for (const compiled of terms) {
    for (const match of text.matchAll(compiled.pattern)) {
      const start = match.index;
      found.push({ term: compiled.term, weight: compiled.weight, language: compiled.language, start, end: start + match[0].length });
    }
  }
  // A keyword inside a longer keyword of the same lexicon ("错误" in "录入错误") is the same evidence.
  return found.filter(
    (inner) =>
      !found.some(
        (outer) =>
          outer.start <= inner.start && outer.end >= inner.end && outer.end - outer.start > inner.end - inner.start,
      ),
  );
}

/** The negator that cancels this occurrence of a keyword, if any. */
function negatorBefore(text: string, occurrence: Occurrence): string | undefined {
  if (occurrence.language === 'zh') {
    const before = text.slice(Math.max(0, occurrence.start - 12), occurrence.start);
    return ZH_NEGATION_BEFORE.exec(before)?.[1];
  }
  const window = text.slice(Math.max(0, occurrence.start - 120), occurrence.start);
  const clause = window.split(EN_CLAUSE_BOUNDARY).pop() ?? '';
  const words = (clause.match(/[a-z0-9'-]+/g) ?? []).slice(-(EN_NEGATION_REACH + 1));
  for (let index = words.length - 1; index >= 0; index -= 1) {
    const word = words[index];
    if (word === undefined || !EN_NEGATORS.includes(word)) continue;
    const next = words[index + 1];
    if (next !== undefined && EN_NEGATION_EXCEPTIONS[word]?.includes(next)) continue;
    return word;
  }
  return undefined;
}

/** Text ranges where a customer thanks staff for a fix. */
function gratitudeRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  const ends = [...[...text.matchAll(SENTENCE_BOUNDARY)].map((match) => match.index), text.length];
  for (const end of ends) {
    const sentence = text.slice(start, end);
    if (findOccurrences(sentence, COMPILED_GRATITUDE).length > 0 && findOccurrences(sentence, COMPILED_REPAIR).length > 0) {
      ranges.push([start, end]);
    }
    start = end + 1;
  }
  return ranges;
}

/** The normalised text of one report and where its gratitude sentences are, computed once. */
interface TextView {
  text: string;
  gratitude: Array<[number, number]>;
}

function search(view: TextView, terms: readonly CompiledTerm[]): LexiconHits {
  const asserted = new Map<string, number>();
  const discounted = new Map<string, string>();
  for (const occurrence of findOccurrences(view.text, terms)) {
    if (view.gratitude.some(([from, to]) => occurrence.start >= from && occurrence.end <= to)) {
      discounted.set(occurrence.term, 'customer thanks staff for a fix');
      continue;
    }
    const negator = negatorBefore(view.text, occurrence);
    if (negator !== undefined) discounted.set(occurrence.term, `negated by "${negator}"`);
    else asserted.set(occurrence.term, occurrence.weight);
  }
  return {
    asserted: [...asserted].map(([term, weight]) => ({ term, weight })),
    discounted: [...discounted].filter(([term]) => !asserted.has(term)).map(([term, why]) => ({ term, why })),
  };
}

// ---------------------------------------------------------------------------------------------
// Counts stated in text ("312笔", "8位客户", "60 claims", "11 complaints").

const ZH_DIGITS: Readonly<Record<string, number>> = {
  零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 几: 2, 数: 2, 上: 1,
};
const ZH_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };

/**
 * Parses "312", "1,200", "十二", "两百", and vague amounts at their lowest plausible value
 * ("几十" 20, "上百" 100). Undefined for anything else.
 */
export function parseCount(text: string): number | undefined {
  const digits = text.replace(/,/g, '');
  if (/^\d+$/.test(digits)) return Number(digits);
  let total = 0;
  let pending = 0;
  let seen = false;
  for (const char of text) {
    const digit = ZH_DIGITS[char];
    const unit = ZH_UNITS[char];
    if (digit !== undefined) pending = digit;
    else if (unit !== undefined) {
      total += (pending === 0 ? 1 : pending) * unit;
      pending = 0;
    } else return undefined;
    seen = true;
  }
  return seen ? total + pending : undefined;
}

const EN_NUMBER_WORDS: Readonly<Record<string, number>> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, fifty: 50, 'a dozen': 12, dozens: 24, hundreds: 200, thousands: 2000,
};

const ZH_NUMBER = '(\\d[\\d,]*|[零一二两三四五六七八九十百千万几数上]+)';
const EN_NUMBER = `(\\d[\\d,]*|${Object.keys(EN_NUMBER_WORDS).join('|')})`;
/** Not part of an identifier such as "CLM-88213" or "/claims/2". */
const EN_NUMBER_START = '(?<![a-z0-9.#/-])';

const CUSTOMER_COUNT_PATTERNS: readonly RegExp[] = [
  new RegExp(`(?<!第)${ZH_NUMBER}\\s*(?:余|多)?\\s*(?:名|位|个|户)\\s*(?:客户|用户|投保人|被保险人|客人)`, 'g'),
  new RegExp(
    `${EN_NUMBER_START}${EN_NUMBER}(?:\\s+of)?\\s+(?:(?:more|distinct|different|other|separate|individual|new)\\s+)?` +
      '(?:customers|policyholders|claimants|members|users|callers)(?![a-z])',
    'g',
  ),
];

/** A count of complaints stands in for distinct customers ("11 complaints", "收到12起投诉"). */
const COMPLAINT_COUNT_PATTERNS: readonly RegExp[] = [
  new RegExp(`(?<!第)${ZH_NUMBER}\\s*(?:余|多)?\\s*(?:起|件|个|宗|单)?\\s*(?:客户)?投诉`, 'g'),
  new RegExp(`${EN_NUMBER_START}${EN_NUMBER}(?:\\s+[a-z-]+){0,2}\\s+complaints(?![a-z])`, 'g'),
];

const CLAIM_COUNT_PATTERNS: readonly RegExp[] = [
  new RegExp(`(?<!第)${ZH_NUMBER}\\s*(?:余|多)?\\s*(?:笔|宗)`, 'g'),
  new RegExp(`(?<!第)${ZH_NUMBER}\\s*(?:余|多)?\\s*(?:件|单|个)?\\s*(?:理赔|赔案|案件|报案|赔款)`, 'g'),
  new RegExp(`(?:赔案|案件|理赔|报案|赔款)\\s*(?:约|共|共计|合计)?\\s*${ZH_NUMBER}\\s*(?:余|多)?\\s*(?:笔|件|单|宗)`, 'g'),
  new RegExp(`${EN_NUMBER_START}${EN_NUMBER}(?:\\s+of)?(?:\\s+[a-z-]+){0,2}\\s+(?:claims|cases|payouts|payments)(?![a-z])`, 'g'),
];

/** The largest count the text states through one of the patterns, if any. */
function largestCount(text: string, patterns: readonly RegExp[]): number | undefined {
  let largest: number | undefined;
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const raw = match[1];
      const value = raw === undefined ? undefined : (EN_NUMBER_WORDS[raw] ?? parseCount(raw));
      if (value !== undefined && (largest === undefined || value > largest)) largest = value;
    }
  }
  return largest;
}

// ---------------------------------------------------------------------------------------------
// Decisions

const keyword = (term: string): string => `keyword "${term}"`;

interface FactScores {
  scores: Record<Category, number>;
  reasons: TriageReason[];
  /** Timeliness facts are present and within limits: the payout is not late, whatever the text says. */
  timelinessRuledOut: boolean;
}

/** Category evidence from structured facts (R-CAT-*); facts outweigh text. */
function scoreFacts(facts: ReportFacts, thresholds: TriageThresholds, systemTextScore: number): FactScores {
  const scores: Record<Category, number> = { timeliness: 0, info: 0, complaint: 0, system: 0 };
  const reasons: TriageReason[] = [];

  if (facts.system !== undefined && facts.system.trim() !== '') {
    scores.system += FACT_WEIGHT;
    reasons.push({ rule: 'R-CAT-SYS', evidence: `fact system="${facts.system}"` });
  }
  if (facts.dataLoss === true) {
    // Lost or tampered claim history is an information incident (R-CAT-INFO) unless a system failed (R-CAT-SYS).
    if (scores.system > 0 || systemTextScore >= MIN_CATEGORY_SCORE) {
      scores.system += FACT_WEIGHT;
      reasons.push({ rule: 'R-CAT-SYS', evidence: 'fact dataLoss with a failing system' });
    } else {
      scores.info += FACT_WEIGHT;
      reasons.push({ rule: 'R-CAT-INFO', evidence: 'fact dataLoss (claim data lost or tampered with)' });
    }
  }
  if (facts.complainingCustomers !== undefined && facts.complainingCustomers > 0) {
    scores.complaint += FACT_WEIGHT;
    const limit = thresholds.groupComplaintCustomers;
    reasons.push({
      rule: 'R-CAT-COMP',
      evidence:
        facts.complainingCustomers > limit
          ? `fact complainingCustomers=${facts.complainingCustomers} > groupComplaintCustomers=${limit} (group complaint)`
          : `fact complainingCustomers=${facts.complainingCustomers}`,
    });
  }

  let measured = false;
  let breached = false;
  if (facts.daysSinceDecision !== undefined) {
    measured = true;
    if (facts.daysSinceDecision >= thresholds.payoutLimitWorkingDays) {
      breached = true;
      reasons.push({
        rule: 'R-CAT-TIME',
        evidence: `fact daysSinceDecision=${facts.daysSinceDecision} >= payoutLimitWorkingDays=${thresholds.payoutLimitWorkingDays}`,
      });
    }
  }
  if (facts.batchDelayDays !== undefined) {
    measured = true;
    if (facts.batchDelayDays > thresholds.batchDelayWorkingDays) {
      breached = true;
      reasons.push({
        rule: 'R-CAT-TIME',
        evidence: `fact batchDelayDays=${facts.batchDelayDays} > batchDelayWorkingDays=${thresholds.batchDelayWorkingDays}`,
      });
    }
  }
  if (breached) scores.timeliness += FACT_WEIGHT;
  const timelinessRuledOut = measured && !breached;
  if (timelinessRuledOut) {
    reasons.push({ rule: 'R-CAT-X', evidence: 'timeliness facts within limits: payout not late, timeliness keywords not counted' });
  }
  return { scores, reasons, timelinessRuledOut };
}

/** The best-scoring category; ties by {@link CATEGORY_PRIORITY}; undefined below {@link MIN_CATEGORY_SCORE}. */
function pickCategory(scores: Record<Category, number>): Category | undefined {
  let best: Category | undefined;
  for (const category of CATEGORY_PRIORITY) {
    if (scores[category] >= MIN_CATEGORY_SCORE && scores[category] > (best === undefined ? 0 : scores[best])) best = category;
  }
  return best;
}

interface SeverityDecision {
  severity: Severity;
  reasons: TriageReason[];
  dataLoss: boolean;
}

/** The tier (R-SEV-*): `major` on any aggravating factor, else the category's floor. */
function decideSeverity(
  category: Category | undefined,
  view: TextView,
  report: IncidentReport,
  thresholds: TriageThresholds,
  complaintEvidence: boolean,
  notes: TriageReason[],
): SeverityDecision {
  const { facts } = report;
  const major: TriageReason[] = [];

  // Bulk impact: "a system failure delaying claims in bulk"; a late payout "touching many claims" (plan §11).
  if (facts.affectedClaims !== undefined) {
    if (facts.affectedClaims >= thresholds.bulkClaims) {
      major.push({ rule: 'R-SEV-MAJOR', evidence: `fact affectedClaims=${facts.affectedClaims} >= bulkClaims=${thresholds.bulkClaims}` });
    }
  } else {
    // Each affected customer has at least one claim, so a stated number of customers counts too.
    const claimCount = Math.max(
      largestCount(view.text, CLAIM_COUNT_PATTERNS) ?? 0,
      largestCount(view.text, CUSTOMER_COUNT_PATTERNS) ?? 0,
    );
    const bulkWords = search(view, COMPILED_BULK).asserted;
    const outageWords = category === 'system' ? search(view, COMPILED_OUTAGE).asserted : [];
    const singleScope = search(view, COMPILED_SINGLE_SCOPE).asserted[0];
    const batchDelayDays = facts.batchDelayDays ?? 0;
    if (claimCount >= thresholds.bulkClaims) {
      major.push({ rule: 'R-SEV-MAJOR', evidence: `text states ${claimCount} affected claims or customers >= bulkClaims=${thresholds.bulkClaims}` });
    } else if (category === 'timeliness' && batchDelayDays > thresholds.batchDelayWorkingDays) {
      major.push({ rule: 'R-SEV-MAJOR', evidence: `fact batchDelayDays=${batchDelayDays}: a batch run delays payouts in bulk` });
    } else if (singleScope !== undefined && bulkWords.length + outageWords.length > 0) {
      notes.push({ rule: 'R-CAT-X', evidence: `bulk wording not counted: ${keyword(singleScope.term)} confines it to one customer` });
    } else {
      for (const hit of bulkWords) major.push({ rule: 'R-SEV-MAJOR', evidence: `${keyword(hit.term)} (bulk impact)` });
      for (const hit of outageWords) major.push({ rule: 'R-SEV-MAJOR', evidence: `${keyword(hit.term)} (service-wide outage)` });
    }
  }

  // Group complaint (R-CAT-COMP): more than the threshold of distinct customers, same cause.
  const groupLimit = thresholds.groupComplaintCustomers;
  if (facts.complainingCustomers !== undefined) {
    if (facts.complainingCustomers > groupLimit) {
      major.push({ rule: 'R-SEV-MAJOR', evidence: `fact complainingCustomers=${facts.complainingCustomers} > groupComplaintCustomers=${groupLimit}` });
    }
  } else {
    for (const hit of search(view, COMPILED_GROUP).asserted) {
      major.push({ rule: 'R-SEV-MAJOR', evidence: `${keyword(hit.term)} (group complaint)` });
    }
    const customers = Math.max(
      largestCount(view.text, CUSTOMER_COUNT_PATTERNS) ?? 0,
      largestCount(view.text, COMPLAINT_COUNT_PATTERNS) ?? 0,
    );
    const longWindow = search(view, COMPILED_LONG_WINDOW).asserted[0];
    if (complaintEvidence && customers > groupLimit) {
      if (longWindow === undefined) {
        major.push({ rule: 'R-SEV-MAJOR', evidence: `text states ${customers} complaining customers > groupComplaintCustomers=${groupLimit}` });
      } else {
        notes.push({ rule: 'R-CAT-X', evidence: `${customers} complaints not a group complaint: ${keyword(longWindow.term)} is beyond 24 hours` });
      }
    }
  }

  // Data loss or tampering.
  let dataLoss = false;
  if (facts.dataLoss !== undefined) {
    dataLoss = facts.dataLoss;
    if (dataLoss) major.push({ rule: 'R-SEV-MAJOR', evidence: 'fact dataLoss' });
  } else {
    for (const hit of search(view, COMPILED_DATA_LOSS).asserted) {
      dataLoss = true;
      major.push({ rule: 'R-SEV-MAJOR', evidence: `${keyword(hit.term)} (data loss or tampering)` });
    }
  }

  // Press or public-opinion risk.
  if (facts.mediaRisk !== undefined) {
    if (facts.mediaRisk) major.push({ rule: 'R-SEV-MAJOR', evidence: 'fact mediaRisk' });
  } else {
    for (const hit of search(view, COMPILED_MEDIA).asserted) {
      major.push({ rule: 'R-SEV-MAJOR', evidence: `${keyword(hit.term)} (press or public-opinion risk)` });
    }
  }

  if (major.length > 0) return { severity: 'major', reasons: major, dataLoss };
  const floor = (severity: Severity, rule: string, evidence: string): SeverityDecision => ({
    severity,
    reasons: [{ rule, evidence }],
    dataLoss,
  });
  switch (category) {
    case undefined:
      return floor('minor', 'R-SEV-MINOR', 'no incident evidence: a routine matter for customer service');
    case 'system':
      return floor('general', 'R-SEV-GENERAL', 'system incident: at least general');
    case 'complaint':
      return floor('general', 'R-SEV-GENERAL', 'single customer complaint or dispute');
    case 'timeliness':
      return floor('general', 'R-SEV-GENERAL', 'late payout: a compliance risk, at least general (plan §11, R-LAW-23b)');
    case 'info': {
      const internal = search(view, COMPILED_INTERNAL_ERROR).asserted[0];
      return internal === undefined
        ? floor('minor', 'R-SEV-MINOR', 'information correction without aggravating factors')
        : floor('general', 'R-SEV-GENERAL', `${keyword(internal.term)} (internal data error, not a customer correction)`);
    }
  }
}

/** Who responds (R-LINE-*), in the order of {@link LINES}. */
function decideLines(
  category: Category | undefined,
  decision: SeverityDecision,
  view: TextView,
  report: IncidentReport,
): { lines: Line[]; reasons: TriageReason[] } {
  const chosen = new Set<Line>();
  const reasons: TriageReason[] = [];
  const add = (line: Line, rule: string, evidence: string): void => {
    chosen.add(line);
    reasons.push({ rule, evidence });
  };

  if (category === undefined) {
    add('customer-service', 'R-LINE-1', 'routine matter: customer service answers it');
  } else if (category !== 'system') {
    add('customer-service', 'R-LINE-1', `${category} incident is customer-facing`);
    add('claims', 'R-LINE-2', `${category} incident needs a claims specialist`);
  } else {
    // R-SYS-3: customers affected by a system incident are told about alternatives.
    const customerWord = search(view, COMPILED_CUSTOMER).asserted[0];
    const affectedClaims = report.facts.affectedClaims ?? 0;
    const evidence = CUSTOMER_SOURCES.includes(report.source)
      ? `reported through customer channel "${report.source}"`
      : customerWord !== undefined
        ? `${keyword(customerWord.term)} (customers affected)`
        : affectedClaims > 0
          ? `fact affectedClaims=${affectedClaims}`
          : decision.severity === 'major'
            ? 'major system incident affects customers'
            : undefined;
    if (evidence !== undefined) add('customer-service', 'R-LINE-1', evidence);
    add('technology', 'R-LINE-3', 'system incident');
  }
  if (category !== 'system' && decision.dataLoss) {
    add('technology', 'R-LINE-3', 'data loss or tampering: technology investigates');
  }
  if (decision.severity === 'major') add('management', 'R-LINE-MGMT', 'major incident: management informed');
  return { lines: LINES.filter((line) => chosen.has(line)), reasons };
}

/**
 * Classifies a report (R-DET-2, R-CAT-*, R-SEV-*, R-LINE-*) and says why (R-CAT-X).
 *
 * Promises: pure and deterministic; `lines` follow the order of {@link LINES}; `reasons` cite
 * rule ids and hold only lexicon terms, fact values (never claim or customer references) and
 * thresholds. A present fact decides over text that disagrees. A report with no evidence at all
 * is {@link FALLBACK_CATEGORY} / `minor`, for customer service only.
 */
export function triage(report: IncidentReport, thresholds: TriageThresholds): TriageResult {
  const text = normalise(report);
  const view: TextView = { text, gratitude: gratitudeRanges(text) };
  const notes: TriageReason[] = [];

  const textScores: Record<Category, number> = { timeliness: 0, info: 0, complaint: 0, system: 0 };
  const keywordReasons: Array<TriageReason & { category: Category }> = [];
  for (const category of CATEGORY_PRIORITY) {
    const hits = search(view, COMPILED_CATEGORIES[category]);
    for (const hit of hits.asserted) {
      textScores[category] += hit.weight;
      keywordReasons.push({ category, rule: CATEGORY_RULES[category], evidence: keyword(hit.term) });
    }
    for (const miss of hits.discounted) {
      notes.push({ rule: 'R-CAT-X', evidence: `${keyword(miss.term)} not counted: ${miss.why}` });
    }
  }

  const facts = scoreFacts(report.facts, thresholds, textScores.system);
  if (facts.timelinessRuledOut) textScores.timeliness = 0;
  const scores: Record<Category, number> = {
    timeliness: facts.scores.timeliness + textScores.timeliness,
    info: facts.scores.info + textScores.info,
    complaint: facts.scores.complaint + textScores.complaint,
    system: facts.scores.system + textScores.system,
  };
  const picked = pickCategory(scores);

  const reasons: TriageReason[] = [...facts.reasons];
  for (const { category, rule, evidence } of keywordReasons) {
    if (!(facts.timelinessRuledOut && category === 'timeliness')) reasons.push({ rule, evidence });
  }
  reasons.push({
    rule: 'R-CAT-X',
    evidence:
      picked === undefined
        ? `no category reaches score ${MIN_CATEGORY_SCORE}: fallback ${FALLBACK_CATEGORY} (a person can reclassify)`
        : `category ${picked} (scores: ${CATEGORY_PRIORITY.map((c) => `${c} ${scores[c]}`).join(', ')})`,
  });

  const severity = decideSeverity(picked, view, report, thresholds, scores.complaint > 0, notes);
  const lines = decideLines(picked, severity, view, report);
  reasons.push(...severity.reasons, ...lines.reasons, ...notes);

  return { category: picked ?? FALLBACK_CATEGORY, severity: severity.severity, lines: lines.lines, reasons };
}
