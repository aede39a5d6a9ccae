// A manager pulls the month's review (R-REV-1, R-REV-2, R-REV-4) from the real stack — dev
// server, worker, app — as JSON, as CSV (parsed back and checked against the JSON) and as the
// printable HTML page with its SVG charts; a drill is reported apart; a hostile title is escaped.
import { csvCell, CSV_COLUMNS } from '../../api/reports';
import type { MonthlyReview } from '../../domain/monthly-review';
import { startApiStack, type ApiStack } from '../support/api-stack';

let stack: ApiStack;

/** The current month in Asia/Shanghai: the incidents below are reported now. */
const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
  .formatToParts(new Date())
  .filter((part) => part.type !== 'literal')
  .map((part) => part.value)
  .join('-');

const HOSTILE = '<script>alert("x")</script> =cmd 扬言投诉';

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

let ids: { dispute: string; hospital: string[]; drill: string };

beforeAll(async () => {
  stack = await startApiStack();
  const report = (title: string, extra: Record<string, unknown> = {}) =>
    stack.call('POST', '/incidents', { title, description: '客户强烈质疑理赔结果，扬言投诉。', source: 'hotline', reporter: 'agent-li', ...extra });
  const dispute = await report(HOSTILE);
  expect(dispute.status).toBe(201);
  const hospital = [];
  for (const n of [1, 2]) {
    const created = await report(`客户质疑瑞金医院理赔结果 ${n}`, { facts: { causeFields: { hospital: 'Ruijin Hospital' } } });
    expect(created.status).toBe(201);
    hospital.push(created.body.id as string);
  }
  const drill = await report('演练：客户质疑理赔结果', { drill: true, facts: { causeFields: { hospital: 'Ruijin Hospital' } } });
  expect(drill.status).toBe(201);
  ids = { dispute: dispute.body.id, hospital, drill: drill.body.id };
  // One incident worked: acknowledged, then the customer contacted (times from its timeline).
  expect((await stack.call('POST', `/incidents/${ids.dispute}/acknowledge`, {}, { authorization: `Bearer ${stack.keys.oncall}` })).status).toBe(200);
  expect((await stack.call('POST', `/incidents/${ids.dispute}/contact`, { text: '已致电客户' }, { authorization: `Bearer ${stack.keys.oncall}` })).status).toBe(200);
});

afterAll(() => stack?.stop());

describe('GET /reports/monthly', () => {
  let review: MonthlyReview;

  test('JSON: the real figures count the three reports, the drill only in its own section', async () => {
    // The archive is written beside each change, about a second after it (patch archive-settles),
    // each incident on its own: read until it holds all four reports and the contact just recorded.
    const behind = (body: MonthlyReview) => body.figures.timeTo.contact.count < 1 || body.figures.total < 3 || body.drills.figures.total < 1;
    let res = await stack.call('GET', `/reports/monthly?month=${month}`);
    for (const until = Date.now() + 15_000; res.status === 200 && behind(res.body) && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      res = await stack.call('GET', `/reports/monthly?month=${month}`);
    }
    expect(res.status).toBe(200);
    review = res.body;
    expect(review.month).toBe(month);
    expect(review.basis).toMatch(/month .* in which it was reported/);
    expect(review.figures.total).toBe(3);
    expect(review.figures.byCategory.complaint).toBe(3);
    expect(review.drills.incidents).toEqual([ids.drill]);
    expect(review.drills.figures.total).toBe(1);
    expect(review.incidents.map((i) => i.id).sort()).toEqual([ids.dispute, ...ids.hospital, ids.drill].sort());
    // Acknowledged and contacted once: one time each, measured from the timeline.
    expect(review.figures.timeTo.acknowledge.count).toBe(1);
    expect(review.figures.timeTo.contact.count).toBe(1);
    const worked = review.incidents.find((i) => i.id === ids.dispute)!;
    expect(review.figures.timeTo.contact.medianMinutes).toBe(worked.minutesToContact);
    // R-REV-2: the hospital is behind 2 of 3 real complaints — flagged; the drill does not add to it.
    const [top] = review.causes.find((c) => c.category === 'complaint')!.causes;
    expect(top).toMatchObject({ label: 'hospital ruijin hospital', count: 2, dominant: true });
    expect(top!.incidents.sort()).toEqual([...ids.hospital].sort());
  });

  test('CSV (format=csv): RFC 4180, parsed back, the same figures as the JSON', async () => {
    const res = await fetch(`${stack.base}/reports/monthly?month=${month}&format=csv`, { headers: { authorization: `Bearer ${stack.keys.manager}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.find((row) => row[1] === 'review' && row[4] === 'basis')?.[5]).toBe(review.basis);
    const value = (...key: string[]) => rows.find((row) => key.every((part, index) => row[index] === part))?.[5];
    expect(value('real', 'counts', 'all', 'all', 'incidents')).toBe(String(review.figures.total));
    expect(value('real', 'counts', 'category', 'complaint', 'incidents')).toBe('3');
    expect(value('drill', 'counts', 'all', 'all', 'incidents')).toBe('1');
    expect(value('real', 'time-to', 'stage', 'contact', 'median_minutes')).toBe(String(review.figures.timeTo.contact.medianMinutes));
    expect(value('real', 'causes', 'complaint', 'hospital ruijin hospital', 'dominant')).toBe('true');
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });

  test('CSV by Accept: text/csv', async () => {
    const res = await fetch(`${stack.base}/reports/monthly?month=${month}`, { headers: { authorization: `Bearer ${stack.keys.manager}`, accept: 'text/csv' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await res.text()).toContain(CSV_COLUMNS.join(','));
  });

  test('HTML: self-contained, with inline SVG charts, bilingual, every title escaped', async () => {
    const res = await fetch(`${stack.base}/reports/monthly?month=${month}`, { headers: { authorization: `Bearer ${stack.keys.manager}`, accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('月度复盘');
    expect(html).toContain('Monthly review');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('演练（不计入正式统计）');
  });

  test('a bad or missing month answers 400 naming `month`', async () => {
    for (const query of ['?month=2026-13', '?month=2026-1', '', '?month=2026-11&format=pdf']) {
      const res = await stack.call('GET', `/reports/monthly${query}`);
      expect(res.status).toBe(400);
      const fields = (res.body.fields as { field: string }[]).map((f) => f.field);
      expect(fields).toContain(query.includes('format') ? 'format' : 'month');
    }
  });

  test('R-SEC-2: reports need reports:read — a support key is refused, no key is 401', async () => {
    expect((await stack.call('GET', `/reports/monthly?month=${month}`, undefined, { authorization: `Bearer ${stack.keys.support}` })).status).toBe(403);
    expect((await stack.call('GET', `/reports/monthly?month=${month}`, undefined, { authorization: '' })).status).toBe(401);
  });
});

describe('CSV cells', () => {
  test('RFC 4180 quoting, and cells a spreadsheet would run as formulas are defused', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const lead of ['+', '-', '@']) expect(csvCell(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});
