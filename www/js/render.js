// DOM rendering for the panels: small pure-ish functions from state to
// elements. Text always goes in through textContent (never innerHTML), since
// much of it (user ids, chat, error texts) comes from other people.

import { flattenIceServers, formatPriority, formatPairSide } from './ice.js';

export const $ = (id) => document.getElementById(id);

/** el('td', {class: 'x', dataset: {k: 'v'}}, 'text', childNode, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

export function setText(id, text, state) {
  const node = $(id);
  node.textContent = text;
  if (state !== undefined) node.dataset.state = state;
}

export const ms = (v) => (v === null || v === undefined ? '–' : `${v} ms`);
const seconds = (v) => (v / 1000).toFixed(3);

export function formatCountdown(secondsLeft) {
  if (secondsLeft <= 0) return 'expired';
  const h = Math.floor(secondsLeft / 3600);
  const m = Math.floor((secondsLeft % 3600) / 60);
  const s = Math.floor(secondsLeft % 60);
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The ICE servers table of the connect panel. */
export function renderIceServers(servers) {
  const body = $('ice-servers').tBodies[0];
  body.replaceChildren();
  for (const e of flattenIceServers(servers)) {
    body.append(el('tr', { dataset: { testid: 'ice-server', kind: e.kind, url: e.url } },
      el('td', { class: 'mono' }, e.url),
      el('td', {}, e.kind),
      el('td', { class: 'mono' }, e.server.username ?? ''),
      el('td', { class: 'mono', title: 'TURN REST credential: HMAC-SHA1 of the username' },
        e.server.credential ? `${String(e.server.credential).slice(0, 6)}…` : '')));
  }
  if (!body.rows.length) body.append(el('tr', { class: 'empty' }, el('td', { colspan: 4 }, 'None.')));
}

/** Run summaries, candidates grouped by run, and errors. */
export function renderGather(runs) {
  const summary = $('gather-summary').tBodies[0];
  const cands = $('gather-candidates').tBodies[0];
  const errors = $('gather-errors').tBodies[0];
  summary.replaceChildren();
  cands.replaceChildren();
  errors.replaceChildren();

  for (const run of runs) {
    const relays = run.candidates.filter((c) => c.type === 'relay').length;
    summary.append(el('tr', { dataset: { testid: 'gather-run', url: run.url, kind: run.kind, state: run.state, relays } },
      el('td', { class: 'mono' }, run.url),
      el('td', {}, run.kind),
      el('td', { dataset: { state: run.state } }, run.state, run.note ? ` (${run.note})` : ''),
      el('td', {}, run.candidates.length),
      el('td', {}, ms(run.firstSrflxMs)),
      el('td', {}, ms(run.firstRelayMs)),
      el('td', {}, ms(run.totalMs)),
      el('td', { class: run.errors.some((e) => e.explanation?.matters) ? 'bad' : '' }, run.errors.length)));

    cands.append(el('tr', { class: 'group' }, el('th', { colspan: 9 }, `${run.url} (${run.state})`)));
    for (const c of run.candidates) {
      cands.append(el('tr', { class: `cand-${c.type}`, dataset: { testid: 'candidate', type: c.type, url: run.url } },
        el('td', {}, seconds(c.t)),
        el('td', {}, c.type),
        el('td', {}, c.foundation),
        el('td', {}, c.protocol + (c.tcpType ? ` (${c.tcpType})` : '')),
        el('td', {}, c.address),
        el('td', {}, c.port),
        el('td', { title: c.priority }, formatPriority(c.priority)),
        el('td', {}, c.url),
        el('td', { title: c.relayProtocolInferred ? 'not reported by the browser; the transport of the URL' : '' },
          c.relayProtocol + (c.relayProtocolInferred ? '*' : ''))));
    }
    for (const e of run.errors) {
      const x = e.explanation;
      errors.append(el('tr', { dataset: { testid: 'gather-error', code: e.errorCode, matters: x ? String(x.matters) : '' } },
        el('td', {}, seconds(e.t)),
        el('td', {}, e.url),
        el('td', {}, e.address ? `${e.address}:${e.port}` : ''),
        el('td', {}, e.errorCode),
        el('td', { class: 'wrap' }, e.errorText),
        el('td', { class: 'wrap' },
          x ? el('strong', { class: x.matters ? 'bad' : 'ok' }, x.verdict) : 'run still going…',
          x ? el('div', { class: 'hint' }, `${x.code} ${x.title}: ${x.text}`) : '')));
    }
  }
  if (!runs.length) summary.append(el('tr', { class: 'empty' }, el('td', { colspan: 8 }, 'No runs yet.')));
  if (!errors.rows.length) errors.append(el('tr', { class: 'empty' }, el('td', { colspan: 6 }, 'None.')));
}

/** One row of the self-test table. */
export function renderSelfTest(r) {
  const row = document.querySelector(`#selftest-results tr[data-transport="${r.transport}"]`);
  const cell = (f) => row.querySelector(`[data-field="${f}"]`);
  row.dataset.status = r.status;
  cell('status').textContent = r.status + (r.error ? `: ${r.error}` : '');
  cell('status').dataset.state = r.status;
  cell('connect').textContent = ms(r.connectMs);
  cell('rtt').textContent = ms(r.rttMs);
  cell('pair').textContent = r.pair ? `${formatPairSide(r.pair.local)} ↔ ${formatPairSide(r.pair.remote)}` : '–';
}

/** The call panel's selected-pair table. */
export function renderPair(pair) {
  const side = (s, f) => (pair && pair[s][f] !== '' ? String(pair[s][f]) : '–');
  setText('pair-local-type', side('local', 'candidateType'));
  setText('pair-remote-type', side('remote', 'candidateType'));
  setText('pair-local-protocol', side('local', 'protocol'));
  setText('pair-remote-protocol', side('remote', 'protocol'));
  setText('pair-local-relay', side('local', 'relayProtocol'));
  setText('pair-remote-relay', side('remote', 'relayProtocol'));
  // Chromium hides the address of peer-reflexive candidates.
  const address = (s) => (pair ? `${pair[s].address || '(hidden)'}:${pair[s].port}` : '–');
  setText('pair-local-address', address('local'));
  setText('pair-remote-address', address('remote'));
  setText('pair-bytes', pair ? `${pair.bytesSent} / ${pair.bytesReceived}` : '–');
  setText('pair-rtt', pair && pair.currentRoundTripTime !== null ? `${Math.round(pair.currentRoundTripTime * 1000)} ms` : '–');
}
