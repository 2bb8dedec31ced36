// ICE helpers shared by the gather, self-test and call panels: ICE server URL
// classification, candidate formatting, selected-pair stats, and plain-language
// explanations of icecandidateerror codes.

/**
 * Classifies an ICE server URL (RFC 7064 stun:, RFC 7065 turn:/turns:).
 * kind is one of 'stun', 'turn-udp', 'turn-tcp', 'turns', 'unknown';
 * transport is what the self-test and call panels filter on: udp, tcp, tls.
 */
export function classifyUrl(url) {
  const m = /^(stuns?|turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) return { url, kind: 'unknown', scheme: '', host: '', port: 0, transport: '' };
  const scheme = m[1].toLowerCase();
  const secure = scheme.endsWith('s');
  const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
  if (scheme.startsWith('stun')) {
    return { url, kind: 'stun', scheme, host: m[2], port, transport: secure ? 'tls' : 'udp' };
  }
  // turns: always runs over TLS (TCP); turn: defaults to UDP (RFC 7065 section 3).
  const transport = secure ? 'tls' : (m[4] || 'udp').toLowerCase();
  const kind = secure ? 'turns' : `turn-${transport}`;
  return { url, kind, scheme, host: m[2], port, transport };
}

/** Every URL of an RTCIceServer list, with the server entry it came from. */
export function flattenIceServers(servers) {
  const out = [];
  for (const server of servers || []) {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
    for (const url of urls) {
      if (typeof url === 'string' && url) out.push({ url, server, ...classifyUrl(url) });
    }
  }
  return out;
}

/** One RTCIceServer for one URL, keeping that server's credentials. */
export function serverForUrl(entry) {
  const s = { urls: [entry.url] };
  if (entry.server.username !== undefined) s.username = entry.server.username;
  if (entry.server.credential !== undefined) s.credential = entry.server.credential;
  return s;
}

/**
 * Keeps only the TURN URLs of one transport ('udp', 'tcp', 'tls'), or
 * everything for 'all'. Used to force a connection over one relay transport.
 */
export function filterIceServers(servers, transport) {
  if (!transport || transport === 'all') return servers;
  return flattenIceServers(servers)
    .filter((e) => e.kind !== 'stun' && e.kind !== 'unknown' && e.transport === transport)
    .map(serverForUrl);
}

/**
 * ICE priority (RFC 8445 section 5.1.2.1): 2^24 * type preference +
 * 2^8 * local preference + (256 - component ID). The Trickle ICE sample shows
 * the three parts; so do we.
 */
export function splitPriority(priority) {
  if (typeof priority !== 'number') return null;
  return {
    type: priority >>> 24,
    local: (priority >>> 8) & 0xffff,
    component: 256 - (priority & 0xff),
  };
}

export function formatPriority(priority) {
  const p = splitPriority(priority);
  return p ? `${p.type} | ${p.local} | ${p.component}` : '';
}

/**
 * Flattens an RTCIceCandidate into a plain object (for the table and the
 * export). Chromium leaves relayProtocol null on UDP relay candidates, so for
 * relay candidates it falls back to the transport of the URL being tested.
 */
export function describeCandidate(candidate, url) {
  const cls = url ? classifyUrl(url) : null;
  let relayProtocol = candidate.relayProtocol || '';
  let relayProtocolInferred = false;
  if (candidate.type === 'relay' && !relayProtocol && cls && cls.kind !== 'unknown') {
    relayProtocol = cls.transport;
    relayProtocolInferred = true;
  }
  return {
    type: candidate.type || '',
    foundation: candidate.foundation || '',
    component: candidate.component || '',
    protocol: candidate.protocol || '',
    address: candidate.address || '',
    port: candidate.port ?? '',
    priority: candidate.priority ?? null,
    priorityParts: splitPriority(candidate.priority),
    relatedAddress: candidate.relatedAddress || '',
    relatedPort: candidate.relatedPort ?? '',
    tcpType: candidate.tcpType || '',
    relayProtocol,
    relayProtocolInferred,
    url: url || '',
    sdpMid: candidate.sdpMid ?? '',
    candidate: candidate.candidate,
  };
}

/**
 * The selected candidate pair of a connection, from getStats(): the
 * transport's selectedCandidatePairId where available, else the nominated
 * succeeded pair. Returns null before a pair is selected.
 */
export async function selectedPair(pc) {
  const report = await pc.getStats();
  let pair = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) || pair;
  });
  if (!pair) {
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = pair || s;
    });
  }
  if (!pair) return null;
  const side = (id) => {
    const c = report.get(id) || {};
    return {
      candidateType: c.candidateType || '',
      protocol: c.protocol || '',
      relayProtocol: c.relayProtocol || '',
      address: c.address || c.ip || '',
      port: c.port ?? '',
      url: c.url || '',
    };
  };
  return {
    state: pair.state,
    local: side(pair.localCandidateId),
    remote: side(pair.remoteCandidateId),
    bytesSent: pair.bytesSent ?? 0,
    bytesReceived: pair.bytesReceived ?? 0,
    currentRoundTripTime: pair.currentRoundTripTime ?? null,
  };
}

export function formatPairSide(side) {
  if (!side) return '–';
  const relay = side.relayProtocol ? ` via ${side.relayProtocol}` : '';
  return `${side.candidateType} ${side.protocol}${relay}`;
}

// Explanations of icecandidateerror codes. 300-699 are STUN error codes the
// server answered with (RFC 8489 section 14.8, RFC 8656 section 19);
// 700-799 are the browser's own "no response / could not connect" codes.
const STUN_ERRORS = {
  300: ['Try Alternate', 'The server redirected to another server (ALTERNATE-SERVER); browsers do not follow it.'],
  400: ['Bad Request', 'The server could not parse the request. A server or browser bug.'],
  401: ['Unauthorized', 'Wrong or expired TURN credentials. Browsers retry once with the nonce; a reported 401 means the retry failed too: check the username/credential (and, for Switchboard, that the user is still logged in).'],
  403: ['Forbidden', 'The server refused this user or this request (for Switchboard: credentials of a user whose signaling session has ended, or a peer address its policy denies).'],
  420: ['Unknown Attribute', 'The server does not understand a required attribute. Server/browser mismatch.'],
  437: ['Allocation Mismatch', 'An allocation already exists for this 5-tuple (often a stale one from a previous run); the browser retries from a new port.'],
  438: ['Stale Nonce', 'The nonce expired; browsers normally retry on their own, so this is harmless unless no relay candidate arrives.'],
  440: ['Address Family not Supported', 'The server cannot relay this address family (IPv4/IPv6).'],
  441: ['Wrong Credentials', 'The credentials differ from the ones that created the allocation.'],
  442: ['Unsupported Transport Protocol', 'The server does not relay the requested transport.'],
  486: ['Allocation Quota Reached', 'This user has too many allocations on the server (Switchboard: turn.max_allocations_per_user). Close other tabs/calls or wait for old allocations to expire.'],
  500: ['Server Error', 'The server failed temporarily.'],
  508: ['Insufficient Capacity', 'The server is out of relay ports or allocations.'],
};

/**
 * A plain-language explanation of an icecandidateerror, and whether it
 * matters: an error only matters when the same URL produced none of the
 * candidates it exists for (srflx for STUN, relay for TURN).
 */
export function explainIceError(error, { gotWanted = false } = {}) {
  const code = error.errorCode;
  const cls = classifyUrl(error.url || '');
  let title;
  let text;
  if (code >= 700 && code <= 799) {
    title = 'No response / could not connect';
    if (cls.kind === 'turn-tcp' || cls.kind === 'turns') {
      text = 'The TCP connection to the server failed (refused, blocked or timed out)' +
        (cls.kind === 'turns' ? ', or the TLS handshake failed: an untrusted or mismatched certificate (for turns: the certificate must be valid for the host in the URL) gives this error too.' : '.');
    } else {
      text = 'No answer to the STUN/TURN request over UDP: the server is down, the port is blocked (UDP is often blocked on corporate networks), or this local interface cannot reach the server.';
    }
    text += ' Browsers report it per local interface, so with several interfaces (IPv6, VPN, docker) some 701s are normal.';
  } else if (STUN_ERRORS[code]) {
    [title, text] = STUN_ERRORS[code];
  } else {
    title = 'Other error';
    text = 'Not a common code; see the error text.';
  }
  let verdict;
  let matters;
  if (gotWanted) {
    matters = false;
    verdict = 'Harmless: this URL still produced its candidates (through another interface or a retry).';
  } else {
    matters = true;
    verdict = cls.kind === 'stun'
      ? 'Matters: no server-reflexive candidate from this STUN server.'
      : 'Matters: no relay candidate from this TURN server over this transport.';
  }
  return { code, title, text, matters, verdict };
}
