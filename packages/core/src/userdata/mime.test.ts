import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { parseMime, isMimeMessage, MimeError, headerValue } from './mime.js';
import { composeMime } from './mime-compose.js';
import { PYTHON3 } from '../../../../test/helpers/python.js';

const msg = (s: string): Buffer => Buffer.from(s, 'utf8');

test('a two-part message with LF endings, preamble and epilogue', () => {
  const parts = parseMime(
    msg(
      'Content-Type: multipart/mixed; boundary="XYZ"\nMIME-Version: 1.0\n\nThis is the preamble.\n--XYZ\nContent-Type: text/x-shellscript\nContent-Disposition: attachment; filename="run.sh"\n\n#!/bin/sh\necho hi\n\n--XYZ\nContent-Type: text/cloud-config; charset="us-ascii"\nMerge-Type: list(append)+dict(recurse_array)+str()\n\n#cloud-config\nruncmd: [ls]\n--XYZ--\nepilogue\n',
    ),
  );
  assert.equal(parts.length, 2);
  assert.equal(parts[0]?.contentType, 'text/x-shellscript');
  assert.equal(parts[0]?.filename, 'run.sh');
  assert.equal(parts[0]?.body.toString(), '#!/bin/sh\necho hi\n');
  assert.equal(parts[0]?.line, 6);
  assert.equal(parts[1]?.contentType, 'text/cloud-config');
  assert.equal(parts[1]?.charset, 'us-ascii');
  assert.equal(parts[1]?.mergeType, 'list(append)+dict(recurse_array)+str()');
  assert.equal(parts[1]?.body.toString(), '#cloud-config\nruncmd: [ls]');
});

test('CRLF endings, base64 and quoted-printable, X-Merge-Type, name parameter', () => {
  const b64 = Buffer.from('#!/bin/bash\necho "häst"\n').toString('base64');
  const m = [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed;',
    '\tboundary=b1',
    '',
    '--b1',
    'Content-Type: text/x-shellscript; name="s.sh"',
    'Content-Transfer-Encoding: base64',
    '',
    b64.slice(0, 10),
    b64.slice(10),
    '--b1',
    'Content-Type: text/cloud-config',
    'Content-Transfer-Encoding: quoted-printable',
    'X-Merge-Type: dict(replace)',
    '',
    '#cloud-config',
    'a: =C3=A9t=C3=A9 is a very long line that was wrapped by the encoder so it fits=',
    ' in 76 chars',
    '--b1--',
    '',
  ].join('\r\n');
  const parts = parseMime(msg(m));
  assert.equal(parts.length, 2);
  assert.equal(parts[0]?.filename, 's.sh');
  assert.equal(parts[0]?.body.toString(), '#!/bin/bash\necho "häst"\n');
  assert.equal(parts[1]?.body.toString(), '#cloud-config\r\na: été is a very long line that was wrapped by the encoder so it fits in 76 chars');
  assert.equal(parts[1]?.mergeType, 'dict(replace)');
});

test('nested multipart is flattened in order; a missing final boundary is tolerated', () => {
  const m =
    'Content-Type: multipart/mixed; boundary="outer"\n\n--outer\nContent-Type: multipart/alternative; boundary="inner"\n\n--inner\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--inner\n\n#cloud-config\n--inner--\n--outer\nContent-Type: text/cloud-boothook\n\n#cloud-boothook\necho boot\n';
  const parts = parseMime(msg(m));
  assert.deepEqual(
    parts.map((p) => [p.contentType, p.contentTypeGiven, p.body.toString()]),
    [
      ['text/x-shellscript', true, '#!/bin/sh'],
      ['text/plain', false, '#cloud-config'],
      ['text/cloud-boothook', true, '#cloud-boothook\necho boot'], // the last line ending goes, as in Python
    ],
  );
});

test('charsets: iso-8859-1 and utf-16 become UTF-8; utf-8 bytes are kept as they are', () => {
  const latin = Buffer.concat([msg('Content-Type: text/x-shellscript; charset=ISO-8859-1\n\n#!/bin/sh\necho '), Buffer.from([0xe9, 0x80]), msg('\n')]);
  assert.equal(parseMime(latin)[0]?.body.toString('utf8'), '#!/bin/sh\necho é\u0080\n');
  const u16 = Buffer.concat([msg('Content-Type: text/plain; charset=utf-16le\nContent-Transfer-Encoding: base64\n\n'), msg(Buffer.from('#cloud-config\n', 'utf16le').toString('base64'))]);
  assert.equal(parseMime(u16)[0]?.body.toString('utf8'), '#cloud-config\n');
  const bad = Buffer.concat([msg('Content-Type: text/plain; charset=utf-8\n\n'), Buffer.from([0xff, 0xfe])]);
  assert.deepEqual([...(parseMime(bad)[0]?.body ?? [])], [0xff, 0xfe]);
  assert.throws(() => parseMime(msg('Content-Type: text/plain; charset=klingon\n\nx')), /user-data:3: not supported: charset "klingon"/);
});

test('RFC 2231 filenames and header lookups', () => {
  const parts = parseMime(msg("Content-Type: text/x-shellscript\nContent-Disposition: attachment; filename*=utf-8''h%C3%A9llo%20world.sh\nX-Other: 1\n\n#!/bin/sh\n"));
  assert.equal(parts[0]?.filename, 'héllo world.sh');
  assert.equal(headerValue(parts[0]?.headers ?? [], 'x-other'), '1');
});

test('a message whose first line is no header is one text/plain part (as Python reads it)', () => {
  const parts = parseMime(msg('#!/bin/sh\necho mime-version: 1\n'));
  assert.equal(parts.length, 1);
  assert.equal(parts[0]?.contentType, 'text/plain');
  assert.equal(parts[0]?.body.toString(), '#!/bin/sh\necho mime-version: 1\n');
  assert.equal(isMimeMessage(msg('#!/bin/sh\necho mime-version: 1\n')), true);
  assert.equal(isMimeMessage(msg('#cloud-config\n')), false);
});

test('what cannot be read is an error naming the line', () => {
  assert.throws(
    () => parseMime(msg('Content-Type: multipart/mixed\n\n--x\n\nbody\n'), 'ud'),
    (e: unknown) => e instanceof MimeError && e.message === 'ud:1: multipart/mixed has no boundary parameter in its Content-Type',
  );
  assert.throws(() => parseMime(msg('Content-Type: multipart/mixed; boundary=q\n\n--z\n\nbody\n'), 'ud'), /ud:1: multipart\/mixed boundary "q" never appears/);
  assert.throws(() => parseMime(msg('Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Transfer-Encoding: base64\n\naGVsbG8g\naGV$sbG8=\n--q--\n'), 'ud'), /ud:7: base64 body holds '\$'/);
  assert.throws(() => parseMime(msg('Content-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n')), /user-data:3: not supported: Content-Transfer-Encoding "x-uuencode"/);
  assert.throws(() => parseMime(msg('Content-Type: message/rfc822\n\nSubject: x\n\nbody')), /not supported: message\/rfc822/);
});

test('compose then parse gives the same parts back', () => {
  const parts = [
    { contentType: 'text/cloud-config', body: '#cloud-config\nruncmd: [ls]\n', filename: 'a.yaml' },
    { contentType: 'text/x-shellscript', body: '#!/bin/sh\necho "héllo"\r\n', filename: 'b "quoted".sh' },
    { contentType: 'application/octet-stream', body: Buffer.from([0, 1, 2, 255]), filename: 'bin', headers: [{ name: 'Merge-Type', value: 'list(append)' }] },
  ];
  const out = composeMime(parts);
  assert.deepEqual(composeMime(parts), out, 'the same input gives the same message');
  const back = parseMime(out);
  assert.deepEqual(
    back.map((p) => [p.contentType, p.filename, p.body.toString('hex'), p.mergeType]),
    parts.map((p) => [p.contentType, p.filename, Buffer.from(p.body).toString('hex'), p.headers?.[0]?.value ?? null]),
  );
  assert.throws(() => composeMime([{ contentType: 'cloud-config', body: '' }]), /invalid content type "cloud-config"/);
});

test('messages made by Python email.mime parse to the same parts', (t) => {
  const py = `
import sys, json, base64
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.base import MIMEBase
from email import encoders
from email.charset import Charset, QP
outer = MIMEMultipart()
outer.preamble = 'preamble text'
a = MIMEText('#!/bin/sh\\necho héllo\\n', 'x-shellscript', 'utf-8'); a.add_header('Content-Disposition', 'attachment', filename='s.sh'); outer.attach(a)
b = MIMEText('#cloud-config\\nruncmd:\\n - [ls, -l]\\n', 'cloud-config'); b.add_header('Merge-Type', 'list(append)'); outer.attach(b)
c = MIMEText('description "x"\\nstart on runlevel [2345]\\n', 'upstart-job', 'iso-8859-1'); c.add_header('Content-Disposition', 'attachment', filename='job.conf'); outer.attach(c)
inner = MIMEMultipart('alternative'); qcs = Charset('utf-8'); qcs.body_encoding = QP; inner.attach(MIMEText('é=x ' * 40 + '\\n', 'plain', qcs)); outer.attach(inner)
d = MIMEBase('application', 'octet-stream'); d.set_payload(bytes(range(256))); encoders.encode_base64(d); outer.attach(d)
msg = outer.as_bytes()
def body(p):
    b = p.get_payload(decode=True); cs = p.get_content_charset()
    return b.decode(cs).encode('utf-8') if p.get_content_maintype() == 'text' and cs else b
parts = [dict(ct=p.get_content_type(), fn=p.get_filename(), body=base64.b64encode(body(p)).decode()) for p in outer.walk() if not p.is_multipart()]
sys.stdout.write(json.dumps(dict(msg=base64.b64encode(msg).decode(), parts=parts)))
`;
  const r = spawnSync(PYTHON3, ['-c', py], { encoding: 'utf8' });
  if (r.status !== 0) return t.skip(`python3 unavailable: ${r.stderr}`);
  const { msg: m, parts } = JSON.parse(r.stdout) as { msg: string; parts: Array<{ ct: string; fn: string | null; body: string }> };
  const ours = parseMime(Buffer.from(m, 'base64'));
  assert.deepEqual(
    ours.map((p) => ({ ct: p.contentType, fn: p.filename, body: p.body.toString('base64') })),
    parts,
  );
});

test('property: no input makes parseMime throw anything but MimeError', () => {
  const piece = fc.constantFrom(
    '--b',
    '--b--',
    '\r\n',
    '\n',
    '\r',
    'Content-Type: multipart/mixed; boundary=b',
    'Content-Type: text/plain; charset=utf-16',
    'Content-Transfer-Encoding: base64',
    'Content-Transfer-Encoding: quoted-printable',
    '=\n',
    '=4',
    '==',
    ' ',
    'aGk=',
    'Content-Disposition: attachment; filename*0*=x',
    "filename*=utf-8''%ff",
    ':',
    'MIME-Version: 1.0',
  );
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.array(fc.oneof(piece, fc.string({ maxLength: 5 })), { maxLength: 40 }).map((a) => Buffer.from(a.join(''), 'utf8')),
  );
  fc.assert(
    fc.property(input, (b) => {
      try {
        parseMime(b);
      } catch (e) {
        if (!(e instanceof MimeError)) throw e;
      }
    }),
    { numRuns: 3000 },
  );
});

test('property: composed messages parse back to their parts', () => {
  const part = fc.record({
    contentType: fc.constantFrom('text/cloud-config', 'text/x-shellscript', 'application/octet-stream', 'text/jinja2'),
    body: fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    ),
    filename: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\r\n]/.test(s) && s.trim() === s),
  });
  fc.assert(
    fc.property(fc.array(part, { maxLength: 5 }), (parts) => {
      const back = parseMime(composeMime(parts));
      assert.deepEqual(
        back.map((p) => [p.contentType, p.filename, p.body.toString('hex')]),
        parts.map((p) => [p.contentType, p.filename, Buffer.from(p.body).toString('hex')]),
      );
    }),
    { numRuns: 500 },
  );
});

test('differential: odd but readable messages split as Python email splits them', (t) => {
  const samples = [
    'From someone Mon Jan 1 00:00:00 2024\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n',
    ' leading continuation\nContent-Type: text/cloud-config\n\n#cloud-config\n',
    'Content-Type: multipart/mixed; boundary=b\n\n--b\n#!/bin/sh\necho no headers\n--b  \nContent-Type: TEXT/X-ShellScript\n\n#!/bin/sh\n--b--  \nepilogue\n--b\nnot a part\n',
    'Content-Type: multipart/mixed; boundary="a b"\n\n--a b\r\nContent-Type: text/plain\r\n\r\nx\r\n\r\n--a b--\r\n',
    'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nno end\n',
    'Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/mixed; boundary=inner\n\n--inner\n\ninner one\n--outer\n\nouter two\n--outer--\n',
    'Content-Type: text/plain; charset="us-ascii"; name=x.sh\nContent-Transfer-Encoding: quoted-printable\n\n#!/bin/sh=\n\necho a=3Db =\n',
    'Content-Type: notatype\n\nbody\n',
    'Content-Type: text/plain\nContent-Disposition: attachment; filename="a\\"b.sh"\n\nx',
  ];
  const py = `
import base64, email, json, sys
out = []
for s in json.load(sys.stdin):
    m = email.message_from_bytes(s.encode())
    out.append([dict(ct=p.get_content_type(), fn=p.get_filename(), body=base64.b64encode(p.get_payload(decode=True) or b'').decode()) for p in m.walk() if not p.is_multipart()])
json.dump(out, sys.stdout)
`;
  const r = spawnSync(PYTHON3, ['-c', py], { input: JSON.stringify(samples), encoding: 'utf8' });
  if (r.status !== 0) return t.skip(`python3 unavailable: ${r.stderr}`);
  const ref = JSON.parse(r.stdout) as unknown[];
  samples.forEach((s, i) => {
    const ours = parseMime(msg(s)).map((p) => ({ ct: p.contentType, fn: p.filename, body: p.body.toString('base64') }));
    assert.deepEqual(ours, ref[i], `#${i} ${JSON.stringify(s)}`);
  });
});

test('differential: generated messages split as Python email splits them', (t) => {
  const eol = fc.constantFrom('\n', '\r\n');
  const body = fc.array(fc.constantFrom('#!/bin/sh', 'echo a=b', '', '  indented', 'héllo', '--not-a-boundary', 'x'), { maxLength: 4 });
  const leaf = fc.record({
    ct: fc.option(fc.constantFrom('text/x-shellscript', 'text/cloud-config', 'Text/Plain', 'application/octet-stream'), { nil: undefined }),
    cte: fc.constantFrom('', '7bit', 'base64', 'quoted-printable'),
    // ASCII names only: for raw UTF-8 in a header Python gives surrogates, nimbus UTF-8.
    fn: fc.option(fc.constantFrom('a.sh', 'b c.yaml', 'u.txt'), { nil: undefined }),
    lines: body,
  });
  const msgArb = fc.record({
    eol,
    parts: fc.array(fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: fc.array(leaf, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 3 }),
    close: fc.boolean(),
    preamble: fc.boolean(),
  });
  type Leaf = { ct?: string; cte: string; fn?: string; lines: string[] };
  const render = (l: Leaf, nl: string): string => {
    const h: string[] = [];
    if (l.ct) h.push(`Content-Type: ${l.ct}`);
    if (l.cte) h.push(`Content-Transfer-Encoding: ${l.cte}`);
    if (l.fn) h.push(`Content-Disposition: attachment; filename="${l.fn}"`);
    const text = l.lines.join(nl);
    const encoded =
      l.cte === 'base64'
        ? (
            Buffer.from(text)
              .toString('base64')
              .match(/.{1,20}/g) ?? []
          ).join(nl)
        : l.cte === 'quoted-printable'
          ? text.replace(/=/g, '=3D').replace(/é/g, '=C3=A9')
          : text;
    return `${h.join(nl)}${nl}${nl}${encoded}`;
  };
  const samples = fc.sample(msgArb, { numRuns: 300, seed: 3 }).map(({ eol: nl, parts, close, preamble }, k) => {
    const out = [`MIME-Version: 1.0`, `Content-Type: multipart/mixed; boundary="outer${k}"`, '', preamble ? 'preamble' : ''];
    for (const p of parts) {
      out.push(`--outer${k}`);
      if (Array.isArray(p)) {
        out.push(`Content-Type: multipart/alternative; boundary=in${k}`, '');
        for (const q of p) out.push(`--in${k}`, render(q, nl));
        out.push(`--in${k}--`);
      } else out.push(render(p, nl));
    }
    if (close) out.push(`--outer${k}--`, '');
    return out.join(nl);
  });
  const py = `
import base64, email, json, sys
out = []
for s in json.load(sys.stdin):
    m = email.message_from_bytes(s.encode())
    out.append([dict(ct=p.get_content_type(), fn=p.get_filename(), body=base64.b64encode(p.get_payload(decode=True) or b'').decode()) for p in m.walk() if not p.is_multipart()])
json.dump(out, sys.stdout)
`;
  const r = spawnSync(PYTHON3, ['-c', py], { input: JSON.stringify(samples), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return t.skip(`python3 unavailable: ${r.stderr}`);
  const ref = JSON.parse(r.stdout) as unknown[];
  samples.forEach((s, i) => {
    const ours = parseMime(msg(s)).map((p) => ({ ct: p.contentType, fn: p.filename, body: p.body.toString('base64') }));
    assert.deepEqual(ours, ref[i], `#${i} ${JSON.stringify(s)}`);
  });
});
