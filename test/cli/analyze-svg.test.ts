// `analyze show --svg FILE`: the boot on a timeline. The SVG is read back with an XML
// parser (Python's ElementTree) and every stage's and module's box is checked against
// the start and finish times in the log it was drawn from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, cli, makeRoot } from '../helpers/boot.js';
import { PYTHON3 } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-root.js';

interface Box {
  cls: string;
  name: string;
  x: number;
  width: number;
  label: string;
}

const READ_SVG = `
import json, sys, xml.etree.ElementTree as ET
ns = {'s': 'http://www.w3.org/2000/svg'}
root = ET.parse(sys.argv[1]).getroot()
boxes = []
for g in root.findall('s:g', ns):
    r = g.find('s:rect', ns)
    t = g.find('s:text', ns)
    boxes.append({'cls': g.get('class'), 'name': g.get('data-name'), 'x': float(r.get('x')), 'width': float(r.get('width')), 'label': t.text})
print(json.dumps({'pps': float(root.get('data-px-per-second')), 'origin': float(root.get('data-origin')), 'left': float(root.get('data-left')), 'boxes': boxes}))
`;

function readSvg(file: string): { pps: number; origin: number; left: number; boxes: Box[] } {
  const r = spawnSync(PYTHON3, ['-c', READ_SVG, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `the SVG is not well-formed XML: ${r.stderr}`);
  return JSON.parse(r.stdout) as { pps: number; origin: number; left: number; boxes: Box[] };
}

/** Each event's start and finish, read from the log with a pattern of the test's own. */
function logTimes(log: string): Map<string, { start: number; finish: number }> {
  const out = new Map<string, { start: number; finish: number }>();
  const lines = log.split('\n');
  const first = lines.map((l, i) => (l.includes(': start: init-local:') ? i : -1)).filter((i) => i >= 0);
  const lastBoot = lines.slice(first[first.length - 1] ?? 0).join('\n');
  for (const m of lastBoot.matchAll(/^(\S+ \S+?)[,.](\d{3}) - \S+\[\w+\]: (start|finish): (\S+?): /gm)) {
    const t = Date.parse(`${m[1]!.replace(' ', 'T')}.${m[2]}Z`) / 1000;
    const e = out.get(m[4]!) ?? { start: Number.NaN, finish: Number.NaN };
    if (m[3] === 'start') e.start = t;
    else e.finish = t;
    out.set(m[4]!, e);
  }
  return out;
}

function checkBoxes(log: string, svgFile: string): Box[] {
  const svg = readSvg(svgFile);
  const times = logTimes(log);
  assert.ok(svg.boxes.length > 0);
  for (const b of svg.boxes) {
    const t = times.get(b.name);
    assert.ok(t, `${b.name} is drawn but not in the log`);
    const start = Number.isNaN(t.start) ? t.finish : t.start;
    const seconds = Number.isNaN(t.start) ? 0 : t.finish - t.start;
    assert.ok(Math.abs(b.x - (svg.left + (start - svg.origin) * svg.pps)) < 0.01, `${b.name}: box starts at x=${b.x}, the log says ${start - svg.origin} s`);
    assert.ok(Math.abs(b.width - Math.max(seconds * svg.pps, 1)) < 0.01, `${b.name}: box is ${b.width} px wide, the log says ${seconds} s`);
  }
  return svg.boxes;
}

test('analyze show --svg draws every stage and module of the last boot at its logged time and length', () => {
  const root = makeRoot();
  boot(root);
  boot(root);
  const out = path.join(tempDir('nimbus-svg-'), 'boot.svg');
  const r = cli(root, 'analyze', 'show', '--svg', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 boot records analyzed/, 'the text report is still printed');
  const log = fs.readFileSync(path.join(root, 'var/log/cloud-init.log'), 'utf8');
  const boxes = checkBoxes(log, out);
  assert.deepEqual(
    boxes.filter((b) => b.cls === 'stage').map((b) => b.name),
    ['init-local', 'init', 'modules-config', 'modules-final'],
  );
  assert.ok(boxes.some((b) => b.cls.startsWith('module') && b.name === 'init/config-write_files' && /^write_files \(/.test(b.label.replace('config-', ''))));
  assert.ok(boxes.some((b) => b.name === 'modules-final/config-scripts_user'));
});

test("analyze show --svg draws cloud-init's own log too, failed events marked", () => {
  const log = [
    '2026-11-22 01:26:02,701 - handlers.py[DEBUG]: start: init-local: searching for local datasources',
    '2026-11-22 01:26:02,860 - handlers.py[DEBUG]: finish: init-local: SUCCESS: searching for local datasources',
    '2026-11-22 01:26:03,513 - handlers.py[DEBUG]: start: init-network: searching for network datasources',
    '2026-11-22 01:26:03,600 - handlers.py[DEBUG]: start: init-network/config-write_files: running config-write_files with frequency once-per-instance',
    '2026-11-22 01:26:03,650 - handlers.py[DEBUG]: finish: init-network/config-write_files: FAIL: running config-write_files failed',
    '2026-11-22 01:26:03,968 - handlers.py[DEBUG]: finish: init-network: SUCCESS: searching for network datasources',
  ].join('\n');
  const root = tempDir('nimbus-svg-ci-');
  fs.mkdirSync(path.join(root, 'var/log'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/log/ci.log'), log);
  const out = path.join(root, 'ci.svg');
  assert.equal(cli(root, 'analyze', 'show', '-i', '/var/log/ci.log', '--svg', out).code, 0);
  const boxes = checkBoxes(log, out);
  assert.deepEqual(
    boxes.map((b) => [b.cls, b.name]),
    [
      ['stage', 'init-local'],
      ['stage', 'init-network'],
      ['module failed', 'init-network/config-write_files'],
    ],
  );
  fs.writeFileSync(path.join(root, 'var/log/empty.log'), 'nothing here\n');
  const empty = cli(root, 'analyze', 'show', '-i', '/var/log/empty.log', '--svg', out);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /no boot events to draw/);
});
