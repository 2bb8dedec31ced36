// A recording UDP and TCP forwarder that sits between a TURN client
// (Chromium) and a TURN server (switchboard), so that the packets each side
// sends can be kept byte for byte as test fixtures. Node built-ins only.
//
// UDP: one listening socket; each client address (ip:port) gets its own
// upstream socket, so the server sees one 5-tuple per client socket, as it
// would without the proxy (XOR-MAPPED-ADDRESS then names the proxy's
// upstream socket, not Chromium's). TCP: one upstream connection per
// accepted connection; the bytes are forwarded as they arrive and recorded
// cut into STUN / ChannelData frames (RFC 8656 section 12.5).
//
// Every packet becomes one record {seq, ms, transport, dir, conn, phase,
// label, bytes}; write() prints them one a line:
//   <seq> <ms> <udp|tcp> <c2s|s2c> <conn> <phase> <hex> # <label>

import dgram from 'node:dgram';
import { createWriteStream } from 'node:fs';
import net from 'node:net';
import { StreamFramer, label } from './stun_wire.mjs';

export class TurnCaptureProxy {
  /**
   * host: the address to listen on (and to bind upstream sockets to);
   * upstream: {host, udpPort, tcpPort} of the real TURN server.
   */
  constructor({ host, upstream }) {
    this.host = host;
    this.upstream = upstream;
    this.records = [];
    this.phase = '-';
    this.t0 = performance.now();
    this.udpClients = new Map(); // "ip:port" -> {socket, conn}
    this.tcpConnections = new Set();
    this.nextConn = { udp: 1, tcp: 1 };
  }

  /** Labels the records that follow (one capture step: "binding", "udp", ...). */
  setPhase(phase) {
    this.phase = phase;
  }

  async start() {
    await Promise.all([this.#startUdp(), this.#startTcp()]);
    return { udpPort: this.udp.address().port, tcpPort: this.tcp.address().port };
  }

  async stop() {
    for (const { socket } of this.udpClients.values()) socket.close();
    this.udpClients.clear();
    for (const socket of this.tcpConnections) socket.destroy();
    this.tcpConnections.clear();
    await Promise.all([
      new Promise((resolve) => this.udp.close(resolve)),
      new Promise((resolve) => this.tcp.close(resolve)),
    ]);
  }

  /** Writes the records to `path` in the line format above. */
  write(path, header = []) {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(path);
      out.on('error', reject);
      out.on('finish', resolve);
      for (const line of header) out.write(`# ${line}\n`);
      out.write('# seq ms transport dir conn phase hex # label\n');
      for (const r of this.records) {
        out.write(`${r.seq} ${r.ms.toFixed(1)} ${r.transport} ${r.dir} ${r.conn} ${r.phase} ` +
          `${r.bytes.toString('hex')} # ${r.label}\n`);
      }
      out.end();
    });
  }

  #record(transport, dir, conn, bytes) {
    this.records.push({
      seq: this.records.length + 1,
      ms: performance.now() - this.t0,
      transport,
      dir,
      conn,
      phase: this.phase,
      label: label(bytes),
      bytes: Buffer.from(bytes), // a copy: node reuses receive buffers
    });
  }

  #startUdp() {
    this.udp = dgram.createSocket('udp4');
    this.udp.on('message', (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      let client = this.udpClients.get(key);
      if (!client) {
        const socket = dgram.createSocket('udp4');
        client = { socket, conn: `u${this.nextConn.udp++}` };
        this.udpClients.set(key, client);
        const conn = client.conn;
        socket.on('message', (reply) => {
          this.#record('udp', 's2c', conn, reply);
          this.udp.send(reply, rinfo.port, rinfo.address);
        });
        socket.on('error', () => {}); // ICMP unreachable after the server closes: nothing to do
        socket.bind(0, this.host);
      }
      this.#record('udp', 'c2s', client.conn, msg);
      client.socket.send(msg, this.upstream.udpPort, this.upstream.host);
    });
    return new Promise((resolve, reject) => {
      this.udp.once('error', reject);
      this.udp.bind(0, this.host, resolve);
    });
  }

  #startTcp() {
    // Half-open both ways: Chromium closes its side right after a Refresh
    // with LIFETIME 0, and the server's answer should still be recorded.
    this.tcp = net.createServer({ allowHalfOpen: true }, (client) => {
      const conn = `t${this.nextConn.tcp++}`;
      const server = net.connect({
        host: this.upstream.host, port: this.upstream.tcpPort, localAddress: this.host, allowHalfOpen: true,
      });
      for (const socket of [client, server]) {
        this.tcpConnections.add(socket);
        socket.setNoDelay(true);
        socket.on('close', () => this.tcpConnections.delete(socket));
      }
      const pipe = (from, to, dir) => {
        const framer = new StreamFramer();
        from.on('data', (chunk) => {
          for (const frame of framer.push(chunk)) this.#record('tcp', dir, conn, frame);
          if (!to.destroyed && to.writable) to.write(chunk);
        });
        from.on('end', () => to.end());
        from.on('error', () => to.destroy());
      };
      pipe(client, server, 'c2s');
      pipe(server, client, 's2c');
    });
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(0, this.host, resolve);
    });
  }
}
