// Just enough STUN (RFC 8489), TURN (RFC 8656) and ChannelData decoding to
// label captured packets, cut a TCP stream into frames, and annotate hex
// fixtures. Not a codec: the C++ one in turn/stun/ is what the fixtures test.

/** RFC 8489 section 5: the 12 method bits interleaved with the 2 class bits. */
export const METHODS = {
  0x001: 'Binding',
  0x003: 'Allocate',
  0x004: 'Refresh',
  0x006: 'Send',
  0x007: 'Data',
  0x008: 'CreatePermission',
  0x009: 'ChannelBind',
};
export const CLASSES = ['request', 'indication', 'success response', 'error response'];

export const ATTRIBUTES = {
  0x0001: 'MAPPED-ADDRESS',
  0x0006: 'USERNAME',
  0x0008: 'MESSAGE-INTEGRITY',
  0x0009: 'ERROR-CODE',
  0x000a: 'UNKNOWN-ATTRIBUTES',
  0x000c: 'CHANNEL-NUMBER',
  0x000d: 'LIFETIME',
  0x0012: 'XOR-PEER-ADDRESS',
  0x0013: 'DATA',
  0x0014: 'REALM',
  0x0015: 'NONCE',
  0x0016: 'XOR-RELAYED-ADDRESS',
  0x0017: 'REQUESTED-ADDRESS-FAMILY',
  0x0018: 'EVEN-PORT',
  0x0019: 'REQUESTED-TRANSPORT',
  0x001a: 'DONT-FRAGMENT',
  0x001c: 'MESSAGE-INTEGRITY-SHA256',
  0x001d: 'PASSWORD-ALGORITHM',
  0x001e: 'USERHASH',
  0x0020: 'XOR-MAPPED-ADDRESS',
  0x0022: 'RESERVATION-TOKEN',
  0x0024: 'PRIORITY',
  0x0025: 'USE-CANDIDATE',
  0x8000: 'ADDITIONAL-ADDRESS-FAMILY',
  0x8001: 'ADDRESS-ERROR-CODE',
  0x8002: 'PASSWORD-ALGORITHMS',
  0x8003: 'ALTERNATE-DOMAIN',
  0x8004: 'ICMP',
  0x8022: 'SOFTWARE',
  0x8023: 'ALTERNATE-SERVER',
  0x8028: 'FINGERPRINT',
  0x8029: 'ICE-CONTROLLED',
  0x802a: 'ICE-CONTROLLING',
  // WebRTC's own comprehension-optional attributes (api/transport/stun.h).
  0xc001: 'NOMINATION',
  0xc057: 'GOOG-NETWORK-INFO',
  0xc058: 'GOOG-LAST-ICE-CHECK-RECEIVED',
  0xc059: 'GOOG-MISC-INFO',
  0xc05a: 'GOOG-OBSOLETE-1',
  0xc05b: 'GOOG-CONNECTION-ID',
  0xc05c: 'GOOG-DELTA',
  0xc05d: 'GOOG-DELTA-ACK',
  0xc05e: 'GOOG-DELTA-SYNC-REQ',
  0xc060: 'GOOG-MESSAGE-INTEGRITY-32',
  0xff05: 'TURN-LOGGING-ID',
};

export const MAGIC_COOKIE = 0x2112a442;

export function attributeName(type) {
  return ATTRIBUTES[type] ?? `0x${type.toString(16).padStart(4, '0')}`;
}

export function methodOf(type) {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

export function classOf(type) {
  return ((type >> 4) & 0b01) | ((type >> 7) & 0b10);
}

/** 'stun', 'channel-data' or 'other', from the first byte (RFC 7983). */
export function kindOf(bytes) {
  if (bytes.length >= 20 && bytes[0] < 4 && bytes.readUInt32BE(4) === MAGIC_COOKIE) return 'stun';
  if (bytes.length >= 4 && bytes[0] >= 0x40 && bytes[0] <= 0x7f) return 'channel-data';
  return 'other';
}

/**
 * A STUN message: {type, method, cls, methodName, className, transactionId,
 * attributes: [{type, name, offset, value}]}, or null if it does not parse.
 */
export function parseStun(bytes) {
  if (kindOf(bytes) !== 'stun') return null;
  const length = bytes.readUInt16BE(2);
  if (length + 20 !== bytes.length || length % 4 !== 0) return null;
  const type = bytes.readUInt16BE(0);
  const attributes = [];
  let offset = 20;
  while (offset + 4 <= bytes.length) {
    const attrType = bytes.readUInt16BE(offset);
    const attrLength = bytes.readUInt16BE(offset + 2);
    if (offset + 4 + attrLength > bytes.length) return null;
    attributes.push({
      type: attrType,
      name: attributeName(attrType),
      offset,
      value: bytes.subarray(offset + 4, offset + 4 + attrLength),
    });
    offset += 4 + ((attrLength + 3) & ~3);
  }
  if (offset !== bytes.length) return null;
  const method = methodOf(type);
  const cls = classOf(type);
  return {
    type,
    method,
    cls,
    methodName: METHODS[method] ?? `method-0x${method.toString(16)}`,
    className: CLASSES[cls],
    transactionId: bytes.subarray(8, 20),
    attributes,
  };
}

/** A ChannelData message: {channel, length, payload, padding}, or null. */
export function parseChannelData(bytes) {
  if (kindOf(bytes) !== 'channel-data') return null;
  const length = bytes.readUInt16BE(2);
  if (bytes.length < 4 + length) return null;
  return {
    channel: bytes.readUInt16BE(0),
    length,
    payload: bytes.subarray(4, 4 + length),
    padding: bytes.length - 4 - length,
  };
}

/** A short label for a capture line: "Allocate error response 401", "ChannelData 0x4000 (112 B)". */
export function label(bytes) {
  const message = parseStun(bytes);
  if (message) {
    let text = `${message.methodName} ${message.className}`;
    const error = message.attributes.find((a) => a.type === 0x0009);
    if (error && error.value.length >= 4) text += ` ${(error.value[2] & 0x7) * 100 + error.value[3]}`;
    return text;
  }
  const data = parseChannelData(bytes);
  if (data) return `ChannelData 0x${data.channel.toString(16)} (${data.length} B)`;
  return `other (${bytes.length} B)`;
}

/** The XOR-*-ADDRESS value as "ip:port" (RFC 8489 section 14.2). */
export function xorAddress(value, transactionId) {
  const family = value[1];
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  if (family === 0x01) {
    const ip = [];
    for (let i = 0; i < 4; i++) ip.push(value[4 + i] ^ ((MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff));
    return `${ip.join('.')}:${port}`;
  }
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), transactionId]);
  const words = [];
  for (let i = 0; i < 16; i += 2) {
    words.push((((value[4 + i] ^ mask[i]) << 8) | (value[5 + i] ^ mask[i + 1])).toString(16));
  }
  return `[${words.join(':')}]:${port}`;
}

/**
 * Cuts a TCP byte stream into STUN messages (20 + Length) and ChannelData
 * messages (4 + Length, padded to 4: RFC 8656 section 12.5). push() takes
 * the bytes read and returns the complete frames. Once the stream is out of
 * step, the rest comes back as one 'other' frame per chunk.
 */
export class StreamFramer {
  constructor() {
    this.buffer = Buffer.alloc(0);
    this.lost = false;
  }

  push(chunk) {
    if (this.lost) return [chunk];
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames = [];
    while (this.buffer.length >= 4) {
      const first = this.buffer[0] >> 6;
      const length = this.buffer.readUInt16BE(2);
      let size;
      if (first === 0b00) size = 20 + length;
      else if (first === 0b01) size = 4 + ((length + 3) & ~3);
      else {
        this.lost = true;
        frames.push(this.buffer);
        this.buffer = Buffer.alloc(0);
        break;
      }
      if (this.buffer.length < size) break;
      frames.push(this.buffer.subarray(0, size));
      this.buffer = this.buffer.subarray(size);
    }
    return frames;
  }
}
