// Client for the Switchboard signaling protocol v1 (PROTOCOL.md): one JSON
// object per WebSocket text frame, requests matched to replies by `id`,
// server pushes delivered as events, and resume after a dropped connection.
//
// Events (all CustomEvent, payload in `detail`):
//   state        {state, previous}    connecting | logged-in | reconnecting | closed
//   message      {msg, direction}     every frame in ('in') and out ('out'), for the log
//   login        {reply}              after every successful login (fresh or resumed)
//   rejoined     {roomId, reply}      a room re-joined after a resume the server refused
//   signal       {roomId, from, data}
//   user-joined / user-left / ice-servers / goaway / error   the server's push, as sent
//   pong         {rttMs, serverTime, offsetMs}
//   closed       {code, reason, willReconnect}

export const SUBPROTOCOL = 'switchboard.v1';

const REQUEST_TIMEOUT_MS = 10000;
const PING_INTERVAL_MS = 10000;

// Close codes after which the server has ended the session on purpose
// (PROTOCOL.md "Close codes"): reconnecting would not resume anything.
const FINAL_CLOSE_CODES = new Set([1000, 1003, 1008, 1009, 4001, 4029]);

/** Default server URL: the page's own origin, ws(s)://host/ws. */
export function defaultServerUrl(loc = globalThis.location) {
  if (!loc || !loc.host) return 'ws://localhost:8080/ws';
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export class SignalingError extends Error {
  constructor(reply) {
    super(reply.message || reply.error || 'request failed');
    this.code = reply.error || 'error';
    this.reply = reply;
  }
}

export class SignalingClient extends EventTarget {
  constructor() {
    super();
    this.state = 'closed';
    this.ws = null;
    this.url = '';
    this.credentials = null; // {userId} or {token}
    this.session = null; // last login reply
    this.rooms = new Set(); // rooms to re-join when a resume is refused
    this.nextId = 1;
    this.pending = new Map(); // id -> {resolve, reject, timer, type}
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.lastInboundAt = 0;
    this.reconnectAttempt = 0;
    this.reconnectAfterMs = null; // set by goaway
    this.resumeCount = 0;
    this.lastPong = null;
  }

  get userId() { return this.session?.userId ?? ''; }

  /**
   * Opens the socket and logs in. credentials: {userId} in auth mode none,
   * {token} in mode jwt (both may be given; the server uses what its mode needs).
   * Resolves with the login reply; rejects with SignalingError or Error.
   */
  async connect(url, credentials) {
    this.disconnect();
    this.url = url;
    this.credentials = credentials;
    this.rooms.clear();
    this.session = null;
    this.resumeCount = 0;
    return this.#open(false);
  }

  /** Ends the session at once (close code 1000: no resume window, peers see user-left). */
  disconnect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.#stopPing();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try { ws.close(1000, 'bye'); } catch { /* already closed */ }
    }
    this.#failPending(new Error('disconnected'));
    if (this.state !== 'closed') this.#setState('closed');
  }

  /**
   * Simulates a network drop (close code 4000, which the server treats as a
   * drop, not a goodbye): the client then reconnects and resumes. For tests
   * and for the "does resume work?" question.
   */
  drop() {
    if (this.ws) this.ws.close(4000, 'simulated drop');
  }

  /** Sends a request and resolves with its successful reply. */
  request(type, fields = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error('not connected'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${type}: no reply within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer, type });
      this.#send({ type, id, ...fields });
    });
  }

  async join(roomId) {
    const reply = await this.request('join', { roomId });
    this.rooms.add(roomId);
    return reply;
  }

  async leave(roomId) {
    this.rooms.delete(roomId);
    return this.request('leave', { roomId });
  }

  iceServers(roomId) { return this.request('ice-servers', { roomId }); }
  roomUsers(roomId) { return this.request('room-users', { roomId }); }

  /**
   * Relays `data` to `to` (or the whole room when `to` is empty). With
   * ack:false the server sends no success reply (trickled candidates).
   */
  signal(roomId, to, data, { ack = true } = {}) {
    const fields = { roomId, data };
    if (to) fields.to = to;
    if (ack) return this.request('signal', fields);
    fields.ack = false;
    this.#send({ type: 'signal', ...fields });
    return Promise.resolve(null);
  }

  /** Application-level ping: RTT and server clock offset (pong.time is server unix ms). */
  ping() {
    const sent = Date.now();
    return this.request('ping').then((pong) => {
      const now = Date.now();
      const rttMs = now - sent;
      this.lastPong = { rttMs, serverTime: pong.time, offsetMs: pong.time - (sent + rttMs / 2), at: now };
      this.#emit('pong', this.lastPong);
      return this.lastPong;
    });
  }

  // --- internals -----------------------------------------------------------

  #open(resuming) {
    this.#setState(resuming ? 'reconnecting' : 'connecting');
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url, SUBPROTOCOL);
      } catch (e) {
        this.#setState('closed');
        reject(e);
        return;
      }
      this.ws = ws;
      let settled = false;
      ws.onopen = async () => {
        this.lastInboundAt = Date.now();
        const fields = { ...this.credentials };
        if (resuming && this.session?.resumeToken) fields.resume = this.session.resumeToken;
        try {
          const reply = await this.request('login', fields);
          settled = true;
          this.reconnectAttempt = 0;
          this.reconnectAfterMs = null;
          this.session = reply;
          if (reply.resumed) this.resumeCount++;
          this.#setState('logged-in');
          this.#startPing();
          this.#emit('login', { reply, resuming });
          if (resuming && !reply.resumed) await this.#rejoinRooms();
          resolve(reply);
        } catch (e) {
          settled = true;
          // A refused login will not get better by retrying: give up.
          this.disconnect();
          reject(e);
        }
      };
      ws.onmessage = (ev) => this.#onFrame(ev.data);
      ws.onerror = () => { /* onclose follows with the details */ };
      ws.onclose = (ev) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.#stopPing();
        this.#failPending(new Error(`connection closed (${ev.code})`));
        const willReconnect = settled && this.session !== null && !FINAL_CLOSE_CODES.has(ev.code);
        this.#emit('closed', { code: ev.code, reason: ev.reason, willReconnect });
        if (!settled) {
          // A reconnect attempt that failed before login: keep trying.
          if (resuming) {
            this.#scheduleReconnect();
          } else {
            this.#setState('closed');
            reject(new Error(`connection failed (close code ${ev.code})`));
          }
          return;
        }
        if (willReconnect) this.#scheduleReconnect();
        else this.#setState('closed');
      };
    });
  }

  // The resume was refused (window over, or server restarted): we are a fresh
  // session, so join the rooms again. Peers have seen us leave and come back.
  async #rejoinRooms() {
    for (const roomId of [...this.rooms]) {
      try {
        const reply = await this.request('join', { roomId });
        this.#emit('rejoined', { roomId, reply });
      } catch (e) {
        this.rooms.delete(roomId);
        this.#emit('error', { error: e.code || 'rejoin-failed', message: `re-join ${roomId}: ${e.message}` });
      }
    }
  }

  #scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    // goaway tells us when; otherwise back off 0.5 s, 1 s, 2 s ... up to 10 s.
    const delay = this.reconnectAfterMs ?? Math.min(10000, 500 * 2 ** this.reconnectAttempt);
    this.reconnectAfterMs = null;
    this.reconnectAttempt++;
    this.#setState('reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.#open(true).catch(() => { /* reported through events */ });
    }, delay);
  }

  #onFrame(text) {
    this.lastInboundAt = Date.now();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#emit('error', { error: 'invalid-json', message: 'server sent a frame that is not JSON' });
      return;
    }
    this.#emit('message', { msg, direction: 'in' });
    // Replies carry our id; pushes never do (PROTOCOL.md "Envelope").
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.success === false || (msg.type === 'error' && msg.error)) p.reject(new SignalingError(msg));
      else p.resolve(msg);
      return;
    }
    switch (msg.type) {
      case 'goaway':
        // The server closes with 1001 next; reconnect after the hinted delay.
        this.reconnectAfterMs = Number(msg.reconnectAfterMs) || 1000;
        break;
      case 'ice-servers':
      case 'signal':
      case 'user-joined':
      case 'user-left':
      case 'error':
        break;
      default:
        return;
    }
    this.#emit(msg.type, msg);
  }

  #send(msg) {
    this.ws.send(JSON.stringify(msg));
    this.#emit('message', { msg, direction: 'out' });
  }

  // Browsers answer the server's WebSocket pings invisibly, so the page
  // cannot see them; an application ping shows the RTT and notices a dead
  // connection (no inbound traffic for heartbeat.timeout) sooner than TCP would.
  #startPing() {
    this.#stopPing();
    const timeoutMs = (this.session?.heartbeat?.timeout ?? 60) * 1000;
    const tick = () => {
      if (Date.now() - this.lastInboundAt > timeoutMs) {
        this.drop();
        return;
      }
      this.ping().catch(() => {});
    };
    this.pingTimer = setInterval(tick, PING_INTERVAL_MS);
    this.ping().catch(() => {});
  }

  #stopPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  #failPending(err) {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  #setState(state) {
    const previous = this.state;
    this.state = state;
    this.#emit('state', { state, previous });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
