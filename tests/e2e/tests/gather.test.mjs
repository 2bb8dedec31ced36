// The gather panel: one run per ICE server URL must produce a relay candidate
// for every TURN URL; an unreachable extra server must show up as an
// icecandidateerror explained as mattering; screenshots go to artifacts/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join, launchBrowser, openPage, screenshotPath, uid, waitInPage } from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const runsOf = (page) => page.$$eval('#gather-summary tr[data-testid="gather-run"]', (rows) =>
  rows.map((r) => ({ url: r.dataset.url, kind: r.dataset.kind, state: r.dataset.state, relays: Number(r.dataset.relays) })));

async function gather(page) {
  await page.click('#gather-start-btn');
  await page.waitForSelector('#gather-state[data-state="complete"]', { timeout: 40000 });
  return runsOf(page);
}

describe('gather panel', () => {
  test('relay-only: a relay candidate from every TURN URL', { timeout: 60000 }, async () => {
    const { context, page, errors } = await openPage(browser);
    await join(page, uid('gatherer'), uid('gather'));
    const handedOut = await page.$$eval('#ice-servers tr[data-testid="ice-server"]', (rows) =>
      rows.map((r) => ({ kind: r.dataset.kind, url: r.dataset.url })));
    assert.deepEqual(handedOut.map((s) => s.kind).sort(), ['stun', 'turn-tcp', 'turn-udp', 'turns']);
    // The URLs carry the ports the server really bound (its listeners are on port 0).
    const log = readFileSync(process.env.SB_SERVER_LOG, 'utf8');
    const bound = (kind) => new RegExp(`turn listening on ${kind} (\\S+)`).exec(log)[1];
    const host = new URL(page.url()).hostname;
    assert.deepEqual(handedOut.map((s) => s.url).sort(), [
      `stun:${bound('udp')}`,
      `turn:${bound('tcp')}?transport=tcp`,
      `turn:${bound('udp')}?transport=udp`,
      `turns:${bound('tls')}?transport=tcp`,
    ].sort());
    assert.ok(bound('udp').startsWith(`${host}:`));

    await page.check('#gather-relay-only');
    const runs = await gather(page);
    assert.equal(runs.length, 4);
    for (const run of runs) {
      if (run.kind === 'stun') {
        assert.equal(run.state, 'skipped', 'STUN is skipped in relay-only mode');
      } else {
        assert.equal(run.state, 'complete', run.url);
        assert.ok(run.relays >= 1, `no relay candidate from ${run.url}`);
      }
    }
    // The candidate table: relay rows only, with the priority split in three.
    const cands = await page.$$eval('#gather-candidates tr[data-testid="candidate"]', (rows) =>
      rows.map((r) => ({ type: r.dataset.type, cells: [...r.cells].map((c) => c.textContent) })));
    assert.ok(cands.length >= 3);
    for (const c of cands) {
      assert.equal(c.type, 'relay');
      assert.match(c.cells[6], /^\d+ \| \d+ \| 1$/, 'priority as type | local | component');
      assert.match(c.cells[4], /^10\.200\.0\.1$/, 'relayed address on the server');
    }
    // The export carries the same runs, without TURN secrets.
    const exported = await page.evaluate(() => window.switchboard.exportData());
    assert.equal(exported.gather.runs.length, 4);
    assert.ok(exported.gather.runs.every((r) => r.kind === 'stun' || r.firstRelayMs !== null));
    assert.ok(JSON.stringify(exported).includes('(redacted)'));
    const secret = await page.evaluate(() => window.switchboard.state.iceServers.find((s) => s.credential).credential);
    assert.ok(!JSON.stringify(exported).includes(secret), 'the TURN credential is not exported');
    const resumeToken = await page.evaluate(() => window.switchboard.signaling.session.resumeToken);
    assert.ok(!JSON.stringify(exported).includes(resumeToken), 'the resume token is not exported');

    await page.screenshot({ path: screenshotPath('gather-relay-only.png'), fullPage: true });
    await context.close();
    assert.deepEqual(errors, []);
  });

  test('all candidates: STUN gives srflx, TURN gives relay; phone layout', { timeout: 60000 }, async () => {
    const { context, page, errors } = await openPage(browser, {
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    });
    await join(page, uid('phone'), uid('gather'));
    const runs = await gather(page);
    assert.equal(runs.length, 4);
    for (const run of runs) {
      assert.equal(run.state, 'complete', run.url);
      if (run.kind !== 'stun') assert.ok(run.relays >= 1, `no relay candidate from ${run.url}`);
    }
    const srflxMs = await page.evaluate(() => window.switchboard.state.gatherRuns.find((r) => r.kind === 'stun').firstSrflxMs);
    assert.notEqual(srflxMs, null, 'time to first srflx from the STUN URL');
    // Nothing wider than the phone screen except inside the scrolling table wrappers.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: screenshotPath('gather-phone.png'), fullPage: true });
    await context.close();
    assert.deepEqual(errors, []);
  });

  test('extra ICE servers: kept in localStorage; an unreachable one gives an explained 701', { timeout: 60000 }, async () => {
    const { context, page, errors } = await openPage(browser);
    // Nothing listens on this port inside the namespace: TCP is refused at once.
    const host = new URL(page.url()).hostname;
    const deadUrl = `turn:${host}:3999?transport=tcp`;
    await page.click('#extra-servers summary');
    await page.fill('#extra-urls', deadUrl);
    await page.fill('#extra-username', 'nobody');
    await page.fill('#extra-credential', 'nothing');
    await page.click('#extra-add-btn');
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector(`#extra-list li:has-text("${deadUrl}")`, { state: 'attached' });

    // No login needed to test a foreign server.
    await page.check('#gather-relay-only');
    const runs = await gather(page);
    assert.deepEqual(runs.map((r) => r.url), [deadUrl]);
    assert.equal(runs[0].relays, 0);
    const errorRows = await page.$$eval('#gather-errors tr[data-testid="gather-error"]', (rows) =>
      rows.map((r) => ({ code: r.dataset.code, matters: r.dataset.matters, text: r.textContent })));
    assert.ok(errorRows.length >= 1, 'an icecandidateerror is listed');
    assert.ok(errorRows.every((e) => e.code === '701' && e.matters === 'true'), JSON.stringify(errorRows));
    assert.match(errorRows[0].text, /TCP connection to the server failed/);
    assert.match(errorRows[0].text, /no relay candidate from this TURN server/);

    await page.click('#extra-servers summary');
    await page.click('#extra-list button');
    assert.equal(await page.evaluate(() => localStorage.getItem('switchboard.extraIceServers')), '[]');
    await context.close();
    assert.deepEqual(errors, []);
  });
});
