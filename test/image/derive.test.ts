import test from 'ava';
import { fatSerial, gptDiskGuid, isoTimestamp, kernelCmdline, passwordSalt, serialUnit, shadowDay } from '../../src/image/derive.ts';
import { testConfig } from './helpers/image-config.ts';

test('the password salt is 16 crypt characters, the same for the same config', (t) => {
  const salt = passwordSalt(testConfig());
  t.regex(salt, /^[./0-9A-Za-z]{16}$/);
  t.is(passwordSalt(testConfig()), salt);
  t.not(passwordSalt(testConfig({ name: 'other' })), salt);
  t.not(passwordSalt(testConfig({ rootPassword: 'other' })), salt);
});

test('the FAT serial is 8 hex digits from name and volume id', (t) => {
  t.regex(fatSerial(testConfig()), /^[0-9a-f]{8}$/);
  t.is(fatSerial(testConfig()), fatSerial(testConfig({ hostname: 'x' })));
  t.not(fatSerial(testConfig()), fatSerial(testConfig({ volumeId: 'OTHER' })));
});

test('the GPT disk GUID is a version-4 GUID that follows the config', (t) => {
  const g = gptDiskGuid(testConfig());
  t.regex(g, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  t.not(gptDiskGuid(testConfig({ sourceDateEpoch: 1 })), g);
});

test('dates: xorriso timestring in UTC and shadow days', (t) => {
  t.is(isoTimestamp(1700000000), '2023111422132000');
  t.is(isoTimestamp(0), '1970010100000000');
  t.is(shadowDay(1700000000), 19675);
});

test('serial units and the kernel command line', (t) => {
  t.is(serialUnit('ttyS1'), 1);
  t.is(serialUnit('ttyAMA0'), null);
  t.deepEqual(kernelCmdline(testConfig({ kernelCmdline: ['quiet'] })), ['boot=live', 'console=tty0', 'console=ttyS0,115200', 'quiet']);
});
