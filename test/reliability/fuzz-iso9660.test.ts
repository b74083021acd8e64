// test-lane: full (fuzz campaign)
// The ISO9660 reader against corrupted config drives of every naming flavour (Rock Ridge
// + Joliet as Nova makes them, Joliet only, plain ISO9660): byte edits, truncation,
// copied and zeroed sectors, and each name view forced. Only IsoError naming the image,
// never a hang, another exception or an allocation beyond the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IsoError, openIso, type IsoImage, type IsoNames } from '../../packages/core/src/datasources/iso9660.js';
import { isoSkip as skip, mkiso, put, tempDir } from '../datasources/helpers.js';
import { fuzz, rejectsCleanly } from './fuzz.js';

function drive(): string {
  const d = tempDir('nimbus-rel-iso-');
  put(d, 'openstack/latest/meta_data.json', '{"uuid": "iid-fuzz", "hostname": "fuzz"}');
  put(d, 'openstack/latest/user_data', '#cloud-config\nruncmd: [ls]\n');
  put(d, 'openstack/latest/network_data.json', '{"links": [], "networks": [], "services": []}');
  put(d, 'openstack/content/0000', 'x'.repeat(5000));
  for (let i = 0; i < 30; i++) put(d, `openstack/content/many/f${i}`, String(i));
  put(d, 'a/b/c/d/e/f/g/h/deep', 'deep');
  return d;
}

function walk(img: IsoImage): void {
  const stack = [''];
  let n = 0;
  while (stack.length > 0 && n < 10_000) {
    const dir = stack.pop() as string;
    for (const e of img.list(dir) ?? []) {
      n++;
      const p = `${dir}/${e.name}`;
      if (e.type === 'dir' && p.split('/').length < 64) stack.push(p);
      else if (e.type === 'file') img.readFile(p);
    }
  }
  img.readFile('openstack/latest/meta_data.json');
  img.stat('openstack/../x');
}

test('ISO9660: corrupted, truncated and spliced images give only IsoError naming the image', { skip }, () => {
  const tree = drive();
  const images = [mkiso(tree, ['-V', 'config-2', '-J', '-r']), mkiso(tree, ['-V', 'config-2', '-J']), mkiso(tree, ['-V', 'config-2', '-l'])];
  let rejected = 0;
  const meta = 48 * 2048;
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('byte' as const), at: fc.integer({ min: 16 * 2048, max: meta - 1 }), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: fc.integer({ min: 16 * 2048, max: meta - 4 }), v: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x10000, 2048, 16, 17) }),
    fc.record({ kind: fc.constant('copy' as const), at: fc.integer({ min: 16, max: 47 }), v: fc.integer({ min: 0, max: 47 }) }),
    fc.record({ kind: fc.constant('zero' as const), at: fc.integer({ min: 16, max: 47 }), v: fc.constant(0) }),
  );
  const arb = fc.record({
    image: fc.integer({ min: 0, max: images.length - 1 }),
    edits: fc.array(edit, { minLength: 1, maxLength: 12 }),
    cut: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
    names: fc.constantFrom<IsoNames | undefined>(undefined, 'rockridge', 'joliet', 'iso9660'),
  });
  fuzz(
    'iso9660',
    arb,
    ({ image, edits, cut, names }) => {
      const b = Buffer.from(images[image] as Buffer);
      for (const e of edits) {
        if (e.kind === 'byte') b[e.at] = e.v;
        else if (e.kind === 'u32') {
          b.writeUInt32LE(e.v >>> 0, e.at);
        } else if (e.kind === 'copy') b.copy(b, e.at * 2048, e.v * 2048, e.v * 2048 + 2048);
        else b.fill(0, e.at * 2048, e.at * 2048 + 2048);
      }
      const bytes = cut === undefined ? b : b.subarray(0, cut);
      const err = rejectsCleanly(() => walk(openIso(bytes, { maxFileBytes: 1024 * 1024, ...(names ? { names } : {}) }, '/dev/sr0')), IsoError, '/dev/sr0');
      if (err !== null) rejected++;
    },
    1500,
  );
  assert.ok(rejected > 300, `the edits reach the error paths (${rejected} rejections)`);
});
