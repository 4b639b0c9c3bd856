import test from 'ava';
import { decideAccel } from '../../src/image/boot/accel.ts';

const facts = (kvmDevice: 'missing' | 'no-access' | 'ok', ...modules: string[]) => ({ kvmDevice, modules: new Set(modules) });

test('no usable /dev/kvm: tcg', (t) => {
  t.is(decideAccel(facts('missing', 'kvm', 'kvm_intel')).accel, 'tcg');
  t.is(decideAccel(facts('no-access', 'kvm', 'kvm_intel')).accel, 'tcg');
});

test('kvm_pvm behind /dev/kvm: tcg, and the reason says why', (t) => {
  const c = decideAccel(facts('ok', 'kvm', 'kvm_pvm'));
  t.is(c.accel, 'tcg');
  t.regex(c.reason, /kvm_pvm/);
});

test('a hardware KVM module: kvm', (t) => {
  t.deepEqual(decideAccel(facts('ok', 'kvm', 'kvm_amd')), { accel: 'kvm', reason: 'kvm_amd is loaded and /dev/kvm is usable' });
});

test('/dev/kvm without a known module: tcg', (t) => {
  t.is(decideAccel(facts('ok', 'kvm')).accel, 'tcg');
});
