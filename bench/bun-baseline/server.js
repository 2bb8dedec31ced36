// Baseline for bench/: the same login/join/signal subset as node-baseline,
// on Bun.serve's WebSocket server (uWebSockets inside), with heartbeat pings
// and no validation beyond JSON.parse. TLS when TLS_CERT/TLS_KEY are set.
const port = Number(process.env.PORT || 0);
const tls = process.env.TLS_CERT ? { cert: Bun.file(process.env.TLS_CERT), key: Bun.file(process.env.TLS_KEY) } : undefined;
const users = new Map();  // userId -> ws
const rooms = new Map();  // roomId -> Set<userId>
const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  tls,
  fetch(req, srv) {
    if (srv.upgrade(req, { data: { userId: null, rooms: new Set() } })) return undefined;
    return new Response('ok\n');
  },
  websocket: {
    maxPayloadLength: 65536,
    idleTimeout: 60,
    sendPings: true,
    message(ws, raw) {
      let m;
      try { m = JSON.parse(raw); } catch { ws.send('{"type":"error","error":"invalid-json"}'); return; }
      const d = ws.data;
      if (m.type === 'login') {
        d.userId = m.userId; users.set(m.userId, ws);
        ws.send(JSON.stringify({ type: 'login', id: m.id, success: true, userId: m.userId }));
      } else if (m.type === 'join') {
        const r = rooms.get(m.roomId) || new Set();
        const created = r.size === 0;
        const others = [...r].map((u) => ({ userId: u }));
        r.add(d.userId); rooms.set(m.roomId, r); d.rooms.add(m.roomId);
        ws.send(JSON.stringify({ type: 'join', id: m.id, success: true, roomId: m.roomId, created, users: others }));
        for (const u of r) if (u !== d.userId) users.get(u)?.send(JSON.stringify({ type: 'user-joined', roomId: m.roomId, userId: d.userId }));
      } else if (m.type === 'signal') {
        const roomId = m.roomId || [...d.rooms][0];
        const out = JSON.stringify({ type: 'signal', roomId, from: d.userId, data: m.data });
        if (m.to) users.get(m.to)?.send(out);
        else for (const u of rooms.get(roomId) || []) if (u !== d.userId) users.get(u)?.send(out);
        if (m.ack !== false) ws.send(JSON.stringify({ type: 'signal', id: m.id, success: true }));
      } else if (m.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong', id: m.id, time: Date.now() }));
      }
    },
    close(ws) {
      const d = ws.data;
      if (users.get(d.userId) === ws) users.delete(d.userId);
      for (const r of d.rooms) rooms.get(r)?.delete(d.userId);
    },
  },
});
console.log(`listening on ${tls ? 'wss' : 'ws'}://127.0.0.1:${server.port}/ws`);
