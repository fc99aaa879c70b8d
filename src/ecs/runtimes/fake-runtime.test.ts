// The in-tree fake runtime (test/support/fake-runtime.ts), which the scheduler and task-engine unit
// tests run on, against the conformance suite the real runtimes pass: what it promises must be what
// they promise. It runs no program (a test drives its containers), so the cases about programs are
// marked not applicable, each saying why; the real runtimes' suites are unchanged.
import { runtimeConformance } from '../../../test/support/runtime-conformance.js';
import { FakeRuntime } from '../../../test/support/fake-runtime.js';

const NO_PROGRAM = 'it runs no program: a container prints nothing and runs until the test makes it exit or stops it';

runtimeConformance({
  name: 'fake',
  runtime: () => new FakeRuntime(),
  // The fake's only resource is its memory, which a restart loses (as the process runtime's children).
  fresh: () => new FakeRuntime(),
  image: 'any-image',
  httpServer: () => ({ command: ['serve'], environment: {} }),
  adopts: false,
  notApplicable: {
    output: NO_PROGRAM,
    environment: NO_PROGRAM,
    ports: 'it hands out host ports, but nothing listens on them',
    sigterm: 'it has no process to signal: stop ends a container at once with exit code 143',
    sigkill: 'it has no process to signal: stop ends a container at once with exit code 143',
    exec: 'it runs no command: exec answers the exit code the test set for the task (healthExit)',
    remove: `${NO_PROGRAM}, so the case's container never exits on its own`,
    'cannot-start': 'it cannot tell a missing program; it fails to start only the images a test lists (failingImages)',
  },
});
