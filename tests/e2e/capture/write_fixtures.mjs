// Picks representative packets out of a capture made by capture.mjs and
// writes them as annotated hex fixtures (the format of
// tests/data/stun/rfc5769_*.hex: hex bytes, '#' comments to end of line).
//
//   node tests/e2e/capture/write_fixtures.mjs [capture dir] [fixture dir]
//
// Defaults: artifacts/e2e/stun-capture/ and tests/data/stun/. Each fixture
// is one whole message exactly as it crossed the wire (for TCP, one frame
// cut from the stream, ChannelData padding included), with a header naming
// the Chromium version, the date and the credentials that key it.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attributeName, parseChannelData, parseStun, xorAddress } from './stun_wire.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const captureDir = path.resolve(process.argv[2] || path.join(repo, 'artifacts/e2e/stun-capture'));
const fixtureDir = path.resolve(process.argv[3] || path.join(repo, 'tests/data/stun'));

const meta = JSON.parse(readFileSync(path.join(captureDir, 'meta.json'), 'utf8'));
const records = readFileSync(path.join(captureDir, 'capture.txt'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [seq, ms, transport, dir, conn, phase, hex] = line.split(' ');
    const bytes = Buffer.from(hex, 'hex');
    return { seq: Number(seq), ms: Number(ms), transport, dir, conn, phase, bytes, stun: parseStun(bytes), channel: parseChannelData(bytes) };
  });

// --- selection -------------------------------------------------------------------

const has = (r, type) => r.stun?.attributes.some((a) => a.type === type);
const is = (r, method, cls) => r.stun?.methodName === method && r.stun.className === cls;

function pick(description, predicate) {
  const r = records.find(predicate);
  if (!r) throw new Error(`no packet in the capture for: ${description}`);
  return r;
}

/** The server's answer to request `r`: same connection, same transaction id. */
function responseTo(r) {
  return pick(`response to #${r.seq}`, (x) => x.dir === 's2c' && x.conn === r.conn && x.stun &&
    x.stun.transactionId.equals(r.stun.transactionId));
}

const MI = 0x0008;
const DATA = 0x0013;
const ATTR_NONCE = 0x0015;

function udpTcp(transport) {
  const inPhase = (r) => r.phase === transport && r.transport === transport;
  const c2s = (r) => inPhase(r) && r.dir === 'c2s';
  const auth = pick(`${transport} authenticated Allocate`, (r) => c2s(r) && is(r, 'Allocate', 'request') && has(r, MI));
  const unauth = pick(`${transport} first Allocate`, (r) => c2s(r) && r.conn === auth.conn && is(r, 'Allocate', 'request') && !has(r, MI));
  const sameConn = (r) => c2s(r) && r.conn === auth.conn;
  return {
    auth,
    unauth,
    challenge: responseTo(unauth),
    success: responseTo(auth),
    permission: pick(`${transport} CreatePermission`, (r) => sameConn(r) && is(r, 'CreatePermission', 'request')),
    bind: pick(`${transport} ChannelBind`, (r) => sameConn(r) && is(r, 'ChannelBind', 'request')),
    refresh: pick(`${transport} Refresh`, (r) => sameConn(r) && is(r, 'Refresh', 'request')),
    send: pick(`${transport} Send indication carrying a STUN message`, (r) => c2s(r) && is(r, 'Send', 'indication') &&
      parseStun(r.stun.attributes.find((a) => a.type === DATA).value)),
    data: pick(`${transport} Data indication`, (r) => inPhase(r) && r.dir === 's2c' && is(r, 'Data', 'indication')),
    // An encrypted DTLS 1.3 record (RFC 9147 unified header 001xxxxx),
    // small, and of a length that is not a multiple of 4: over UDP it
    // travels unpadded, over TCP padded.
    channelData: pick(`${transport} ChannelData`, (r) => c2s(r) && r.channel && r.channel.length % 4 !== 0 &&
      (r.channel.payload[0] & 0xe0) === 0x20 && r.bytes.length <= 128),
  };
}

const binding = pick('Binding request from the stun: gather', (r) => r.phase === 'binding' && r.dir === 'c2s' && is(r, 'Binding', 'request'));
const udp = udpTcp('udp');
const tcp = udpTcp('tcp');

// --- annotation ------------------------------------------------------------------

const hexOf = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
const quoted = (value) => JSON.stringify(value.toString('latin1'));
const realm = udp.challenge.stun.attributes.find((a) => a.type === 0x0014).value.toString();

/** The ICE credentials of the agent whose ufrag is `ufrag`. */
function iceAgent(ufrag) {
  for (const transport of ['udp', 'tcp']) {
    for (const side of ['a', 'b']) {
      const ice = meta.results[transport].ice[side];
      if (ice.ufrag === ufrag) return ice;
    }
  }
  return null;
}

function describePayload(payload) {
  const inner = parseStun(payload);
  if (inner) {
    const names = inner.attributes.map((a) => a.name).join(', ');
    return `a STUN ${inner.methodName} ${inner.className} (an ICE check): ${names}`;
  }
  if (payload[0] >= 20 && payload[0] <= 25) {
    const types = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data' };
    return `a DTLS plaintext record, content type ${payload[0]} (${types[payload[0]] || 'other'})`;
  }
  if ((payload[0] & 0xe0) === 0x20) {
    // RFC 9147 section 4: 0 0 1 C S L E E.
    return `an encrypted DTLS 1.3 record, unified header 0x${payload[0].toString(16)} (epoch bits ${payload[0] & 3})`;
  }
  return 'payload';
}

function describe(attribute, message) {
  const v = attribute.value;
  switch (attribute.type) {
    case 0x0006: case 0x0014: case 0x0015: case 0x8022:
      return `${quoted(v)} (${v.length} bytes)`;
    case 0x0009:
      return `class ${v[2] & 7}, number ${v[3]}: ${(v[2] & 7) * 100 + v[3]} ${quoted(v.subarray(4))}`;
    case 0x000c:
      return `channel 0x${v.readUInt16BE(0).toString(16)}, RFFU`;
    case 0x000d:
      return `${v.readUInt32BE(0)} seconds`;
    case 0x0012: case 0x0016: case 0x0020:
      return `${v[1] === 1 ? 'IPv4' : 'IPv6'}, xor'd: ${xorAddress(v, message.transactionId)}`;
    case 0x0019:
      return `protocol ${v[0]}${v[0] === 17 ? ' (UDP)' : ''}, RFFU`;
    case 0x0008: return 'HMAC-SHA1';
    case 0x8028: return 'CRC-32 xor 0x5354554e';
    case 0x0013: return describePayload(v);
    default: return hexOf(v);
  }
}

/** Lines of `bytes` 4 at a time; `comment` on the middle line, '}' on the others. */
function block(bytes, comment) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 4) lines.push(hexOf(bytes.subarray(i, i + 4)));
  if (lines.length === 1) return [`${lines[0].padEnd(11)}   # ${comment}`];
  const middle = Math.floor((lines.length - 1) / 2);
  return lines.map((l, i) => `${l.padEnd(11)}   # }${i === middle ? `  ${comment}` : ''}`);
}

function annotateStun(bytes) {
  const m = parseStun(bytes);
  const out = [];
  out.push(...block(bytes.subarray(0, 4), `${m.methodName} ${m.className}, length ${bytes.length - 20}`));
  out.push(...block(bytes.subarray(4, 8), 'Magic cookie'));
  out.push(...block(bytes.subarray(8, 20), 'Transaction ID'));
  for (const a of m.attributes) {
    out.push(...block(bytes.subarray(a.offset, a.offset + 4), `${a.name} attribute header`));
    const padded = (a.value.length + 3) & ~3;
    const pad = padded - a.value.length;
    const text = describe(a, m) + (pad ? `, and ${pad} byte${pad > 1 ? 's' : ''} of padding` : '');
    if (padded) out.push(...block(bytes.subarray(a.offset + 4, a.offset + 4 + padded), text));
  }
  return out;
}

function annotateChannelData(bytes) {
  const c = parseChannelData(bytes);
  const out = block(bytes.subarray(0, 4), `ChannelData, channel 0x${c.channel.toString(16)}, length ${c.length}`);
  const lines = block(bytes.subarray(4), describePayload(c.payload));
  if (c.padding) {
    const n = c.padding;
    lines[lines.length - 1] = lines[lines.length - 1].replace(/# \}.*$/,
      `# }  ${4 - n} last payload byte${4 - n > 1 ? 's' : ''} and ${n} byte${n > 1 ? 's' : ''} of stream padding, not counted in Length`);
  }
  return [...out, ...lines];
}

// --- output ----------------------------------------------------------------------

const date = meta.date.slice(0, 10);
const chromium = `Chromium ${meta.chromium}` + (meta.package ? ` (Debian package ${meta.package}, headless)` : ' (headless)');

function credentialsLines(r) {
  const nonce = r.stun?.attributes.find((a) => a.type === ATTR_NONCE);
  return [
    `Long-term credentials (TURN REST, minted by the server from a throwaway secret):`,
    `username "${meta.username}", realm "${realm}",`,
    `password "${meta.password}"` + (nonce ? `, nonce "${nonce.value.toString()}".` : '.'),
  ];
}

function write(file, r, title, notes = []) {
  const from = r.dir === 'c2s' ? 'Chromium to switchboard' : 'switchboard to Chromium';
  const header = [
    `${title}`,
    `Captured ${date} from ${chromium}`,
    `talking to switchboard's TURN server over ${r.transport.toUpperCase()}: ${from},`,
    `packet #${r.seq} of a capture by tests/e2e/capture/.`,
    ...notes,
  ];
  const body = r.stun ? annotateStun(r.bytes) : annotateChannelData(r.bytes);
  const text = header.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' + body.join('\n') + '\n';
  writeFileSync(path.join(fixtureDir, file), text);
  console.log(`${file}: ${r.bytes.length} bytes (#${r.seq} ${r.transport} ${r.dir} ${r.conn})`);
}

const sendInner = parseStun(udp.send.stun.attributes.find((a) => a.type === DATA).value);
const innerUser = sendInner.attributes.find((a) => a.type === 0x0006).value.toString();
const receiver = iceAgent(innerUser.split(':')[0]);

write('chromium_udp_binding.hex', binding,
  'Binding request Chromium sends to a stun: URL while gathering (server-reflexive candidate).',
  ['No attributes: no SOFTWARE, no FINGERPRINT.']);
write('chromium_udp_binding_success.hex', responseTo(binding),
  'Binding success response to chromium_udp_binding.hex.',
  ['XOR-MAPPED-ADDRESS is the capture proxy\'s upstream socket, not Chromium\'s.']);

for (const [transport, set] of [['udp', udp], ['tcp', tcp]]) {
  write(`chromium_${transport}_allocate_unauth.hex`, set.unauth,
    'First Allocate request, without credentials (RFC 8656 section 7.1).');
  write(`chromium_${transport}_allocate_401.hex`, set.challenge,
    `401 Unauthenticated answer to chromium_${transport}_allocate_unauth.hex, with REALM and NONCE.`);
  write(`chromium_${transport}_allocate_auth.hex`, set.auth,
    'Allocate request retried with long-term credentials after the 401.', credentialsLines(set.auth));
  write(`chromium_${transport}_allocate_success.hex`, set.success,
    `Allocate success response to chromium_${transport}_allocate_auth.hex.`,
    [...credentialsLines(set.auth), 'XOR-MAPPED-ADDRESS is the capture proxy\'s upstream address.']);
  write(`chromium_${transport}_create_permission.hex`, set.permission,
    'CreatePermission request for the other peer connection\'s relayed address.', credentialsLines(set.permission));
  write(`chromium_${transport}_channel_bind.hex`, set.bind,
    'ChannelBind request.', credentialsLines(set.bind));
  write(`chromium_${transport}_refresh_delete.hex`, set.refresh,
    'Refresh request with LIFETIME 0 (deallocation) sent when the RTCPeerConnection closes.',
    credentialsLines(set.refresh));
  write(`chromium_${transport}_channel_data.hex`, set.channelData,
    `ChannelData message (RFC 8656 section 12.4), payload length ${set.channelData.channel.length}.`,
    [transport === 'udp'
      ? 'Over UDP Chromium does not pad: the datagram ends with the payload.'
      : 'Over TCP it is padded to a multiple of 4 (RFC 8656 section 12.5); the frame includes the padding.']);
}

write('chromium_udp_send_indication.hex', udp.send,
  'Send indication whose DATA is an ICE connectivity check (a STUN Binding request).',
  [`The inner check's MESSAGE-INTEGRITY is keyed with the receiving agent's ice-pwd (short-term`,
    `credentials): USERNAME "${innerUser}", ice-pwd "${receiver?.pwd}".`]);
const dataInner = parseStun(udp.data.stun.attributes.find((a) => a.type === DATA).value);
const dataUser = dataInner?.attributes.find((a) => a.type === 0x0006)?.value.toString();
write('chromium_udp_data_indication.hex', udp.data,
  'Data indication relaying the other peer connection\'s ICE traffic to Chromium.',
  dataUser ? [`The inner STUN message's USERNAME is "${dataUser}"; the receiving agent's ice-pwd is`,
    `"${iceAgent(dataUser.split(':')[0])?.pwd}".`] : []);

// --- the test's constants ----------------------------------------------------------

// Everything chromium_fixtures_test.cpp takes from this capture, as C++ to
// paste over the block between its "capture" markers.
const attr = (r, type) => r.stun.attributes.find((a) => a.type === type);
const address = (r, type) => xorAddress(attr(r, type).value, r.stun.transactionId);
const nonceOf = (r) => attr(r, ATTR_NONCE).value.toString();
const innerOf = (r) => {
  const user = attr({ stun: parseStun(attr(r, DATA).value) }, 0x0006).value.toString();
  const [receiver, sender] = user.split(':');
  const role = attr({ stun: parseStun(attr(r, DATA).value) }, 0x8029) ? 'kAttrIceControlled' : 'kAttrIceControlling';
  return { peer: address(r, 0x0012), user, pwd: iceAgent(receiver)?.pwd, other: iceAgent(sender)?.pwd, role };
};
const send = innerOf(udp.send);
const data = innerOf(udp.data);
const cxx = [
  `constexpr std::string_view kUsername = "${meta.username}";`,
  `constexpr std::string_view kRealm = "${realm}";`,
  `constexpr std::string_view kPassword = "${meta.password}";`,
  `constexpr std::string_view kUdpNonce = "${nonceOf(udp.auth)}";`,
  `constexpr std::string_view kTcpNonce = "${nonceOf(tcp.auth)}";`,
  `constexpr std::string_view kUdpPeer = "${address(udp.permission, 0x0012)}";`,
  `constexpr std::string_view kTcpPeer = "${address(tcp.permission, 0x0012)}";`,
  `constexpr std::string_view kUdpRelayed = "${address(udp.success, 0x0016)}";`,
  `constexpr std::string_view kTcpRelayed = "${address(tcp.success, 0x0016)}";`,
  `constexpr std::string_view kBindingMapped = "${address(responseTo(binding), 0x0020)}";`,
  `constexpr std::size_t kUdpChannelPayload = ${udp.channelData.channel.length};`,
  `constexpr std::size_t kTcpChannelPayload = ${tcp.channelData.channel.length};`,
  `constexpr IceCheck kSendCheck = {"${send.peer}", "${send.user}", "${send.pwd}",`,
  `                                 "${send.other}", ${send.role}};`,
  `constexpr IceCheck kDataCheck = {"${data.peer}", "${data.user}", "${data.pwd}",`,
  `                                 "${data.other}", ${data.role}};`,
];
console.log('\nconstants for tests/unit/turn/stun/chromium_fixtures_test.cpp:\n' + cxx.join('\n'));
