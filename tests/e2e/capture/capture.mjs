// Captures the STUN/TURN packets Chromium's own TURN client exchanges with
// switchboard, for the fixtures in tests/data/stun/chromium_*.hex. Run it
// through the e2e harness, which provides the namespace, the server and the
// browser (see README.md here):
//
//   tests/e2e/run.sh build/app/switchboard tests/e2e/capture/capture.mjs
//
// One page joins a room to get the iceServers (a TURN REST username and
// credential), then, with every STUN/TURN URL rewritten to point at a
// recording proxy (turn_proxy.mjs) in front of the server's real ports:
//   binding  one RTCPeerConnection gathers with only a stun: URL
//   udp      two relay-only RTCPeerConnections in the page connect over
//            turn:...?transport=udp, swap a DataChannel message each way,
//            then close (Chromium deallocates with Refresh LIFETIME=0)
//   tcp      the same over turn:...?transport=tcp
// The records go to $SB_CAPTURE_OUT (default artifacts/e2e/stun-capture/):
// capture.txt (one packet a line) and meta.json (Chromium version, date,
// username, credential). write_fixtures.mjs turns them into fixtures.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, join, launchBrowser, openPage, uid } from '../tests/lib.mjs';
import { TurnCaptureProxy } from './turn_proxy.mjs';

const outDir = process.env.SB_CAPTURE_OUT || path.join(artifacts, 'stun-capture');
const SETTLE_MS = 1500; // for the last indications, and the Refresh after close()

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Debian package version of the browser, if dpkg knows it. */
function chromiumPackage() {
  if ((process.env.SB_CHROMIUM || '/usr/bin/chromium') !== '/usr/bin/chromium') return null;
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** {host, port, transport} of a turn:/stun: URL (RFC 7064/7065 syntax). */
function parseIceUrl(url) {
  const m = /^(stuns?|turns?):([^:?]+):(\d+)(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) return null;
  return { scheme: m[1], host: m[2], port: Number(m[3]), transport: m[4] || (m[1] === 'turns' ? 'tcp' : 'udp') };
}

/** Gathers with one stun: URL only; resolves with the candidate strings. */
async function gatherStun(page, url) {
  return page.evaluate(async (stunUrl) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: stunUrl }] });
    const candidates = [];
    const done = new Promise((resolve) => {
      pc.onicecandidate = (ev) => (ev.candidate ? candidates.push(ev.candidate.candidate) : resolve());
      setTimeout(resolve, 10000);
    });
    pc.createDataChannel('gather');
    await pc.setLocalDescription();
    await done;
    pc.close();
    return candidates;
  }, url);
}

/**
 * Two relay-only RTCPeerConnections in the page, connected to each other
 * through the TURN URL, a DataChannel message each way. Resolves with what
 * each side received, both sides' ICE ufrag/pwd and the selected pair.
 */
async function relayCall(page, server) {
  return page.evaluate(async ({ server, settleMs }) => {
    const config = { iceServers: [server], iceTransportPolicy: 'relay' };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    a.onicecandidate = (ev) => ev.candidate && b.addIceCandidate(ev.candidate).catch(() => {});
    b.onicecandidate = (ev) => ev.candidate && a.addIceCandidate(ev.candidate).catch(() => {});
    const channel = a.createDataChannel('capture');
    const received = { a: null, b: null };
    const aGot = new Promise((resolve) => {
      channel.onmessage = (m) => { received.a = m.data; resolve(); };
    });
    const bGot = new Promise((resolve) => {
      b.ondatachannel = (ev) => {
        ev.channel.onmessage = (m) => {
          received.b = m.data;
          ev.channel.send('hello from b');
          resolve();
        };
      };
    });
    const opened = new Promise((resolve) => { channel.onopen = resolve; });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(
      `timed out: ${a.iceConnectionState}/${b.iceConnectionState}`)), 30000));
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription);
    // The ICE short-term credentials, which key the connectivity checks
    // Chromium tunnels through the relay in Send indications.
    const iceOf = (pc) => ({
      ufrag: /^a=ice-ufrag:(\S+)/m.exec(pc.localDescription.sdp)?.[1],
      pwd: /^a=ice-pwd:(\S+)/m.exec(pc.localDescription.sdp)?.[1],
    });
    const ice = { a: iceOf(a), b: iceOf(b) };
    await Promise.race([opened, timeout]);
    channel.send('hello from a');
    await Promise.race([Promise.all([aGot, bGot]), timeout]);
    let pair = null;
    (await a.getStats()).forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = s.selectedCandidatePairId;
    });
    const stats = await a.getStats();
    const cp = pair && stats.get(pair);
    const local = cp && stats.get(cp.localCandidateId);
    const remote = cp && stats.get(cp.remoteCandidateId);
    // Let the last messages and their acknowledgements through before closing.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    a.close();
    b.close();
    return {
      received,
      ice,
      local: local && { type: local.candidateType, relayProtocol: local.relayProtocol, address: `${local.address}:${local.port}` },
      remote: remote && { type: remote.candidateType, address: `${remote.address}:${remote.port}` },
    };
  }, { server, settleMs: SETTLE_MS });
}

test('capture Chromium TURN client packets through a recording proxy', { timeout: 120000 }, async () => {
  const { context, page, errors } = await openPage(browser);
  await join(page, uid('capture'), uid('capture-room'));
  const iceServers = await page.evaluate(() => window.switchboard.state.iceServers);
  const turn = iceServers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')));
  assert.ok(turn, `no turn: server in ${JSON.stringify(iceServers)}`);
  const urls = iceServers.flatMap((s) => [s.urls].flat()).map(parseIceUrl).filter(Boolean);
  const udp = urls.find((u) => u.scheme === 'turn' && u.transport === 'udp');
  const tcp = urls.find((u) => u.scheme === 'turn' && u.transport === 'tcp');
  assert.ok(udp && tcp, `need turn: udp and tcp URLs: ${JSON.stringify(iceServers)}`);
  assert.equal(udp.host, tcp.host);

  const proxy = new TurnCaptureProxy({ host: udp.host, upstream: { host: udp.host, udpPort: udp.port, tcpPort: tcp.port } });
  const ports = await proxy.start();
  const credentials = { username: turn.username, credential: turn.credential };
  const results = {};
  try {
    proxy.setPhase('binding');
    results.binding = await gatherStun(page, `stun:${udp.host}:${ports.udpPort}`);
    await sleep(500);

    proxy.setPhase('udp');
    results.udp = await relayCall(page, { urls: `turn:${udp.host}:${ports.udpPort}?transport=udp`, ...credentials });
    await sleep(SETTLE_MS);

    proxy.setPhase('tcp');
    results.tcp = await relayCall(page, { urls: `turn:${udp.host}:${ports.tcpPort}?transport=tcp`, ...credentials });
    await sleep(SETTLE_MS);
  } finally {
    await proxy.stop();
    mkdirSync(outDir, { recursive: true });
    const meta = {
      chromium: browser.version(),
      package: chromiumPackage(),
      userAgent: await page.evaluate(() => navigator.userAgent),
      date: new Date().toISOString(),
      username: credentials.username,
      password: credentials.credential,
      iceServers,
      proxy: { host: udp.host, ...ports },
      server: { host: udp.host, udpPort: udp.port, tcpPort: tcp.port },
      results,
    };
    writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
    await proxy.write(path.join(outDir, 'capture.txt'), [
      `Chromium ${meta.chromium}, ${meta.date}`,
      `username ${meta.username} password ${meta.password}`,
      `proxy ${udp.host} udp ${ports.udpPort} tcp ${ports.tcpPort} -> server udp ${udp.port} tcp ${tcp.port}`,
    ]);
    console.log(`capture: ${proxy.records.length} packets in ${outDir}`);
  }
  await context.close();

  assert.ok(results.binding.some((c) => / typ srflx /.test(c)), `no srflx candidate: ${results.binding}`);
  for (const transport of ['udp', 'tcp']) {
    const r = results[transport];
    assert.deepEqual(r.received, { a: 'hello from b', b: 'hello from a' }, transport);
    assert.equal(r.local?.type, 'relay', `${transport}: ${JSON.stringify(r)}`);
    assert.equal(r.local?.relayProtocol, transport);
    assert.ok(proxy.records.some((p) => p.phase === transport && p.dir === 'c2s'), `${transport}: nothing captured`);
  }
  assert.deepEqual(errors, []);
});
