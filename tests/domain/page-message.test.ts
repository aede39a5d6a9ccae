import {
  fitsOneSms,
  maskContact,
  maskPersonalData,
  parseSmsReply,
  renderPage,
  smsSize,
  type PageInput,
} from '../../domain/message';

describe('maskPersonalData (R-SEC-1)', () => {
  it.each([
    ['客户手机 13812341234 来电', '客户手机 138****1234 来电'],
    ['call +8613812341234 now', 'call +86138****1234 now'],
    ['+86 138 1234 5678', '+86 138****5678'],
    ['0086-139-1234-5678', '0086-139****5678'],
    ['电话:15900001111。', '电话:159****1111。'],
  ])('masks the mobile in %j', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('masks 18-character ID numbers, keeping the first 3 and last 4', () => {
    expect(maskPersonalData('身份证 11010519491231002X 已核对')).toBe('身份证 110***********002X 已核对');
    expect(maskPersonalData('ID:440301199001011234')).toBe('ID:440***********1234');
  });

  it('masks landlines loosely and e-mail local parts partially', () => {
    expect(maskPersonalData('座机 010-12345678 或 (0755)1234567 或 +86 21 87654321')).toBe(
      '座机 010-****5678 或 (0755)****4567 或 +86 21 ****4321',
    );
    expect(maskPersonalData('reply to zhang.wei@example.com or ab@example.cn')).toBe(
      'reply to z***i@example.com or a***@example.cn',
    );
  });

  it('leaves incident ids, dates, times, amounts and ack codes alone', () => {
    const text = 'INC-20250501-0001 due 2025-05-01 10:30, amount 12345678 CNY, ACK 4821, claim 1381234123456';
    expect(maskPersonalData(text)).toBe(text);
  });

  it('changes nothing when applied to text it already masked', () => {
    const once = maskPersonalData('13812341234 11010519491231002X 010-12345678 zhang.wei@example.com ab@example.cn');
    expect(maskPersonalData(once)).toBe(once);
  });

  it('masks any contact address for logs, including non-Chinese numbers', () => {
    expect(maskContact('+15555550123')).toBe('+155****0123');
    expect(maskContact('+8613800000001')).toBe('+86138****0001');
    expect(maskContact('li.xiaoming@example.com')).toBe('l***g@example.com');
  });
});

const base: PageInput = {
  incidentId: 'INC-20250501-0001',
  ackCode: '4821',
  category: 'complaint',
  severity: 'major',
  kind: 'page',
  dueSummary: '联系客户 10:30 前到期',
  drill: false,
};

describe('renderPage', () => {
  it('writes Chinese by default, with the ack instruction and an SMS of one segment', () => {
    const page = renderPage(base);
    expect(page.subject).toBe('【重大·客户投诉类】新事件 INC-20250501-0001');
    expect(page.text).toContain('事件编号：INC-20250501-0001');
    expect(page.text).toContain('时限：联系客户 10:30 前到期');
    expect(page.text).toContain('回复 ACK 4821 确认');
    expect(page.sms).toContain('回复 ACK 4821 确认');
    expect(page.sms).toContain('INC-20250501-0001');
    expect(smsSize(page.sms)).toEqual({ length: page.sms.length, limit: 70 });
    expect(page.sms.length).toBeLessThanOrEqual(70);
    expect(page.voice).toContain('确认码 4 8 2 1');
  });

  it('writes English when configured, within 160 GSM characters', () => {
    const page = renderPage({ ...base, lang: 'en', dueSummary: 'contact due 10:30' });
    expect(page.subject).toBe('[MAJOR complaint] New incident INC-20250501-0001');
    expect(page.text).toContain('Reply ACK 4821 to acknowledge');
    expect(page.sms).toBe(
      'MAJOR complaint INC-20250501-0001: New incident. contact due 10:30. Reply ACK 4821 to acknowledge.',
    );
    expect(smsSize(page.sms).limit).toBe(160);
  });

  it('marks drills in every rendering (R-REV-4)', () => {
    const zh = renderPage({ ...base, drill: true });
    expect(zh.subject.startsWith('[演练]')).toBe(true);
    expect(zh.sms.startsWith('[演练]')).toBe(true);
    expect(zh.text.startsWith('[演练]')).toBe(true);
    expect(zh.voice).toContain('演练');
    const en = renderPage({ ...base, drill: true, lang: 'en', dueSummary: 'contact due 10:30' });
    expect(en.subject.startsWith('[DRILL]')).toBe(true);
    expect(en.sms.startsWith('[DRILL]')).toBe(true);
    expect(en.text.startsWith('[DRILL]')).toBe(true);
  });

  it('drops detail, never the ack code, when the SMS would not fit one segment', () => {
    const page = renderPage({ ...base, drill: true, dueSummary: '请在今天上午十点三十分之前联系客户并确认影响范围，同时记录沟通结果与后续安排' });
    expect(fitsOneSms(page.sms)).toBe(true);
    expect(page.sms).toContain('ACK 4821');
    expect(page.text).toContain('同时记录沟通结果与后续安排');
  });

  it('masks personal data that slips into the due summary', () => {
    const page = renderPage({ ...base, dueSummary: '回电 13812341234 前到期' });
    expect(page.text).toContain('138****1234');
    expect(page.text).not.toContain('13812341234');
    expect(page.sms).not.toContain('13812341234');
  });

  it('adds the ack link to the full text, and asks nothing on a resolved notice', () => {
    const withLink = renderPage({ ...base, ackUrl: 'https://ops.example.com/ack/INC-20250501-0001' });
    expect(withLink.text).toContain('确认链接：https://ops.example.com/ack/INC-20250501-0001');
    const resolved = renderPage({ ...base, kind: 'resolved', lang: 'en', dueSummary: '' });
    expect(resolved.subject).toContain('Resolved');
    expect(resolved.text).not.toContain('Reply ACK');
    expect(resolved.sms).not.toContain('Reply ACK');
  });
});

describe('parseSmsReply', () => {
  it.each([
    ['ACK 4821', 'ack', '4821'],
    ['ack4821', 'ack', '4821'],
    ['Ack #4821', 'ack', '4821'],
    ['  ack: 004821 on it', 'ack', '004821'],
    ['确认 4821', 'ack', '4821'],
    ['确认４８２１', 'ack', '4821'],
    ['ＡＣＫ　４８２１', 'ack', '4821'],
    ['RES 4821', 'resolve', '4821'],
    ['resolve 4821', 'resolve', '4821'],
    ['Resolved #482100', 'resolve', '482100'],
    ['解决 4821', 'resolve', '4821'],
    ['解决　４８２１。', 'resolve', '4821'],
  ] as const)('reads %j as %s %s', (body, action, code) => {
    expect(parseSmsReply(body)).toEqual({ action, code });
  });

  it.each(['hello', 'ACK', 'ack 482', 'ack 4821567', 'please ack 4821', 'resend 4821', 'STOP'])(
    'ignores %j',
    (body) => {
      expect(parseSmsReply(body)).toBeUndefined();
    },
  );
});
