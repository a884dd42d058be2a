// Keeps V8's young generation at the size it has when `tskube etcd` starts: imported for its
// effect, first thing in the subcommand's module (src/cli/etcd.ts).
//
// V8 grows the young generation up to 2 × 16 MiB under a write burst and never shrinks it,
// even after the idle GC's full collection: after 20,000 puts the heap held 18 MiB of live
// objects in 64 MiB committed. `tskube up` starts the store with --max-semi-space-size=1;
// a standalone `tskube etcd` has no such flag, and heap sizes are fixed before any script
// runs. The growth factor, though, is read each time V8 decides to grow the young
// generation, so a factor of 1 set at run time stops the growth where it is (4 MiB here;
// bench/README.md, "store-bench": RSS after 20,000 puts 145 → 139 MiB, 5 s later 136 → 124).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
