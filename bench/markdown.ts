/** Renders one benchmark run as Markdown: the targets, met or missed, then each scenario's figures. */
import type { HistoryProfile as IntakeResultProfile } from './engine-checks';
import type { UsageReport } from './proc';
import type { BenchRun } from './run';
import { countsLine, mib, ms, percentLine } from './stats';

const GiB = 2 ** 30;

function verdict(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? '**met**' : '**missed**';
}

function usageTable(title: string, usage: UsageReport): string[] {
  const row = (name: string, p: { maxRssBytes: number; lastRssBytes: number; cpuSeconds: number }) =>
    `| ${name} | ${mib(p.maxRssBytes)} | ${mib(p.lastRssBytes)} | ${p.cpuSeconds.toFixed(1)} s | ${((p.cpuSeconds / usage.seconds) * 100).toFixed(0)}% |`;
  const rows = Object.entries(usage.processes).flatMap(([name, p]) => [
    row(p.memory === 'pss-sum' ? `${name} (all parts; memory: PSS summed)` : name, p),
    // A group's parts (the Temporal server, PostgreSQL): already counted in the row above.
    ...Object.entries(p.parts ?? {}).map(([part, usagePart]) => row(`${name} › ${part}`, usagePart)),
  ]);
  return [
    `${title} (${usage.seconds.toFixed(0)} s; machine busy ${((usage.machineBusySeconds / (usage.seconds * usage.cores || 1)) * 100).toFixed(0)}% of ${usage.cores} cores, ` +
      `of which ${usage.outsideBusySeconds.toFixed(0)} CPU-s (${((usage.outsideBusySeconds / (usage.seconds * usage.cores || 1)) * 100).toFixed(0)}% of the machine) went to processes outside the stack and the bench):`,
    '',
    '| process | peak RSS | RSS at end | CPU | of one core |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

/** CPU a process spent per accepted incident, over the burst and the wait for the pages: robust to other load on the machine. */
function perIncident(intake: NonNullable<BenchRun['intake']>, name: string): string {
  const seconds = (intake.usageBurst.processes[name]?.cpuSeconds ?? 0) + (intake.usageAfter.processes[name]?.cpuSeconds ?? 0);
  if (!intake.accepted) return 'n/a';
  // A group (the Temporal server on PostgreSQL): its parts' shares too.
  const parts = Object.keys(intake.usageBurst.processes[name]?.parts ?? {}).map((part) => {
    const partSeconds =
      (intake.usageBurst.processes[name]?.parts?.[part]?.cpuSeconds ?? 0) + (intake.usageAfter.processes[name]?.parts?.[part]?.cpuSeconds ?? 0);
    return `${part} ${ms((partSeconds * 1000) / intake.accepted)}`;
  });
  return `${ms((seconds * 1000) / intake.accepted)}${parts.length ? ` (${parts.join(' + ')})` : ''}`;
}

export function renderReport(run: BenchRun): string {
  const { intake, ceilings, deadline, correlated } = run;
  const lines: string[] = [];
  lines.push(`### Run of ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC (${run.config.BENCH_LABEL})`, '');
  lines.push('```', run.command, '```', '');
  lines.push(
    `Machine: ${run.machine.cores} × ${run.machine.cpu}, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}, ${run.machine.temporal.split('\n')[0]}; ` +
      `persistence: ${run.machine.persistence}; ` +
      `load average before ${run.machine.loadBefore.split(' ').slice(0, 3).join(' ')}, after ${run.machine.loadAfter.split(' ').slice(0, 3).join(' ')}. ` +
      `Scenarios: ${run.config.scenarios.join(', ')}; ${run.finishedAt ? `${Math.round((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 60_000)} min in all` : ''}.`,
    '',
  );
  if (Object.keys(run.config.tuning).length > 0) {
    lines.push(`Tuning in force: ${Object.entries(run.config.tuning).map(([k, v]) => `\`${k}=${v}\``).join(', ')}`, '');
  }

  // ---- targets -------------------------------------------------------------------------------
  lines.push('| target | figure | verdict |', '| --- | --- | --- |');
  if (intake) {
    const exact = intake.accepted === intake.count && intake.acceptedMissing === 0 && intake.duplicates === 0 && intake.extraIncidents === 0;
    lines.push(
      `| S1: ${intake.count} of ${intake.count} accepted, 0 lost, 0 duplicated | ${intake.accepted} accepted, ${intake.acceptedMissing} lost, ${intake.duplicates + intake.extraIncidents} duplicated (${intake.workflowCount} incident workflows${intake.unansweredButOpened ? `, ${intake.unansweredButOpened} of them for reports the client gave up on` : ''}) | ${verdict(exact)} |`,
    );
    if (ceilings) {
      const ratio = intake.acceptedPerSecond / ceilings.starts.perSecond;
      lines.push(
        `| S1: intake ≥ 80% of the bare-start ceiling | ${intake.acceptedPerSecond.toFixed(1)}/s vs ${ceilings.starts.perSecond.toFixed(1)}/s = ${(ratio * 100).toFixed(1)}% | ${verdict(ratio >= 0.8)} |`,
      );
    }
    const timeouts = (intake.attemptStatuses.timeout ?? 0) + Object.entries(intake.attemptStatuses).filter(([s]) => !/^\d+$/.test(s) && s !== 'timeout').reduce((sum, [, n]) => sum + n, 0);
    const shed503 = intake.latencyByStatus['503'];
    // The API's own time for its 503s (Server-Timing): early shedding answers without waiting on Temporal.
    const shed503Server = intake.serverLatencyByStatus?.['503'];
    const early = shed503Server ? shed503Server.p99 < 1_000 : shed503 ? shed503.p50 <= 5_000 : true;
    lines.push(
      `| Saturated: 429/503 with Retry-After, never a timeout; nothing accepted lost | ${intake.shed} shed (${intake.shedWithRetryAfter} with Retry-After${shed503 ? `, answered after ${percentLine(shed503)} at the client` : ''}${shed503Server ? `, ${percentLine(shed503Server)} in the API` : ''}), ${timeouts} client timeouts or connection errors, ${intake.acceptedMissing} accepted lost | ${verdict(intake.shedWithRetryAfter === intake.shed && timeouts === 0 && intake.acceptedMissing === 0 && early)}${early ? '' : shed503Server ? ` (not at once: the API's own time for a 503 reached p99 ${ms(shed503Server.p99)})` : ' (sheds only at the API\'s 15 s Temporal bound, not early)'} |`,
    );
  }
  if (deadline) {
    lines.push(
      `| S3: breach-page lateness p99 ≤ 1 s | p99 ${ms(deadline.pageLateness.p99)} (p50 ${ms(deadline.pageLateness.p50)}, max ${ms(deadline.pageLateness.max)}) over ${deadline.breachPages} breaches | ${verdict(deadline.breachPages === deadline.accepted && deadline.pageLateness.p99 <= 1_000)} |`,
    );
    const worker = deadline.usage.processes.worker;
    if (worker) {
      lines.push(`| Worker RSS ≤ 1 GiB with ${deadline.accepted} open incidents | peak ${mib(worker.maxRssBytes)} | ${verdict(worker.maxRssBytes <= GiB)} |`);
    }
  } else if (intake) {
    const worker = Math.max(intake.usageBurst.processes.worker?.maxRssBytes ?? 0, intake.usageAfter.processes.worker?.maxRssBytes ?? 0);
    lines.push(`| Worker RSS ≤ 1 GiB with ${intake.accepted} open incidents | peak ${mib(worker)} | ${verdict(worker <= GiB)} |`);
  }
  lines.push('');

  // ---- scenario 1 ----------------------------------------------------------------------------
  if (intake) {
    lines.push(`#### 1. Intake burst: ${intake.count} distinct reports, ${intake.concurrency} concurrent connections`, '');
    lines.push(
      '| figure | value |',
      '| --- | --- |',
      `| connections the client opened / peak requests in flight | ${intake.socketsOpened} / ${intake.peakInFlight} |`,
      `| accepted (201 started, or 202 on disk in the intake journal; the triage, computed at the edge, in every answer) | ${intake.accepted} of ${intake.count} |`,
      `| time to accept the whole burst (retries included) | ${ms(intake.acceptAllMs)} |`,
      `| time until every incident is triaged in its workflow and its first triage page is out | ${intake.allPagedMs !== undefined ? ms(intake.allPagedMs) : `not within the wait: ${intake.pagedCount} of ${intake.accepted} paged`} |`,
      `| throughput (accepted / time to accept all) | ${intake.acceptedPerSecond.toFixed(1)}/s |`,
      `| latency of the first attempt | ${percentLine(intake.firstAttemptLatency)} |`,
      `| latency to acceptance (retries and their waits included) | ${percentLine(intake.acceptLatency)} |`,
      `| first attempts by status | ${countsLine(intake.firstAttemptStatuses)} |`,
      `| all attempts by status | ${countsLine(intake.attemptStatuses)} |`,
      `| retries with the same Idempotency-Key / most attempts of one report | ${intake.retries} / ${intake.attemptsMax} |`,
      `| given up | ${countsLine(intake.finalFailures)} |`,
      `| incident workflows afterwards (visibility count / distinct ids) | ${intake.workflowCount} / ${intake.distinctWorkflowIds} |`,
      `| accepted but missing / duplicates / incidents no report maps to | ${intake.acceptedMissing} / ${intake.duplicates} / ${intake.extraIncidents} |`,
      `| incidents opened for reports the client gave up on (never told; not duplicates) | ${intake.unansweredButOpened} |`,
      `| triage | ${countsLine(intake.categories)}; ${countsLine(intake.severities)} |`,
      `| CPU per accepted incident, burst and paging (server / worker / API) | ${perIncident(intake, 'server')} / ${perIncident(intake, 'worker')} / ${perIncident(intake, 'api')} |`,
      '',
    );
    lines.push(
      'Latency by answer, at the client (TCP connect and queueing included): ' +
        Object.entries(intake.latencyByStatus)
          .map(([status, d]) => `${status}: ${percentLine(d)}`)
          .join('; '),
      '',
    );
    if (intake.serverLatencyByStatus && Object.keys(intake.serverLatencyByStatus).length > 0) {
      lines.push(
        'Latency by answer, in the API (its `Server-Timing`: from the request reaching the app to the answer): ' +
          Object.entries(intake.serverLatencyByStatus)
            .map(([status, d]) => `${status}: ${percentLine(d)}`)
            .join('; '),
        '',
      );
    }
    const profileRow = (name: string, p: IntakeResultProfile) =>
      `| ${name} | ${p.workflows} | ${p.events.toFixed(1)} | ${p.workflowTasks.toFixed(1)} | ${p.activities.toFixed(1)} | ${p.signalsReceived.toFixed(1)} / ${p.signalsSent.toFixed(1)} | ${p.timers.toFixed(1)} | ${p.childrenStarted.toFixed(1)} | ${p.updates.toFixed(1)} |`;
    lines.push(
      'Where the engine\'s work goes (mean per workflow over a sample of 20, from the histories as they stood when every triage page was out; later paging steps and escalations count too):',
      '',
      '| workflow | sampled | events | workflow tasks | activities | signals in / out | timers | children | updates |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      profileRow('incidentWorkflow', intake.profile.incident),
      // Since the `paging-in-the-incident` patch the paging runs play inside the incident's
      // own history: a run without a child workflow has nothing to sample here.
      ...(intake.profile.paging.workflows > 0
        ? [profileRow('pagingWorkflow (triage run)', intake.profile.paging)]
        : ['| pagingWorkflow (triage run) | 0 | (played inside the incident workflow: no child) | | | | | | |']),
      '',
    );
    lines.push(...usageTable('During the burst', intake.usageBurst));
    lines.push(...usageTable('After the burst, until every incident was paged and counted', intake.usageAfter));
  }

  // ---- scenario 2 ----------------------------------------------------------------------------
  if (correlated) {
    lines.push('#### 2. Correlated burst (POST /signals)', '');
    if (!correlated.ran) lines.push(`Not run: ${correlated.reason}.`, '');
    else {
      const exact =
        (correlated.decisions.opened ?? 0) === correlated.expected.opened &&
        (correlated.decisions.attached ?? 0) === correlated.expected.attached &&
        correlated.groups === correlated.expected.groups &&
        correlated.incidentWorkflows === correlated.expected.incidents &&
        (correlated.unread ?? 0) === 0 &&
        correlated.groupCustomerLinks.every((links) => links === correlated.perCause);
      lines.push(
        '| figure | value |',
        '| --- | --- |',
        `| signals / shared causes × complaints each / unshared | ${correlated.count} / ${correlated.causes} × ${correlated.perCause} / ${correlated.unshared} |`,
        `| answered | ${correlated.accepted} in ${ms(correlated.intakeMs)} (${correlated.perSecond.toFixed(1)}/s) |`,
        `| latency to answer | ${percentLine(correlated.latency)} |`,
        ...(correlated.pending !== undefined
          ? [
              `| answered 202 \`pending\` (decided after SIGNAL_WAIT_MS) / read back from their Location afterwards / not readable | ${correlated.pending} / ${correlated.readBack} / ${correlated.unread} |`,
              `| every event decided (no intake workflow running) | ${ms(correlated.decidedMs)} after the burst began |`,
            ]
          : []),
        `| attempts by status | ${countsLine(correlated.attemptStatuses)} |`,
        `| decisions | ${countsLine(correlated.decisions)} (expected opened×${correlated.expected.opened}, attached×${correlated.expected.attached}) |`,
        `| group incidents | ${correlated.groups} (expected ${correlated.expected.groups}); customer links on each: ${correlated.groupCustomerLinks.join(', ')} |`,
        `| incident workflows | ${correlated.incidentWorkflows} (expected ${correlated.expected.incidents}) |`,
        `| counted exactly | ${exact ? 'yes' : 'no'} |`,
        '',
      );
      lines.push(...usageTable(correlated.pending !== undefined ? 'During the burst and until every event was decided' : 'During the burst', correlated.usage));
    }
  }

  // ---- scenario 3 ----------------------------------------------------------------------------
  if (deadline) {
    lines.push(`#### 3. Deadline precision: ${deadline.accepted} open incidents, contact due ${deadline.contactMinutes} min after each report`, '');
    lines.push(
      '| figure | value |',
      '| --- | --- |',
      `| incidents reported (paced over ${deadline.spreadSeconds} s, up to ${deadline.concurrency} connections) / time until all were accepted | ${deadline.accepted} / ${ms(deadline.intakeMs)} |`,
      `| warning lead before each contact deadline | ${deadline.warningMinutes} min |`,
      `| attempts by status | ${countsLine(deadline.attemptStatuses)} |`,
      `| contact deadlines spread over | ${ms(deadline.dueSpreadMs)} |`,
      `| incidents open when the first fell due | ${deadline.openAtFirstDue >= 0 ? deadline.openAtFirstDue : 'intake still running then'} |`,
      `| breach pages seen / missing | ${deadline.breachPages} / ${deadline.missingBreachPages} |`,
      `| lateness of the breach page (outbox \`at\` − \`dueAt\`) | ${percentLine(deadline.pageLateness)} |`,
      `| lateness of the \`deadline-breached\` timeline entry (state query, ${deadline.timelineSample} sampled) | ${percentLine(deadline.timelineLateness)} |`,
      `| pages before their due time | ${deadline.early} |`,
      '',
    );
    lines.push(...usageTable('Whole scenario', deadline.usage));
    if (deadline.windowUsage) lines.push(...usageTable('From the first warning until every breach page was out (warnings, breaches, follow-ups)', deadline.windowUsage));
  }

  // ---- scenario 4 ----------------------------------------------------------------------------
  if (ceilings) {
    lines.push('#### 4. Ceilings, same run, same machine', '');
    lines.push(
      '| ceiling | requests | concurrency | time | throughput | latency | errors |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| bare Express POST (HTTP) | ${ceilings.http.count} | ${ceilings.http.concurrency} connections | ${ms(ceilings.http.durationMs)} | ${ceilings.http.perSecond.toFixed(0)}/s | ${percentLine(ceilings.http.latency)} | ${countsLine(ceilings.http.errors)} |`,
      `| bare workflow starts (engine) | ${ceilings.starts.count} | ${ceilings.starts.concurrency} in flight, one gRPC connection | ${ms(ceilings.starts.durationMs)} | ${ceilings.starts.perSecond.toFixed(1)}/s | ${percentLine(ceilings.starts.latency)} | ${countsLine(ceilings.starts.errors)} |`,
      '',
    );
    const startCpu = ceilings.starts.usage.processes.server?.cpuSeconds ?? 0;
    lines.push(
      `Server CPU per bare start: ${ms((startCpu * 1000) / Math.max(1, ceilings.starts.count))}` +
        (intake ? `; per accepted incident (burst and paging): ${perIncident(intake, 'server')}.` : '.') +
        ' CPU time is not shortened by other load on the machine, so this ratio is the steadier one.',
      '',
    );
    if (intake) {
      lines.push(
        `Intake as a ratio of the ceilings: ${((intake.acceptedPerSecond / ceilings.http.perSecond) * 100).toFixed(2)}% of the HTTP ceiling, ` +
          `${((intake.acceptedPerSecond / ceilings.starts.perSecond) * 100).toFixed(1)}% of the bare-start ceiling.`,
        '',
      );
    }
    lines.push(...usageTable('Bare Express', ceilings.http.usage));
    lines.push(...usageTable('Bare starts', ceilings.starts.usage));
  }

  for (const [name, error] of Object.entries(run.errors)) lines.push(`Scenario ${name} failed: \`${error.split('\n')[0]}\``, '');
  return lines.join('\n');
}
