// rsyslog: files in rsyslog's config directory from `rsyslog`, once per instance, as
// cloud-init writes them: each `configs` entry (text, or {content, filename}) goes to
// its file under config_dir (config_filename by default; a second entry for the same
// file is appended), `remotes` become forwarding lines between "# begin remotes" and
// "# end remotes", and rsyslog is reloaded. The old list form (`rsyslog: [...]` with
// rsyslog_filename and rsyslog_dir) still works, with a deprecation notice. Remote
// lines are parsed and rebuilt from checked parts, so a remote cannot add a directive.
import { isIP } from '../net/ip-syntax.js';
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { distroFacts, packageInstallCommand } from '../distro/facts.js';
import { failure } from './lib/tree-exec.js';
import { hostnameProblem, pathProblem } from './lib/validators.js';

type Path = (string | number)[];

export const rsyslogSchema = (z: Z) => {
  const entry = z.union([z.string(), z.object({ content: z.string(), filename: z.string().optional() }).strict()]);
  return z.object({
    rsyslog: z
      .union([
        z
          .object({
            config_dir: z.string().optional(),
            config_filename: z.string().optional(),
            configs: z.array(entry).optional(),
            remotes: z.record(z.string(), z.string().nullable()).optional(),
            service_reload_command: z.union([z.literal('auto'), z.string(), z.array(z.string())]).optional(),
            install_rsyslog: z.boolean().optional(),
            check_exe: z.string().optional(),
            packages: z.array(z.string()).optional(),
          })
          .strict(),
        z.array(entry),
      ])
      .optional(),
    rsyslog_filename: z.string().optional(),
    rsyslog_dir: z.string().optional(),
  });
};

export interface Remote {
  name: string | null;
  match: string;
  proto: 'udp' | 'tcp';
  addr: string;
  port: number | null;
}

/** A remotes line (`[selector] [@|@@]host[:port] [# name]`) parsed and checked as cloud-init parses it; throws why not (pure). */
export function parseRemote(line: string, name: string | null): Remote {
  if (/[\r\n\0]/.test(line)) throw new Error('a remote is one line');
  const hash = /[ ]*#+[ ]*/.exec(line);
  const data = hash === null ? line : line.slice(0, hash.index);
  const comment = hash === null ? null : line.slice(hash.index + hash[0].length).trim();
  const toks = data.trim().split(/\s+/).filter(Boolean);
  if (toks.length === 0 || toks.length > 2) throw new Error(`expected "[selector] host", got ${JSON.stringify(data.trim())}`);
  const match = toks.length === 2 ? (toks[0] as string) : '*.*';
  if (!/^[A-Za-z0-9*.,;!=_-]+$/.test(match)) throw new Error(`${JSON.stringify(match)} is not a syslog selector`);
  const m = /^(@{0,2})(?:\[([^\]]*)\]|([^:[\]]*))(?::([0-9]+))?$/.exec(toks[toks.length - 1] as string);
  if (m === null) throw new Error(`invalid host specification ${JSON.stringify(toks[toks.length - 1])}`);
  const addr = (m[2] ?? m[3] ?? '') as string;
  if (addr === '') throw new Error('the address is required');
  if (isIP(addr) === 0 && hostnameProblem(addr) !== null) throw new Error(`${JSON.stringify(addr)} is not a host name or an IP address`);
  const port = m[4] === undefined ? null : Number(m[4]);
  if (port !== null && (port < 1 || port > 65535)) throw new Error(`port ${port} is out of range`);
  const label = name ?? (comment !== null && comment !== '' ? comment : null);
  if (label !== null && !/^[^\r\n\0]*$/.test(label)) throw new Error('the name is one line');
  return { name: label, match, proto: m[1] === '@@' ? 'tcp' : 'udp', addr, port };
}

/** A remote as rsyslog's forwarding line, as cloud-init writes it (pure). */
export function remoteLine(r: Remote): string {
  const host = r.addr.includes(':') ? `[${r.addr}]` : r.addr;
  return `${r.match} ${r.proto === 'tcp' ? '@@' : '@'}${host}${r.port !== null && r.port !== 0 ? `:${r.port}` : ''}${r.name !== null && r.name !== '' ? ` # ${r.name}` : ''}`;
}

function run(ctx: ModuleContext): void {
  const raw = ctx.cfg.rsyslog;
  let c: Record<string, unknown>;
  let base: Path = ['rsyslog'];
  if (Array.isArray(raw)) {
    ctx.log.deprecated(`${ctx.source.where(['rsyslog'])}rsyslog as a list is deprecated; use rsyslog: {configs: [...]}`);
    c = { configs: raw };
    if (ctx.cfg.rsyslog_filename !== undefined) c.config_filename = ctx.cfg.rsyslog_filename;
    if (ctx.cfg.rsyslog_dir !== undefined) c.config_dir = ctx.cfg.rsyslog_dir;
    base = [];
  } else if (isDict(raw)) c = raw;
  else throw new Error(`${ctx.source.where(['rsyslog'])}rsyslog must be a mapping`);
  const problems: { path: Path; message: string }[] = [];
  const at = (k: string): Path => (base.length === 0 ? [k === 'configs' ? 'rsyslog' : k === 'config_filename' ? 'rsyslog_filename' : 'rsyslog_dir'] : [...base, k]);
  const dir = c.config_dir ?? '/etc/rsyslog.d';
  if (pathProblem(dir) !== null) problems.push({ path: at('config_dir'), message: `config_dir: ${pathProblem(dir)}` });
  const defName = c.config_filename ?? '20-cloud-config.conf';
  const nameProblem = (n: unknown): string | null => {
    if (typeof n !== 'string' || n.trim() === '') return 'expected a file name';
    const t = n.trim();
    if (t.startsWith('/')) return pathProblem(t);
    return /^[A-Za-z0-9_.+-]+$/.test(t) && t !== '.' && t !== '..' ? null : `${JSON.stringify(n)} is not a file name (letters, digits, _ . + -) or an absolute path`;
  };
  if (nameProblem(defName) !== null) problems.push({ path: at('config_filename'), message: `config_filename: ${nameProblem(defName)}` });
  const configs = c.configs ?? [];
  if (!Array.isArray(configs)) problems.push({ path: at('configs'), message: 'configs must be a list' });
  const entries: { file: string; content: string }[] = [];
  (Array.isArray(configs) ? configs : []).forEach((e: unknown, i: number) => {
    const p = [...at('configs'), i];
    let content: unknown = e;
    let file: unknown = defName;
    if (isDict(e)) {
      if (e.content === undefined) {
        ctx.log.warn(`${ctx.source.where(p)}rsyslog configs entry ${i + 1} has no content; skipped`);
        return;
      }
      content = e.content;
      if (e.filename !== undefined) file = e.filename;
    }
    if (typeof content !== 'string') return void problems.push({ path: p, message: `configs[${i}]: expected text or {content, filename}` });
    const why = nameProblem(file);
    if (why !== null) return void problems.push({ path: isDict(e) ? [...p, 'filename'] : p, message: `configs[${i}].filename: ${why}` });
    const f = (file as string).trim();
    entries.push({ file: f.startsWith('/') ? f : `${dir as string}/${f}`, content });
  });
  const remotes = c.remotes ?? {};
  if (!isDict(remotes)) problems.push({ path: [...base, 'remotes'], message: 'remotes must be a mapping of name to "[selector] host[:port]"' });
  const lines: string[] = [];
  for (const [name, line] of Object.entries(isDict(remotes) ? remotes : {})) {
    if (line === null || line === '' || line === undefined) continue;
    try {
      if (typeof line !== 'string') throw new Error('expected a string');
      lines.push(remoteLine(parseRemote(line, name)));
    } catch (e) {
      problems.push({ path: [...base, 'remotes', name], message: `remotes.${name} ${JSON.stringify(line)}: ${(e as Error).message}` });
    }
  }
  if (lines.length > 0) entries.push({ file: `${dir as string}/${(defName as string).trim()}`, content: ['# begin remotes', ...lines, '# end remotes', ''].join('\n') });
  const reload = c.service_reload_command ?? 'auto';
  if (!(typeof reload === 'string' && reload.trim() !== '') && !(Array.isArray(reload) && reload.length > 0 && reload.every((a) => typeof a === 'string')))
    problems.push({ path: [...base, 'service_reload_command'], message: 'service_reload_command must be auto, a command line or an argv list' });
  if (problems.length > 0) {
    for (const p of problems) ctx.log.error(`${ctx.source.where(p.path)}rsyslog.${p.message}`);
    throw new Error('no rsyslog configuration was written');
  }
  const runOrFail = (argv: string[]) => {
    const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
    if (why !== null) throw new Error(`rsyslog: ${argv.join(' ')} failed: ${why}`);
  };
  const facts = distroFacts(ctx.distro);
  if (c.install_rsyslog === true) {
    const exe = typeof c.check_exe === 'string' ? c.check_exe : 'rsyslogd';
    const pkgs = Array.isArray(c.packages) ? (c.packages as string[]) : ['rsyslog'];
    if (!ctx.host.exec.has(exe) && pkgs.length > 0) runOrFail(packageInstallCommand(facts, pkgs));
  }
  if (entries.length === 0) {
    ctx.log.debug('rsyslog: no configs and no remotes: nothing to write');
    return;
  }
  const written = new Set<string>();
  for (const e of entries) {
    const text = e.content.endsWith('\n') ? e.content : `${e.content}\n`;
    ctx.host.fs.write(e.file, text, { mode: 0o644, append: written.has(e.file) });
    written.add(e.file);
  }
  ctx.log.info(`rsyslog: wrote ${[...written].join(', ')}`);
  if (reload === 'auto') {
    const sys = ctx.cfg.system_info;
    const svc = isDict(sys) && typeof sys.rsyslog_svcname === 'string' && /^[A-Za-z0-9@._-]+$/.test(sys.rsyslog_svcname) ? sys.rsyslog_svcname : 'rsyslog';
    runOrFail(facts.initSystem === 'systemd' ? ['systemctl', 'reload-or-try-restart', svc] : ['service', svc, 'restart']);
  } else if (Array.isArray(reload)) runOrFail(reload as string[]);
  // A command line is the user's own shell command, as runcmd's strings are.
  else runOrFail(['sh', '-c', reload as string]);
}

export const rsyslog: Module = {
  name: 'rsyslog',
  frequency: 'once-per-instance',
  keys: ['rsyslog'],
  schema: rsyslogSchema,
  examples: [
    `#cloud-config
rsyslog:
  remotes:
    maas: 192.168.1.1
    juju: 10.0.4.1
  service_reload_command: auto
`,
    `#cloud-config
rsyslog:
  config_dir: /opt/etc/rsyslog.d
  config_filename: 99-late-cloud-config.conf
  configs:
    - '*.* @@192.158.1.1'
    - content: '*.*   @@192.0.2.1:10514'
      filename: 01-example.conf
    - content: |
        *.*   @@syslogd.example.com
  remotes:
    maas: 192.168.1.1
    juju: 10.0.4.1
  service_reload_command: [your, syslog, restart, command]
`,
  ],
  run,
};
