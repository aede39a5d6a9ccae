/**
 * The managers' dashboard (issue 5): open incidents with live countdowns to their next
 * deadline, an incident page with its timeline and the actions the viewer's role allows, who is
 * on call, and the monthly review (R-REV-1, R-REV-2). Preact + htm, no build step.
 *
 * Data is polled: the list every 5 s, an open incident page every 3 s and right after each
 * action; the countdowns tick every second from the deadlines already loaded.
 */
import { h, render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import htm from 'htm';
import { ApiError, actionsFor, api, apiText, can, signOut, storeKey, storedKey, whenKeyRejected, whoAmI } from './api.js';
import { compareIncidents, formatCountdown, isBreached, nextDeadline, secondsLeft } from './deadlines.js';
import { LANGUAGES, storeLanguage, storedLanguage, translate } from './i18n.js';

const html = htm.bind(h);

const CATEGORIES = ['timeliness', 'info', 'complaint', 'system'];
const SEVERITIES = ['major', 'general', 'minor'];
const LIST_POLL_MS = 5000;
const INCIDENT_POLL_MS = 3000;

const LOCALES = { zh: 'zh-CN', en: 'en-GB' };

/** A moment in the viewer's time zone, written the way the chosen language writes dates. */
function when(value, t) {
  return new Date(value).toLocaleString(LOCALES[t.language], { dateStyle: 'short', timeStyle: 'medium' });
}

// ---- small hooks -------------------------------------------------------------------------------

/** The time, re-read every second: every countdown on the page ticks from it. */
function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Runs `load` now and every `intervalMs`; `reload()` runs it at once (after an action). */
function usePolling(load, intervalMs, dependencies) {
  const [state, setState] = useState({ data: null, error: null, at: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    let timer;
    const run = async () => {
      try {
        const data = await load();
        if (!cancelled) setState({ data, error: null, at: new Date() });
      } catch (error) {
        if (!cancelled) setState((previous) => ({ ...previous, error }));
      }
      if (!cancelled) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [...dependencies, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

function useHashRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  const incident = /^#\/incidents\/(INC-[0-9A-Z]+)$/.exec(hash);
  if (incident) return { page: 'incident', id: incident[1] };
  if (hash === '#/oncall') return { page: 'oncall' };
  if (hash === '#/review') return { page: 'review' };
  return { page: 'incidents' };
}

// ---- pieces ------------------------------------------------------------------------------------

function ErrorNote({ error, t }) {
  if (!error) return null;
  const text = error instanceof ApiError && error.status === 0 ? `${t('error.network')}: ${error.message}` : error.message;
  return html`<p class="error" role="alert">${t('error.generic')}: ${text}
    ${error.fields?.length ? html`<ul>${error.fields.map((f) => html`<li><code>${f.field}</code> ${f.message}</li>`)}</ul>` : null}</p>`;
}

function Countdown({ deadline, now, t }) {
  if (!deadline) return html`<span class="muted">${t('list.none')}</span>`;
  const seconds = secondsLeft(deadline.dueAt, now);
  return html`<span class=${seconds < 0 ? 'countdown overdue' : 'countdown'} data-testid="countdown" data-seconds=${seconds}
    data-deadline=${deadline.id} title=${deadline.dueAt}>${seconds < 0 ? `${t('overdue')} ` : ''}${formatCountdown(seconds)}</span>`;
}

function Badge({ kind, value, t }) {
  return value ? html`<span class=${`badge ${kind}-${value}`}>${t(`${kind}.${value}`)}</span>` : null;
}

// ---- sign in -----------------------------------------------------------------------------------

function Login({ t, rejected, onSignedIn }) {
  const [key, setKey] = useState('');
  const submit = (event) => {
    event.preventDefault();
    if (!key.trim()) return;
    storeKey(key.trim());
    onSignedIn();
  };
  return html`<section class="login">
    <h2>${t('login.title')}</h2>
    ${rejected ? html`<p class="error" role="alert" data-testid="key-rejected">${t('login.rejected')}</p>` : null}
    <form onSubmit=${submit}>
      <label>${t('login.key')} <input name="key" type="password" autocomplete="off" required value=${key} onInput=${(e) => setKey(e.currentTarget.value)} /></label>
      <button type="submit">${t('login.submit')}</button>
      <p class="muted">${t('login.hint')}</p>
    </form>
  </section>`;
}

// ---- open incidents ----------------------------------------------------------------------------

/** Titles never change: each incident's own record is read once for it, then remembered. */
const titles = new Map();

function viewOf(incident) {
  return {
    id: incident.id,
    title: incident.report.title,
    drill: incident.report.drill,
    status: incident.status,
    category: incident.category ?? null,
    severity: incident.severity ?? null,
    reportedAt: incident.reportedAt,
    deadlines: incident.deadlines,
  };
}

/**
 * The incidents matching the filters, each with its deadlines. "Open" asks for triggered and
 * acknowledged ones (the archive also lists years of resolved ones). A list that carries
 * deadlines (the archive's) is used as it is, with remembered titles; otherwise, and for any
 * incident not seen before, the incident's own state is read.
 */
async function loadIncidents(filters) {
  const statuses = filters.status === 'open' ? ['triggered', 'acknowledged'] : [filters.status];
  const lists = await Promise.all(
    statuses.map((status) => {
      const query = new URLSearchParams({ limit: '200', status });
      if (filters.category) query.set('category', filters.category);
      if (filters.severity) query.set('severity', filters.severity);
      if (filters.drill) query.set('drill', filters.drill);
      return api('GET', `/incidents?${query}`);
    }),
  );
  const rows = [...new Map(lists.flatMap((list) => list.incidents).map((row) => [row.id, row])).values()];
  const views = await Promise.all(
    rows.map(async (row) => {
      const known = titles.get(row.id);
      if (known && Array.isArray(row.deadlines)) {
        return { id: row.id, ...known, status: row.status, category: row.category, severity: row.severity, reportedAt: row.reportedAt, deadlines: row.deadlines };
      }
      try {
        const view = viewOf(await api('GET', `/incidents/${row.id}`));
        titles.set(view.id, { title: view.title, drill: view.drill });
        return view;
      } catch (error) {
        // One unreadable incident does not hide the others: it is listed by what the list says.
        if (error instanceof ApiError && error.status === 401) throw error;
        return { id: row.id, title: known?.title ?? row.id, drill: row.drill ?? false, status: row.status, category: row.category,
          severity: row.severity, reportedAt: row.reportedAt, deadlines: row.deadlines ?? [] };
      }
    }),
  );
  // The list may lag the incident by a moment: its own state decides whether it is still open.
  return views.filter((view) => statuses.includes(view.status));
}

function Filters({ filters, setFilters, t }) {
  const select = (name, options, any) => html`<label>${t(`filters.${name}`)}
    <select name=${name} value=${filters[name]} onChange=${(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}>
      ${any ? html`<option value="">${t('filters.any')}</option>` : null}
      ${options.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select></label>`;
  return html`<form class="filters" onSubmit=${(e) => e.preventDefault()}>
    ${select('category', CATEGORIES.map((c) => [c, t(`category.${c}`)]), true)}
    ${select('severity', SEVERITIES.map((s) => [s, t(`severity.${s}`)]), true)}
    ${select('status', [['open', t('filters.open')], ...['triggered', 'acknowledged', 'resolved'].map((s) => [s, t(`status.${s}`)])], false)}
    ${select('drill', [['false', t('filters.real')], ['true', t('filters.drillOnly')]], true)}
  </form>`;
}

function IncidentList({ t, now }) {
  const [filters, setFilters] = useState({ category: '', severity: '', status: 'open', drill: '' });
  const { data, error, at } = usePolling(() => loadIncidents(filters), LIST_POLL_MS, [JSON.stringify(filters)]);
  const rows = useMemo(() => (data ? [...data].sort((a, b) => compareIncidents(a, b, now)) : null), [data, now]);
  return html`<section>
    <h2>${t('nav.incidents')}</h2>
    <${Filters} filters=${filters} setFilters=${setFilters} t=${t} />
    <${ErrorNote} error=${error} t=${t} />
    ${rows === null
      ? html`<p class="muted">${t('loading')}</p>`
      : rows.length === 0
        ? html`<p class="muted" data-testid="no-incidents">${t('list.empty')}</p>`
        : html`<table class="incidents" data-testid="incident-list">
            <thead><tr><th>${t('list.countdown')}</th><th>${t('list.next')}</th><th>${t('list.id')}</th><th>${t('list.title')}</th>
              <th>${t('filters.category')}</th><th>${t('filters.severity')}</th><th>${t('filters.status')}</th><th>${t('list.reported')}</th></tr></thead>
            <tbody>${rows.map((incident) => {
              const next = nextDeadline(incident.deadlines);
              const breached = isBreached(incident.deadlines, now);
              return html`<tr key=${incident.id} class=${breached ? 'breached' : ''} data-incident=${incident.id}>
                <td><${Countdown} deadline=${next} now=${now} t=${t} />${breached ? html` <span class="badge breach">${t('breached')}</span>` : null}</td>
                <td>${next ? t(`deadline.${next.kind}`) : '—'}</td>
                <td><a href=${`#/incidents/${incident.id}`}>${incident.id}</a></td>
                <td>${incident.drill ? html`<span class="badge drill">${t('drill')}</span> ` : null}${incident.title}</td>
                <td><${Badge} kind="category" value=${incident.category} t=${t} /></td>
                <td><${Badge} kind="severity" value=${incident.severity} t=${t} /></td>
                <td><${Badge} kind="status" value=${incident.status} t=${t} /></td>
                <td class="nowrap">${incident.reportedAt ? when(incident.reportedAt, t) : '—'}</td>
              </tr>`;
            })}</tbody>
          </table>`}
    <p class="muted small">${at ? `${t('list.updated')} ${at.toLocaleTimeString(LOCALES[t.language])} · ` : ''}${t('list.polling')}</p>
  </section>`;
}

// ---- one incident ------------------------------------------------------------------------------

const TEXT_ACTIONS = {
  contact: { path: 'contact', field: 'text' },
  solution: { path: 'solution', field: 'text' },
  progress: { path: 'progress', field: 'text' },
  note: { path: 'notes', field: 'text' },
  resolve: { path: 'resolve', field: 'summary' },
};

function availableActions(viewer, incident) {
  if (incident.status === 'resolved') return [];
  return actionsFor(viewer).filter((action) => action !== 'acknowledge' || incident.status === 'triggered');
}

function ActionPanel({ viewer, incident, t, onDone }) {
  const [open, setOpen] = useState(null);
  const [text, setText] = useState('');
  const [category, setCategory] = useState('');
  const [severity, setSeverity] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const actions = availableActions(viewer, incident);

  const run = async (action) => {
    setBusy(true);
    setResult(null);
    try {
      if (action === 'acknowledge') await api('POST', `/incidents/${incident.id}/acknowledge`, {});
      else if (action === 'reclassify') {
        await api('PATCH', `/incidents/${incident.id}`, { ...(category ? { category } : {}), ...(severity ? { severity } : {}), reason: text });
      } else {
        const { path, field } = TEXT_ACTIONS[action];
        await api('POST', `/incidents/${incident.id}/${path}`, { [field]: text });
      }
      setResult({ ok: true, action });
      setOpen(null);
      setText('');
      onDone();
    } catch (error) {
      setResult({ ok: false, action, error });
    } finally {
      setBusy(false);
    }
  };

  if (actions.length === 0) return html`<p class="muted">${t('incident.noActions')}</p>`;
  return html`<div class="actions">
    <div class="buttons">${actions.map((action) => html`<button type="button" data-action=${action} disabled=${busy}
      class=${open === action ? 'active' : ''}
      onClick=${() => (action === 'acknowledge' ? run(action) : (setOpen(action), setResult(null)))}>${t(`action.${action}`)}</button>`)}</div>
    ${open
      ? html`<form class="action-form" data-form=${open} onSubmit=${(e) => { e.preventDefault(); void run(open); }}>
          ${open === 'reclassify'
            ? html`<label>${t('filters.category')} <select name="category" value=${category} onChange=${(e) => setCategory(e.currentTarget.value)}>
                <option value="">—</option>${CATEGORIES.map((c) => html`<option value=${c}>${t(`category.${c}`)}</option>`)}</select></label>
              <label>${t('filters.severity')} <select name="severity" value=${severity} onChange=${(e) => setSeverity(e.currentTarget.value)}>
                <option value="">—</option>${SEVERITIES.map((s) => html`<option value=${s}>${t(`severity.${s}`)}</option>`)}</select></label>`
            : null}
          <label class="block">${open === 'reclassify' ? t('action.reason') : t('action.text')}
            <textarea name="text" required maxlength="5000" rows="3" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea></label>
          <button type="submit" data-submit=${open} disabled=${busy}>${t('action.submit')} · ${t(`action.${open}`)}</button>
          <button type="button" onClick=${() => setOpen(null)}>${t('action.cancel')}</button>
        </form>`
      : null}
    ${result?.ok ? html`<p class="ok" data-testid="action-result">${t('action.done')}: ${t(`action.${result.action}`)}</p>` : null}
    ${result && !result.ok
      ? result.error.status === 403
        ? html`<p class="error" role="alert">${t('action.forbidden')}: ${result.error.message}</p>`
        : html`<${ErrorNote} error=${result.error} t=${t} />`
      : null}
  </div>`;
}

async function openPrintableHistory(id) {
  const page = await apiText(`/incidents/${id}/history?format=html`);
  const url = URL.createObjectURL(new Blob([page], { type: 'text/html' }));
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function IncidentPage({ id, viewer, t, language, now }) {
  const load = useCallback(async () => {
    const [incident, history] = await Promise.all([api('GET', `/incidents/${id}`), api('GET', `/incidents/${id}/history`)]);
    return { incident, history };
  }, [id]);
  const { data, error, reload } = usePolling(load, INCIDENT_POLL_MS, [id]);
  const [printError, setPrintError] = useState(null);
  if (!data) return html`<section><a href="#/incidents">${t('incident.back')}</a><${ErrorNote} error=${error} t=${t} />${error ? null : html`<p class="muted">${t('loading')}</p>`}</section>`;
  const { incident, history } = data;
  const next = nextDeadline(incident.deadlines);
  return html`<section class="incident" data-incident-page=${incident.id}>
    <a href="#/incidents">${t('incident.back')}</a>
    <h2>${incident.report.drill ? html`<span class="badge drill">${t('drill')}</span> ` : null}${incident.report.title}</h2>
    <p class="meta"><code>${incident.id}</code>
      <${Badge} kind="category" value=${incident.category} t=${t} /> <${Badge} kind="severity" value=${incident.severity} t=${t} />
      <span data-testid="incident-status"><${Badge} kind="status" value=${incident.status} t=${t} /></span>
      · ${t('incident.ackCode')} <code>${incident.ackCode}</code>
      · ${t('incident.lines')}: ${incident.lines.map((line) => t(`line.${line}`)).join(', ') || '—'}</p>
    <p class="next">${t('list.next')}: <strong data-testid="next-deadline" data-kind=${next?.kind ?? ''}>${next ? t(`deadline.${next.kind}`) : t('list.none')}</strong>
      ${next ? html` · <${Countdown} deadline=${next} now=${now} t=${t} />` : null}</p>
    <${ErrorNote} error=${error} t=${t} />

    <h3>${t('incident.actions')}</h3>
    <${ActionPanel} viewer=${viewer} incident=${incident} t=${t} onDone=${reload} />

    <h3>${t('incident.deadlines')}</h3>
    <table class="deadlines"><thead><tr><th>${t('incident.deadline')}</th><th>${t('incident.due')}</th><th>${t('incident.state')}</th><th>${t('incident.leftOrClosed')}</th></tr></thead>
      <tbody>${incident.deadlines.map((d) => html`<tr key=${d.id} class=${d.state === 'breached' ? 'breached' : ''}>
        <td>${t(`deadline.${d.kind}`)}</td><td class="nowrap">${when(d.dueAt, t)}</td><td>${t(`deadlineState.${d.state}`)}</td>
        <td>${d.state === 'pending' ? html`<${Countdown} deadline=${d} now=${now} t=${t} />` : d.closedAt ? when(d.closedAt, t) : '—'}</td></tr>`)}</tbody></table>

    ${incident.reasons?.length ? html`<h3>${t('incident.reasons')}</h3><ul>${incident.reasons.map((r) => html`<li><code>${r.rule}</code> ${r.evidence}</li>`)}</ul>` : null}

    <h3>${t('incident.timeline')}</h3>
    <table class="timeline" data-testid="timeline"><thead><tr><th>#</th><th>${t('incident.time')}</th><th>${t('incident.event')}</th><th>${t('incident.actor')}</th><th>${t('incident.text')}</th></tr></thead>
      <tbody>${history.timeline.map((entry) => html`<tr key=${entry.seq} data-type=${entry.type} class=${entry.group === 'breach' ? 'breached' : ''}>
        <td>${entry.seq}</td><td class="nowrap">${when(entry.at, t)}</td><td>${entry.label[language] ?? entry.type}</td>
        <td>${entry.actor}</td><td>${entry.text}</td></tr>`)}</tbody></table>
    <p class="links">
      <button type="button" class="link" onClick=${() => openPrintableHistory(incident.id).catch(setPrintError)}>${t('incident.history')}</button>
      · <a href=${history.workflow.temporalUi} target="_blank" rel="noopener noreferrer">${t('incident.temporal')}</a></p>
    <${ErrorNote} error=${printError} t=${t} />
  </section>`;
}

// ---- on call, monthly review -------------------------------------------------------------------

function OnCall({ t }) {
  const { data, error } = usePolling(() => api('GET', '/oncall'), 60_000, []);
  if (error?.status === 404) return html`<section><h2>${t('oncall.title')}</h2><p class="muted" data-testid="oncall-unavailable">${t('oncall.unavailable')}</p></section>`;
  return html`<section><h2>${t('oncall.title')}</h2><${ErrorNote} error=${error} t=${t} />
    ${data
      ? html`<table class="oncall" data-testid="oncall"><tbody>${data.teams.map((team) => html`<tr key=${team.team}><th>${t(`line.${team.team}`)}</th><td>
          ${team.onCall.length
            ? team.onCall.map((person) => html`<div class="person"><strong>${person.name}</strong>
                <span class="muted"> ${t('oncall.until')} ${when(person.until, t)}</span>
                <span class="channels">${person.channels.map((c) => `${c.channel} +${c.afterMinutes}m ${c.to}`).join(' · ')}</span></div>`)
            : html`<span class="muted">${t('oncall.nobody')}</span>`}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">${t('loading')}</p>`}</section>`;
}

function previousMonth() {
  const now = new Date();
  const month = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${month.getFullYear()}-${String(month.getMonth() + 1).padStart(2, '0')}`;
}

function MonthlyReview({ t }) {
  const [month, setMonth] = useState(previousMonth());
  const [shown, setShown] = useState(month);
  const [state, setState] = useState({ page: null, error: null });
  useEffect(() => {
    let cancelled = false;
    setState({ page: null, error: null });
    apiText(`/reports/monthly?month=${encodeURIComponent(shown)}&format=html`).then(
      (page) => !cancelled && setState({ page, error: null }),
      (error) => !cancelled && setState({ page: null, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [shown]);
  const unavailable = state.error instanceof ApiError && state.error.status === 404 && /no such endpoint/.test(state.error.message);
  return html`<section class="review"><h2>${t('review.title')}</h2>
    <form onSubmit=${(e) => { e.preventDefault(); setShown(month); }}>
      <label>${t('review.month')} <input type="month" name="month" value=${month} onInput=${(e) => setMonth(e.currentTarget.value)} /></label>
      <button type="submit">${t('review.load')}</button></form>
    ${unavailable
      ? html`<p class="notice" data-testid="review-unavailable">${t('review.unavailable')}</p>`
      : html`<${ErrorNote} error=${state.error} t=${t} />`}
    ${state.page
      ? html`<iframe class="report" title=${t('review.title')} sandbox="" srcdoc=${state.page} data-testid="review-frame"></iframe>`
      : !state.error ? html`<p class="muted">${t('loading')}</p>` : null}
  </section>`;
}

// ---- the page ----------------------------------------------------------------------------------

function App() {
  const [language, setLanguage] = useState(storedLanguage());
  // `t.language` lets every piece print times the way the chosen language writes them.
  const t = useMemo(() => Object.assign((key) => translate(language, key), { language }), [language]);
  const [viewer, setViewer] = useState(null);
  const [signIn, setSignIn] = useState({ needed: !storedKey(), rejected: false, error: null });
  const route = useHashRoute();
  const now = useNow();

  const identify = useCallback(async () => {
    try {
      setViewer(await whoAmI());
      setSignIn({ needed: false, rejected: false, error: null });
    } catch (error) {
      // 401: no such key (or revoked); 403 would mean a key that may not even ask who it is.
      const rejected = error instanceof ApiError && (error.status === 401 || error.status === 403);
      signOut();
      setSignIn({ needed: true, rejected, error: rejected ? null : error });
    }
  }, []);

  useEffect(() => {
    whenKeyRejected(() => {
      signOut();
      setViewer(null);
      setSignIn({ needed: true, rejected: true, error: null });
    });
    if (!signIn.needed) void identify();
  }, []);

  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    document.title = t('title');
  }, [language]);

  const switchLanguage = () => {
    const next = LANGUAGES[(LANGUAGES.indexOf(language) + 1) % LANGUAGES.length];
    storeLanguage(next);
    setLanguage(next);
  };

  const leave = () => {
    signOut();
    setViewer(null);
    setSignIn({ needed: true, rejected: false, error: null });
  };

  let body;
  if (signIn.needed) body = html`<${Login} t=${t} rejected=${signIn.rejected} onSignedIn=${identify} /><${ErrorNote} error=${signIn.error} t=${t} />`;
  else if (!viewer) body = html`<p class="muted">${t('loading')}</p>`;
  else if (route.page === 'incident') body = html`<${IncidentPage} key=${route.id} id=${route.id} viewer=${viewer} t=${t} language=${language} now=${now} />`;
  else if (route.page === 'oncall') body = html`<${OnCall} t=${t} />`;
  else if (route.page === 'review') body = html`<${MonthlyReview} t=${t} />`;
  else body = html`<${IncidentList} t=${t} now=${now} />`;

  return html`<header>
      <h1>${t('title')}</h1>
      ${viewer ? html`<nav>
        <a href="#/incidents" class=${route.page === 'incidents' || route.page === 'incident' ? 'current' : ''}>${t('nav.incidents')}</a>
        ${can(viewer, 'oncall:read') ? html`<a href="#/oncall" class=${route.page === 'oncall' ? 'current' : ''}>${t('nav.oncall')}</a>` : null}
        ${can(viewer, 'reports:read') ? html`<a href="#/review" class=${route.page === 'review' ? 'current' : ''}>${t('nav.review')}</a>` : null}</nav>` : null}
      <div class="who">
        ${viewer ? html`<span data-testid="viewer">${t('login.signedInAs')} <strong>${viewer.name}</strong> (${t(`role.${viewer.role}`)})</span>
          <button type="button" class="link" onClick=${leave}>${t('login.signOut')}</button>` : null}
        <button type="button" data-testid="language" onClick=${switchLanguage}>${t('language.switch')}</button>
      </div>
    </header>
    <main>${body}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
