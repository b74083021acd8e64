// ca_certs: the documented example booted on Debian, the rhel family's trust store,
// the old ca-certs spelling, and anything that is not a PEM certificate refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeKit, RHEL8 } from './kit.js';
import { bootExample } from './boot-example.js';
import { caCerts, certificateProblem, deselectAll } from '../../packages/core/src/modules/ca-certs.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const EXAMPLE = caCerts.examples[0] as string;
const PEM = `${(/(-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----)/.exec(EXAMPLE)?.[1] ?? '').replace(/^ {6}/gm, '')}\n`;
const HEADER = '# Modified by cloud-init to deselect certs due to user-data';

test('ca_certs: the example on Debian deselects the distro CAs, tells debconf, adds the certificate and runs update-ca-certificates', () => {
  const b = bootExample(EXAMPLE, { files: { 'etc/ca-certificates.conf': '# comment\nmozilla/A.crt\n!mozilla/B.crt\n\nmozilla/C.crt\n' } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.equal(b.read('etc/ca-certificates.conf'), `# comment\n${HEADER}\n!mozilla/A.crt\n!mozilla/B.crt\n\n!mozilla/C.crt\n`);
  assert.equal(b.read('usr/local/share/ca-certificates/cloud-init-ca-cert-1.crt'), PEM);
  assert.equal(b.mode('usr/local/share/ca-certificates/cloud-init-ca-cert-1.crt'), 0o644);
  const cmds = b.argvs.filter((a) => a[0] === 'debconf-set-selections' || a[0] === 'update-ca-certificates');
  assert.deepEqual(cmds, [['debconf-set-selections', '-'], ['update-ca-certificates']]);
});

test("ca_certs: cloud-init's documented example with placeholder certificates is refused with the line of each, and nothing changes", () => {
  const doc =
    '#cloud-config\nca_certs:\n  remove_defaults: true\n  trusted:\n  - single_line_cert\n  - |\n    -----BEGIN CERTIFICATE-----\n    YOUR-ORGS-TRUSTED-CA-CERT-HERE\n    -----END CERTIFICATE-----\n';
  const b = bootExample(doc, { files: { 'etc/ca-certificates.conf': 'mozilla/A.crt\n' } });
  assert.equal(b.status, 'error');
  assert.match(b.errors.join('\n'), /line 5 col \d+: ca_certs\.trusted\[0\]: not a PEM certificate/);
  assert.match(b.errors.join('\n'), /line 7 col \d+: ca_certs\.trusted\[1\]: not a PEM certificate/);
  assert.equal(b.read('etc/ca-certificates.conf'), 'mozilla/A.crt\n');
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'update-ca-certificates'),
    [],
  );
});

test('ca_certs on the rhel family empties the trust directories with remove_defaults and writes anchors for update-ca-trust', async () => {
  const k = makeKit({ osRelease: RHEL8 });
  k.write('etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', 'old');
  k.write('usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit', 'old');
  await k.run(caCerts, EXAMPLE);
  assert.equal(k.exists('etc/pki/ca-trust/extracted'), false);
  assert.equal(k.exists('usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit'), false);
  assert.equal(k.read('usr/share/pki/ca-trust-source/anchors/cloud-init-ca-cert-1.crt'), PEM);
  assert.deepEqual(k.argvs(), [['update-ca-trust']]);
});

test('ca_certs: the old ca-certs and remove-defaults spellings still work and are reported deprecated; trusted alone keeps the distro CAs', async () => {
  const k = makeKit();
  k.write('etc/ca-certificates.conf', 'mozilla/A.crt\n');
  await k.run(caCerts, `ca-certs:\n  remove-defaults: false\n  trusted: ${JSON.stringify(PEM)}\n`);
  assert.equal(k.read('etc/ca-certificates.conf'), 'mozilla/A.crt\n');
  assert.equal(k.read('usr/local/share/ca-certificates/cloud-init-ca-cert-1.crt'), PEM);
  assert.equal(k.logger.report.recoverable.DEPRECATED.length, 2);
  assert.deepEqual(k.argvs(), [['update-ca-certificates']]);
});

test('schema refuses a ca_certs value of the wrong type with file:line:col and the key path', () => {
  const r = checkCloudConfigText('#cloud-config\nca_certs:\n  remove_defaults: "yes"\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line, p.path.join('.')]),
    [['ud.yaml', 3, 'ca_certs.remove_defaults']],
  );
});

test('deselectAll marks every selected line once, keeping comments, blanks and deselected lines', () => {
  assert.equal(deselectAll('a\n#b\n!c\n\nd\n'), `${HEADER}\n!a\n#b\n!c\n\n!d\n`);
  assert.equal(deselectAll(deselectAll('a\n')), `${HEADER}\n!a\n`);
});

test('ca_certs property: an accepted certificate text is PEM blocks only, so the file holds nothing else', () => {
  const b64 = fc.stringMatching(/^[A-Za-z0-9+/]{1,64}={0,2}$/);
  const block = fc.array(b64, { minLength: 1, maxLength: 4 }).map((ls) => `-----BEGIN CERTIFICATE-----\n${ls.join('\n')}\n-----END CERTIFICATE-----\n`);
  const junk = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('\n[ca]\nfoo=bar\n', '#!/bin/sh\n', '-----END CERTIFICATE-----\n'));
  fc.assert(
    fc.property(block, junk, fc.boolean(), (pem, j, before) => {
      assert.equal(certificateProblem(pem), null);
      const mixed = before ? j + pem : pem + j;
      if (certificateProblem(mixed) !== null) return;
      // Accepted only when the extra text is blank space.
      assert.equal(j.trim(), '', JSON.stringify(j));
    }),
    { numRuns: 2000 },
  );
});
