// Baseline for bench/: the typical Node signaling server (ws library), with
// the same login/join/signal subset and heartbeat pings, no rate limits.
'use strict';
const { WebSocketServer } = require('ws');
const port = Number(process.env.PORT || 0);
const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 65536 });
const users = new Map();  // userId -> ws
const rooms = new Map();  // roomId -> Set<userId>
wss.on('listening', () => console.log(`listening on ws://127.0.0.1:${wss.address().port}/ws`));
wss.on('connection', (ws) => {
  ws.isAlive = true;
  ws.on('pong', () => { ws.isAlive = true; });
  ws.on('message', (raw) => {
    let m;
    try { m = JSON.parse(raw); } catch { return ws.send('{"type":"error","error":"invalid-json"}'); }
    if (m.type === 'login') {
      ws.userId = m.userId; users.set(m.userId, ws); ws.rooms = new Set();
      ws.send(JSON.stringify({ type: 'login', id: m.id, success: true, userId: m.userId }));
    } else if (m.type === 'join') {
      const r = rooms.get(m.roomId) || new Set();
      const created = r.size === 0;
      const others = [...r].map((u) => ({ userId: u }));
      r.add(ws.userId); rooms.set(m.roomId, r); ws.rooms.add(m.roomId);
      ws.send(JSON.stringify({ type: 'join', id: m.id, success: true, roomId: m.roomId, created, users: others }));
      for (const u of r) if (u !== ws.userId) users.get(u)?.send(JSON.stringify({ type: 'user-joined', roomId: m.roomId, userId: ws.userId }));
    } else if (m.type === 'signal') {
      const roomId = m.roomId || [...ws.rooms][0];
      const out = JSON.stringify({ type: 'signal', roomId, from: ws.userId, data: m.data });
      if (m.to) users.get(m.to)?.send(out);
      else for (const u of rooms.get(roomId) || []) if (u !== ws.userId) users.get(u)?.send(out);
      if (m.ack !== false) ws.send(JSON.stringify({ type: 'signal', id: m.id, success: true }));
    }
  });
  ws.on('close', () => {
    users.delete(ws.userId);
    for (const r of ws.rooms || []) rooms.get(r)?.delete(ws.userId);
  });
});
setInterval(() => {
  for (const ws of wss.clients) { if (!ws.isAlive) { ws.terminate(); continue; } ws.isAlive = false; ws.ping(); }
}, 25000);
