// Keys that came from data (YAML, JSON, metadata listings) set as own properties: a key
// named "__proto__" must be a key, not a change of the object's prototype.
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

export function hasKey(o: object, k: string): boolean {
  return Object.hasOwn(o, k);
}
