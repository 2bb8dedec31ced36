// Self-test: two RTCPeerConnections in this page, both relay-only through
// our TURN server over one transport, exchanging offer/answer and candidates
// directly (no signaling). Both sides allocate a relay on the server and
// talk relay to relay, which proves the TURN path works end to end.

import { filterIceServers, selectedPair } from './ice.js';

const TIMEOUT_MS = 20000;
const RTT_SAMPLES = 5;

/**
 * Runs the self-test for one transport ('udp', 'tcp', 'tls'). Resolves with
 * {transport, status: connected|failed|timeout|skipped, connectMs, rttMs,
 * pair, error}; never rejects.
 */
export async function selfTestTransport(iceServers, transport, { timeoutMs = TIMEOUT_MS } = {}) {
  const result = { transport, status: 'running', connectMs: null, rttMs: null, pair: null, error: '', urls: [] };
  const servers = filterIceServers(iceServers, transport);
  result.urls = servers.flatMap((s) => s.urls);
  if (servers.length === 0) {
    return { ...result, status: 'skipped', error: `the server hands out no ${transport} TURN URL` };
  }
  const config = { iceServers: servers, iceTransportPolicy: 'relay' };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const t0 = performance.now();
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { status: 'timeout' })), timeoutMs);
    });
    const { channelOpen } = await Promise.race([connect(a, b), timeout]);
    result.connectMs = Math.round(performance.now() - t0);
    result.rttMs = await Promise.race([channelOpen.then(measureRtt), timeout]);
    result.pair = await selectedPair(a);
    result.status = 'connected';
  } catch (e) {
    result.status = e.status || 'failed';
    result.error = e.message;
    result.iceState = `${a.iceConnectionState}/${b.iceConnectionState}`;
  } finally {
    clearTimeout(timer);
    a.close();
    b.close();
  }
  return result;
}

// Wires a and b together and resolves once both report "connected", with a
// promise of a's DataChannel being open.
async function connect(a, b) {
  a.onicecandidate = (ev) => ev.candidate && b.addIceCandidate(ev.candidate).catch(() => {});
  b.onicecandidate = (ev) => ev.candidate && a.addIceCandidate(ev.candidate).catch(() => {});
  const channel = a.createDataChannel('selftest');
  const channelOpen = new Promise((resolve) => { channel.onopen = () => resolve(channel); });
  b.ondatachannel = (ev) => {
    // The far end echoes every message back: a DataChannel ping responder.
    ev.channel.onmessage = (m) => ev.channel.send(m.data);
  };
  const connected = (pc) => new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      if (pc.connectionState === 'failed') reject(new Error('ICE failed: no relay candidate pair worked'));
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
  const both = Promise.all([connected(a), connected(b)]);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  await both;
  return { channelOpen }; // wrapped: an async function would wait for a returned promise
}

// Median of a few sequential echo round trips.
async function measureRtt(channel) {
  const samples = [];
  for (let i = 0; i < RTT_SAMPLES; i++) {
    const sent = performance.now();
    await new Promise((resolve) => {
      channel.onmessage = () => resolve();
      channel.send(`ping ${i}`);
    });
    samples.push(performance.now() - sent);
  }
  samples.sort((x, y) => x - y);
  return Math.round(samples[Math.floor(samples.length / 2)] * 10) / 10;
}

/** Runs udp, tcp and tls one after the other; onResult(result) after each. */
export async function selfTestAll(iceServers, onResult = () => {}) {
  const results = [];
  for (const transport of ['udp', 'tcp', 'tls']) {
    onResult({ transport, status: 'running' });
    const r = await selfTestTransport(iceServers, transport);
    results.push(r);
    onResult(r);
  }
  return results;
}
