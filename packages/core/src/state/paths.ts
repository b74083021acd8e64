// cloud-init's on-disk layout, kept exactly so tools and images that know it keep working.
//
//   /var/lib/cloud/instance -> instances/<iid>
//   /var/lib/cloud/instances/<iid>/{user-data.txt,cloud-config.txt,scripts/,sem/,obj.json,...}
//   /var/lib/cloud/data/{instance-id,previous-instance-id,status.json,result.json,...}
//   /var/lib/cloud/{sem,scripts/per-boot|per-instance|per-once|vendor,seed,handlers}
//   /run/cloud-init/{status.json,result.json,instance-data.json,...}

import { escapeControl } from '../util/escape.js';

export const CLOUD_DIR = '/var/lib/cloud';
export const RUN_DIR = '/run/cloud-init';

/**
 * cloud-init puts the instance-id into a directory name with "/" turned into "_".
 * Control characters are written as \xNN (nimbus's own): a name shown by ls or in a
 * log must not carry an ESC to the terminal.
 */
export function instanceDirName(iid: string): string {
  const name = iid.replace(/\//g, '_');
  if (name === '' || name === '.' || name === '..' || /[\0\n\r]/.test(name)) {
    throw new Error(`instance-id ${JSON.stringify(iid)} cannot be used as a directory name`);
  }
  return escapeControl(name);
}

export class Paths {
  readonly cloudDir = CLOUD_DIR;
  readonly runDir = RUN_DIR;
  readonly instanceLink = `${CLOUD_DIR}/instance`;
  readonly dataDir = `${CLOUD_DIR}/data`;
  readonly semDir = `${CLOUD_DIR}/sem`;
  readonly seedDir = `${CLOUD_DIR}/seed`;
  readonly scriptsDir = `${CLOUD_DIR}/scripts`;
  readonly statusJson = `${RUN_DIR}/status.json`;
  readonly resultJson = `${RUN_DIR}/result.json`;
  readonly instanceData = `${RUN_DIR}/instance-data.json`;
  readonly instanceDataSensitive = `${RUN_DIR}/instance-data-sensitive.json`;
  readonly runInstanceId = `${RUN_DIR}/.instance-id`;
  readonly disabledFile = '/etc/cloud/cloud-init.disabled';

  constructor(readonly iid: string | null = null) {}

  withInstance(iid: string): Paths {
    return new Paths(iid);
  }

  /** instances/<iid>/<rel> for the current instance. */
  instance(rel = ''): string {
    if (this.iid === null) throw new Error('no instance yet');
    const base = `${CLOUD_DIR}/instances/${instanceDirName(this.iid)}`;
    return rel === '' ? base : `${base}/${rel}`;
  }

  data(name: string): string {
    return `${this.dataDir}/${name}`;
  }

  /** Semaphore of a module (config_<name>) at a frequency; null for `always`. */
  semaphore(name: string, frequency: 'always' | 'once-per-instance' | 'once'): string | null {
    if (frequency === 'always') return null;
    if (frequency === 'once') return `${this.semDir}/config_${name}.once`;
    return this.instance(`sem/config_${name}`);
  }

  /** The lock that keeps two processes from running the same module at once. */
  moduleLock(name: string): string {
    return `${RUN_DIR}/locks/config_${name}.lock`;
  }
}
