import test from 'ava';
import { RecipeFailure, type RecipeContext } from '../../src/core/target.ts';
import { defineStage } from '../../src/image/stage.ts';
import { testConfig } from './helpers/image-config.ts';

const context = { root: '/project', commit: 'abc1234' };

function ctx(aborted = false): RecipeContext {
  const controller = new AbortController();
  if (aborted) controller.abort(new Error('SIGINT'));
  return { id: 'x/packages' as RecipeContext['id'], out: '/o', tmp: '/t', deps: {}, files: [], values: {}, env: {}, root: '/project', signal: controller.signal, slots: 1, output: () => undefined, warn: () => undefined, progress: () => undefined };
}

function failingStage(failure: Error) {
  return defineStage<{ packages: readonly string[] }>({
    name: 'packages',
    description: 'test',
    needs: [],
    weight: 1,
    module: import.meta.url,
    select: (c) => ({ packages: c.packages }),
    recipe: () => ({}),
    run: () => Promise.reject(failure),
    explain: (f, config) => new RecipeFailure(`${f.message}; origins ${JSON.stringify(config.packageOrigins)}`, f.details),
  });
}

test("a stage's explain adds what the whole config knows to its expected failures, outside its fingerprint", async (t) => {
  const config = { ...testConfig({ packages: ['nginxx'] }), packageOrigins: { nginxx: 'features/web/feature.ts:5 (use/web)' } };
  const planned = failingStage(new RecipeFailure('E: Unable to locate package nginxx', { exitCode: 100 })).plan(config, context);
  t.deepEqual(planned.values, { packages: ['nginxx'] }, 'the origins are not in the values');
  const e = await t.throwsAsync(planned.run(ctx()), { instanceOf: RecipeFailure });
  t.is(e?.message, 'E: Unable to locate package nginxx; origins {"nginxx":"features/web/feature.ts:5 (use/web)"}');
  t.is(e?.details.exitCode, 100);
});

test('bugs and interrupts pass through unexplained', async (t) => {
  const config = testConfig();
  const bug = new TypeError('x is undefined');
  t.is(await t.throwsAsync(failingStage(bug).plan(config, context).run(ctx())), bug);
  const failure = new RecipeFailure('killed');
  t.is(await t.throwsAsync(failingStage(failure).plan(config, context).run(ctx(true))), failure);
});
