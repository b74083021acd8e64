import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeNet from 'node:net';
import fc from 'fast-check';
import { isIP, isIPv4, isIPv6 } from './ip-syntax.js';

const SAMPLES = [
  '',
  '1.2.3.4',
  '0.0.0.0',
  '255.255.255.255',
  '256.1.1.1',
  '01.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  '1..3.4',
  ' 1.2.3.4',
  '1.2.3.4 ',
  '::',
  '::1',
  '1::',
  '2001:db8::1',
  '2001:db8:0:0:0:0:0:1',
  '2001:db8:0:0:0:0:0:0:1',
  '1:2:3:4:5:6:7::',
  '::1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7',
  ':1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7:',
  '1:::2',
  '1::2::3',
  '12345::1',
  'g::1',
  'fe80::1%eth0',
  'fe80::1%',
  'fe80::1%eth 0',
  '::ffff:1.2.3.4',
  '::ffff:1.2.3',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  '1.2.3.4::',
  '::1.2.3.4:1',
  'ABCD:EF01::',
  ':',
  ':::',
  '1:2:3:4:5:6:7:8%z',
  '::%1',
  '1.2.3.4%eth0',
];

test('the same answers as node:net on hand-picked addresses', () => {
  for (const s of SAMPLES) {
    assert.equal(isIPv4(s), nodeNet.isIPv4(s), `isIPv4(${JSON.stringify(s)})`);
    assert.equal(isIPv6(s), nodeNet.isIPv6(s), `isIPv6(${JSON.stringify(s)})`);
    assert.equal(isIP(s), nodeNet.isIP(s), `isIP(${JSON.stringify(s)})`);
  }
});

test('the same answers as node:net on generated near-addresses', () => {
  const piece = fc.constantFrom('', ':', '::', '.', '%', '0', '1', '00', '255', '256', 'ffff', 'fFfF0', 'g', 'eth0', '1.2.3.4', 'db8');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (ps) => {
      const s = ps.join('');
      assert.equal(isIPv4(s), nodeNet.isIPv4(s), `isIPv4(${JSON.stringify(s)})`);
      assert.equal(isIPv6(s), nodeNet.isIPv6(s), `isIPv6(${JSON.stringify(s)})`);
    }),
    { numRuns: 20000 },
  );
});
