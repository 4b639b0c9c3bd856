// `npm run -s bench -- <suite>`: runs one suite, printing its figures as one JSON object per
// line on stdout (progress goes to stderr), and removes what it made even when interrupted.

import { loadavg } from 'node:os';
import { progress, round, type Figure, type Suite } from './measure.ts';
import { TempDirs } from './temp.ts';

/** Suites load lazily, so one suite's dependencies never slow another's start. */
const SUITES: Readonly<Record<string, () => Promise<Suite>>> = {
  cli: async () => (await import('./cli.ts')).cliSuite,
  engine: async () => (await import('./engine.ts')).engineSuite,
  image: async () => (await import('./image.ts')).imageSuite,
  packages: async () => (await import('./packages.ts')).packagesSuite,
  'ldap-server': async () => (await import('./ldap-server.ts')).ldapServerSuite,
};

async function main(argv: readonly string[]): Promise<number> {
  const name = argv[0];
  const load = name === undefined ? undefined : SUITES[name];
  if (!load || argv.length > 1) {
    const why = name === undefined ? 'no suite given' : !load ? `unknown suite ${JSON.stringify(name)}` : 'one suite at a time';
    process.stderr.write(`bench: ${why}; usage: npm run -s bench -- <suite>   (suites: ${Object.keys(SUITES).join(', ')})\n`);
    return 2;
  }
  // Figures own stdout: anything else that prints (a library's console.log) goes to stderr.
  const stdout = process.stdout.write.bind(process.stdout);
  console.log = console.error;
  console.info = console.error;
  // The machine may be shared: the load average says how much to trust a figure.
  const report = (figure: Figure) => void stdout(`${JSON.stringify({ ...figure, loadavg_1m: round(loadavg()[0]!, 2) })}\n`);

  const temp = new TempDirs();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) return;
    progress(`${signal}: cleaning up`);
    void temp.dispose().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const t0 = Date.now();
  try {
    await (await load())(report, temp);
    progress(`${name} done in ${Math.round((Date.now() - t0) / 1000)} s`);
    return 0;
  } catch (e) {
    // After a signal, a child's exit code 130 is no news.
    if (signals === 0) process.stderr.write(`bench: ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  } finally {
    await temp.dispose();
  }
}

const code = await main(process.argv.slice(2));
// Let stdout drain into a pipe, then exit: hash workers or timers must not keep us alive.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
