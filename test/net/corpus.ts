// The corpus of network configs written for nimbus's tests, and how to render one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseText, render, type InputKind, type NetRenderer, type Rendered } from '../../packages/core/src/index.js';

// Tests run from build/test/net; the corpus stays in the source tree.
export const NET_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/net');
export const CORPUS = path.join(NET_DIR, 'corpus');
export const GOLDEN = path.join(NET_DIR, 'golden');
// Every registered renderer, with the distro cloud-init's net-convert is given (-D) for
// it: a Record, so a renderer added to the registry fails the build here until it has
// golden files and a reference run.
const REFERENCE_DISTRO: Record<NetRenderer, string> = {
  sysconfig: 'centos',
  eni: 'debian',
  netplan: 'ubuntu',
  networkd: 'debian',
  'network-manager': 'fedora',
};
// `label` names the golden directory and the renderer in differences.json; sysconfig is
// also rendered in its suse flavour (-D opensuse), as cloud-init does for that family.
export const OUTPUTS: { renderer: NetRenderer; distro: string; label: string }[] = [
  ...Object.entries(REFERENCE_DISTRO).map(([renderer, distro]) => ({ renderer: renderer as NetRenderer, distro, label: renderer })),
  { renderer: 'sysconfig', distro: 'opensuse', label: 'sysconfig-suse' },
];

export interface CorpusEntry {
  name: string;
  file: string;
  kind: InputKind;
  /** -m NAME,MAC pairs for net-convert (network_data.json needs them). */
  macArgs: string[];
}

export function corpus(): CorpusEntry[] {
  const args = JSON.parse(fs.readFileSync(path.join(CORPUS, 'args.json'), 'utf8')) as Record<string, string[]>;
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f !== 'args.json' && !f.startsWith('bad-'))
    .sort()
    .map((name) => ({
      name,
      file: path.join(CORPUS, name),
      kind: name.endsWith('.json') ? 'network_data.json' : name.startsWith('eni-') ? 'eni' : 'yaml',
      macArgs: args[name] ?? [],
    }));
}

export function macsOf(e: CorpusEntry): Map<string, string> {
  const m = new Map<string, string>();
  for (let k = 1; k < e.macArgs.length; k += 2) {
    const [name, mac] = (e.macArgs[k] as string).split(',') as [string, string];
    m.set(mac.toLowerCase(), name);
  }
  return m;
}

export const localReader = {
  read: (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null),
  list: (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).sort() : []),
};

export function renderEntry(e: CorpusEntry, renderer: NetRenderer, distro?: string): Rendered {
  const cfg = parseText(e.kind, fs.readFileSync(e.file, 'utf8'), e.file, macsOf(e), localReader);
  if (cfg.kind !== 'state') throw new Error(`${e.name}: disabled`);
  return render(cfg.state, renderer, distro);
}
