// zod in the config and final bundles, which never validate (see zod.ts). Even
// unevaluated, zod inside a bundle costs every start that compiles it about 25 ms of
// parsing, so it is not bundled there: it is required from nimbus-zod.js beside the
// bundle (scripts/build.mjs makes it), on the first call. Only a custom module in
// function form, ({ z }) => module, makes that call in these stages.
export function requireZod(): typeof import('zod') {
  return require(`${__dirname}/nimbus-zod.js`) as typeof import('zod');
}
