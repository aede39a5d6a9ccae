// R-DET-1..5: the labelled detection corpus. Per-category precision and recall are printed and
// held as a floor; every decision says why (R-CAT-X); the incident each detection opens is
// triaged the same way by the incident workflow.
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { detect, DETECTION_SOURCES, type Detection } from '../../domain/detection';
import { parseDetectionConfig } from '../../domain/detection-config';
import { DEFAULT_POLICY } from '../../domain/policy';
import { triage } from '../../domain/triage';
import { CATEGORIES } from '../../domain/types';
import { CORPUS_NOW, DETECTION_CORPUS, type DetectionCorpusItem, type DetectionLabel } from './detection-corpus';

const context = {
  config: parseDetectionConfig({}),
  policy: DEFAULT_POLICY,
  calendar: createCalendar(readCalendarData(), DEFAULT_POLICY.timeZone),
  receivedAt: new Date(CORPUS_NOW),
};

const labelOf = (detection: Detection): DetectionLabel => (detection.kind === 'none' ? 'none' : detection.triage.category);
const LABELS: readonly DetectionLabel[] = [...CATEGORIES, 'none'];

/** The floors the corpus holds; raise them when detection improves, never lower them quietly. */
const FLOORS: Record<DetectionLabel, { precision: number; recall: number }> = {
  timeliness: { precision: 0.95, recall: 0.95 },
  info: { precision: 0.95, recall: 0.9 },
  complaint: { precision: 0.9, recall: 0.95 },
  system: { precision: 0.9, recall: 0.95 },
  none: { precision: 0.95, recall: 0.9 },
};

function name(item: DetectionCorpusItem): string {
  const words = item.event.text ?? item.event.title ?? JSON.stringify(item.event.claimStatus);
  const short = words.length > 80 ? `${words.slice(0, 79)}…` : words;
  return `[${item.event.source} → ${item.expected}] ${short}`;
}

const results = DETECTION_CORPUS.map((item) => ({ item, detection: detect(item.event, context) }));

describe('the corpus', () => {
  test('has at least 150 events from every source, in both languages, with near-misses', () => {
    expect(DETECTION_CORPUS.length).toBeGreaterThanOrEqual(150);
    for (const source of DETECTION_SOURCES) {
      expect(DETECTION_CORPUS.filter((item) => item.event.source === source).length).toBeGreaterThanOrEqual(5);
    }
    const chinese = DETECTION_CORPUS.filter((item) => /[\u3400-\u9fff]/.test(`${item.event.title ?? ''}${item.event.text ?? ''}`)).length;
    expect(chinese / DETECTION_CORPUS.length).toBeGreaterThan(0.35);
    expect(DETECTION_CORPUS.filter((item) => item.expected === 'none').length).toBeGreaterThanOrEqual(50);
  });
});

describe('precision and recall per category (R-DET-2, R-CAT-*)', () => {
  const score = (label: DetectionLabel) => {
    const truePositives = results.filter((r) => r.item.expected === label && labelOf(r.detection) === label).length;
    const predicted = results.filter((r) => labelOf(r.detection) === label).length;
    const support = results.filter((r) => r.item.expected === label).length;
    return { precision: predicted === 0 ? 1 : truePositives / predicted, recall: support === 0 ? 1 : truePositives / support, support };
  };

  beforeAll(() => {
    const misses = results.filter((r) => labelOf(r.detection) !== r.item.expected);
    console.log(
      [
        `detection corpus: ${DETECTION_CORPUS.length} events, ${DETECTION_CORPUS.length - misses.length} labelled right`,
        ...LABELS.map((label) => {
          const s = score(label);
          return `${label.padEnd(11)} precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  (n=${s.support})`;
        }),
        ...misses.map((r) => `  miss: ${name(r.item)} → ${labelOf(r.detection)}`),
      ].join('\n'),
    );
  });

  test.each(LABELS.map((label) => [label] as const))('%s holds its floor', (label) => {
    const s = score(label);
    expect(s.precision).toBeGreaterThanOrEqual(FLOORS[label].precision);
    expect(s.recall).toBeGreaterThanOrEqual(FLOORS[label].recall);
  });
});

describe('every decision says why (R-CAT-X)', () => {
  test.each(results.map((r) => [name(r.item), r] as const))('%s', (_name, { detection }) => {
    expect(detection.reasons.length).toBeGreaterThan(0);
    for (const reason of detection.reasons) expect(reason.rule).toMatch(/^R-[A-Z]+(-[A-Z0-9]+)*$/);
    if (detection.kind === 'none') {
      expect(detection.reason.length).toBeGreaterThan(0);
    } else {
      // The incident workflow triages the same report again: it must reach the same decision.
      const again = triage(detection.report, DEFAULT_POLICY.triage);
      expect({ category: again.category, severity: again.severity }).toEqual({
        category: detection.triage.category,
        severity: detection.triage.severity,
      });
    }
  });
});
