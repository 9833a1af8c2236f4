// What the browser tests share: a data folder made with the CLI, `serve` on a free port, the
// mail in the maildir, and Chromium.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function waitFor(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The body of an .eml file (read as latin1) with quoted-printable undone, as UTF-8 text.
export function decode(mime) {
  const body = mime.slice(mime.indexOf('\r\n\r\n')).replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(body, 'latin1').toString('utf8');
}

export const linkIn = (text) => text.match(/http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{43}/)[0];

// A fresh installation in a temporary folder, and `serve` for it.
export class Installation {
  constructor(bin) {
    this.bin = bin;
    this.dir = mkdtempSync(join(tmpdir(), 'avtaleflyt-browser-'));
    this.data = join(this.dir, 'data');
    this.log = '';
  }

  cli(args, input) {
    return execFileSync(this.bin, ['--data', this.data, ...args], { encoding: 'utf8', input });
  }

  async serve(port) {
    this.server = spawn(this.bin, ['--data', this.data, 'serve', '--port', String(port), '--dispatch-every', '1']);
    this.server.stdout.on('data', (d) => { this.log += d; });
    this.server.stderr.on('data', (d) => { this.log += d; });
    await waitFor('the server to listen', () => this.log.includes('Listening on'));
  }

  async stop() {
    if (!this.server) return 0;
    this.server.kill('SIGTERM');
    const code = await new Promise((r) => this.server.on('exit', r));
    this.server = undefined;
    return code;
  }

  // The decoded mails to `address`, in file-name order.
  mailsTo(address) {
    const folder = join(this.data, 'mail', 'new');
    let names = [];
    try { names = readdirSync(folder).sort(); } catch { return []; }
    return names.map((n) => readFileSync(join(folder, n), 'latin1'))
      .filter((m) => new RegExp(`\r\nTo: [^\r\n]*<${address}>`).test(m))
      .map(decode);
  }

  cleanUp() {
    if (this.server) this.server.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
