// status.json and result.json in cloud-init's shape (v1, one entry per stage with
// start/finished/errors, plus recoverable_errors as newer cloud-init writes them). As
// in cloud-init 22.4 the files live in /var/lib/cloud/data and /run/cloud-init holds
// relative links to them; the links being in /run is what says "this boot".
import type { Host } from '../host/host.js';
import type { StageReport } from '../log/logger.js';
import { isDict } from '../config/merge.js';
import { Paths } from './paths.js';

import { STATUS_STAGES as STAGES, type StatusStage } from '../stages/stage-names.js';

export type { StatusStage };

export interface StageStatus {
  start: number | null;
  finished: number | null;
  errors: string[];
  recoverable_errors: Record<string, string[]>;
}

export interface StatusV1 {
  datasource: string | null;
  stage: StatusStage | null;
  'init-local': StageStatus;
  init: StageStatus;
  'modules-init': StageStatus;
  'modules-config': StageStatus;
  'modules-final': StageStatus;
}

const emptyStage = (): StageStatus => ({ start: null, finished: null, errors: [], recoverable_errors: {} });

export function emptyStatus(): StatusV1 {
  return { datasource: null, stage: null, 'init-local': emptyStage(), init: emptyStage(), 'modules-init': emptyStage(), 'modules-config': emptyStage(), 'modules-final': emptyStage() };
}

export function readStatus(host: Host, paths = new Paths()): StatusV1 | null {
  const text = host.fs.readText(paths.statusJson);
  if (text === null) return null;
  try {
    const doc = JSON.parse(text) as { v1?: unknown };
    if (!isDict(doc.v1)) return null;
    const v1 = { ...emptyStatus(), ...(doc.v1 as Partial<StatusV1>) };
    for (const s of STAGES) v1[s] = { ...emptyStage(), ...(isDict(v1[s]) ? v1[s] : {}) };
    return v1;
  } catch {
    return null;
  }
}

function writeJsonWithLink(host: Host, name: 'status.json' | 'result.json', doc: unknown): void {
  const paths = new Paths();
  host.fs.write(paths.data(name), JSON.stringify(doc, null, 1) + '\n', { mode: 0o644 });
  const link = `${paths.runDir}/${name}`;
  const target = `../../var/lib/cloud/data/${name}`;
  try {
    if (host.fs.readlink(link) !== target) host.fs.symlink(target, link);
  } catch {
    // A full /run: the file itself is written (above); the stage that finds /run full
    // says so where it writes its own /run files (stages/env.ts writeAid).
  }
}

export function writeStatus(host: Host, v1: StatusV1): void {
  writeJsonWithLink(host, 'status.json', { v1 });
}

/** Marks a stage started; init-local begins a new boot's record. */
export function stageStarted(host: Host, stage: StatusStage): StatusV1 {
  const paths = new Paths();
  let v1: StatusV1;
  if (stage === 'init-local') {
    host.fs.remove(paths.resultJson);
    host.fs.remove(paths.data('result.json'));
    v1 = emptyStatus();
  } else {
    v1 = readStatus(host) ?? emptyStatus();
  }
  v1.stage = stage;
  v1[stage] = { ...emptyStage(), start: host.clock.now() };
  writeStatus(host, v1);
  return v1;
}

export function stageFinished(host: Host, stage: StatusStage, report: StageReport, datasource: string | null): StatusV1 {
  const v1 = readStatus(host) ?? emptyStatus();
  v1.stage = null;
  if (datasource !== null) v1.datasource = datasource;
  const rec: Record<string, string[]> = {};
  for (const [level, msgs] of Object.entries(report.recoverable)) if (msgs.length > 0) rec[level] = [...msgs];
  v1[stage] = { start: v1[stage].start ?? host.clock.now(), finished: host.clock.now(), errors: [...report.errors], recoverable_errors: rec };
  writeStatus(host, v1);
  return v1;
}

/** result.json, written when the final stage ends: the datasource and every error of the boot. */
export function writeResult(host: Host, v1: StatusV1): void {
  const errors = STAGES.flatMap((s) => v1[s].errors);
  const rec: Record<string, string[]> = {};
  for (const s of STAGES) for (const [level, msgs] of Object.entries(v1[s].recoverable_errors)) (rec[level] ??= []).push(...msgs);
  writeJsonWithLink(host, 'result.json', { v1: { datasource: v1.datasource, errors, recoverable_errors: rec } });
}
