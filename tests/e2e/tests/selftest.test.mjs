// The self-test panel: two peer connections in one page, relay-only through
// our TURN, must connect over udp, tcp and tls.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join, launchBrowser, openPage, screenshotPath, uid } from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('self-test connects over udp, tcp and tls', { timeout: 90000 }, async () => {
  const { context, page, errors } = await openPage(browser);
  await join(page, uid('selftest'), uid('selftest'));
  await page.click('#selftest-start-btn');
  await page.waitForSelector('#selftest-state[data-state="complete"], #selftest-state[data-state="failed"]', { timeout: 75000 });

  const results = await page.evaluate(() => window.switchboard.state.selftest);
  for (const transport of ['udp', 'tcp', 'tls']) {
    const r = results[transport];
    assert.equal(r.status, 'connected', `${transport}: ${r.error}`);
    assert.equal(await page.getAttribute(`#selftest-results tr[data-transport="${transport}"]`, 'data-status'), 'connected');
    assert.equal(r.pair.local.candidateType, 'relay');
    assert.equal(r.pair.remote.candidateType, 'relay');
    assert.equal(r.pair.local.relayProtocol, transport);
    assert.ok(r.connectMs > 0 && r.rttMs >= 0, JSON.stringify(r));
  }
  assert.equal(await page.getAttribute('#selftest-state', 'data-state'), 'complete');
  await page.screenshot({ path: screenshotPath('selftest.png'), fullPage: true });
  await context.close();
  assert.deepEqual(errors, []);
});
