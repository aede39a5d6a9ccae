import { readFileSync } from 'node:fs';
import path from 'node:path';
import { calendarDataSchema, type CalendarData } from '../domain/calendar';

/** The shipped mainland-China calendar (R-T-CAL); see its `source` and `provisional` fields. */
export const DEFAULT_CALENDAR_FILE = path.join(__dirname, 'calendar', 'cn-mainland.json');

/**
 * Reads and validates the holiday data file once, at start-up (R-T-CAL). A deployment points
 * `file` elsewhere to add a year or to drill on a made-up calendar.
 *
 * @throws Error naming the file and, for invalid content, each offending field
 *   (e.g. `workdays[2]: 2025-02-07 is a weekday; …`), so a bad file stops the worker at once.
 */
export function readCalendarData(file: string = DEFAULT_CALENDAR_FILE): CalendarData {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Calendar file ${file} could not be read as JSON: ${reason}`, { cause: error });
  }
  const result = calendarDataSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${fieldName(issue.path)}: ${issue.message}`);
    throw new Error(`Calendar file ${file} is invalid:\n  ${problems.join('\n  ')}`, { cause: result.error });
  }
  return result.data;
}

/** `['workdays', 2]` → `workdays[2]`; the root is `(file)`. */
function fieldName(issuePath: readonly PropertyKey[]): string {
  if (issuePath.length === 0) return '(file)';
  return issuePath
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}
