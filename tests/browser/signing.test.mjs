// The signer's whole flow in headless Chromium against `avtaleflyt serve`, as a nurse on a
// phone would do it: open the link from the delivered mail, read, sign, see the confirmation;
// open the link again: refused. Another signer declines with a reason. A name with <script> is
// shown as text. JavaScript is off in the browser: the portal must work without it.
//
//   node tests/browser/signing.test.mjs PATH/TO/avtaleflyt
import assert from 'node:assert/strict';
import { writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation, freePort, launch, linkIn, waitFor } from './support.mjs';

const bin = process.argv[2];
assert.ok(bin, 'usage: node signing.test.mjs PATH/TO/avtaleflyt');
const inst = new Installation(bin);
let browser;
try {
  const port = await freePort();
  inst.cli(['init']);
  inst.cli(['network', 'add', 'Nettverk Test', '--area', 'Follo']);
  writeFileSync(join(inst.dir, 'liste.csv'), [
    'Navn;E-post;Område;Arbeidssted;Leder;Leders e-post;Status;Rolle',
    'Nora Nett;nora@nettverk.example;Follo;;;;;nettverksleder',
    'Åse Bø;ase@frogn.example;Follo;Tunet;Tor Li;tor@frogn.example;aktiv;',
    'Kari <script>alert(1)</script> Berg;kari@frogn.example;Follo;Tunet;Tor Li;tor@frogn.example;aktiv;',
  ].join('\n') + '\n');
  inst.cli(['import', 'roster', join(inst.dir, 'liste.csv')]);
  appendFileSync(join(inst.data, 'avtaleflyt.properties'), `\nportal.url = http://127.0.0.1:${port}\n`);
  inst.cli(['send', 'function-descriptions']);
  await inst.serve(port);
  const aseMail = await waitFor('the mail to Åse', () => inst.mailsTo('ase@frogn.example')[0]);
  const kariMail = await waitFor('the mail to Kari', () => inst.mailsTo('kari@frogn.example')[0]);
  assert.match(aseMail, /Hei Åse Bø!/);

  browser = await launch();
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

  response = await page.goto(aseLink.replace(/\/s\/.*/, '/s/' + 'x'.repeat(43)));
  assert.equal(response.status(), 404);
  console.log('ok - a forged link gets 404');

  const states = inst.cli(['case', 'list']);
  assert.match(states, /partially_signed/);
  assert.match(states, /declined/);
  await browser.close();
  browser = undefined;
  assert.equal(await inst.stop(), 0);
  assert.match(inst.log, /Stopped\./);
  console.log('ok - serve stops cleanly on SIGTERM');
} catch (e) {
  console.error(`serve's output:\n${inst.log}`);
  throw e;
} finally {
  if (browser) await browser.close();
  inst.cleanUp();
}
