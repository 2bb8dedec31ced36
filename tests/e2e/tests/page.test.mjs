// The page as a whole: no external resources, sensible defaults, signaling
// state (heartbeat, resume), ICE server credentials refreshed on request and
// by the server's push, and the JSON export.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { baseUrl, join, launchBrowser, openPage, origin, startServer, uid, waitInPage } from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

describe('test page', () => {
  test('every request goes to the server origin, none fails', { timeout: 90000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests = [];
    const sockets = [];
    const failures = [];
    const errors = [];
    // Route every request: anything outside the origin is recorded and aborted,
    // so the page cannot quietly depend on it.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      if (new URL(url).origin === origin) route.continue();
      else route.abort('blockedbyclient');
    });
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('response', (r) => { if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`); });
    page.on('requestfailed', (r) => failures.push(`failed ${r.url()}`));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('html[data-ready="true"]');
    // Default server URL: the page's own origin.
    assert.equal(await page.inputValue('#server-url'), `${origin.replace(/^http/, 'ws')}/ws`);
    // Exercise every panel, so lazily loaded resources would show up too.
    const room = uid('origin');
    await join(page, uid('origin'), room);
    await page.click('#gather-start-btn');
    await page.waitForSelector('#gather-state[data-state="complete"]', { timeout: 40000 });
    await page.click('#selftest-start-btn');
    await page.waitForSelector('#selftest-state[data-state="complete"]', { timeout: 60000 });
    await page.click('#extra-servers summary');
    await page.click('#export-panel details summary');

    assert.ok(requests.length >= 8, `expected the page, css, icon and modules: ${requests}`);
    for (const url of requests) assert.equal(new URL(url).origin, origin, `external request: ${url}`);
    assert.deepEqual(sockets, [`${origin.replace(/^http/, 'ws')}/ws`]);
    for (const file of ['/', '/css/style.css', '/icon.svg', '/js/app.js', '/js/signaling.js', '/js/gather.js',
      '/js/selftest.js', '/js/call.js', '/js/ice.js', '/js/render.js']) {
      assert.ok(requests.includes(origin + file), `${file} was loaded`);
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('session facts, ping, fresh credentials on request', { timeout: 30000 }, async () => {
    const { context, page, errors } = await openPage(browser);
    const user = uid('facts');
    await join(page, user, uid('facts'));
    assert.match(await page.textContent('#session-id'), /^\S{8,}$/);
    await page.waitForSelector('#heartbeat:has-text("ping RTT")');
    assert.match(await page.textContent('#heartbeat'), /every 25 s, timeout 60 s/);
    assert.match(await page.textContent('#resume-state'), /window 30 s/);
    assert.match(await page.textContent('#ice-expiry'), /expire in (59:5\d|1:00:00) .* by join$/);

    const before = await page.evaluate(() => window.switchboard.state.iceReceivedAt);
    await page.click('#ice-refresh-btn');
    await page.waitForSelector('#ice-expiry[data-source="request"]');
    assert.notEqual(await page.evaluate(() => window.switchboard.state.iceReceivedAt), before);
    const exported = await page.evaluate(() => window.switchboard.exportData());
    assert.equal(exported.connection.userId, user);
    assert.equal(exported.iceServers.source, 'request');
    assert.ok(exported.log.some((l) => l.text.includes('"type":"ice-servers"')));
    await context.close();
    assert.deepEqual(errors, []);
  });

  test('an unreachable server URL is reported', { timeout: 30000 }, async () => {
    const { context, page } = await openPage(browser);
    const host = new URL(baseUrl).hostname;
    await page.fill('#server-url', `ws://${host}:1/ws`); // nothing listens on port 1
    await page.click('#connect-btn');
    await page.waitForSelector('#login-state[data-state="error"]');
    assert.match(await page.textContent('#login-state'), /connection failed/);
    assert.equal(await page.getAttribute('#conn-badge', 'data-state'), 'error');
    assert.equal(await page.isDisabled('#selftest-start-btn'), true);
    await context.close();
  });

  test('a dropped connection resumes; the peer sees nobody leave', { timeout: 30000 }, async () => {
    const room = uid('resume');
    const a = await openPage(browser);
    const b = await openPage(browser);
    const alice = uid('alice');
    await join(a.page, alice, room);
    await join(b.page, uid('bob'), room);
    await b.page.waitForSelector('#room-users:has-text("' + alice + '")');
    const session = await a.page.textContent('#session-id');

    await a.page.evaluate(() => window.switchboard.signaling.drop());
    await a.page.waitForSelector('#resume-state:has-text("resumed 1 time(s)")');
    await a.page.waitForSelector('#conn-badge[data-state="joined"]');
    assert.equal(await a.page.textContent('#session-id'), session, 'same session after resume');
    assert.match(await a.page.textContent('#login-state'), /^resumed as /);
    // Signaling still works both ways after the resume.
    const pong = await a.page.evaluate(() => window.switchboard.signaling.ping());
    assert.ok(pong.rttMs >= 0);
    assert.match(await b.page.textContent('#room-users'), new RegExp(alice));
    assert.doesNotMatch(await b.page.textContent('#log'), /user-left/);

    // Disconnect is a goodbye (close 1000): the peer sees alice leave at once.
    await a.page.click('#disconnect-btn');
    await waitInPage(b.page, () => document.getElementById('log').textContent.includes('"type":"user-left"'));
    assert.match(await b.page.textContent('#log'), /"reason":"left"/);
    await a.context.close();
    await b.context.close();
    assert.deepEqual([...a.errors, ...b.errors], []);
  });

  test('the server pushes fresh credentials at 80% of the TTL; the countdown follows', { timeout: 40000 }, async () => {
    const server = await startServer({ credentialTtl: '10s' });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/`);
      await page.waitForSelector('html[data-ready="true"]');
      await join(page, uid('push'), uid('push'));
      const first = Number(await page.getAttribute('#ice-expiry', 'data-expires-at'));
      assert.match(await page.textContent('#ice-expiry'), /expire in 0:(08|09|10) /);
      await page.waitForSelector('#ice-expiry[data-source="push"]', { timeout: 15000 });
      const second = Number(await page.getAttribute('#ice-expiry', 'data-expires-at'));
      assert.ok(second > first, `expiry moved on: ${first} -> ${second}`);
      // The new credentials are the ones in the table.
      const username = await page.evaluate(() => window.switchboard.state.iceServers.find((s) => s.username).username);
      assert.equal(username.split(':')[0], String(second));
      await context.close();
    } finally {
      await server.stop();
    }
  });
});
