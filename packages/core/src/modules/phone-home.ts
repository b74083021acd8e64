// phone_home: once per instance, the final stage POSTs the instance's id, host names and
// SSH host public keys (all, or the ones `post` lists) as a form to `url`, where
// $INSTANCE_ID stands for the instance id, trying up to `tries` times (default 10),
// 3 seconds apart, as cloud-init does. A post that never got through is a warning.
import type { Module, ModuleContext, Z } from './types.js';
import { currentStaticName, wantedName } from './lib/hostname.js';
import { isJinjaTemplate, renderJinjaPart } from '../userdata/jinja.js';
import { NIMBUS_VERSION_STRING } from '../version.js';

export const POST_ALL = ['pub_key_rsa', 'pub_key_ecdsa', 'pub_key_ed25519', 'instance_id', 'hostname', 'fqdn'] as const;
const PUB_KEYS: Readonly<Record<string, string>> = {
  pub_key_rsa: '/etc/ssh/ssh_host_rsa_key.pub',
  pub_key_ecdsa: '/etc/ssh/ssh_host_ecdsa_key.pub',
  pub_key_ed25519: '/etc/ssh/ssh_host_ed25519_key.pub',
};
const DEFAULT_TRIES = 10;
const SECONDS_BETWEEN = 3;
// cloud-init waits on a post without limit; a boot's final stage should not.
const TIMEOUT_MS = 10_000;

/** The url with $INSTANCE_ID or ${INSTANCE_ID} filled in, or through jinja under its header (pure). */
export function renderUrl(url: string, instanceId: string): string {
  const vars = { INSTANCE_ID: instanceId };
  if (isJinjaTemplate(url)) return renderJinjaPart(url, vars, 'phone_home.url').trim();
  return url.replace(/\$\{([A-Za-z0-9_.]+)\}|\$([A-Za-z0-9_.]+)/g, (_w, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    if (name !== 'INSTANCE_ID') throw new Error(`the url uses $${name}; only $INSTANCE_ID is known`);
    return instanceId;
  });
}

/** `tries` as cloud-init reads it (Python's int()); null for a value it cannot read. */
export function triesOf(v: unknown): number | null {
  if (v === undefined || v === null) return DEFAULT_TRIES;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.max(1, Math.trunc(v));
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Math.max(1, Number(v));
  return null;
}

export interface PostAttempt {
  ok: boolean;
  why: string;
}

/** One POST of a form; its outcome, never a throw. */
async function postOnce(url: string, form: URLSearchParams): Promise<PostAttempt> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { method: 'POST', body: form, headers: { 'User-Agent': `Cloud-Init/nimbus-${NIMBUS_VERSION_STRING}` }, signal: ctl.signal, redirect: 'follow' });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, why: '' } : { ok: false, why: `HTTP ${res.status}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, why: ctl.signal.aborted ? `no answer in ${TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message) };
  } finally {
    clearTimeout(timer);
  }
}

/** Posts up to `tries` times, `pause` between tries; the attempts' outcomes. Injected for tests. */
export async function postWithTries(
  url: string,
  form: URLSearchParams,
  tries: number,
  post: (url: string, form: URLSearchParams) => Promise<PostAttempt> = postOnce,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<PostAttempt[]> {
  const out: PostAttempt[] = [];
  for (let i = 0; i < tries; i++) {
    if (i > 0) await pause(SECONDS_BETWEEN * 1000);
    const a = await post(url, form);
    out.push(a);
    if (a.ok) break;
  }
  return out;
}

async function run(ctx: ModuleContext): Promise<void> {
  const ph = ctx.cfg.phone_home;
  if (ph === null || typeof ph !== 'object' || Array.isArray(ph)) throw new Error(`${ctx.source.where(['phone_home'])}phone_home must be a mapping with a url`);
  const cfg = ph as Record<string, unknown>;
  if (cfg.url === undefined) {
    ctx.log.warn(`${ctx.source.where(['phone_home'])}phone_home has no url: nothing was posted`);
    return;
  }
  if (typeof cfg.url !== 'string') throw new Error(`${ctx.source.where(['phone_home', 'url'])}phone_home.url must be a URL`);
  let tries = triesOf(cfg.tries);
  if (tries === null) {
    ctx.log.warn(`${ctx.source.where(['phone_home', 'tries'])}phone_home.tries ${JSON.stringify(cfg.tries)} is not an integer; using ${DEFAULT_TRIES}`);
    tries = DEFAULT_TRIES;
  }
  const post = cfg.post ?? 'all';
  let names: string[];
  if (post === 'all') names = [...POST_ALL];
  else if (Array.isArray(post) && post.every((x) => typeof x === 'string')) names = post as string[];
  else throw new Error(`${ctx.source.where(['phone_home', 'post'])}phone_home.post must be "all" or a list of ${POST_ALL.join(', ')}`);

  let url: string;
  try {
    url = renderUrl(cfg.url, ctx.ds.instanceId);
  } catch (e) {
    throw new Error(`${ctx.source.where(['phone_home', 'url'])}phone_home.url: ${(e as Error).message}`);
  }
  if (!/^https?:\/\//i.test(url)) throw new Error(`${ctx.source.where(['phone_home', 'url'])}not supported: phone_home.url ${JSON.stringify(url)} (only http and https URLs take a post)`);

  const wanted = wantedName(ctx);
  const named = wanted !== null && !('error' in wanted) ? wanted : null;
  const current = currentStaticName(ctx.host, ctx.distro) ?? 'localhost';
  const value = (n: string): string | null => {
    if (n === 'instance_id') return ctx.ds.instanceId;
    if (n === 'hostname') return named?.hostname ?? current.split('.')[0] ?? current;
    if (n === 'fqdn') return named?.fqdn ?? current;
    const file = PUB_KEYS[n];
    return file === undefined ? null : ctx.host.fs.readText(file);
  };
  const form = new URLSearchParams();
  for (const n of names) {
    const v = value(n);
    if (v === null) ctx.log.warn(`${ctx.source.where(['phone_home', 'post'])}phone_home: ${n} is not available${PUB_KEYS[n] !== undefined ? ` (${PUB_KEYS[n]} is not there)` : ''}; posted as N/A`);
    form.append(n, v ?? 'N/A');
  }
  const attempts = await postWithTries(url, form, tries);
  const last = attempts[attempts.length - 1];
  if (last?.ok === true) ctx.log.info(`posted ${names.join(', ')} to ${url} (try ${attempts.length} of ${tries})`);
  else ctx.log.warn(`phone_home: posting to ${url} failed in ${attempts.length} tries: ${attempts.map((a) => a.why).join('; ')}`);
}

export const phoneHome: Module = {
  name: 'phone_home',
  frequency: 'once-per-instance',
  keys: ['phone_home'],
  schema: (z: Z) =>
    z.object({
      phone_home: z
        .object({
          url: z.string(),
          post: z.union([z.literal('all'), z.array(z.enum(POST_ALL))]).optional(),
          tries: z.number().int().optional(),
        })
        .optional(),
    }),
  examples: [
    '#cloud-config\nphone_home: {post: all, url: "http://example.com/$INSTANCE_ID/"}\n',
    '#cloud-config\nphone_home:\n  post: [pub_key_rsa, pub_key_ecdsa, pub_key_ed25519, instance_id, hostname, fqdn]\n  tries: 5\n  url: http://example.com/$INSTANCE_ID/\n',
  ],
  run,
};
