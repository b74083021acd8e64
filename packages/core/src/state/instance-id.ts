// The instance-id as nimbus keeps and compares it. cloud-init writes the id to
// data/instance-id with a newline and strips what it reads back, so an id that ends in
// whitespace (a quoted YAML scalar, a kernel command line) would differ from its own
// record on every boot and make every boot a new instance. Whitespace at either end is
// dropped once, where the datasource hands the id over, and in every comparison.
export function normalizeInstanceId(iid: string): string {
  return iid.trim();
}
