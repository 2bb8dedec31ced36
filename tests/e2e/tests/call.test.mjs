// Two independent browser contexts join one room through the real server and
// call each other relay-only through our TURN, once per transport; then both
// press Call at once (glare) and perfect negotiation must still connect them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join, launchBrowser, openPage, uid, waitInPage } from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Opens alice and bob in separate contexts, both in one fresh room. */
async function pair(transport) {
  const room = uid(`call-${transport}`);
  const a = await openPage(browser);
  const b = await openPage(browser);
  a.user = uid('alice');
  b.user = uid('bob');
  await join(a.page, a.user, room);
  await join(b.page, b.user, room);
  for (const side of [a, b]) {
    await side.page.selectOption('#call-transport', transport);
    await side.page.check('#call-relay-only');
  }
  // Alice learns of bob from the user-joined push.
  await a.page.waitForSelector(`#call-peer option[value="${b.user}"]`, { state: 'attached' });
  await b.page.waitForSelector(`#call-peer option[value="${a.user}"]`, { state: 'attached' });
  return [a, b];
}

async function waitConnected(side) {
  await side.page.waitForSelector('#call-state[data-state="connected"]');
  await side.page.waitForSelector('#call-dc-state[data-state="open"]');
}

/** The selected pair once the stats poll has seen a relay/relay pair. */
function selectedRelayPair(page) {
  return waitInPage(page, () => {
    const p = window.switchboard.call.lastPair;
    return p && p.local.candidateType === 'relay' && p.remote.candidateType === 'relay' ? p : null;
  });
}

async function chat(from, to, text) {
  await from.page.fill('#chat-input', text);
  await from.page.click('#chat-send-btn');
  await to.page.waitForSelector(`#chat-log li.them:has-text("${text}")`);
}

async function close(...sides) {
  for (const s of sides) await s.context.close();
  for (const s of sides) assert.deepEqual(s.errors, [], `page errors for ${s.user}`);
}

describe('call through our signaling and TURN, relay-only', () => {
  for (const transport of ['udp', 'tcp', 'tls']) {
    test(`relay/relay over ${transport}, DataChannel both ways`, { timeout: 60000 }, async () => {
      const [a, b] = await pair(transport);
      await a.page.click('#call-start-btn');
      await waitConnected(a);
      await waitConnected(b);

      for (const side of [a, b]) {
        const p = await selectedRelayPair(side.page);
        assert.equal(p.local.relayProtocol, transport, `${side.user}: local relayProtocol`);
        // The page shows what getStats says.
        await side.page.waitForSelector('#pair-local-type:text-is("relay")');
        await side.page.waitForSelector('#pair-remote-type:text-is("relay")');
        assert.equal(await side.page.textContent('#pair-local-relay'), transport);
        // Only URLs of this transport were handed to the RTCPeerConnection.
        const urls = await side.page.evaluate(() =>
          window.switchboard.call.pc.getConfiguration().iceServers.flatMap((s) => s.urls));
        assert.ok(urls.length > 0);
        for (const url of urls) {
          assert.match(url, transport === 'tls' ? /^turns:.*transport=tcp$/ : new RegExp(`^turn:.*transport=${transport}$`));
        }
        assert.equal(await side.page.evaluate(() => window.switchboard.call.pc.getConfiguration().iceTransportPolicy), 'relay');
      }

      await chat(a, b, `hello ${b.user} over ${transport}`);
      await chat(b, a, `hello ${a.user} over ${transport}`);
      // DataChannel pings give an RTT on both sides.
      await waitInPage(a.page, () => window.switchboard.call.lastRttMs !== null);
      await waitInPage(b.page, () => window.switchboard.call.lastRttMs !== null);

      // Hang up: the peer is told and ends its side too.
      await a.page.click('#call-hangup-btn');
      await b.page.waitForSelector('#call-state[data-state="ended"]');
      await close(a, b);
    });
  }

  test('glare: both press Call at once, perfect negotiation connects once', { timeout: 60000 }, async () => {
    const [a, b] = await pair('udp');
    // Make the glare certain: each page holds incoming signals until both
    // have sent their own offer, then gets the other's offer.
    for (const s of [a, b]) {
      await s.page.evaluate(() => {
        const call = window.switchboard.call;
        const deliver = call.handleSignal.bind(call);
        const held = [];
        call.handleSignal = (m) => held.push(m);
        window.releaseSignals = () => { call.handleSignal = deliver; held.forEach(deliver); };
      });
    }
    await Promise.all([a.page.click('#call-start-btn'), b.page.click('#call-start-btn')]);
    for (const s of [a, b]) {
      await waitInPage(s.page, () => window.switchboard.call.pc?.signalingState === 'have-local-offer');
    }
    await Promise.all([a, b].map((s) => s.page.evaluate(() => window.releaseSignals())));
    await waitConnected(a);
    await waitConnected(b);
    await selectedRelayPair(a.page);
    await chat(a, b, 'glare resolved (a)');
    await chat(b, a, 'glare resolved (b)');
    // Exactly one side is polite.
    const roles = await Promise.all([a, b].map((s) => s.page.evaluate(() => window.switchboard.call.polite)));
    assert.notEqual(roles[0], roles[1]);
    const [polite, impolite] = roles[0] ? [a, b] : [b, a];
    assert.match(await polite.page.textContent('#log'), /glare: rolling back our offer/);
    assert.match(await impolite.page.textContent('#log'), /glare: ignoring their offer/);
    await close(a, b);
  });
});
