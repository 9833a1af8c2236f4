// The signer's whole flow in headless Chromium against `avtaleflyt serve`, as a nurse on a
// phone would do it: open the link from the delivered mail, read, sign, see the confirmation;
// open the link again: refused. Another signer declines with a reason. A name with <script> is
// shown as text. JavaScript is off in the browser: the portal must work without it.
//
//   node tests/browser/signing.test.mjs PATH/TO/avtaleflyt
//
// Uses Debian's chromium (/usr/bin/chromium) through playwright-core (tests/browser/package.json).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const bin = process.argv[2];
assert.ok(bin, 'usage: node signing.test.mjs PATH/TO/avtaleflyt');
const dir = mkdtempSync(join(tmpdir(), 'avtaleflyt-browser-'));
const data = join(dir, 'data');
const cli = (...args) => execFileSync(bin, ['--data', data, ...args], { encoding: 'utf8' });

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

// The body of an .eml file (read as latin1) with quoted-printable undone, as UTF-8 text.
const decode = (mime) => {
  const body = mime.slice(mime.indexOf('\r\n\r\n')).replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(body, 'latin1').toString('utf8');
};

function mailsTo(address) {
  const folder = join(data, 'mail', 'new');
  let names = [];
  try { names = readdirSync(folder); } catch { return []; }
  return names.map((n) => readFileSync(join(folder, n), 'latin1'))
    .filter((m) => new RegExp(`\r\nTo: [^\r\n]*<${address}>`).test(m))
    .map(decode);
}
const linkIn = (text) => text.match(/http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{43}/)[0];

async function waitFor(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let serve;
let browser;
let log = '';
try {
  const port = await freePort();
  cli('init');
  cli('network', 'add', 'Nettverk Test', '--area', 'Follo');
  writeFileSync(join(dir, 'liste.csv'), [
    'Navn;E-post;Område;Arbeidssted;Leder;Leders e-post;Status;Rolle',
    'Nora Nett;nora@nettverk.example;Follo;;;;;nettverksleder',
    'Åse Bø;ase@frogn.example;Follo;Tunet;Tor Li;tor@frogn.example;aktiv;',
    'Kari <script>alert(1)</script> Berg;kari@frogn.example;Follo;Tunet;Tor Li;tor@frogn.example;aktiv;',
  ].join('\n') + '\n');
  cli('import', 'roster', join(dir, 'liste.csv'));
  appendFileSync(join(data, 'avtaleflyt.properties'), `\nportal.url = http://127.0.0.1:${port}\n`);
  cli('send', 'function-descriptions');

  serve = spawn(bin, ['--data', data, 'serve', '--port', String(port), '--dispatch-every', '1']);
  serve.stdout.on('data', (d) => { log += d; });
  serve.stderr.on('data', (d) => { log += d; });
  await waitFor('the portal to listen', () => log.includes('Listening on'));
  const aseMail = await waitFor('the mail to Åse', () => mailsTo('ase@frogn.example')[0]);
  const kariMail = await waitFor('the mail to Kari', () => mailsTo('kari@frogn.example')[0]);
  assert.match(aseMail, /Hei Åse Bø!/);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const phone = await browser.newContext({
    viewport: { width: 360, height: 740 }, javaScriptEnabled: false, locale: 'nb-NO',
  });
  const page = await phone.newPage();
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });

  // Åse signs from the link in her mail.
  const aseLink = linkIn(aseMail);
  let response = await page.goto(aseLink);
  assert.equal(response.status(), 200);
  assert.match(await page.textContent('h1'), /Funksjonsbeskrivelse for ressurssykepleier/);
  assert.match(await page.textContent('main'), /Til Åse Bø \(Ressurssykepleier\)/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth).catch(() => null);
  if (width !== null) assert.ok(width <= 360, `the page is ${width}px wide on a 360px screen`);
  await page.getByLabel('Jeg har lest og signerer').check();
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Signer' }).click()]);
  assert.match(await page.textContent('h1'), /Takk, du har signert/);
  console.log('ok - Åse signs from the link in her mail');

  // The same link again: refused with a page that says what to do.
  response = await page.goto(aseLink);
  assert.equal(response.status(), 410);
  assert.match(await page.textContent('main'), /Lenken er allerede brukt/);
  console.log('ok - the used link is refused (410)');

  // Kari's name is shown as text, never run; she declines with a reason.
  response = await page.goto(linkIn(kariMail));
  assert.equal(response.status(), 200);
  assert.match(await page.textContent('main'), /Til Kari <script>alert\(1\)<\/script> Berg/);
  await page.locator('summary').click();
  await page.fill('textarea[name=reason]', 'Jeg har byttet avdeling');
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Avslå' }).click()]);
  assert.match(await page.textContent('h1'), /Du har avslått/);
  assert.equal(dialogs, 0);
  console.log('ok - Kari declines with a reason; her name is escaped');

  // A forged link.
  response = await page.goto(aseLink.replace(/\/s\/.*/, '/s/' + 'x'.repeat(43)));
  assert.equal(response.status(), 404);
  console.log('ok - a forged link gets 404');

  const states = cli('case', 'list');
  assert.match(states, /partially_signed/);
  assert.match(states, /declined/);
  await browser.close();
  browser = undefined;

  serve.kill('SIGTERM');
  const code = await new Promise((r) => serve.on('exit', r));
  serve = undefined;
  assert.equal(code, 0);
  assert.match(log, /Stopped\./);
  console.log('ok - serve stops cleanly on SIGTERM');
} catch (e) {
  console.error(`serve's output:\n${log}`);
  throw e;
} finally {
  if (browser) await browser.close();
  if (serve) serve.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
