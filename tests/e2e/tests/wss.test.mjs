// The page over https and signaling over wss: Chromium's TLS (BoringSSL)
// against our TLS 1.3 record layer, which takes over from OpenSSL once the
// handshake is done (shared/tls13_records.hpp). Two tabs log in, join one
// room, exchange offer, answer and candidates through wss and connect
// relay-only; a third page in the same context reconnects (a resumed TLS
// session, when Chromium offers its ticket).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join, launchBrowser, openPage, startServer, uid } from './lib.mjs';

let browser;
let server;
before(async () => {
  browser = await launchBrowser();
  server = await startServer({ tls: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('https and wss through the TLS 1.3 record layer', () => {
  test('two tabs signal over wss and connect relay-only', { timeout: 60000 }, async () => {
    assert.match(server.baseUrl, /^https:\/\//);
    const room = uid('wss');
    const a = await openPage(browser, { url: server.baseUrl });
    const b = await openPage(browser, { url: server.baseUrl });
    assert.match(await a.page.inputValue('#server-url'), /^wss:\/\//);
    a.user = uid('alice');
    b.user = uid('bob');
    await join(a.page, a.user, room);
    await join(b.page, b.user, room);
    for (const side of [a, b]) {
      await side.page.selectOption('#call-transport', 'udp');
      await side.page.check('#call-relay-only');
    }
    await a.page.waitForSelector(`#call-peer option[value="${b.user}"]`, { state: 'attached' });
    await a.page.click('#call-start-btn');
    for (const side of [a, b]) {
      await side.page.waitForSelector('#call-state[data-state="connected"]');
      await side.page.waitForSelector('#call-dc-state[data-state="open"]');
    }
    await a.page.fill('#chat-input', 'over wss');
    await a.page.click('#chat-send-btn');
    await b.page.waitForSelector('#chat-log li.them:has-text("over wss")');

    // A new page in alice's context: a new TLS connection, logging in again.
    const again = await a.context.newPage();
    await again.goto(server.baseUrl + '/');
    await again.waitForSelector('html[data-ready="true"]');
    await join(again, uid('carol'), room);
    await b.page.waitForSelector(`#call-peer option[value^="carol"]`, { state: 'attached' });

    for (const side of [a, b]) await side.context.close();
    for (const side of [a, b]) assert.deepEqual(side.errors, [], `page errors for ${side.user}`);
  });
});

