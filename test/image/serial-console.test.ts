import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialConsole } from '../../src/image/boot/serial-console.ts';

/** A fake guest: a unix socket server the test writes to and reads from. */
async function guest(t: { teardown: (f: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-serial-'));
  const path = join(dir, 's.sock');
  let peer!: Socket;
  const received: string[] = [];
  const connected = new Promise<void>((resolve) => {
    const server = createServer((s) => {
      peer = s;
      s.setEncoding('utf8').on('data', (d: string) => received.push(d));
      resolve();
    });
    server.listen(path);
    t.teardown(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
  });
  return { path, connected, write: (s: string) => peer.write(s), received, end: () => peer.end() };
}

test('expect finds patterns across chunks, each match consumed once', async (t) => {
  const g = await guest(t);
  const seen: string[] = [];
  const serial = await SerialConsole.connect(g.path, new AbortController().signal, (x) => seen.push(x));
  await g.connected;
  t.teardown(() => serial.close());
  const signal = new AbortController().signal;
  g.write('boot...\nhost lo');
  setTimeout(() => g.write('gin: '), 20);
  const first = await serial.expect([/login: /], signal);
  t.is(first.index, 0);
  g.write('Login incorrect\nhost login: ');
  const second = await serial.expect([/\$ $/, /Login incorrect/], signal);
  t.is(second.index, 1);
  await serial.expect([/login: /], signal);
  t.is(seen.join(''), 'boot...\nhost login: Login incorrect\nhost login: ');
  serial.send('root\r');
  await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(g.received, ['root\r']);
});

test('expect rejects with the reason when the signal aborts, and when the console closes', async (t) => {
  const g = await guest(t);
  const serial = await SerialConsole.connect(g.path, new AbortController().signal, () => {});
  await g.connected;
  const c = new AbortController();
  setTimeout(() => c.abort(new Error('timeout')), 20);
  await t.throwsAsync(serial.expect([/never/], c.signal), { message: 'timeout' });
  g.end();
  await t.throwsAsync(serial.expect([/never/], new AbortController().signal), { message: /closed/ });
});

test('connect retries until the socket exists and gives up on abort', async (t) => {
  const c = new AbortController();
  setTimeout(() => c.abort(new Error('gave up')), 120);
  await t.throwsAsync(SerialConsole.connect('/nonexistent/s.sock', c.signal, () => {}), { message: 'gave up' });
});
