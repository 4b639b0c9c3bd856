import test from 'ava';
import { diskInfo, grubCfg, grubEmbeddedCfg, isolinuxCfg } from '../../src/image/boot-config.ts';
import { testConfig } from './helpers/image-config.ts';

test('isolinux: serial first, straight to the live entry, console on ttyS0 last', (t) => {
  t.is(
    isolinuxCfg(testConfig()),
    [
      'SERIAL 0 115200',
      'DEFAULT live',
      'PROMPT 0',
      'TIMEOUT 0',
      'SAY Booting test-server...',
      'LABEL live',
      '  KERNEL /live/vmlinuz',
      '  APPEND initrd=/live/initrd.img boot=live console=tty0 console=ttyS0,115200',
      '',
    ].join('\n'),
  );
});

test('isolinux: a boot timeout prompts and counts tenths; extra arguments follow the console', (t) => {
  const text = isolinuxCfg(testConfig({ bootTimeout: 3, kernelCmdline: ['quiet', 'net.ifnames=0'] }));
  t.regex(text, /^PROMPT 1\nTIMEOUT 30$/m);
  t.regex(text, /APPEND initrd=\/live\/initrd.img boot=live console=tty0 console=ttyS0,115200 quiet net.ifnames=0\n/);
});

test('without a serial console there is no SERIAL line and no console= argument', (t) => {
  const c = testConfig({ serial: null });
  t.false(isolinuxCfg(c).includes('SERIAL'));
  t.false(isolinuxCfg(c).includes('console='));
  t.false(grubCfg(c).includes('serial'));
  t.regex(grubCfg(c), /linux \/live\/vmlinuz boot=live\n/);
});

test('a serial device that is not ttySN gets console= but no boot loader serial port', (t) => {
  const c = testConfig({ serial: { device: 'hvc0', speed: 9600 } });
  t.false(isolinuxCfg(c).includes('SERIAL'));
  t.regex(isolinuxCfg(c), /console=hvc0,9600/);
  t.false(grubCfg(c).includes('serial --unit'));
});

test('grub: serial terminal, timeout and one quoted menu entry', (t) => {
  t.is(
    grubCfg(testConfig({ description: "Bob's server", bootTimeout: 5 })),
    [
      'serial --unit=0 --speed=115200',
      'terminal_input serial console',
      'terminal_output serial console',
      'set timeout=5',
      'set default=0',
      "menuentry 'test-server - Bob'\\''s server' {",
      '  linux /live/vmlinuz boot=live console=tty0 console=ttyS0,115200',
      '  initrd /live/initrd.img',
      '}',
      '',
    ].join('\n'),
  );
});

test('the embedded grub config finds the ISO by volume id and reads its grub.cfg', (t) => {
  t.is(
    grubEmbeddedCfg(testConfig({ volumeId: 'WEB_01' })),
    'search --no-floppy --set=root --label WEB_01\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n',
  );
});

test('.disk/info names the distro, suite, commit and date', (t) => {
  t.is(diskInfo(testConfig(), 'abc1234'), 'test-server bookworm amd64 abc1234 20231114 - mkimage test server\n');
});
