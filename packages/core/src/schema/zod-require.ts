// zod for the ESM build the tests run (see zod.ts): a plain import, as nothing there
// measures start-up.
import * as zodModule from 'zod';

export function requireZod(): typeof zodModule {
  return zodModule;
}
