// Gather panel logic: one RTCPeerConnection per ICE server URL, recording
// every candidate and icecandidateerror the way the WebRTC "Trickle ICE"
// sample does, plus time to first srflx / relay and total gathering time.
// Pure logic: rendering lives in app.js.

import { describeCandidate, explainIceError, serverForUrl } from './ice.js';

const DEFAULT_TIMEOUT_MS = 15000;

let nextRunId = 1;

/**
 * Gathers candidates for one ICE server URL. `entry` comes from
 * flattenIceServers(). onUpdate(run) is called after every change so the
 * table can grow live (trickle). Resolves with the finished run; never rejects.
 */
export async function gatherOne(entry, { relayOnly = false, timeoutMs = DEFAULT_TIMEOUT_MS, onUpdate = () => {} } = {}) {
  const run = {
    id: nextRunId++,
    url: entry.url,
    kind: entry.kind,
    transport: entry.transport,
    relayOnly,
    state: 'running',
    startedAt: Date.now(),
    candidates: [],
    errors: [],
    firstHostMs: null,
    firstSrflxMs: null,
    firstRelayMs: null,
    totalMs: null,
    note: '',
  };

  if (relayOnly && entry.kind === 'stun') {
    run.state = 'skipped';
    run.note = 'STUN gives no relay candidates';
    onUpdate(run);
    return run;
  }

  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  let pc;
  try {
    pc = new RTCPeerConnection({
      iceServers: [serverForUrl(entry)],
      iceTransportPolicy: relayOnly ? 'relay' : 'all',
    });
  } catch (e) {
    // Chromium throws here for malformed URLs or a TURN URL without credentials.
    run.state = 'failed';
    run.note = e.message;
    onUpdate(run);
    return run;
  }

  onUpdate(run);
  await new Promise((resolve) => {
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    function finish(state) {
      if (run.state !== 'running') return;
      clearTimeout(timer);
      run.state = state;
      run.totalMs = elapsed();
      resolve();
    }

    pc.onicecandidate = (ev) => {
      if (!ev.candidate) {
        finish('complete');
        return;
      }
      // An empty candidate string is the per-m-line end-of-candidates marker.
      if (!ev.candidate.candidate) return;
      const c = describeCandidate(ev.candidate, ev.url || (ev.candidate.type === 'host' ? '' : entry.url));
      c.t = elapsed();
      run.candidates.push(c);
      if (c.type === 'host' && run.firstHostMs === null) run.firstHostMs = c.t;
      if (c.type === 'srflx' && run.firstSrflxMs === null) run.firstSrflxMs = c.t;
      if (c.type === 'relay' && run.firstRelayMs === null) run.firstRelayMs = c.t;
      onUpdate(run);
    };
    pc.onicecandidateerror = (ev) => {
      run.errors.push({
        t: elapsed(),
        url: ev.url || entry.url,
        address: ev.address ?? '',
        port: ev.port ?? '',
        errorCode: ev.errorCode,
        errorText: ev.errorText || '',
      });
      onUpdate(run);
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') finish('complete');
    };

    // A data channel is enough to make the browser gather (one m-line, one component).
    pc.createDataChannel('gather');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((e) => {
        run.note = e.message;
        finish('failed');
      });
  });
  pc.close();

  // Only now do we know whether each error mattered.
  const wanted = entry.kind === 'stun' ? 'srflx' : 'relay';
  const gotWanted = run.candidates.some((c) => c.type === wanted);
  for (const err of run.errors) err.explanation = explainIceError(err, { gotWanted });
  if (run.state === 'complete' && !gotWanted && !(entry.kind === 'stun' && relayOnly)) {
    run.note = `no ${wanted} candidate`;
  }
  onUpdate(run);
  return run;
}

/** Runs gatherOne for every entry at once; resolves when all are done. */
export function gatherAll(entries, options) {
  return Promise.all(entries.map((e) => gatherOne(e, options)));
}
