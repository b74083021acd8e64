// mcollective: once per instance, the mcollective package is installed, the `conf`
// settings merged into /etc/mcollective/server.cfg (the image's file kept as
// server.cfg.old), the server's certificates written (the private one 0600, each
// switching securityprovider to ssl), and the service restarted. Keys and defaults are
// cloud-init 25.x's.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { makeInstaller } from './lib/package-install.js';
import { failure } from './lib/tree-exec.js';
import { commandsReachTree } from './lib/run-as.js';

export const SERVER_CFG = '/etc/mcollective/server.cfg';
export const PUBCERT_FILE = '/etc/mcollective/ssl/server-public.pem';
export const PRICERT_FILE = '/etc/mcollective/ssl/server-private.pem';

const mcollectiveSchema = (z: Z) =>
  z.object({
    mcollective: z
      .object({
        conf: z
          .object({ 'public-cert': z.string().optional(), 'private-cert': z.string().optional() })
          .catchall(z.union([z.boolean(), z.number().int(), z.string(), z.record(z.string(), z.union([z.boolean(), z.number(), z.string()]))]))
          .optional(),
      })
      .strict()
      .optional(),
  });

type Path = (string | number)[];

/** A value as ConfigObj writes it: bare, or quoted when it is empty, has `,` or `#`, or starts or ends with a blank or a quote (pure). */
export function configObjValue(v: string): string {
  if (v === '') return '""';
  const edge = ' \r\t\n\v\'"';
  if (!edge.includes(v[0] as string) && !edge.includes(v[v.length - 1] as string) && !v.includes(',') && !v.includes('#')) return v;
  return v.includes('"') ? `'${v}'` : `"${v}"`;
}

/** Why a value cannot be one line of server.cfg, or null (pure). */
function valueProblem(v: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a line break would add a line of its own
  if (/[\u0000-\u001f\u007f]/.test(v)) return 'it contains a line break or a control character';
  if (v.includes('"') && v.includes("'")) return 'it contains both kinds of quote';
  return null;
}

/** Python's str() of a scalar from YAML. */
function pyStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/**
 * server.cfg with `settings` set (pure): a top-level key's line is replaced where it
 * stands, or added after the other top-level settings; a section's keys are set inside
 * its `[section]`, which is added at the end when missing. Every other line (comments,
 * other settings) is kept as it is.
 */
export function editServerCfg(text: string, top: [string, string][], sections: [string, [string, string][]][]): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const line = (k: string, v: string) => `${k} = ${configObjValue(v)}`;
  const keyOf = (l: string): string | null => /^\s*([^\s=[#][^=]*?)\s*=/.exec(l)?.[1] ?? null;
  const sectionStart = (l: string): string | null => /^\s*\[+\s*([^\]]+?)\s*\]+\s*(#.*)?$/.exec(l)?.[1] ?? null;
  /** [from, to) of the lines of a region: the top (before the first section) or a section's body. */
  const region = (name: string | null): [number, number] | null => {
    let start = name === null ? 0 : -1;
    for (let i = 0; i < lines.length; i++) {
      const s = sectionStart(lines[i] as string);
      if (s === null) continue;
      if (start >= 0) return [start, i];
      if (s === name) start = i + 1;
    }
    return start >= 0 ? [start, lines.length] : null;
  };
  const set = (name: string | null, k: string, v: string) => {
    let r = region(name);
    if (r === null) {
      lines.push(`[${name}]`);
      r = [lines.length, lines.length];
    }
    for (let i = r[0]; i < r[1]; i++) {
      if (keyOf(lines[i] as string) === k) {
        lines[i] = line(k, v);
        return;
      }
    }
    // After the region's last setting, so that a comment closing it stays last.
    let at = r[0];
    for (let i = r[0]; i < r[1]; i++) if (keyOf(lines[i] as string) !== null) at = i + 1;
    lines.splice(at, 0, line(k, v));
  };
  for (const [k, v] of top) set(null, k, v);
  for (const [name, opts] of sections) for (const [k, v] of opts) set(name, k, v);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

async function run(ctx: ModuleContext): Promise<void> {
  const m = ctx.cfg.mcollective;
  if (!isDict(m)) throw new Error(`${ctx.source.where(['mcollective'])}mcollective must be a mapping`);
  const conf = m.conf;
  const problems: { path: Path; message: string }[] = [];
  if (conf !== undefined && conf !== null && !isDict(conf)) problems.push({ path: ['mcollective', 'conf'], message: 'mcollective.conf must be a mapping of settings' });
  const top: [string, string][] = [];
  const sections: [string, [string, string][]][] = [];
  const certs: { file: string; text: string; mode: number; key: string }[] = [];
  const keyOk = (k: string) => /^[A-Za-z0-9_.:-]+$/.test(k);
  if (isDict(conf)) {
    for (const [k, v] of Object.entries(conf)) {
      const at: Path = ['mcollective', 'conf', k];
      if (k === 'public-cert' || k === 'private-cert') {
        // Never the value in a message: the private one is a key.
        if (typeof v !== 'string') {
          problems.push({ path: at, message: `mcollective.conf.${k} must be the certificate in PEM (a string)` });
          continue;
        }
        const pub = k === 'public-cert';
        certs.push({ file: pub ? PUBCERT_FILE : PRICERT_FILE, text: v, mode: pub ? 0o644 : 0o600, key: k });
        top.push([pub ? 'plugin.ssl_server_public' : 'plugin.ssl_server_private', pub ? PUBCERT_FILE : PRICERT_FILE], ['securityprovider', 'ssl']);
        continue;
      }
      if (!keyOk(k)) {
        problems.push({ path: at, message: `mcollective.conf: ${JSON.stringify(k)} is not a setting name` });
        continue;
      }
      if (isDict(v)) {
        const opts: [string, string][] = [];
        for (const [o, x] of Object.entries(v)) {
          const why = !keyOk(o) ? 'not a setting name' : typeof x === 'object' && x !== null ? 'expected a string, a number or true/false' : valueProblem(pyStr(x));
          if (why !== null) problems.push({ path: [...at, o], message: `mcollective.conf.${k}.${o}: ${why}` });
          else opts.push([o, pyStr(x)]);
        }
        sections.push([k, opts]);
        continue;
      }
      const why = Array.isArray(v) || v === null || v === undefined ? 'expected a string, a number or true/false' : valueProblem(pyStr(v));
      if (why !== null) problems.push({ path: at, message: `mcollective.conf.${k}: ${why}` });
      else top.push([k, pyStr(v)]);
    }
  }
  if (problems.length > 0) {
    for (const e of problems.slice(0, -1)) ctx.log.error(`${ctx.source.where(e.path)}${e.message}`);
    const last = problems[problems.length - 1] as { path: Path; message: string };
    throw new Error(`${ctx.source.where(last.path)}${last.message}; mcollective was not configured`);
  }

  const reach = commandsReachTree(ctx);
  if (reach) {
    const { installer, problems: why } = makeInstaller(ctx);
    for (const p of why) ctx.log.warn(p);
    if (installer === null) throw new Error(`${ctx.source.where(['mcollective'])}mcollective: cannot install mcollective: ${why.join('; ')}`);
    const { failed, problems: ip } = await installer.install([{ name: 'mcollective' }], { apt: [], snap: [] });
    for (const p of ip) ctx.log.warn(p);
    if (failed.length > 0) throw new Error(`${ctx.source.where(['mcollective'])}mcollective: failed to install mcollective (see /var/log/cloud-init-output.log)`);
  } else ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): mcollective is not installed`);

  if (isDict(conf)) {
    const fs = ctx.host.fs;
    for (const c of certs) fs.write(c.file, c.text, { mode: c.mode });
    const old = fs.readText(SERVER_CFG);
    // The image's file is kept once: a re-run after a crash keeps the original .old.
    if (old !== null && !fs.exists(`${SERVER_CFG}.old`)) fs.write(`${SERVER_CFG}.old`, old, { mode: fs.stat(SERVER_CFG)?.mode ?? 0o644 });
    fs.write(SERVER_CFG, editServerCfg(old ?? '', top, sections), { mode: 0o644 });
    ctx.log.info(`mcollective: ${SERVER_CFG} written${certs.length > 0 ? ` with ${certs.map((c) => c.file).join(' and ')}` : ''}`);
  }

  // cloud-init restarts it with `service`, whatever the init system.
  if (ctx.host.root !== '/' && ctx.host.exec.mode !== 'record') {
    ctx.log.info(`the tree under ${ctx.host.root} is not running: mcollective is not restarted`);
    return;
  }
  const why = failure(ctx.host.exec.run(['service', 'mcollective', 'restart'], { output: 'log' }));
  if (why !== null) throw new Error(`mcollective: service mcollective restart failed: ${why}`);
}

export const mcollective: Module = {
  name: 'mcollective',
  frequency: 'once-per-instance',
  keys: ['mcollective'],
  schema: mcollectiveSchema,
  examples: [
    `#cloud-config
# Debug logging, the stomp host, and the server's certificates (securityprovider becomes ssl).
mcollective:
  conf:
    loglevel: debug
    plugin.stomp.host: dbhost
    public-cert: |
      -------BEGIN CERTIFICATE--------
      <cert data>
      -------END CERTIFICATE--------
    private-cert: |
      -------BEGIN CERTIFICATE--------
      <cert data>
      -------END CERTIFICATE--------
`,
  ],
  run,
};
