// Shared helpers for the browser tests. run.sh provides the environment:
// SB_BASE_URL (the page served by the real server), SB_SERVER_LOG, SB_BINARY, SB_STATIC_DIR,
// SB_CHROMIUM, SB_ARTIFACTS, HOME (with an NSS database trusting the test TLS
// certificate) and TMPDIR.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const baseUrl = requireEnv('SB_BASE_URL');
export const origin = new URL(baseUrl).origin;
export const artifacts = process.env.SB_ARTIFACTS || path.resolve('artifacts');

function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through tests/e2e/run.sh`);
  return v;
}

/**
 * Launches headless Chromium from Debian. playwright-core itself passes
 * --headless, --no-sandbox, --no-first-run, --disable-background-networking,
 * --disable-component-update, --disable-sync and a fresh --user-data-dir
 * under TMPDIR (it refuses one in args), so only the rest is added here.
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.SB_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--disable-gpu', '--disable-quic'],
    timeout: 30000,
  });
}

/** A unique id for users and rooms, so tests never see each other's state. */
export function uid(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Opens the test page in a new context, collecting page errors so a test can
 * assert there were none. Returns {context, page, errors}.
 */
export async function openPage(browser, { viewport = { width: 1280, height: 900 }, url = baseUrl, ...options } = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url + '/');
  await page.waitForSelector('html[data-ready="true"]');
  return { context, page, errors };
}

/** Fills the connect form and waits until the room is joined. */
export async function join(page, userId, roomId) {
  await page.fill('#user-id', userId);
  await page.fill('#room-id', roomId);
  await page.click('#connect-btn');
  await page.waitForSelector('#conn-badge[data-state="joined"]');
  assert.match(await page.textContent('#login-state'), new RegExp(`as ${userId}$`));
}

/** Waits until `fn` (run in the page) returns a truthy value, and returns it. */
export async function waitInPage(page, fn, arg, timeout = 20000) {
  const handle = await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  return handle.jsonValue();
}

/**
 * Starts a second switchboard (for tests that need another config, such as a
 * short credential TTL) on the namespace address, on ephemeral ports, without
 * TURN over TLS; with `tls`, the page and the WebSocket are served over
 * https/wss with run.sh's certificate (SB_TLS_CERT, SB_TLS_KEY), which the
 * browser trusts. Resolves with {baseUrl, output(), stop()}.
 */
export async function startServer({ credentialTtl = '1h', tls = false } = {}) {
  const binary = requireEnv('SB_BINARY');
  const host = new URL(baseUrl).hostname;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-extra-'));
  const config = path.join(dir, 'switchboard.yaml');
  writeFileSync(config, [
    'log: {level: info}',
    `public_host: "${host}"`,
    'signaling:',
    `  listen: "${host}:0"`,
    `  static_dir: "${requireEnv('SB_STATIC_DIR')}"`,
    ...(tls ? [`  tls: {cert: "${requireEnv('SB_TLS_CERT')}", key: "${requireEnv('SB_TLS_KEY')}"}`] : []),
    'turn:',
    `  credential_ttl: ${credentialTtl}`,
    `  listen_udp: ["${host}:0"]`,
    `  listen_tcp: ["${host}:0"]`,
    '  relay_ports: "30000-32000"', // apart from the main server's
    '',
  ].join('\n'));
  const child = spawn(binary, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 10000);
    const onData = (chunk) => {
      output += chunk;
      const m = /test page: (https?:\/\/\S+?)\/?$/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
  return {
    baseUrl: url,
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }).finally(() => rmSync(dir, { recursive: true, force: true })),
  };
}

export function screenshotPath(name) {
  mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}
