// Runs one block of tests against each selected target: `describe(target, ...)` with a
// server started before and destroyed after (also on failure). Tests in one block share the
// server and keep to their own key prefixes.
import { after, before, describe } from 'node:test';
import { StoreProcess, type StoreStartOptions, type TargetName } from './store-process.js';
import { selectedTargets, unavailableReason } from './targets.js';

export interface TargetContext {
  target: TargetName;
  /** the shared server; valid inside tests (set up in before()) */
  readonly store: StoreProcess;
}

export function forEachTarget(
  body: (ctx: TargetContext) => void,
  opts: { start?: StoreStartOptions; targets?: TargetName[]; server?: boolean } = {},
): void {
  for (const target of opts.targets ?? selectedTargets()) {
    const skip = unavailableReason(target);
    if (skip) {
      describe(target, { skip }, () => undefined);
      console.log(`# SKIP ${target}: ${skip}`);
      continue;
    }
    describe(target, () => {
      let store: StoreProcess | undefined;
      const ctx: TargetContext = {
        target,
        get store(): StoreProcess {
          if (!store) throw new Error(`${target} server not started`);
          return store;
        },
      };
      if (opts.server !== false) {
        before(async () => {
          store = await StoreProcess.start(target, opts.start);
        });
        after(async () => {
          await store?.destroy();
        });
      }
      body(ctx);
    });
  }
}
