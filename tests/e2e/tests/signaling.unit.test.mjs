// The page's signaling client (www/js/signaling.js) against a scripted fake
// WebSocket server, in node: request/reply matching, resume after a drop,
// re-join when the resume is refused, goaway, and the close codes after
// which it must not reconnect. The real server is covered by the browser tests.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { once } from 'node:events';

let server;

/** A scripted server: answers login/join/ping/signal like Switchboard does. */
class FakeServer {
  constructor() {
    this.sockets = [];
    this.sessions = 0;
    this.resumable = true; // answer resume attempts with resumed:true
    this.refuseConnections = false;
  }
  get last() { return this.sockets[this.sockets.length - 1]; }
  handle(ws, msg) {
    const reply = (fields) => ws.push({ type: msg.type, id: msg.id, ...fields });
    switch (msg.type) {
      case 'login': {
        const resumed = Boolean(msg.resume) && this.resumable && msg.resume === `rt-${this.sessions}`;
        if (!resumed) this.sessions++;
        reply({
          success: true, userId: msg.userId, sessionId: `s${this.sessions}`, resumed,
          heartbeat: { interval: 25, timeout: 60 }, resumeToken: `rt-${this.sessions}`, resumeWindow: 30,
        });
        break;
      }
      case 'join':
        if (msg.roomId === 'full') reply({ success: false, roomId: msg.roomId, error: 'room-full', message: 'full' });
        else reply({ success: true, roomId: msg.roomId, created: true, users: [], iceServers: [], iceServersExpiresAt: 1 });
        break;
      case 'ping':
        ws.push({ type: 'pong', id: msg.id, time: Date.now() });
        break;
      case 'signal':
        if (msg.ack !== false) reply({ success: true });
        break;
      default:
        reply({ success: false, error: 'unknown-type', message: 'unknown' });
    }
  }
}

class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 3;
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    server.sockets.push(this);
    setTimeout(() => {
      if (server.refuseConnections) this.#closed(1006, '');
      else {
        this.readyState = FakeWebSocket.OPEN;
        this.onopen?.();
      }
    }, 1);
  }
  send(text) {
    const msg = JSON.parse(text);
    this.sent.push(msg);
    server.handle(this, msg);
  }
  close(code = 1005, reason = '') {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.closeCode = code;
    this.#closed(code, reason);
  }
  /** Server to client. */
  push(msg) {
    setTimeout(() => this.readyState === FakeWebSocket.OPEN && this.onmessage?.({ data: JSON.stringify(msg) }), 1);
  }
  /** The server closes the connection. */
  serverClose(code, reason = '') { this.#closed(code, reason); }
  #closed(code, reason) {
    this.readyState = FakeWebSocket.CLOSED;
    setTimeout(() => this.onclose?.({ code, reason }), 1);
  }
}

globalThis.WebSocket = FakeWebSocket;
const { SignalingClient, SignalingError, defaultServerUrl } = await import('../../../www/js/signaling.js');

let client;
beforeEach(() => {
  server = new FakeServer();
  client = new SignalingClient();
});
afterEach(() => client.disconnect());

const waitFor = (type) => once(client, type).then(([ev]) => ev.detail);

async function waitUntil(cond, timeout = 5000) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeout) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('default URL is the page origin', () => {
  assert.equal(defaultServerUrl({ protocol: 'https:', host: 'sb.example:8443' }), 'wss://sb.example:8443/ws');
  assert.equal(defaultServerUrl({ protocol: 'http:', host: '10.0.0.1:8080' }), 'ws://10.0.0.1:8080/ws');
  assert.equal(defaultServerUrl({ protocol: 'file:', host: '' }), 'ws://localhost:8080/ws');
});

test('login asks for the subprotocol; replies match requests; errors reject with the code', async () => {
  const login = await client.connect('ws://x/ws', { userId: 'alice' });
  assert.equal(server.last.protocol, 'switchboard.v1');
  assert.equal(login.sessionId, 's1');
  assert.equal(client.state, 'logged-in');
  const join = await client.join('r1');
  assert.equal(join.roomId, 'r1');
  await assert.rejects(client.join('full'), (e) => e instanceof SignalingError && e.code === 'room-full');
  const ids = server.last.sent.map((m) => m.id).filter((id) => id !== undefined);
  assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
});

test('a trickled signal with ack:false carries no id and gets no reply', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  await client.join('r1');
  await client.signal('r1', 'bob', { candidate: 'c' }, { ack: false });
  const sent = server.last.sent.at(-1);
  assert.deepEqual(sent, { type: 'signal', roomId: 'r1', data: { candidate: 'c' }, to: 'bob', ack: false });
});

test('pushed events are dispatched by type', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  const got = waitFor('signal');
  server.last.push({ type: 'signal', roomId: 'r1', from: 'bob', data: { x: 1 } });
  assert.deepEqual(await got, { type: 'signal', roomId: 'r1', from: 'bob', data: { x: 1 } });
  const ice = waitFor('ice-servers');
  server.last.push({ type: 'ice-servers', roomId: 'r1', iceServers: [], iceServersExpiresAt: 2 });
  assert.equal((await ice).iceServersExpiresAt, 2);
});

test('a dropped connection reconnects and resumes the same session', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  await client.join('r1');
  const first = server.last;
  first.serverClose(1006);
  const { reply } = await waitFor('login');
  assert.equal(reply.resumed, true);
  assert.notEqual(server.last, first);
  const login = server.last.sent.find((m) => m.type === 'login');
  assert.equal(login.resume, 'rt-1');
  assert.equal(login.userId, 'alice');
  assert.equal(client.resumeCount, 1);
  assert.equal(server.last.sent.filter((m) => m.type === 'join').length, 0, 'no re-join after a resume');
});

test('a refused resume logs in fresh and joins the rooms again', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  await client.join('r1');
  await client.join('r2');
  server.resumable = false;
  server.last.serverClose(1006);
  const rejoined = [];
  client.addEventListener('rejoined', (e) => rejoined.push(e.detail.roomId));
  await waitUntil(() => rejoined.length === 2);
  assert.deepEqual(rejoined, ['r1', 'r2']);
  assert.equal(client.session.sessionId, 's2');
  assert.equal(client.resumeCount, 0);
});

test('goaway: reconnect after the hinted delay; keeps trying while the server is down', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  const first = server.last;
  first.push({ type: 'goaway', reason: 'shutdown', reconnectAfterMs: 30 });
  await waitUntil(() => client.reconnectAfterMs === 30);
  server.refuseConnections = true;
  const t0 = Date.now();
  first.serverClose(1001);
  await waitUntil(() => server.sockets.length === 2);
  assert.ok(Date.now() - t0 < 400, 'the goaway delay, not the 500 ms backoff');
  await waitUntil(() => server.sockets.length === 3, 3000); // backoff retry
  assert.equal(client.state, 'reconnecting');
  server.refuseConnections = false;
  const { reply } = await waitFor('login');
  assert.equal(reply.resumed, true);
});

for (const code of [1000, 1008, 4001, 4029]) {
  test(`no reconnect after close code ${code}`, async () => {
    await client.connect('ws://x/ws', { userId: 'alice' });
    server.last.serverClose(code);
    const { willReconnect } = await waitFor('closed');
    assert.equal(willReconnect, false);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(server.sockets.length, 1);
    assert.equal(client.state, 'closed');
  });
}

test('disconnect closes with 1000 (a goodbye) and does not reconnect', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  const ws = server.last;
  client.disconnect();
  assert.equal(ws.closeCode, 1000);
  assert.equal(client.state, 'closed');
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(server.sockets.length, 1);
});

test('drop() closes with a non-1000 code so the server keeps the session', async () => {
  await client.connect('ws://x/ws', { userId: 'alice' });
  const ws = server.last;
  client.drop();
  assert.equal(ws.closeCode, 4000);
  const { reply } = await waitFor('login');
  assert.equal(reply.resumed, true);
});
