// The leaders' dashboard in headless Chromium against `avtaleflyt serve`: sign in, import a name
// list with a bad line (the error shown, nothing applied), fix it and apply, send, follow a case
// to signed through the signing portal, archive, audit; an area leader cannot see or act on
// another area, also by guessing URLs; CSRF and signing out. Screenshots of the main pages go to
// $AVTALEFLYT_SCREENSHOTS (scripts/screenshots.sh puts them in docs/screenshots).
//
//   node tests/browser/dashboard.test.mjs PATH/TO/avtaleflyt
import assert from 'node:assert/strict';
import { writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Installation, freePort, launch, linkIn, waitFor } from './support.mjs';

const bin = process.argv[2];
assert.ok(bin, 'usage: node dashboard.test.mjs PATH/TO/avtaleflyt');
const shots = process.env.AVTALEFLYT_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const inst = new Installation(bin);
let browser;

const header = 'Navn;E-post;Område;Arbeidssted;Leder;Leders e-post;Status;Rolle';
const rows = [
  'Nora Nett;nora@nettverk.example;Follo;;;;;nettverksleder',
  'Geir Lund;geir@follo.example;Follo;;;;;områdeleder',
  'Åse Bø;ase@frogn.example;Follo;Tunet;Tor Li;tor@frogn.example;aktiv;',
  'Liv Lie;liv@ahus.example;Ahus;Post 1;Eva Ask;eva@ahus.example;aktiv;',
];

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signIn(page, base, user, password) {
  await page.goto(`${base}/app`);
  assert.match(page.url(), /\/app\/login$/);
  await page.getByLabel('Brukernavn').fill(user);
  await page.getByLabel('Passord').fill(password);
  await Promise.all([page.waitForURL(`${base}/app`), page.getByRole('button', { name: 'Logg inn' }).click()]);
}

try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  inst.cli(['init']);
  inst.cli(['network', 'add', 'Nettverk Test', '--area', 'Follo', '--area', 'Ahus']);
  appendFileSync(join(inst.data, 'avtaleflyt.properties'), `\nportal.url = ${base}\n`);
  inst.cli(['user', 'add', 'nora', '--name', 'Nora Nett', '--role', 'network_leader'], 'nettverk-passord\n');
  inst.cli(['user', 'add', 'geir', '--name', 'Geir Lund', '--role', 'area_leader', '--area', 'Follo'],
    'omrade-passord-1\n');
  inst.cli(['user', 'add', 'arkiv', '--name', 'Arkivet', '--role', 'records_office'], 'arkiv-passord-1\n');
  await inst.serve(port);

  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'nb-NO' });
  const page = await context.newPage();

  // A wrong password is refused; the right one gets in.
  await page.goto(`${base}/app/login`);
  await shot(page, 'login');
  await page.getByLabel('Brukernavn').fill('nora');
  await page.getByLabel('Passord').fill('feil-passord');
  const refused = await Promise.all([page.waitForResponse(/\/app\/login$/), page.getByRole('button', { name: 'Logg inn' }).click()]);
  assert.equal(refused[0].status(), 401);
  assert.match(await page.textContent('main'), /Feil brukernavn eller passord/);
  await signIn(page, base, 'nora', 'nettverk-passord');
  console.log('ok - sign-in refuses a wrong password and accepts the right one');

  // A sign-in form another page made (login CSRF: it would sign the browser in to an account of
  // its choosing) is refused: it has no token of the sign-in form.
  const forger = await context.newPage();
  await forger.setContent(`<form method="post" action="${base}/app/login">` +
    '<input name="username" value="nora"><input name="password" value="nettverk-passord">' +
    '<button type="submit">Send</button></form>');
  const forgedSignIn = await Promise.all([forger.waitForResponse(/\/app\/login$/), forger.getByRole('button', { name: 'Send' }).click()]);
  assert.equal(forgedSignIn[0].status(), 403);
  assert.match(await forger.textContent('main'), /Innloggingsskjemaet var for gammelt/);
  assert.equal((await forgedSignIn[0].allHeaders())['set-cookie']?.includes('avtaleflyt_session=') ?? false, false);
  await forger.close();
  console.log('ok - a sign-in form from another page is refused (login CSRF)');

  // A name list with a bad line: the error by line, nothing applied.
  writeFileSync(join(inst.dir, 'liste-feil.csv'), [header, ...rows, 'Ola Dahl;ola@frogn;Follo;Tunet;Tor Li;tor@frogn.example;aktiv;'].join('\n') + '\n');
  await page.goto(`${base}/app/roster`);
  await page.getByLabel('Navneliste (CSV eller Excel .xlsx)').setInputFiles(join(inst.dir, 'liste-feil.csv'));
  await page.getByRole('button', { name: 'Kontroller' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /1 feil i navnelisten/);
  assert.match(await page.textContent('main'), /Linje 6, E-post: malformed e-mail address "ola@frogn"/);
  await shot(page, 'roster-error');
  assert.doesNotMatch(inst.cli(['people', 'list']), /Åse Bø/);
  console.log('ok - a bad line is shown with its line number, and nothing is imported');

  writeFileSync(join(inst.dir, 'liste.csv'), [header, ...rows].join('\n') + '\n');
  await page.getByLabel('Navneliste (CSV eller Excel .xlsx)').setInputFiles(join(inst.dir, 'liste.csv'));
  await page.getByRole('button', { name: 'Kontroller' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /6 nye, 2 endret, 0 sluttet/);
  assert.match(await page.textContent('main'), /Ny ressurssykepleier: Åse Bø \(ase@frogn.example\), Tunet \(Follo\)/);
  await shot(page, 'roster-diff');
  await page.getByRole('button', { name: 'Lagre endringene' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Navnelisten er lagret/);
  console.log('ok - the fixed list shows its changes and is applied');

  // Send, then follow Åse's case to signed through the signing portal.
  await page.goto(`${base}/app`);
  await page.getByRole('button', { name: /Send funksjonsbeskrivelse/ }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /2 funksjonsbeskrivelser sendt/);
  const aseMail = await waitFor('the mail to Åse', () => inst.mailsTo('ase@frogn.example')[0]);
  const torMail = await waitFor('the mail to Tor', () => inst.mailsTo('tor@frogn.example')[0]);
  const signer = await context.newPage();
  for (const mail of [aseMail, torMail]) {
    await signer.goto(linkIn(mail));
    await signer.getByLabel('Jeg har lest og signerer').check();
    await signer.getByRole('button', { name: 'Signer' }).click();
    await signer.waitForLoadState();
    assert.match(await signer.textContent('h1'), /Takk, du har signert/);
  }
  await page.goto(`${base}/app/cases?state=signed`);
  assert.match(await page.textContent('main'), /1 saker/);
  await shot(page, 'cases');
  await page.getByRole('link', { name: /^FB-/ }).first().click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Status: signed/);
  await shot(page, 'case');
  const caseUrl = page.url();
  console.log('ok - sent from the dashboard and signed through the portal');

  // Liv's case, found by her unit, gets a reminder by hand.
  await page.goto(`${base}/app/cases?unit=post`);
  assert.match(await page.textContent('main'), /1 saker/);
  await page.getByRole('link', { name: /^FB-/ }).first().click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Send påminnelse nå' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Påminnelse sendt til 2/);
  await waitFor('the reminder to Liv', () => inst.mailsTo('liv@ahus.example').length === 2);
  console.log('ok - cases filtered by unit; a reminder sent by hand');

  // Liv signed on paper: the scan is uploaded on her case's page.
  const livReference = page.url().match(/\/app\/cases\/([^/]+)/)[1];
  inst.cli(['render', livReference, '--out', join(inst.dir, 'skann.pdf')]);
  await page.getByLabel('Papirsignatur fra').selectOption('nurse');
  await page.getByLabel('Signert dato').fill('2026-11-20');
  await page.getByLabel('Skannet signatur (PDF)').setInputFiles(join(inst.dir, 'skann.pdf'));
  await page.getByRole('button', { name: 'Registrer papirsignatur' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Utført\. Saken har nå status partially_signed/);
  // Not a PDF: refused with the file's own name, nothing registered.
  writeFileSync(join(inst.dir, 'bilde.pdf'), 'not a pdf at all');
  await page.getByLabel('Skannet signatur (PDF)').setInputFiles(join(inst.dir, 'bilde.pdf'));
  await page.getByRole('button', { name: 'Registrer papirsignatur' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /bilde\.pdf/);
  assert.match(inst.cli(['log', 'list', '--last', '30']), /web:nora/);
  console.log('ok - a paper signature is registered with its uploaded scan, as web:nora in the log');

  await page.goto(`${base}/app`);
  await shot(page, 'overview');

  // Archive and audit.
  await page.goto(`${base}/app/archive`);
  await page.getByRole('button', { name: 'Lag arkivpakke' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /1 saker arkivert i /);
  await page.getByRole('button', { name: 'Kontroller arkivet' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Arkivet er komplett og urørt/);
  await shot(page, 'archive');
  const href = await page.getByRole('link', { name: /^avtaleflyt-.*\.zip$/ }).getAttribute('href');
  const zip = await page.request.get(`${base}${href}`);
  assert.equal(zip.status(), 200);
  // Streamed as it is zipped, not built in memory first.
  assert.equal(zip.headers()['transfer-encoding'], 'chunked');
  assert.equal(zip.headers()['x-frame-options'], 'DENY');
  const bytes = await zip.body();
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
  assert.ok(bytes.includes('manifest.sha256'));
  assert.equal((await page.request.get(`${base}/app/archive/download?package=../../avtaleflyt.db`)).status(), 404);
  console.log('ok - archived, audited and downloaded (streamed) from the dashboard');

  // The records system's reference, back on the archived case.
  await page.goto(caseUrl);
  await page.getByLabel(/Dokumentnummer i arkivsystemet/).fill('26/00042-1');
  await page.getByRole('button', { name: 'Lagre referansen' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Referansen er lagret/);
  assert.match(await page.textContent('main'), /26\/00042-1/);
  console.log('ok - the records reference is recorded on the archived case');

  // An agreement: drafted, put before the committee, approved, sent to the parties.
  await page.goto(`${base}/app/agreements`);
  await page.getByLabel('Tittel').fill('Samarbeidsavtale om kompetansenettverket 2027');
  await page.getByLabel(/Parter, én per linje/).fill(
    'Akershus universitetssykehus | Hanne Solberg | hanne@ahus.example\nFrogn kommune | Mona Strand | mona@frogn.example');
  await page.getByRole('button', { name: 'Opprett utkast' }).click();
  await page.waitForLoadState();
  assert.match(page.url(), /\/app\/cases\/SA-/);
  await page.getByRole('button', { name: 'Legg fram til behandling' }).click();
  await page.waitForLoadState();
  await page.getByLabel('Godkjent av (utvalg)').fill('Samarbeidsutvalget');
  await page.getByLabel('Godkjent dato').fill('2026-11-20');
  await page.getByRole('button', { name: 'Registrer godkjenning' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Send til partene for signering' }).click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Status: sent/);
  await waitFor('the mail to the first party', () => inst.mailsTo('hanne@ahus.example')[0]);
  await shot(page, 'agreement');
  console.log('ok - an agreement is drafted, approved and sent from the dashboard');

  // CSRF: a form posted without the session's token is refused.
  const forged = await page.request.post(`${caseUrl}/withdraw`, { form: { reason: 'x' } });
  assert.equal(forged.status(), 403);
  console.log('ok - a form without the CSRF token is refused');

  // The area leader sees Follo only, also when guessing URLs; the roster is not theirs.
  const other = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nb-NO' });
  const geir = await other.newPage();
  await signIn(geir, base, 'geir', 'omrade-passord-1');
  await shot(geir, 'overview-area-leader-phone');
  const lists = inst.cli(['case', 'list']);
  const ahusCase = lists.match(/(FB-\d{4}-\d{4})[^\n]*Ahus/)[1];
  let response = await geir.goto(`${base}/app/cases/${ahusCase}`);
  assert.equal(response.status(), 404);
  response = await geir.goto(`${base}/app/cases/${ahusCase}/dokument.pdf`);
  assert.equal(response.status(), 404);
  response = await geir.goto(`${base}/app/cases?area=Ahus`);
  assert.doesNotMatch(await geir.textContent('main'), new RegExp(ahusCase));
  response = await geir.goto(`${base}/app/roster`);
  assert.equal(response.status(), 403);
  const post = await geir.request.post(`${base}/app/cases/${ahusCase}/withdraw`, { form: { reason: 'x' } });
  assert.equal(post.status(), 404);
  console.log('ok - the area leader cannot see or act on another area');

  // Signing out ends the session: the old cookie gets the sign-in page.
  const cookies = await other.cookies();
  await geir.goto(`${base}/app`);
  await geir.getByRole('button', { name: 'Logg ut' }).click();
  await geir.waitForURL(/\/app\/login$/);
  const stale = await browser.newContext();
  await stale.addCookies(cookies);
  const again = await stale.newPage();
  await again.goto(`${base}/app`);
  assert.match(again.url(), /\/app\/login$/);
  console.log('ok - after signing out the session is gone');

  // The JSON API with a token; none without.
  const token = inst.cli(['user', 'token', 'geir']).trim();
  const api = await page.request.get(`${base}/api/status`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(api.status(), 200);
  const status = await api.json();
  assert.deepEqual(status.areas.map((a) => a.area), ['Follo']);
  assert.equal((await page.request.get(`${base}/api/cases`)).status(), 401);
  console.log('ok - the API answers with a token, for the token\'s area only');

  await browser.close();
  browser = undefined;
  assert.equal(await inst.stop(), 0);
} catch (e) {
  console.error(`serve's output:\n${inst.log}`);
  throw e;
} finally {
  if (browser) await browser.close();
  inst.cleanUp();
}
