// chef: every boot, as cloud-init runs it: chef's directories made, the validation key
// written, /etc/chef/client.rb rendered (the image's chef_client.rb template, else the
// same lines built in), firstboot.json written from run_list and initial_attributes,
// chef installed when /usr/bin/chef-client is missing (packages, gems or the omnibus
// install.sh) and chef-client run when `exec` asks. Keys and defaults are cloud-init
// 25.x's. Every value that lands in client.rb (Ruby) is checked so that none can end
// its string and become code.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { argProblem } from './lib/package-manager.js';
import { makeInstaller } from './lib/package-install.js';
import { failure } from './lib/tree-exec.js';
import { commandsReachTree } from './lib/run-as.js';
import { downloadScript, type DownloadDeps, runScript, urlProblem } from './lib/remote-installer.js';
import { isJinjaTemplate, renderJinjaPart } from '../userdata/jinja.js';
import { rfc2822 } from './lib/rfc2822.js';
import { NIMBUS_VERSION_STRING } from '../version.js';

export const CHEF_DIRS = ['/etc/chef', '/var/log/chef', '/var/lib/chef', '/var/chef/cache', '/var/chef/backup', '/var/run/chef'];
const MIGRATIONS: [string, string][] = [
  ['/var/cache/chef', '/var/chef/cache'],
  ['/var/backups/chef', '/var/chef/backup'],
];
export const OMNIBUS_URL = 'https://www.chef.io/chef/install.sh';
const CHEF_CLIENT = '/usr/bin/chef-client';
const DEFAULT_EXEC_ARGS = ['-d', '-i', '1800', '-s', '20'];
const TEMPLATE = '/etc/cloud/templates/chef_client.rb.tmpl';

/** client.rb's settings and cloud-init's defaults; null leaves the line out. */
const RB_DEFAULTS: Record<string, string | boolean | null> = {
  ssl_verify_mode: ':verify_none',
  log_level: ':info',
  log_location: '/var/log/chef/client.log',
  validation_key: '/etc/chef/validation.pem',
  validation_cert: null,
  client_key: '/etc/chef/client.pem',
  json_attribs: '/etc/chef/firstboot.json',
  file_cache_path: '/var/chef/cache',
  file_backup_path: '/var/chef/backup',
  pid_file: '/var/run/chef/client.pid',
  show_time: true,
  encrypted_data_bag_secret: null,
};
const RB_KEYS = new Set([...Object.keys(RB_DEFAULTS), 'server_url', 'node_name', 'environment', 'validation_name', 'chef_license']);
const RB_PATH_KEYS = ['log_location', 'validation_key', 'client_key', 'file_cache_path', 'json_attribs', 'pid_file', 'encrypted_data_bag_secret'];
/** Ruby symbols, written bare. */
const RB_SYMBOL_KEYS = ['log_level', 'ssl_verify_mode'];

const chefSchema = (z: Z) => {
  const s = z.string().optional();
  return z.object({
    chef: z
      .object({
        directories: z.array(z.string()).optional(),
        config_path: s,
        validation_cert: s,
        validation_key: s,
        firstboot_path: s,
        exec: z.boolean().optional(),
        client_key: s,
        encrypted_data_bag_secret: s,
        environment: s,
        file_backup_path: s,
        file_cache_path: s,
        json_attribs: s,
        log_level: s,
        log_location: s,
        node_name: s,
        omnibus_url: s,
        omnibus_url_retries: z.number().int().optional(),
        omnibus_version: s,
        pid_file: s,
        server_url: s,
        show_time: z.boolean().optional(),
        ssl_verify_mode: s,
        validation_name: s,
        force_install: z.boolean().optional(),
        initial_attributes: z.record(z.string(), z.unknown()).optional(),
        install_type: z.enum(['packages', 'gems', 'omnibus']).optional(),
        run_list: z.array(z.string()).optional(),
        chef_license: z.enum(['accept', 'accept-silent', 'accept-no-persist']).optional(),
        // Read by cloud-init's code though its schema does not list them.
        exec_arguments: z.union([z.array(z.string()), z.string()]).optional(),
        delete_validation_post_exec: z.boolean().optional(),
        ruby_version: s,
        version: s,
      })
      .strict()
      .optional(),
  });
};

type Path = (string | number)[];
type Params = Record<string, string | boolean | null>;

/** Why a value cannot go between double quotes in client.rb (Ruby would end the string or interpolate), or null (pure). */
export function rubyStringProblem(v: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a line break would end the Ruby statement
  if (/[\u0000-\u001f\u007f]/.test(v)) return 'it contains a line break or a control character';
  if (v.includes('"') || v.includes('\\') || v.includes('#{')) return 'it contains ", \\ or #{ (Ruby would read it as code)';
  return null;
}

/** client.rb's template parameters from `chef:`, as cloud-init builds them (pure); problems carry key paths. */
export function templateParams(chef: Record<string, unknown>, instanceId: string, header: string): { params: Params; problems: { path: Path; message: string }[] } {
  const problems: { path: Path; message: string }[] = [];
  // Every name the template tests is defined: one not given is null (false in {% if %}).
  const params: Params = { ...Object.fromEntries([...RB_KEYS].map((k) => [k, null])), ...RB_DEFAULTS };
  for (const [k, v] of Object.entries(chef)) {
    if (!RB_KEYS.has(k)) continue;
    if (v === null) params[k] = null;
    else if (k === 'show_time') {
      if (typeof v === 'boolean') params[k] = v;
      else problems.push({ path: ['chef', k], message: 'chef.show_time must be true or false' });
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    else problems.push({ path: ['chef', k], message: `chef.${k} must be a string` });
  }
  params.generated_by = header;
  params.node_name = typeof chef.node_name === 'string' ? chef.node_name : instanceId;
  params.environment = typeof chef.environment === 'string' ? chef.environment : '_default';
  for (const k of ['server_url', 'validation_name']) {
    if (typeof chef[k] !== 'string' || chef[k] === '') problems.push({ path: chef[k] === undefined ? ['chef'] : ['chef', k], message: `chef.${k} is required to write client.rb` });
  }
  for (const [k, v] of Object.entries(params)) {
    // validation_cert is the private key: the template only tests it, and no message may show it.
    if (typeof v !== 'string' || k === 'generated_by' || k === 'validation_cert') continue;
    const why = RB_SYMBOL_KEYS.includes(k) ? (/^:[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? null : 'expected a Ruby symbol such as :info') : rubyStringProblem(v);
    if (why !== null) problems.push({ path: ['chef', k], message: `chef.${k} ${JSON.stringify(v)}: ${why}` });
  }
  return { params, problems };
}

/** client.rb as cloud-init's stock chef_client.rb template renders it (pure). */
export function renderClientRb(p: Params): string {
  const lines = [p.generated_by as string];
  const q = (label: string, k: string) => {
    if (p[k]) lines.push(`${label.padEnd(22)} "${p[k]}"`);
  };
  q('chef_license', 'chef_license');
  if (p.log_level) lines.push(`${'log_level'.padEnd(22)} ${p.log_level}`);
  if (p.ssl_verify_mode) lines.push(`${'ssl_verify_mode'.padEnd(22)} ${p.ssl_verify_mode}`);
  q('log_location', 'log_location');
  q('validation_client_name', 'validation_name');
  // The template names the key only when a validation_cert is given.
  if (p.validation_cert) lines.push(`${'validation_key'.padEnd(22)} "${p.validation_key}"`);
  for (const [label, k] of [
    ['client_key', 'client_key'],
    ['chef_server_url', 'server_url'],
    ['environment', 'environment'],
    ['node_name', 'node_name'],
    ['json_attribs', 'json_attribs'],
    ['file_cache_path', 'file_cache_path'],
    ['file_backup_path', 'file_backup_path'],
    ['pid_file', 'pid_file'],
  ])
    q(label as string, k as string);
  if (p.show_time) lines.push('Chef::Log::Formatter.show_time = true');
  if (p.encrypted_data_bag_secret) lines.push(`encrypted_data_bag_secret "${p.encrypted_data_bag_secret}"`);
  // The template ends in a blank line.
  return `${lines.join('\n')}\n\n`;
}

/** JSON as Python's json.dumps writes it: ", " and ": " separators, non-ASCII as \uXXXX (pure). */
export function pythonJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (isDict(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pythonJson(k)}: ${pythonJson(x)}`)
      .join(', ')}}`;
  return pythonJson(String(v));
}

function moveOld(ctx: ModuleContext): void {
  const fs = ctx.host.fs;
  for (const [from, to] of MIGRATIONS) {
    if (!fs.isDir(from)) continue;
    for (const name of fs.list(from)) {
      if (fs.exists(`${to}/${name}`)) {
        ctx.log.debug(`chef: ${from}/${name} not moved: ${to}/${name} exists`);
        continue;
      }
      fs.mkdir(to);
      fs.rename(`${from}/${name}`, `${to}/${name}`);
      ctx.log.info(`chef: moved ${from}/${name} to ${to}`);
    }
  }
}

function runOrFail(ctx: ModuleContext, argv: string[], what: string): void {
  const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
  if (why !== null) throw new Error(`chef: ${what}: ${argv.join(' ')} failed: ${why} (see /var/log/cloud-init-output.log)`);
}

async function installPackages(ctx: ModuleContext, names: string[], key: Path): Promise<void> {
  const { installer, problems } = makeInstaller(ctx);
  for (const p of problems) ctx.log.warn(p);
  if (installer === null) throw new Error(`${ctx.source.where(key)}chef: cannot install ${names.join(', ')}: ${problems.join('; ')}`);
  const { failed, problems: ip } = await installer.install(
    names.map((name) => ({ name })),
    { apt: [], snap: [] },
  );
  for (const p of ip) ctx.log.warn(p);
  if (failed.length > 0) throw new Error(`${ctx.source.where(key)}chef: failed to install ${failed.join(', ')} (see /var/log/cloud-init-output.log)`);
}

/** Installs chef as install_type says; returns whether chef-client should run (cloud-init's defaults per type). */
async function install(ctx: ModuleContext, chef: Record<string, unknown>, deps?: DownloadDeps): Promise<boolean> {
  const type = chef.install_type ?? 'packages';
  const execSet = typeof chef.exec === 'boolean' ? chef.exec : null;
  if (type === 'gems') {
    const ruby = typeof chef.ruby_version === 'string' || typeof chef.ruby_version === 'number' ? String(chef.ruby_version) : '1.8';
    const pkgs = [`ruby${ruby}`, `ruby${ruby}-dev`, ...(ruby === '1.8' ? ['libopenssl-ruby1.8', 'rubygems1.8'] : [])];
    await installPackages(ctx, pkgs, ['chef', 'ruby_version']);
    const fs = ctx.host.fs;
    if (!fs.exists('/usr/bin/gem')) fs.symlink(`/usr/bin/gem${ruby}`, '/usr/bin/gem');
    if (!fs.exists('/usr/bin/ruby')) fs.symlink(`/usr/bin/ruby${ruby}`, '/usr/bin/ruby');
    const version = typeof chef.version === 'string' || typeof chef.version === 'number' ? String(chef.version) : null;
    // cloud-init gives "-v VERSION" as one word, which gem reads as the option and its value.
    runOrFail(ctx, ['/usr/bin/gem', 'install', 'chef', ...(version !== null ? [`-v ${version}`] : []), '--no-ri', '--no-rdoc', '--bindir', '/usr/bin', '-q'], 'installing chef from gems');
    // Gems kept cloud-init's old default: run chef-client unless exec says not to.
    return execSet ?? true;
  }
  if (type === 'packages') {
    await installPackages(ctx, ['chef'], ['chef', 'install_type']);
    return execSet ?? false;
  }
  if (type === 'omnibus') {
    const url = typeof chef.omnibus_url === 'string' ? chef.omnibus_url : OMNIBUS_URL;
    const retries = typeof chef.omnibus_url_retries === 'number' ? chef.omnibus_url_retries : 5;
    const version = typeof chef.omnibus_version === 'string' ? chef.omnibus_version : null;
    const { body, tries } = await downloadScript(url, retries, deps);
    if (body === null)
      throw new Error(
        `${ctx.source.where(['chef', chef.omnibus_url === undefined ? 'install_type' : 'omnibus_url'])}chef: the omnibus installer ${url} could not be downloaded (${tries.length} tries: ${tries.join('; ')})`,
      );
    const r = runScript(ctx, body, 'chef-omnibus-install', version !== null ? ['-v', version] : []);
    const why = failure(r);
    if (why !== null) throw new Error(`chef: the omnibus installer from ${url} failed: ${why} (see /var/log/cloud-init-output.log)`);
    ctx.log.info(`chef installed with ${url}`);
    return execSet ?? false;
  }
  ctx.log.error(`${ctx.source.where(['chef', 'install_type'])}chef.install_type ${JSON.stringify(type)} is not packages, gems or omnibus: chef is not installed nor run`);
  return false;
}

function check(chef: Record<string, unknown>): { path: Path; message: string }[] {
  const problems: { path: Path; message: string }[] = [];
  const dirs = chef.directories;
  if (dirs !== undefined && dirs !== null && !(Array.isArray(dirs) && dirs.every((d) => typeof d === 'string' && d.startsWith('/'))))
    problems.push({ path: ['chef', 'directories'], message: 'chef.directories must be a list of absolute paths' });
  for (const k of ['config_path', 'validation_key', 'firstboot_path', ...RB_PATH_KEYS]) {
    const v = chef[k];
    if (v === undefined || v === null || (k === 'firstboot_path' && v === '')) continue;
    if (typeof v !== 'string' || !v.startsWith('/')) problems.push({ path: ['chef', k], message: `chef.${k} must be an absolute path` });
  }
  if (chef.run_list !== undefined && !(Array.isArray(chef.run_list) && chef.run_list.every((r) => typeof r === 'string')))
    problems.push({ path: ['chef', 'run_list'], message: 'chef.run_list must be a list of recipes and roles' });
  if (chef.initial_attributes !== undefined && !isDict(chef.initial_attributes)) problems.push({ path: ['chef', 'initial_attributes'], message: 'chef.initial_attributes must be a mapping' });
  for (const k of ['omnibus_version', 'version']) {
    const v = chef[k];
    if (typeof v === 'string' && argProblem(v) !== null) problems.push({ path: ['chef', k], message: `chef.${k} ${JSON.stringify(v)}: ${argProblem(v)}` });
  }
  if (typeof chef.ruby_version === 'string' && !/^[0-9][0-9.]*$/.test(chef.ruby_version)) problems.push({ path: ['chef', 'ruby_version'], message: 'chef.ruby_version must be a version such as 3.1' });
  if ((chef.install_type ?? 'packages') === 'omnibus' && typeof chef.omnibus_url === 'string' && urlProblem(chef.omnibus_url) !== null)
    problems.push({ path: ['chef', 'omnibus_url'], message: `chef.omnibus_url ${JSON.stringify(chef.omnibus_url)}: ${urlProblem(chef.omnibus_url)}` });
  const r = chef.omnibus_url_retries;
  if (r !== undefined && r !== null && !(typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= 100))
    problems.push({ path: ['chef', 'omnibus_url_retries'], message: 'chef.omnibus_url_retries must be a whole number from 0 to 100' });
  const ea = chef.exec_arguments;
  if (ea !== undefined && ea !== null && typeof ea !== 'string' && !(Array.isArray(ea) && ea.every((a) => typeof a === 'string')))
    problems.push({ path: ['chef', 'exec_arguments'], message: 'chef.exec_arguments must be a list of arguments or one argument' });
  return problems;
}

async function run(ctx: ModuleContext, deps?: DownloadDeps): Promise<void> {
  const chef = ctx.cfg.chef;
  if (!isDict(chef)) throw new Error(`${ctx.source.where(['chef'])}chef must be a mapping`);
  const header = `# Created by cloud-init v. nimbus-${NIMBUS_VERSION_STRING} on ${rfc2822(ctx.host.clock.now())}`;
  const { params, problems } = templateParams(chef, ctx.ds.instanceId, header);
  problems.unshift(...check(chef));
  if (problems.length > 0) {
    for (const e of problems.slice(0, -1)) ctx.log.error(`${ctx.source.where(e.path)}${e.message}`);
    const last = problems[problems.length - 1] as { path: Path; message: string };
    throw new Error(`${ctx.source.where(last.path)}${last.message}; chef was not configured`);
  }
  const fs = ctx.host.fs;
  const dirs = Array.isArray(chef.directories) && chef.directories.length > 0 ? (chef.directories as string[]) : CHEF_DIRS;
  for (const d of [...dirs, '/etc/chef']) fs.mkdir(d);
  moveOld(ctx);

  const vkey = typeof chef.validation_key === 'string' ? chef.validation_key : (RB_DEFAULTS.validation_key as string);
  const vcert = chef.validation_cert;
  if (typeof vcert === 'string' && vcert !== '') {
    // A private key: readable by root only (cloud-init writes it 0644).
    if (vcert !== 'system') fs.write(vkey, vcert, { mode: 0o600 });
    else if (fs.stat(vkey)?.isFile !== true) ctx.log.warn(`${ctx.source.where(['chef', 'validation_cert'])}chef.validation_cert is "system" but the validation key ${vkey} does not exist`);
  }

  const configPath = typeof chef.config_path === 'string' ? chef.config_path : '/etc/chef/client.rb';
  for (const k of RB_PATH_KEYS) {
    const v = params[k];
    if (typeof v === 'string' && v !== '') fs.mkdir(v.slice(0, v.lastIndexOf('/')) || '/');
  }
  const tpl = fs.readText(TEMPLATE);
  const rb = tpl !== null && isJinjaTemplate(tpl) ? renderJinjaPart(tpl, params, TEMPLATE) : renderClientRb(params);
  fs.write(configPath, rb, { mode: 0o644 });
  ctx.log.info(`chef: ${configPath} written${tpl !== null ? ` from ${TEMPLATE}` : ''}`);

  const fb = chef.firstboot_path === undefined || chef.firstboot_path === null ? '/etc/chef/firstboot.json' : String(chef.firstboot_path);
  if (fb === '') ctx.log.info('chef: firstboot_path is empty: no first boot JSON written');
  else {
    const initial: Record<string, unknown> = {};
    if (chef.run_list !== undefined) initial.run_list = chef.run_list;
    if (isDict(chef.initial_attributes)) Object.assign(initial, chef.initial_attributes);
    fs.write(fb, pythonJson(initial), { mode: 0o644 });
  }

  if (!commandsReachTree(ctx)) {
    ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): chef is not installed or run`);
    return;
  }
  const installed = fs.stat(CHEF_CLIENT)?.isFile === true && ((fs.stat(CHEF_CLIENT)?.mode ?? 0) & 0o111) !== 0;
  const runIt = !installed || chef.force_install === true ? await install(ctx, chef, deps) : chef.exec === true;
  if (!runIt) return;
  const ea = chef.exec_arguments;
  const args = ea === undefined || ea === null ? DEFAULT_EXEC_ARGS : Array.isArray(ea) ? (ea as string[]) : [ea as string];
  runOrFail(ctx, [CHEF_CLIENT, ...args], 'running chef-client');
  if (chef.delete_validation_post_exec === true && fs.stat(vkey)?.isFile === true) {
    fs.remove(vkey);
    ctx.log.info(`chef: the validation key ${vkey} removed after the run`);
  }
}

export const chef: Module = {
  name: 'chef',
  frequency: 'always',
  keys: ['chef'],
  schema: chefSchema,
  examples: [
    `#cloud-config
# chef from the omnibus installer, a run list and initial attributes for the first run,
# the validation key the image already holds ("system").
chef:
  directories:
    - /etc/chef
    - /var/log/chef
  validation_cert: system
  install_type: omnibus
  initial_attributes:
    apache:
      prefork:
        maxclients: 100
      keepalive: off
  run_list:
    - recipe[apache2]
    - role[db]
  encrypted_data_bag_secret: /etc/chef/encrypted_data_bag_secret
  environment: _default
  log_level: :auto
  omnibus_url_retries: 2
  server_url: https://chef.yourorg.com:4000
  ssl_verify_mode: :verify_peer
  validation_name: yourorg-validator
`,
    `#cloud-config
# chef from the distro's package, its validation key given here, one chef-client run
# that is then not repeated in the background, and the key removed afterwards.
chef:
  install_type: packages
  server_url: https://chef.example.org
  validation_name: example-validator
  node_name: web-1
  validation_cert: |
    -----BEGIN RSA PRIVATE KEY-----
    MIIEpAIBAAKCAQEA...
    -----END RSA PRIVATE KEY-----
  run_list: ["recipe[base]"]
  exec: true
  exec_arguments: [--once]
  delete_validation_post_exec: true
`,
  ],
  run: (ctx) => run(ctx),
};

/** The module's run with the installer download injected (tests). */
export const runChef = run;
