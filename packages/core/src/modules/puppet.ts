// puppet: once per instance, puppet is installed (the distro's puppet-agent or puppet
// package, or puppetlabs' all-in-one install.sh), puppet.conf gets the `conf` sections,
// the server's CA certificate goes into the SSL directory, csr_attributes.yaml is
// written, the agent service is enabled, the agent is run once when `exec` asks, and
// the service started. Keys and defaults are cloud-init 25.x's.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { argProblem, type PackageSpec } from './lib/package-manager.js';
import { makeInstaller } from './lib/package-install.js';
import { failure } from './lib/tree-exec.js';
import { passwdEntry } from './lib/accounts.js';
import { commandsReachTree, serviceAction } from './lib/run-as.js';
import { downloadScript, type DownloadDeps, runScript, urlProblem } from './lib/remote-installer.js';
import { pyyamlDump } from './lib/pyyaml-dump.js';
import { wantedName } from './lib/hostname.js';

export const AIO_INSTALL_URL = 'https://raw.githubusercontent.com/puppetlabs/install-puppet/main/install.sh';
const PACKAGE_NAMES = ['puppet-agent', 'puppet'] as const;
const SECTIONS = ['main', 'server', 'agent', 'user'] as const;

/** Where puppet keeps its files when `puppet config print` cannot say (it is not installed yet, or only recorded). */
export const PUPPET_PATHS = {
  packages: { config: '/etc/puppet/puppet.conf', ssldir: '/var/lib/puppet/ssl', csr_attributes: '/etc/puppet/csr_attributes.yaml' },
  aio: { config: '/etc/puppetlabs/puppet/puppet.conf', ssldir: '/etc/puppetlabs/puppet/ssl', csr_attributes: '/etc/puppetlabs/puppet/csr_attributes.yaml' },
} as const;

const puppetSchema = (z: Z) =>
  z.object({
    puppet: z
      .object({
        install: z.boolean().optional(),
        version: z.string().optional(),
        install_type: z.enum(['packages', 'aio']).optional(),
        collection: z.string().optional(),
        aio_install_url: z.string().optional(),
        cleanup: z.boolean().optional(),
        conf_file: z.string().optional(),
        ssl_dir: z.string().optional(),
        csr_attributes_path: z.string().optional(),
        package_name: z.string().optional(),
        exec: z.boolean().optional(),
        exec_args: z.union([z.array(z.string()), z.string()]).optional(),
        start_service: z.boolean().optional(),
        conf: z
          .object({
            main: z.record(z.string(), z.unknown()).optional(),
            server: z.record(z.string(), z.unknown()).optional(),
            agent: z.record(z.string(), z.unknown()).optional(),
            user: z.record(z.string(), z.unknown()).optional(),
            ca_cert: z.string().optional(),
          })
          .strict()
          .optional(),
        csr_attributes: z
          .object({ custom_attributes: z.record(z.string(), z.unknown()).optional(), extension_requests: z.record(z.string(), z.unknown()).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  });

type Path = (string | number)[];

/** An ini file as Python's configparser holds it: sections in order, options in order, names lower case. */
export type Ini = Map<string, Map<string, string>>;

/**
 * puppet.conf read as cloud-init reads it (pure): every line's leading blanks removed,
 * `[section]` headers, `key = value` or `key: value` options (names lower case),
 * `#` and `;` comments and blank lines dropped. A line that is none of these, or an
 * option before the first section, is an error naming the line.
 */
export function parseIni(text: string, file: string): Ini {
  const ini: Ini = new Map();
  let current: Map<string, string> | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimStart().replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#') || line.startsWith(';')) return;
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      const name = sec[1] as string;
      current = ini.get(name) ?? new Map();
      ini.set(name, current);
      return;
    }
    const opt = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!opt) throw new Error(`${file} line ${i + 1}: ${JSON.stringify(line)} is not "key = value" nor a [section]`);
    if (current === null) throw new Error(`${file} line ${i + 1}: an option before the first [section]`);
    (current as Map<string, string>).set((opt[1] as string).toLowerCase(), (opt[2] as string).trimEnd());
  });
  return ini;
}

/** The ini text as configparser writes it (pure): `[section]`, `key = value` lines, a blank line after each section. */
export function renderIni(ini: Ini): string {
  let out = '';
  for (const [name, opts] of ini) {
    out += `[${name}]\n`;
    for (const [k, v] of opts) out += `${k} = ${v}\n`;
    out += '\n';
  }
  return out;
}

/** A conf value as configparser writes Python's str() of it, or why it cannot be one (pure). */
function iniValue(v: unknown): { value: string } | { problem: string } {
  if (typeof v === 'boolean') return { value: v ? 'True' : 'False' };
  if (v === null) return { value: 'None' };
  if (typeof v === 'number' && Number.isFinite(v)) return { value: String(v) };
  if (typeof v !== 'string') return { problem: 'expected a string, a number or true/false' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a line break would add a line of its own to puppet.conf
  if (/[\u0000-\u001f\u007f]/.test(v)) return { problem: 'it contains a line break or a control character' };
  return { value: v };
}

/** certname with %f (the FQDN) and %i (the instance id) filled in, in lower case, as cloud-init writes it (pure). */
export function certname(v: string, fqdn: string, instanceId: string): string {
  return v.replace(/%f/g, fqdn).replace(/%i/g, instanceId).toLowerCase();
}

interface Settings {
  install: boolean;
  version: string | null;
  collection: string | null;
  installType: string;
  cleanup: boolean;
  exec: boolean;
  startService: boolean;
  aioUrl: string;
  packageName: string | null;
  execArgs: string[];
}

function readSettings(ctx: ModuleContext, p: Record<string, unknown>, problems: { path: Path; message: string }[]): Settings {
  const bool = (k: string, dflt: boolean): boolean => {
    const v = p[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    problems.push({ path: ['puppet', k], message: `puppet.${k} must be true or false` });
    return dflt;
  };
  const text = (k: string): string | null => {
    const v = p[k];
    if (v === undefined || v === null) return null;
    // cloud-init reads these with str(): a YAML number such as 7.7 is the version "7.7".
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    problems.push({ path: ['puppet', k], message: `puppet.${k} must be a string` });
    return null;
  };
  const installType = text('install_type') ?? 'packages';
  const s: Settings = {
    install: bool('install', true),
    version: text('version'),
    collection: text('collection'),
    installType,
    cleanup: bool('cleanup', true),
    exec: bool('exec', false),
    startService: bool('start_service', true),
    aioUrl: text('aio_install_url') ?? AIO_INSTALL_URL,
    packageName: text('package_name') ?? (installType === 'aio' ? 'puppet-agent' : null),
    execArgs: ['--test'],
  };
  for (const [k, v] of [
    ['version', s.version],
    ['package_name', s.packageName],
    ['collection', s.collection],
  ] as const)
    if (v !== null && argProblem(v) !== null && !(k === 'package_name' && p.package_name === undefined))
      problems.push({ path: ['puppet', k], message: `puppet.${k} ${JSON.stringify(v)}: ${argProblem(v)}` });
  if (installType !== 'packages' && installType !== 'aio') {
    // cloud-init: a warning, and the agent is not run.
    ctx.log.error(`${ctx.source.where(['puppet', 'install_type'])}puppet.install_type ${JSON.stringify(installType)} is not packages or aio: nothing is installed and the agent is not run`);
    s.exec = false;
  }
  if (s.installType === 'aio' && urlProblem(s.aioUrl) !== null)
    problems.push({ path: ['puppet', 'aio_install_url'], message: `puppet.aio_install_url ${JSON.stringify(s.aioUrl)}: ${urlProblem(s.aioUrl)}` });
  const ea = p.exec_args;
  if (ea !== undefined && ea !== null) {
    if (Array.isArray(ea) && ea.every((a) => typeof a === 'string')) s.execArgs = ea;
    else if (typeof ea === 'string') s.execArgs = ea.split(/\s+/).filter(Boolean);
    else problems.push({ path: ['puppet', 'exec_args'], message: 'puppet.exec_args must be a list of arguments or a string' });
  }
  return s;
}

async function install(ctx: ModuleContext, s: Settings, deps?: DownloadDeps): Promise<{ recorded: boolean }> {
  if (s.installType === 'aio') {
    const args = [...(s.version !== null ? ['-v', s.version] : []), ...(s.collection !== null ? ['-c', s.collection] : []), ...(s.cleanup ? ['--cleanup'] : [])];
    const { body, tries } = await downloadScript(s.aioUrl, 5, deps);
    if (body === null) throw new Error(`${ctx.source.where(['puppet', 'aio_install_url'])}puppet: the installer ${s.aioUrl} could not be downloaded (${tries.length} tries: ${tries.join('; ')})`);
    const r = runScript(ctx, body, 'puppet-install', args);
    const why = failure(r);
    if (why !== null) throw new Error(`puppet: the installer from ${s.aioUrl} failed: ${why} (see /var/log/cloud-init-output.log)`);
    ctx.log.info(`puppet installed with ${s.aioUrl}${args.length > 0 ? ` ${args.join(' ')}` : ''}`);
    return { recorded: r.recorded };
  }
  const { installer, problems } = makeInstaller(ctx);
  for (const p of problems) ctx.log.warn(p);
  if (installer === null) throw new Error(`${ctx.source.where(['puppet'])}puppet: cannot install puppet: ${problems.join('; ')}`);
  const spec = (name: string): PackageSpec => (s.version === null ? { name } : { name, version: s.version });
  // Without package_name, cloud-init tries puppet-agent, then puppet.
  const names = s.packageName !== null ? [s.packageName] : [...PACKAGE_NAMES];
  const why: string[] = [];
  for (const name of names) {
    const { failed, problems: ip } = await installer.install([spec(name)], { apt: [], snap: [] });
    if (failed.length === 0) {
      ctx.log.info(`puppet installed from the package ${name}`);
      return { recorded: ctx.host.exec.mode === 'record' };
    }
    why.push(...ip);
  }
  const msg = `puppet: no installable puppet package (${names.join(', ')})${why.length > 0 ? `: ${why.join('; ')}` : ''}`;
  if (s.packageName !== null) throw new Error(`${ctx.source.where(['puppet', 'package_name'])}${msg}`);
  ctx.log.warn(msg);
  return { recorded: false };
}

/** `puppet config print NAME` of the installed puppet, or null when it cannot say. */
function configPrint(ctx: ModuleContext, bin: string, name: string): string | null {
  if (!commandsReachTree(ctx)) return null;
  const r = ctx.host.exec.run([bin, 'config', 'print', name]);
  if (r.recorded || failure(r) !== null) return null;
  const v = r.stdout.trim();
  return v.startsWith('/') ? v : null;
}

/** The puppet service the tree has (puppet-agent.service, else puppet.service), or both in cloud-init's order when it has neither. */
function puppetServices(ctx: ModuleContext): string[] {
  const dirs = ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];
  for (const name of PACKAGE_NAMES) if (dirs.some((d) => ctx.host.fs.exists(`${d}/${name}.service`)) || ctx.host.fs.exists(`/etc/init.d/${name}`)) return [`${name}.service`];
  return PACKAGE_NAMES.map((n) => `${n}.service`);
}

function manageService(ctx: ModuleContext, action: 'enable' | 'start'): void {
  const tried: string[] = [];
  for (const svc of puppetServices(ctx)) {
    const r = serviceAction(ctx, action, svc);
    if (r === null) return;
    if (failure(r) === null) return;
    tried.push(`${svc}: ${failure(r)}`);
  }
  ctx.log.warn(`puppet: could not ${action} any of the services ${PACKAGE_NAMES.join(', ')} (${tried.join('; ')})`);
}

function owner(ctx: ModuleContext, user: string, recorded: boolean): { uid: number; gid: number } | null {
  if (user === 'root') return { uid: 0, gid: 0 };
  const e = passwdEntry(ctx.host.fs.readText('/etc/passwd'), user);
  if (e !== null) return { uid: e.uid, gid: 0 };
  const msg = `puppet: the user ${user} is not in /etc/passwd (it comes with the puppet package); the SSL directory stays owned by root`;
  if (recorded) ctx.log.info(msg);
  else ctx.log.warn(msg);
  return null;
}

async function run(ctx: ModuleContext, deps?: DownloadDeps): Promise<void> {
  const p = ctx.cfg.puppet;
  if (!isDict(p)) throw new Error(`${ctx.source.where(['puppet'])}puppet must be a mapping`);
  const problems: { path: Path; message: string }[] = [];
  const s = readSettings(ctx, p, problems);
  const conf = p.conf;
  if (conf !== undefined && conf !== null && !isDict(conf)) problems.push({ path: ['puppet', 'conf'], message: 'puppet.conf must be a mapping of sections' });
  const csr = p.csr_attributes;
  if (csr !== undefined && csr !== null && !isDict(csr)) problems.push({ path: ['puppet', 'csr_attributes'], message: 'puppet.csr_attributes must be a mapping' });
  const fqdnName = wantedName(ctx);
  const fqdn = fqdnName !== null && !('error' in fqdnName) ? fqdnName.fqdn : ctx.ds.localHostname || 'localhost';
  const sections: [string, [string, string][] | string][] = [];
  if (isDict(conf)) {
    for (const [name, body] of Object.entries(conf)) {
      if (name === 'ca_cert') {
        if (typeof body === 'string') sections.push([name, body]);
        else problems.push({ path: ['puppet', 'conf', name], message: 'puppet.conf.ca_cert must be the certificate in PEM (a string)' });
        continue;
      }
      if (!(SECTIONS as readonly string[]).includes(name)) {
        problems.push({ path: ['puppet', 'conf', name], message: `puppet.conf.${name} is not a puppet.conf section (${SECTIONS.join(', ')}) nor ca_cert` });
        continue;
      }
      if (!isDict(body)) {
        problems.push({ path: ['puppet', 'conf', name], message: `puppet.conf.${name} must be a mapping of settings` });
        continue;
      }
      const opts: [string, string][] = [];
      for (const [k, v] of Object.entries(body)) {
        if (!/^[A-Za-z0-9_.-]+$/.test(k)) {
          problems.push({ path: ['puppet', 'conf', name, k], message: `puppet.conf.${name}: ${JSON.stringify(k)} is not a setting name` });
          continue;
        }
        const iv = iniValue(v);
        if ('problem' in iv) problems.push({ path: ['puppet', 'conf', name, k], message: `puppet.conf.${name}.${k}: ${iv.problem}` });
        else opts.push([k.toLowerCase(), k === 'certname' ? certname(iv.value, fqdn, ctx.ds.instanceId) : iv.value]);
      }
      sections.push([name, opts]);
    }
  }
  if (problems.length > 0) {
    for (const e of problems.slice(0, -1)) ctx.log.error(`${ctx.source.where(e.path)}${e.message}`);
    const last = problems[problems.length - 1] as { path: Path; message: string };
    throw new Error(`${ctx.source.where(last.path)}${last.message}; puppet was not configured`);
  }

  const aio = s.installType === 'aio';
  const bin = aio ? '/opt/puppetlabs/bin/puppet' : 'puppet';
  const puppetUser = aio ? 'root' : 'puppet';
  let recorded = false;
  if (!s.install && s.version !== null) ctx.log.warn(`${ctx.source.where(['puppet', 'install'])}puppet.install is false but a version is given: nothing is installed`);
  else if (s.install && (s.installType === 'packages' || aio)) {
    if (commandsReachTree(ctx)) recorded = (await install(ctx, s, deps)).recorded;
    else ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): puppet is not installed`);
  }

  const defaults = PUPPET_PATHS[aio ? 'aio' : 'packages'];
  const path = (key: 'conf_file' | 'ssl_dir' | 'csr_attributes_path', setting: 'config' | 'ssldir' | 'csr_attributes'): string => {
    const v = p[key];
    if (typeof v === 'string' && v !== '') return v;
    return configPrint(ctx, bin, setting) ?? defaults[setting];
  };
  const confFile = path('conf_file', 'config');
  const sslDir = path('ssl_dir', 'ssldir');
  const csrPath = path('csr_attributes_path', 'csr_attributes');

  if (sections.length > 0) {
    const fs = ctx.host.fs;
    const old = fs.readText(confFile);
    let ini: Ini;
    try {
      ini = parseIni(old ?? '', confFile);
    } catch (e) {
      throw new Error(`puppet: ${(e as Error).message}; puppet.conf was not changed`);
    }
    for (const [name, body] of sections) {
      if (typeof body === 'string') {
        // The agent's SSL directory does not exist before its first run.
        const own = owner(ctx, puppetUser, recorded);
        fs.mkdir(sslDir, 0o771);
        fs.chmod(sslDir, 0o771);
        fs.mkdir(`${sslDir}/certs`, 0o755);
        if (own !== null) {
          fs.chown(sslDir, own);
          fs.chown(`${sslDir}/certs`, own);
        }
        fs.write(`${sslDir}/certs/ca.pem`, body, { mode: 0o644, ...(own !== null ? { owner: own } : {}) });
        ctx.log.info(`puppet: the CA certificate written to ${sslDir}/certs/ca.pem`);
        continue;
      }
      const sec = ini.get(name) ?? new Map<string, string>();
      ini.set(name, sec);
      for (const [k, v] of body) sec.set(k, v);
    }
    if (sections.some(([, b]) => typeof b !== 'string')) {
      // The image's file is kept as .old, as cloud-init keeps it (once: a re-run keeps the original).
      if (old !== null && !fs.exists(`${confFile}.old`)) fs.rename(confFile, `${confFile}.old`);
      fs.write(confFile, renderIni(ini), { mode: 0o644 });
      ctx.log.info(
        `puppet: ${confFile} written (${sections
          .filter(([, b]) => typeof b !== 'string')
          .map(([n]) => `[${n}]`)
          .join(' ')})`,
      );
    }
  }

  if (isDict(csr)) {
    // It may carry a challengePassword: readable by root only (cloud-init writes it 0644).
    ctx.host.fs.write(csrPath, pyyamlDump(csr), { mode: 0o600 });
    ctx.log.info(`puppet: ${csrPath} written`);
  }

  if (s.startService) manageService(ctx, 'enable');

  if (s.exec) {
    if (!commandsReachTree(ctx)) ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): puppet agent is not run`);
    else {
      const argv = [bin, 'agent', ...s.execArgs];
      const r = ctx.host.exec.run(argv, { output: 'log' });
      // --test implies --detailed-exitcodes: 2 means "changes applied", not a failure.
      const detailed = s.execArgs.includes('--test') || s.execArgs.includes('--detailed-exitcodes');
      const why = !r.recorded && detailed && r.code === 2 && r.error === undefined ? null : failure(r);
      if (why !== null) throw new Error(`puppet: ${argv.join(' ')} failed: ${why} (see /var/log/cloud-init-output.log)`);
      ctx.log.info(`puppet: ${argv.join(' ')} ran`);
    }
  }

  if (s.startService) manageService(ctx, 'start');
}

export const puppet: Module = {
  name: 'puppet',
  frequency: 'once-per-instance',
  keys: ['puppet'],
  schema: puppetSchema,
  examples: [
    `#cloud-config
# puppet 7.7.0 from puppetlabs' puppet7 collection with their install script, the agent
# pointed at a server with its CA certificate, CSR attributes, and one agent run.
puppet:
  install: true
  version: "7.7.0"
  install_type: "aio"
  collection: "puppet7"
  aio_install_url: 'https://git.io/JBhoQ'
  cleanup: true
  conf_file: "/etc/puppet/puppet.conf"
  ssl_dir: "/var/lib/puppet/ssl"
  csr_attributes_path: "/etc/puppet/csr_attributes.yaml"
  exec: true
  exec_args: ['--test']
  conf:
    agent:
      server: "puppetserver.example.org"
      certname: "%i.%f"
    ca_cert: |
      -----BEGIN CERTIFICATE-----
      MIICCTCCAXKgAwIBAgIBATANBgkqhkiG9w0BAQUFADANMQswCQYDVQQDDAJjYTAe
      Fw0xMDAyMTUxNzI5MjFaFw0xNTAyMTQxNzI5MjFaMA0xCzAJBgNVBAMMAmNhMIGf
      MA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCu7Q40sm47/E1Pf+r8AYb/V/FWGPgc
      b014OmNoX7dgCxTDvps/h8Vw555PdAFsW5+QhsGr31IJNI3kSYprFQcYf7A8tNWu
      1MASW2CfaEiOEi9F1R3R4Qlz4ix+iNoHiUDTjazw/tZwEdxaQXQVLwgTGRwVa+aA
      qbutJKi93MILLwIDAQABo3kwdzA4BglghkgBhvhCAQ0EKxYpUHVwcGV0IFJ1Ynkv
      T3BlblNTTCBHZW5lcmF0ZWQgQ2VydGlmaWNhdGUwDwYDVR0TAQH/BAUwAwEB/zAd
      BgNVHQ4EFgQUu4+jHB+GYE5Vxo+ol1OAhevspjAwCwYDVR0PBAQDAgEGMA0GCSqG
      SIb3DQEBBQUAA4GBAH/rxlUIjwNb3n7TXJcDJ6MMHUlwjr03BDJXKb34Ulndkpaf
      +GAlzPXWa7bO908M9I8RnPfvtKnteLbvgTK+h+zX1XCty+S2EQWk29i2AdoqOTxb
      hppiGMp0tT5Havu4aceCXiy2crVcudj3NFciy8X66SoECemW9UYDCb9T5D0d
      -----END CERTIFICATE-----
  csr_attributes:
    custom_attributes:
      1.2.840.113549.1.9.7: 342thbjkt82094y0uthhor289jnqthpc2290
    extension_requests:
      pp_uuid: ED803750-E3C7-44F5-BB08-41A04433FE2E
      pp_image_name: my_ami_image
      pp_preshared_key: 342thbjkt82094y0uthhor289jnqthpc2290
`,
    `#cloud-config
# The distro's puppet package; the agent service enabled and started, no agent run now.
puppet:
  install_type: "packages"
  package_name: "puppet"
  exec: false
`,
  ],
  run: (ctx) => run(ctx),
};

/** The module's run with the installer download injected (tests). */
export const runPuppet = run;
