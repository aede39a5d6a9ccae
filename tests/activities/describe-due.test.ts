/**
 * The due line of a page (R-T-CAL: deadlines shown in the deployment's zone; R-T-BREACH: a breach
 * page names the deadline it missed), read off the roster's wall clock.
 */
import { describeDue } from '../../activities/paging';
import type { PageContent } from '../../workflows/contracts';

const content = (due: PageContent['due'], kind: PageContent['kind'] = 'page', lang: PageContent['lang'] = 'zh'): PageContent => ({
  incidentId: 'INC-1',
  ackCode: '4821',
  category: 'timeliness',
  severity: 'general',
  kind,
  ...(due ? { due } : {}),
  drill: false,
  lang,
});

describe('describeDue', () => {
  test('the due time in the zone, month-day hours:minutes, 24-hour', () => {
    expect(describeDue(content({ deadline: 'contact', dueAt: '2026-11-22T02:30:00.000Z' }))).toBe('联系客户 11-22 10:30 前到期');
    // Past midnight in Shanghai while still the day before in UTC: 00, not 24.
    expect(describeDue(content({ deadline: 'contact', dueAt: '2026-11-21T16:05:00.000Z' }))).toBe('联系客户 11-22 00:05 前到期');
    expect(describeDue(content({ deadline: 'solution', dueAt: '2026-11-22T02:30:00.000Z' }, 'page', 'en'), 'Europe/London')).toBe('solution due 11-22 02:30');
  });

  test('another zone reads the same instant on its own clock', () => {
    expect(describeDue(content({ deadline: 'contact', dueAt: '2026-07-01T02:30:00.000Z' }, 'page', 'en'), 'America/New_York')).toBe('contact due 06-30 22:30');
  });

  test('a breach names the deadline missed; numbered deadlines by their kind; none open', () => {
    expect(describeDue(content({ deadline: 'progress-2', dueAt: '2026-11-22T02:30:00.000Z' }, 'breach'))).toBe('进度更新已于 11-22 10:30 超期');
    expect(describeDue(content({ deadline: 'contact', dueAt: '2026-11-22T02:30:00.000Z' }, 'breach', 'en'))).toBe('contact missed (due 11-22 10:30)');
    expect(describeDue(content(undefined))).toBe('无待办时限');
  });
});
