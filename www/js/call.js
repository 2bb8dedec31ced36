// Call panel logic: a peer connection to another member of the room, set up
// over Switchboard signaling with trickle ICE and the "perfect negotiation"
// pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example), so
// either side may press Call, or both at once, and the glare resolves itself.
//
// Signal payloads (the `data` of a signal message) look like
//   {app: 'switchboard-call', call: '<sender call id>', description | candidate | bye}
// The call id tells a new call (the peer reloaded or called again) from
// late messages of an old one.
//
// Events: state {state}, channel {state}, chat {from, text, self, at},
//         rtt {ms}, stats {pair}, log {text}

import { selectedPair } from './ice.js';

const APP = 'switchboard-call';
const STATS_INTERVAL_MS = 1000;
const PING_INTERVAL_MS = 2000;

export class CallManager extends EventTarget {
  /**
   * signaling: a logged-in SignalingClient. getRoomId(): the room to signal
   * in. getConfig(): {iceServers, iceTransportPolicy} for a new connection.
   */
  constructor(signaling, { getRoomId, getConfig }) {
    super();
    this.signaling = signaling;
    this.getRoomId = getRoomId;
    this.getConfig = getConfig;
    this.pc = null;
    this.channel = null;
    this.peerId = '';
    this.polite = false;
    this.callId = '';
    this.remoteCallId = '';
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.queue = Promise.resolve(); // signals are handled one at a time, in order
    this.timers = [];
    this.lastPair = null;
    this.lastRttMs = null;
    this.chat = [];
    this.endedReason = '';
    this.startedAt = null;
    this.connectedAt = null;
  }

  get state() {
    if (this.pc) return this.pc.connectionState === 'new' ? 'connecting' : this.pc.connectionState;
    return this.endedReason ? 'ended' : 'idle';
  }

  get active() { return this.pc !== null; }

  /** Starts a call to peerId: the data channel makes the connection negotiate. */
  start(peerId) {
    if (this.pc) this.#teardown('replaced by a new call');
    this.#createPc(peerId);
    this.#log(`calling ${peerId}`);
  }

  /** Ends the call and tells the peer. */
  hangup() {
    if (!this.pc) return;
    this.#send({ bye: true });
    this.#teardown('hung up');
  }

  /** Handles a relayed `signal` event from the signaling client. */
  handleSignal(msg) {
    this.queue = this.queue
      .then(() => this.#onSignal(msg))
      .catch((e) => this.#log(`signal from ${msg.from}: ${e.message}`));
  }

  handlePeerLeft(userId, reason) {
    if (this.pc && userId === this.peerId) this.#teardown(`${userId} left (${reason})`);
  }

  /**
   * New TURN credentials (the server's ice-servers push): later ICE restarts
   * and candidate gathering use them; the running connection is unaffected.
   */
  updateIceServers() {
    if (!this.pc) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), ...this.getConfig() });
    } catch (e) {
      this.#log(`setConfiguration: ${e.message}`);
    }
  }

  sendChat(text) {
    if (!this.channel || this.channel.readyState !== 'open') return false;
    this.channel.send(JSON.stringify({ t: 'chat', text }));
    this.#addChat(this.signaling.userId, text, true);
    return true;
  }

  /** Snapshot for the JSON export. */
  snapshot() {
    return {
      state: this.state,
      endedReason: this.endedReason,
      peerId: this.peerId,
      polite: this.polite,
      config: this.pc ? redactConfig(this.pc.getConfiguration()) : null,
      connectMs: this.connectedAt && this.startedAt ? Math.round(this.connectedAt - this.startedAt) : null,
      dataChannel: this.channel ? this.channel.readyState : null,
      rttMs: this.lastRttMs,
      selectedPair: this.lastPair,
      chat: this.chat,
    };
  }

  // --- internals -----------------------------------------------------------

  #createPc(peerId) {
    this.peerId = peerId;
    // Perfect negotiation needs exactly one polite side; user ids are unique
    // in a room, so compare them.
    this.polite = this.signaling.userId > peerId;
    this.callId = Math.random().toString(36).slice(2, 10);
    this.remoteCallId = '';
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.lastPair = null;
    this.lastRttMs = null;
    this.endedReason = '';
    this.startedAt = performance.now();
    this.connectedAt = null;

    const pc = new RTCPeerConnection(this.getConfig());
    this.pc = pc;
    // Negotiated (id 0) on both sides: whoever offers first, there is exactly
    // one channel, and creating it is what triggers negotiationneeded.
    this.channel = pc.createDataChannel('chat', { negotiated: true, id: 0 });
    this.#wireChannel(this.channel);

    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.#send({ description: pc.localDescription.toJSON() });
      } catch (e) {
        this.#log(`negotiation: ${e.message}`);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      // Trickle: each candidate goes out as soon as it is found, without an
      // ack (PROTOCOL.md: signals to one peer stay in order).
      if (candidate && candidate.candidate) this.#send({ candidate: candidate.toJSON() }, false);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === 'connected' && this.connectedAt === null) this.connectedAt = performance.now();
      this.#log(`connection ${pc.connectionState}`);
      this.#emit('state', { state: this.state });
    };
    pc.oniceconnectionstatechange = () => this.#log(`ice ${pc.iceConnectionState}`);

    this.timers.push(setInterval(() => this.#pollStats(), STATS_INTERVAL_MS));
    this.timers.push(setInterval(() => this.#ping(), PING_INTERVAL_MS));
    this.#emit('state', { state: this.state });
  }

  async #onSignal({ from, data }) {
    if (!data || typeof data !== 'object' || data.app !== APP) return;
    if (this.pc && from !== this.peerId) {
      this.#log(`ignoring a call signal from ${from}: already in a call with ${this.peerId}`);
      return;
    }
    const isOffer = data.description?.type === 'offer';
    if (data.bye) {
      if (this.pc && (!this.remoteCallId || data.call === this.remoteCallId)) this.#teardown(`${from} hung up`);
      return;
    }
    if (this.pc && this.remoteCallId && data.call !== this.remoteCallId) {
      // A different call of the same peer: a new offer replaces ours, anything
      // else is a leftover of the old call.
      if (!isOffer) return;
      this.#teardown(`${from} started a new call`);
    }
    if (!this.pc) {
      if (!isOffer) return; // late candidate/answer of a call we already ended
      this.#createPc(from);
      this.#log(`incoming call from ${from}`);
    }
    this.remoteCallId = data.call;
    const pc = this.pc;

    if (data.description) {
      // Glare: both sides offered. The impolite side ignores the other offer;
      // the polite side rolls its own back (implicitly, in setRemoteDescription).
      const collision = isOffer && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) {
        this.#log('glare: ignoring their offer (we are the impolite side)');
        return;
      }
      if (collision) this.#log('glare: rolling back our offer (we are the polite side)');
      await pc.setRemoteDescription(data.description);
      if (isOffer) {
        await pc.setLocalDescription();
        this.#send({ description: pc.localDescription.toJSON() });
      }
    } else if (data.candidate) {
      try {
        await pc.addIceCandidate(data.candidate);
      } catch (e) {
        // Candidates of an offer we ignored are expected to fail.
        if (!this.ignoreOffer) throw e;
      }
    }
  }

  #wireChannel(channel) {
    const update = () => this.#emit('channel', { state: channel.readyState });
    channel.onopen = () => { update(); this.#log('data channel open'); this.#ping(); };
    channel.onclose = update;
    channel.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.t === 'chat') this.#addChat(this.peerId, String(msg.text), false);
      else if (msg.t === 'ping') channel.send(JSON.stringify({ t: 'pong', ts: msg.ts }));
      else if (msg.t === 'pong' && typeof msg.ts === 'number') {
        this.lastRttMs = Math.round((performance.now() - msg.ts) * 10) / 10;
        this.#emit('rtt', { ms: this.lastRttMs });
      }
    };
    update();
  }

  #ping() {
    if (this.channel?.readyState === 'open') this.channel.send(JSON.stringify({ t: 'ping', ts: performance.now() }));
  }

  async #pollStats() {
    const pc = this.pc;
    if (!pc) return;
    try {
      const pair = await selectedPair(pc);
      if (pc !== this.pc) return;
      this.lastPair = pair;
      this.#emit('stats', { pair });
    } catch (e) {
      this.#log(`getStats: ${e.message}`);
    }
  }

  #teardown(reason) {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.channel) {
      this.channel.onopen = this.channel.onclose = this.channel.onmessage = null;
      this.channel.close();
    }
    if (this.pc) {
      this.pc.onconnectionstatechange = this.pc.onnegotiationneeded = this.pc.onicecandidate = null;
      this.pc.close();
    }
    this.pc = null;
    this.channel = null;
    this.endedReason = reason;
    this.#log(`call ended: ${reason}`);
    this.#emit('state', { state: this.state });
    this.#emit('channel', { state: 'closed' });
  }

  #send(payload, ack = true) {
    const data = { app: APP, call: this.callId, ...payload };
    this.signaling.signal(this.getRoomId(), this.peerId, data, { ack })
      .catch((e) => this.#log(`signal to ${this.peerId}: ${e.code || e.message}`));
  }

  #addChat(from, text, self) {
    const entry = { from, text, self, at: new Date().toISOString() };
    this.chat.push(entry);
    this.#emit('chat', entry);
  }

  #log(text) { this.#emit('log', { text }); }

  #emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
}

/** Copy of an RTCConfiguration without TURN credentials, for exports. */
export function redactConfig(config) {
  return {
    iceTransportPolicy: config.iceTransportPolicy,
    iceServers: (config.iceServers || []).map((s) => ({
      urls: s.urls,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.credential !== undefined ? { credential: '(redacted)' } : {}),
    })),
  };
}
