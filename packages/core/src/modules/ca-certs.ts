// ca_certs: trusted CA certificates from `ca_certs` (or the old `ca-certs`), once per
// instance, as cloud-init does: with remove_defaults the distro's own CAs are turned off
// first (Debian: every line of /etc/ca-certificates.conf deselected with "!" and debconf
// told not to trust new ones; the rhel family: its trust directories emptied), each
// `trusted` certificate is written to its own file where the distro's tool reads local
// CAs, and the tool (update-ca-certificates, update-ca-trust) rebuilds the bundle.
// Every certificate is checked to be PEM certificates and nothing else.
import type { Module, ModuleContext, Z } from './types.js';
import type { DistroFamily } from '../distro/types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';

interface CaPaths {
  /** The directory of the distro's own CAs that remove_defaults empties (rhel family), or null. */
  certPath: string | null;
  localPath: string;
  /** The file name of the Nth certificate under localPath. */
  fileName: (n: number) => string;
  /** Debian's list of enabled CAs, or null. */
  config: string | null;
  update: string[];
}

export function caPathsFor(family: DistroFamily): CaPaths {
  // cloud-init's opensuse entry, shared by its whole suse family.
  if (family === 'suse') {
    return { certPath: '/etc/pki/trust', localPath: '/usr/share/pki/trust', fileName: (n) => `anchors/cloud-init-ca-cert-${n}.crt`, config: null, update: ['update-ca-certificates'] };
  }
  if (family === 'debian') {
    return { certPath: null, localPath: '/usr/local/share/ca-certificates', fileName: (n) => `cloud-init-ca-cert-${n}.crt`, config: '/etc/ca-certificates.conf', update: ['update-ca-certificates'] };
  }
  return { certPath: '/etc/pki/ca-trust', localPath: '/usr/share/pki/ca-trust-source', fileName: (n) => `anchors/cloud-init-ca-cert-${n}.crt`, config: null, update: ['update-ca-trust'] };
}

const caCertsObject = (z: Z) =>
  z
    .object({
      remove_defaults: z.boolean().optional(),
      'remove-defaults': z.boolean().optional(),
      trusted: z.array(z.string()).min(1).optional(),
    })
    .strict();

const PEM = /^\s*(?:-----BEGIN (TRUSTED )?CERTIFICATE-----\r?\n(?:[A-Za-z0-9+/=]{1,76}\r?\n)+-----END \1CERTIFICATE-----\s*)+$/;

/** Why `v` is not one or more PEM certificates (only blank space around them), or null (pure). */
export function certificateProblem(v: unknown): string | null {
  if (typeof v !== 'string') return 'expected a PEM certificate (a string)';
  if (!PEM.test(v)) return 'not a PEM certificate: expected only -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- blocks of base64 lines';
  return null;
}

/** /etc/ca-certificates.conf with every selected CA deselected, as cloud-init marks it (pure). */
export function deselectAll(text: string): string {
  const HEADER = '# Modified by cloud-init to deselect certs due to user-data';
  let added = false;
  const out: string[] = [];
  for (const line of text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined)) {
    if (line === HEADER) {
      added = true;
      out.push(line);
    } else if (line === '' || line.startsWith('#') || line.startsWith('!')) out.push(line);
    else {
      if (!added) {
        out.push(HEADER);
        added = true;
      }
      out.push(`!${line}`);
    }
  }
  return out.join('\n') + '\n';
}

function run(ctx: ModuleContext): void {
  let key = 'ca_certs';
  if (ctx.cfg['ca-certs'] !== undefined) {
    if (ctx.cfg.ca_certs !== undefined) ctx.log.warn(`${ctx.source.where(['ca-certs'])}both ca-certs (deprecated) and ca_certs are set; ca-certs is ignored`);
    else {
      ctx.log.deprecated(`${ctx.source.where(['ca-certs'])}ca-certs is deprecated; use ca_certs`);
      key = 'ca-certs';
    }
  }
  const c = ctx.cfg[key];
  if (!isDict(c)) throw new Error(`${ctx.source.where([key])}${key} must be a mapping`);
  let removeKey = 'remove_defaults';
  if (c.remove_defaults === undefined && c['remove-defaults'] !== undefined) {
    removeKey = 'remove-defaults';
    ctx.log.deprecated(`${ctx.source.where([key, 'remove-defaults'])}${key}.remove-defaults is deprecated; use remove_defaults`);
  }
  const remove = c[removeKey];
  if (remove !== undefined && typeof remove !== 'boolean') throw new Error(`${ctx.source.where([key, removeKey])}${key}.${removeKey} must be true or false`);
  const trusted = c.trusted === undefined || c.trusted === null ? [] : typeof c.trusted === 'string' ? [c.trusted] : c.trusted;
  if (!Array.isArray(trusted)) throw new Error(`${ctx.source.where([key, 'trusted'])}${key}.trusted must be a list of PEM certificates`);
  const bad = trusted.map((t, i) => [i, certificateProblem(t)] as const).filter(([, why]) => why !== null);
  if (bad.length > 0) {
    for (const [i, why] of bad) ctx.log.error(`${ctx.source.where([key, 'trusted', ...(typeof c.trusted === 'string' ? [] : [i])])}${key}.trusted[${i}]: ${why}`);
    throw new Error(`${bad.length} certificate(s) refused; the certificates were left as they were`);
  }
  const paths = caPathsFor(ctx.distro.family);
  const fs = ctx.host.fs;
  const runOrFail = (argv: string[], stdin?: string) => {
    const why = failure(ctx.host.exec.run(argv, stdin === undefined ? { output: 'log' } : { stdin }));
    if (why !== null) throw new Error(`${key}: ${argv.join(' ')} failed: ${why}`);
  };
  if (remove === true) {
    if (paths.config !== null) {
      const text = fs.readText(paths.config);
      if (text !== null && text !== '') fs.write(paths.config, deselectAll(text), { mode: fs.stat(paths.config)?.mode ?? 0o644 });
      runOrFail(['debconf-set-selections', '-'], 'ca-certificates ca-certificates/trust_new_crts select no');
    } else {
      for (const dir of [paths.certPath as string, paths.localPath]) for (const n of fs.list(dir)) fs.remove(`${dir}/${n}`);
    }
    ctx.log.info('the distro default CA certificates are turned off');
  }
  trusted.forEach((cert, i) => {
    fs.write(`${paths.localPath}/${paths.fileName(i + 1)}`, cert as string, { mode: 0o644 });
  });
  if (trusted.length > 0) ctx.log.info(`${trusted.length} trusted CA certificate(s) written to ${paths.localPath}`);
  runOrFail(paths.update);
}

export const caCerts: Module = {
  name: 'ca_certs',
  frequency: 'once-per-instance',
  keys: ['ca_certs', 'ca-certs'],
  schema: (z) => z.object({ ca_certs: caCertsObject(z).optional(), 'ca-certs': caCertsObject(z).optional() }),
  examples: [
    `#cloud-config
# Trust only the organisation's CA: the distro's CAs are turned off, this one added.
ca_certs:
  remove_defaults: true
  trusted:
    - |
      -----BEGIN CERTIFICATE-----
      MIIBjTCCATOgAwIBAgIUAzKfdjKGnSD9khornPSkdnd88XQwCgYIKoZIzj0EAwIw
      HDEaMBgGA1UEAwwRbmltYnVzIGV4YW1wbGUgQ0EwHhcNMjYxMjAzMTM1NDA3WhcN
      MzYxMTMwMTM1NDA3WjAcMRowGAYDVQQDDBFuaW1idXMgZXhhbXBsZSBDQTBZMBMG
      ByqGSM49AgEGCCqGSM49AwEHA0IABO2jvoc3U4EkK1VHxGh7efiYmAvUKD4/G/CB
      0xGvdQsPqZNAeJvcRrBu7GR0Byeq3bHYwfGNfHwaCV9PSDjRohqjUzBRMB0GA1Ud
      DgQWBBTpLf3jOOrT9+i2DBwYa5l8z82Q1DAfBgNVHSMEGDAWgBTpLf3jOOrT9+i2
      DBwYa5l8z82Q1DAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDU
      GrBz49zxzUSvdB3niDMqzNbxMXc/wiI7GzGwqVa5QAIgV8Z3g42Ap2KCUOifUwfj
      pYXsgubB+ap12IJpBLc/WJo=
      -----END CERTIFICATE-----
`,
  ],
  run,
};
