// The page's pure ICE helpers (www/js/ice.js), tested in node without a browser.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyUrl, explainIceError, filterIceServers, flattenIceServers, formatPriority, splitPriority,
} from '../../../www/js/ice.js';

const servers = [
  { urls: ['stun:10.200.0.1:3478'] },
  {
    urls: ['turn:10.200.0.1:3478?transport=udp', 'turn:10.200.0.1:3478?transport=tcp', 'turns:10.200.0.1:5349?transport=tcp'],
    username: '1795260780:alice',
    credential: 'secret',
  },
];

describe('classifyUrl', () => {
  const cases = [
    ['stun:example.org', 'stun', 'udp', 3478],
    ['stun:example.org:19302', 'stun', 'udp', 19302],
    ['turn:example.org', 'turn-udp', 'udp', 3478],
    ['turn:example.org:80?transport=tcp', 'turn-tcp', 'tcp', 80],
    ['turn:[2001:db8::1]:3478?transport=udp', 'turn-udp', 'udp', 3478],
    ['turns:example.org', 'turns', 'tls', 5349],
    ['turns:example.org:443?transport=tcp', 'turns', 'tls', 443],
    ['http://example.org', 'unknown', '', 0],
  ];
  for (const [url, kind, transport, port] of cases) {
    test(url, () => {
      const c = classifyUrl(url);
      assert.equal(c.kind, kind);
      assert.equal(c.transport, transport);
      assert.equal(c.port, port);
    });
  }
});

test('flattenIceServers keeps each URL with its credentials', () => {
  const flat = flattenIceServers(servers);
  assert.deepEqual(flat.map((e) => e.kind), ['stun', 'turn-udp', 'turn-tcp', 'turns']);
  assert.equal(flat[3].server.credential, 'secret');
  assert.deepEqual(flattenIceServers([{ urls: 'stun:a.example' }]).map((e) => e.url), ['stun:a.example']);
});

test('filterIceServers restricts to one relay transport', () => {
  for (const [transport, url] of [
    ['udp', 'turn:10.200.0.1:3478?transport=udp'],
    ['tcp', 'turn:10.200.0.1:3478?transport=tcp'],
    ['tls', 'turns:10.200.0.1:5349?transport=tcp'],
  ]) {
    assert.deepEqual(filterIceServers(servers, transport),
      [{ urls: [url], username: '1795260780:alice', credential: 'secret' }]);
  }
  assert.equal(filterIceServers(servers, 'all'), servers);
  assert.deepEqual(filterIceServers([{ urls: ['stun:x'] }], 'udp'), []);
});

test('priority split as type | local | component (RFC 8445 5.1.2.1)', () => {
  // Chromium relay candidates seen in the e2e runs.
  assert.deepEqual(splitPriority(50339839), { type: 3, local: 31, component: 1 });
  assert.equal(formatPriority(16785407), '1 | 31 | 1');
  assert.equal(formatPriority(8191), '0 | 31 | 1');
  assert.equal(formatPriority(2122260223), '126 | 32542 | 1');
  assert.equal(formatPriority(2122260222), '126 | 32542 | 2');
  assert.equal(formatPriority(undefined), '');
});

describe('explainIceError', () => {
  test('701 on TURN over TLS mentions the certificate; matters without a relay', () => {
    const x = explainIceError({ errorCode: 701, url: 'turns:h:5349?transport=tcp' }, { gotWanted: false });
    assert.equal(x.matters, true);
    assert.match(x.text, /certificate/);
    assert.match(x.verdict, /no relay candidate/);
  });
  test('701 with the wanted candidate from another interface is harmless', () => {
    const x = explainIceError({ errorCode: 701, url: 'stun:h:3478' }, { gotWanted: true });
    assert.equal(x.matters, false);
    assert.match(x.text, /UDP/);
  });
  test('STUN error codes get their names', () => {
    assert.equal(explainIceError({ errorCode: 401, url: 'turn:h' }).title, 'Unauthorized');
    assert.equal(explainIceError({ errorCode: 486, url: 'turn:h' }).title, 'Allocation Quota Reached');
    assert.equal(explainIceError({ errorCode: 999, url: 'turn:h' }).title, 'Other error');
  });
});
