import test from 'ava';
import { RecipeFailure } from '../../src/core/target.ts';
import { explainPackageFailure } from '../../src/image/package-failure.ts';

const origins = { nginxx: 'features/web/feature.ts:5 (use/web)' };

test("a package apt cannot find: the failure says where it was asked for, the tool's line first", (t) => {
  const e = explainPackageFailure(new RecipeFailure('E: Unable to locate package nginxx (unshare exited with 100)', { exitCode: 100 }), origins);
  t.is(e.message, 'E: Unable to locate package nginxx (unshare exited with 100); nginxx is asked for at features/web/feature.ts:5 (use/web)');
  t.is(e.details.exitCode, 100);
  const candidate = explainPackageFailure(new RecipeFailure("E: Package 'nginxx' has no installation candidate (unshare exited with 100)"), origins);
  t.regex(candidate.message, /asked for at features\/web\/feature\.ts:5/);
});

test('other failures, and packages of unknown origin, are left as they are', (t) => {
  const other = new RecipeFailure('E: Sub-process /usr/bin/dpkg returned an error code (1)');
  t.is(explainPackageFailure(other, origins), other);
  const unknown = new RecipeFailure('E: Unable to locate package foo');
  t.is(explainPackageFailure(unknown, origins), unknown);
  t.is(explainPackageFailure(unknown, undefined), unknown);
});
