// A read-only view of a datasource's files, the same whether they are a seed
// directory, a mounted drive or an ISO image read without mounting.
import type { RootFs } from '../host/rootfs.js';

export interface TreeReader {
  /** Where the tree is, for messages: "/config-drive", "/dev/sr0". */
  readonly label: string;
  /** A file's bytes by path relative to the tree's top ("openstack/latest/meta_data.json"); null when absent. */
  readFile(rel: string): Uint8Array | null;
  /** Names in a directory of the tree, sorted; [] when absent. */
  list(rel: string): string[];
}

export function dirTree(fs: RootFs, dir: string): TreeReader {
  const abs = (rel: string) => (rel === '' ? dir : `${dir}/${rel}`);
  return {
    label: dir,
    readFile: (rel) => {
      const st = fs.stat(abs(rel));
      return st !== null && st.isFile ? fs.read(abs(rel)) : null;
    },
    list: (rel) => fs.list(abs(rel)),
  };
}

export function textOf(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}
