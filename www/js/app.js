// Wires the panels of the test page together: the signaling session, the ICE
// servers it hands out, the gather / self-test / call panels, and the export.
// window.switchboard exposes the state for the browser tests (tests/e2e).

import { SignalingClient, defaultServerUrl } from './signaling.js';
import { flattenIceServers, filterIceServers } from './ice.js';
import { gatherOne } from './gather.js';
import { selfTestAll } from './selftest.js';
import { CallManager } from './call.js';
import { $, el, setText, formatCountdown, renderIceServers, renderGather, renderSelfTest, renderPair } from './render.js';

const PREFS_KEY = 'switchboard.prefs';
const EXTRA_KEY = 'switchboard.extraIceServers';
const LOG_LIMIT = 300;
const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

const state = {
  roomId: '',
  users: new Map(), // userId -> {userId, name}
  iceServers: [],
  iceExpiresAt: null, // unix seconds
  iceReceivedAt: null,
  iceSource: '',
  extraServers: loadJson(EXTRA_KEY, []),
  gatherRuns: [],
  gatherRelayOnly: false,
  selftest: {},
  log: [],
};

const sig = new SignalingClient();
const call = new CallManager(sig, {
  getRoomId: () => state.roomId,
  getConfig: () => ({
    iceServers: filterIceServers([...state.iceServers, ...state.extraServers], $('call-transport').value),
    iceTransportPolicy: $('call-relay-only').checked ? 'relay' : 'all',
  }),
});

// --- helpers -----------------------------------------------------------------

function loadJson(key, fallback) {
  try {
    const v = JSON.parse(localStorage.getItem(key));
    return v ?? fallback;
  } catch {
    return fallback;
  }
}

function saveJson(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode: not kept */ }
}

function log(text, cls = '') {
  const entry = { at: new Date().toISOString(), text, cls };
  state.log.push(entry);
  if (state.log.length > LOG_LIMIT) state.log.shift();
  const list = $('log');
  list.append(el('li', { class: cls }, `${entry.at.slice(11, 23)} ${text}`));
  while (list.childElementCount > LOG_LIMIT) list.firstElementChild.remove();
}

// Secrets never go into the log or the export: TURN credentials and the
// resume token (which lets anyone take over the session).
const SECRET_KEYS = new Set(['credential', 'resumeToken', 'resume', 'token']);
function redactJson(msg) {
  return JSON.stringify(msg, (k, v) => (SECRET_KEYS.has(k) && typeof v === 'string' ? '(redacted)' : v));
}

function redactServers(servers) {
  return servers.map((s) => ({ ...s, ...(s.credential !== undefined ? { credential: '(redacted)' } : {}) }));
}

// --- connect panel -----------------------------------------------------------

function initForm() {
  const params = new URLSearchParams(location.search);
  const prefs = loadJson(PREFS_KEY, {});
  $('server-url').value = params.get('server') || defaultServerUrl();
  $('user-id').value = params.get('user') || prefs.userId || `user-${Math.random().toString(36).slice(2, 6)}`;
  $('room-id').value = params.get('room') || prefs.roomId || 'test';
}

async function onConnect(ev) {
  ev.preventDefault();
  const url = $('server-url').value.trim();
  const userId = $('user-id').value.trim();
  const token = $('token').value.trim();
  const roomId = $('room-id').value.trim();
  if (!token && !ID_PATTERN.test(userId)) return showLoginError('user name: 1-128 of A-Z a-z 0-9 . _ : @ -');
  if (!ID_PATTERN.test(roomId)) return showLoginError('room: 1-128 of A-Z a-z 0-9 . _ : @ -');
  saveJson(PREFS_KEY, { userId, roomId });
  const credentials = {};
  if (userId) credentials.userId = userId;
  if (token) credentials.token = token;
  call.hangup();
  state.users.clear();
  state.roomId = '';
  setText('login-state', 'connecting…');
  try {
    await sig.connect(url, credentials);
    const reply = await sig.join(roomId);
    applyJoin(reply);
  } catch (e) {
    sig.disconnect(); // first: its "closed" state must not overwrite the error
    showLoginError(e.code ? `${e.code}: ${e.message}` : e.message);
  }
  refreshControls();
}

function showLoginError(text) {
  setText('login-state', `error: ${text}`, 'error');
  setBadge('error');
  log(text, 'err');
}

function applyJoin(reply) {
  state.roomId = reply.roomId;
  state.users = new Map((reply.users || []).map((u) => [u.userId, u]));
  setIceServers(reply.iceServers, reply.iceServersExpiresAt, 'join');
  setText('room-state', `${reply.roomId} (${reply.created ? 'created' : 'joined'})`, 'joined');
  setBadge('joined');
  renderUsers();
}

function setIceServers(servers, expiresAt, source) {
  state.iceServers = servers || [];
  state.iceExpiresAt = expiresAt ?? null;
  state.iceReceivedAt = new Date().toISOString();
  state.iceSource = source;
  renderIceServers(state.iceServers);
  renderExpiry();
  const expiry = $('ice-expiry');
  expiry.classList.remove('flash');
  void expiry.offsetWidth; // restart the animation
  expiry.classList.add('flash');
  call.updateIceServers();
}

function renderExpiry() {
  const node = $('ice-expiry');
  if (!state.iceExpiresAt) {
    node.textContent = 'no credentials yet';
    return;
  }
  const left = state.iceExpiresAt - Date.now() / 1000;
  const at = new Date(state.iceExpiresAt * 1000).toLocaleTimeString();
  const got = new Date(state.iceReceivedAt).toLocaleTimeString();
  node.textContent = `credentials expire in ${formatCountdown(left)} (at ${at}); received ${got} by ${state.iceSource}`;
  node.dataset.expiresAt = state.iceExpiresAt;
  node.dataset.source = state.iceSource;
  node.classList.toggle('expired', left <= 0);
  node.classList.toggle('soon', left > 0 && left < 300);
}

function renderUsers() {
  const others = [...state.users.keys()];
  setText('room-users', others.length ? `you + ${others.join(', ')}` : 'only you');
  const select = $('call-peer');
  const current = select.value || call.peerId;
  select.replaceChildren(...(others.length
    ? others.map((u) => el('option', { value: u }, u))
    : [el('option', { value: '' }, '(nobody in the room)')]));
  if (others.includes(current)) select.value = current;
  refreshControls();
}

function setBadge(name) {
  setText('conn-badge', name, name);
}

function refreshControls() {
  const joined = sig.state === 'logged-in' && state.roomId !== '';
  $('disconnect-btn').disabled = sig.state === 'closed';
  $('ice-refresh-btn').disabled = !joined;
  $('selftest-start-btn').disabled = !joined || $('selftest-state').dataset.state === 'running';
  $('call-start-btn').disabled = !joined || !$('call-peer').value;
  $('call-hangup-btn').disabled = !call.active;
  const open = $('call-dc-state').dataset.state === 'open';
  $('chat-input').disabled = !open;
  $('chat-send-btn').disabled = !open;
}

function wireSignaling() {
  sig.addEventListener('message', ({ detail: { msg, direction } }) => {
    log(`${direction === 'in' ? '←' : '→'} ${redactJson(msg)}`, direction);
  });
  sig.addEventListener('state', ({ detail: { state: s } }) => {
    if (s === 'closed') {
      setText('login-state', 'disconnected');
      setText('room-state', '–');
      state.roomId = '';
      setBadge('disconnected');
    } else if (s === 'reconnecting') {
      setText('login-state', 'reconnecting…');
      setBadge('reconnecting');
    } else if (s === 'connecting') {
      setBadge('connecting');
    } else if (s === 'logged-in' && state.roomId) {
      setBadge('joined');
    }
    refreshControls();
  });
  sig.addEventListener('login', ({ detail: { reply, resuming } }) => {
    const how = reply.resumed ? 'resumed' : resuming ? 'logged in again (resume refused)' : 'logged in';
    setText('login-state', `${how} as ${reply.userId}`, 'logged-in');
    setText('session-id', reply.sessionId);
    const hb = reply.heartbeat || {};
    setText('heartbeat', `server pings every ${hb.interval} s, timeout ${hb.timeout} s`);
    setText('resume-state', reply.resumeWindow
      ? `window ${reply.resumeWindow} s; resumed ${sig.resumeCount} time(s)`
      : 'disabled by the server');
  });
  sig.addEventListener('rejoined', ({ detail: { reply } }) => applyJoin(reply));
  sig.addEventListener('pong', ({ detail: p }) => {
    const hb = sig.session?.heartbeat || {};
    setText('heartbeat', `server pings every ${hb.interval} s, timeout ${hb.timeout} s; ` +
      `ping RTT ${p.rttMs} ms, clock offset ${Math.round(p.offsetMs)} ms`);
  });
  sig.addEventListener('closed', ({ detail: c }) => {
    log(`socket closed ${c.code} ${c.reason || ''}${c.willReconnect ? ', reconnecting' : ''}`, 'err');
  });
  sig.addEventListener('user-joined', ({ detail: m }) => {
    if (m.roomId !== state.roomId) return;
    state.users.set(m.userId, { userId: m.userId, name: m.name });
    renderUsers();
  });
  sig.addEventListener('user-left', ({ detail: m }) => {
    if (m.roomId !== state.roomId) return;
    state.users.delete(m.userId);
    call.handlePeerLeft(m.userId, m.reason);
    renderUsers();
  });
  sig.addEventListener('ice-servers', ({ detail: m }) => {
    if (m.roomId === undefined || m.roomId === state.roomId) setIceServers(m.iceServers, m.iceServersExpiresAt, 'push');
  });
  sig.addEventListener('signal', ({ detail: m }) => {
    if (m.roomId === state.roomId) call.handleSignal(m);
  });
  sig.addEventListener('error', ({ detail: m }) => {
    log(`server error: ${m.error} ${m.message || ''}`, 'err');
    if (m.error === 'session-replaced') setText('login-state', 'replaced: this user logged in elsewhere', 'error');
  });
  sig.addEventListener('goaway', ({ detail: m }) => log(`server going away (${m.reason}), reconnecting`, 'err'));
}

async function refreshIceServers() {
  try {
    const reply = await sig.iceServers(state.roomId);
    setIceServers(reply.iceServers, reply.iceServersExpiresAt, 'request');
  } catch (e) {
    log(`ice-servers: ${e.message}`, 'err');
  }
}

// --- gather panel ------------------------------------------------------------

async function onGather() {
  const entries = flattenIceServers([...state.iceServers, ...state.extraServers]);
  if (!entries.length) {
    setText('gather-state', 'no ICE servers: connect first, or add extra servers', 'error');
    return;
  }
  state.gatherRelayOnly = $('gather-relay-only').checked;
  state.gatherRuns = [];
  $('gather-start-btn').disabled = true;
  setText('gather-state', `running ${entries.length} runs…`, 'running');
  const render = () => renderGather(state.gatherRuns);
  const runs = entries.map((entry) => gatherOne(entry, {
    relayOnly: state.gatherRelayOnly,
    onUpdate: (run) => {
      if (!state.gatherRuns.includes(run)) state.gatherRuns.push(run);
      render();
    },
  }));
  await Promise.all(runs);
  state.gatherRuns.sort((a, b) => a.id - b.id);
  render();
  const relays = state.gatherRuns.filter((r) => r.firstRelayMs !== null).length;
  setText('gather-state', `done: ${state.gatherRuns.length} runs, ${relays} with relay candidates`, 'complete');
  $('gather-start-btn').disabled = false;
}

function renderExtras() {
  const list = $('extra-list');
  list.replaceChildren(...state.extraServers.map((s, i) => el('li', { dataset: { testid: 'extra-server' } },
    el('span', { class: 'mono' }, s.urls.join(' ')),
    s.username ? el('span', { class: 'hint' }, `user ${s.username}`) : '',
    el('button', { type: 'button', class: 'secondary', onclick: () => {
      state.extraServers.splice(i, 1);
      saveJson(EXTRA_KEY, state.extraServers);
      renderExtras();
    } }, 'Remove'))));
  $('extra-count').textContent = state.extraServers.length;
}

function onAddExtra(ev) {
  ev.preventDefault();
  const urls = $('extra-urls').value.split(/[\s,]+/).filter(Boolean);
  if (!urls.length) return;
  const server = { urls };
  const username = $('extra-username').value.trim();
  const credential = $('extra-credential').value;
  if (username) server.username = username;
  if (credential) server.credential = credential;
  state.extraServers.push(server);
  saveJson(EXTRA_KEY, state.extraServers);
  $('extra-form').reset();
  renderExtras();
}

// --- self-test panel ---------------------------------------------------------

async function onSelfTest() {
  setText('selftest-state', 'running…', 'running');
  refreshControls();
  state.selftest = {};
  const results = await selfTestAll(state.iceServers, (r) => {
    state.selftest[r.transport] = r;
    renderSelfTest(r);
  });
  const ok = results.filter((r) => r.status === 'connected').map((r) => r.transport);
  setText('selftest-state', `done: connected over ${ok.length ? ok.join(', ') : 'nothing'}`,
    ok.length === results.length ? 'complete' : 'failed');
  refreshControls();
}

// --- call panel --------------------------------------------------------------

function wireCall() {
  call.addEventListener('state', ({ detail: { state: s } }) => {
    const role = call.active ? `${call.polite ? 'polite' : 'impolite'} side, with ${call.peerId}` : '–';
    setText('call-role', role);
    setText('call-state', s === 'ended' ? `ended: ${call.endedReason}` : s, s);
    if (!call.active) renderPair(call.lastPair);
    refreshControls();
  });
  call.addEventListener('channel', ({ detail: { state: s } }) => {
    setText('call-dc-state', s, s);
    refreshControls();
  });
  call.addEventListener('rtt', ({ detail: { ms } }) => setText('call-rtt', `${ms} ms`));
  call.addEventListener('stats', ({ detail: { pair } }) => renderPair(pair));
  call.addEventListener('log', ({ detail: { text } }) => log(`call: ${text}`));
  call.addEventListener('chat', ({ detail: c }) => {
    const item = el('li', { class: c.self ? 'me' : 'them', dataset: { testid: 'chat-message' } },
      el('span', { class: 'from' }, `${c.from}:`), c.text);
    $('chat-log').append(item);
    item.scrollIntoView({ block: 'nearest' });
  });
}

function onCall(ev) {
  ev.preventDefault();
  const peer = $('call-peer').value;
  if (peer) call.start(peer);
}

function onChat(ev) {
  ev.preventDefault();
  const input = $('chat-input');
  if (input.value && call.sendChat(input.value)) input.value = '';
}

// --- export ------------------------------------------------------------------

function exportData() {
  return {
    tool: 'switchboard-test-page',
    version: 1,
    exportedAt: new Date().toISOString(),
    page: location.href,
    userAgent: navigator.userAgent,
    connection: {
      serverUrl: sig.url,
      state: sig.state,
      userId: sig.userId,
      sessionId: sig.session?.sessionId ?? null,
      roomId: state.roomId,
      users: [...state.users.values()],
      heartbeat: sig.session?.heartbeat ?? null,
      resumeWindow: sig.session?.resumeWindow ?? null,
      resumeCount: sig.resumeCount,
      lastPing: sig.lastPong,
    },
    iceServers: {
      servers: redactServers(state.iceServers),
      expiresAt: state.iceExpiresAt,
      receivedAt: state.iceReceivedAt,
      source: state.iceSource,
    },
    extraIceServers: redactServers(state.extraServers),
    gather: { relayOnly: state.gatherRelayOnly, runs: state.gatherRuns },
    selftest: Object.values(state.selftest),
    call: call.snapshot(),
    log: state.log,
  };
}

function exportJson() {
  return JSON.stringify(exportData(), null, 2);
}

function onDownload() {
  const blob = new Blob([exportJson()], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: `switchboard-${new Date().toISOString().replace(/[:.]/g, '-')}.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function onCopy() {
  try {
    await navigator.clipboard.writeText(exportJson());
    setText('export-state', 'copied to the clipboard');
  } catch (e) {
    setText('export-state', `copy failed (${e.message}); use Download`);
  }
}

// --- start -------------------------------------------------------------------

initForm();
wireSignaling();
wireCall();
renderExtras();
renderIceServers([]);
$('connect-form').addEventListener('submit', onConnect);
$('disconnect-btn').addEventListener('click', () => { call.hangup(); sig.disconnect(); });
$('ice-refresh-btn').addEventListener('click', refreshIceServers);
$('gather-start-btn').addEventListener('click', onGather);
$('gather-clear-btn').addEventListener('click', () => { state.gatherRuns = []; renderGather([]); setText('gather-state', 'idle', 'idle'); });
$('extra-form').addEventListener('submit', onAddExtra);
$('selftest-start-btn').addEventListener('click', onSelfTest);
$('call-form').addEventListener('submit', onCall);
$('call-hangup-btn').addEventListener('click', () => call.hangup());
$('call-peer').addEventListener('change', refreshControls);
$('chat-form').addEventListener('submit', onChat);
$('export-btn').addEventListener('click', onDownload);
$('export-copy-btn').addEventListener('click', onCopy);
setInterval(renderExpiry, 1000);
refreshControls();

window.switchboard = { signaling: sig, call, state, exportData };
document.documentElement.dataset.ready = 'true';
