// Checks for every value that reaches a rendered file. Values that end up in
// shell-sourced ifcfg files must be exactly what they claim to be (an interface name,
// an address, a number), so they can never carry shell syntax; the parsers call these
// and refuse anything else with an error naming the source field.
import { isIPv4, isIPv6 } from './ip-syntax.js';
import { fail, type FieldPath, type Where } from './errors.js';

// The kernel allows up to 15 bytes and no '/', ':' or whitespace in a name; nimbus
// further limits names to the characters real interface names use (with '.' for VLANs
// and '-' and '_'), which keeps them inert in shell, systemd and NetworkManager files.
const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

export function isIfName(s: unknown): s is string {
  return typeof s === 'string' && IFNAME.test(s) && s !== '.' && s !== '..';
}

export function ifName(w: Where, path: FieldPath, v: unknown): string {
  if (!isIfName(v)) fail(w, path, 'an interface name (1-15 of A-Z a-z 0-9 _ . -)', v);
  return v;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function isMac(s: unknown): s is string {
  return typeof s === 'string' && MAC.test(s.toLowerCase());
}

// cloud-init also takes MACs written with dashes (52-54-00-12-34-56, as Windows and
// some clouds print them); they are stored in the colon form every renderer writes.
const DASHED_MAC = /^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/;

export function mac(w: Where, path: FieldPath, v: unknown): string {
  if (typeof v === 'string' && DASHED_MAC.test(v.toLowerCase())) return v.toLowerCase().replace(/-/g, ':');
  if (!isMac(v)) fail(w, path, 'a MAC address like 52:54:00:12:34:56', v);
  return v.toLowerCase();
}

export function ipv4(w: Where, path: FieldPath, v: unknown): string {
  if (typeof v !== 'string' || !isIPv4(v)) fail(w, path, 'an IPv4 address', v);
  return v;
}

export function ipAddr(w: Where, path: FieldPath, v: unknown): string {
  if (typeof v !== 'string' || !(isIPv4(v) || isIPv6(v))) fail(w, path, 'an IPv4 or IPv6 address', v);
  return v.includes(':') ? v.toLowerCase() : v;
}

export function familyOf(addr: string): 4 | 6 {
  return addr.includes(':') ? 6 : 4;
}

export function prefixLen(w: Where, path: FieldPath, v: unknown, family: 4 | 6): number {
  const n = typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : v;
  const max = family === 4 ? 32 : 128;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) fail(w, path, `a prefix length 0-${max}`, v);
  return n;
}

/** A dotted netmask ("255.255.255.0"), an IPv6 mask ("ffff:ffff::") or a prefix length, as a prefix length. */
export function maskToPrefix(w: Where, path: FieldPath, v: unknown, family: 4 | 6): number {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d{1,3}$/.test(v))) return prefixLen(w, path, v, family);
  if (typeof v === 'string' && family === 4 && isIPv4(v)) {
    const bits = v
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
    if (/^1*0*$/.test(bits)) return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
  }
  if (typeof v === 'string' && family === 6 && isIPv6(v)) {
    const bits = expand6(v)
      .map((g) => parseInt(g, 16).toString(2).padStart(16, '0'))
      .join('');
    if (/^1*0*$/.test(bits)) return bits.indexOf('0') === -1 ? 128 : bits.indexOf('0');
  }
  fail(w, path, `a netmask (${family === 4 ? '255.255.255.0' : 'ffff:ffff:ffff:ffff::'} or a prefix length)`, v);
}

export function expand6(a: string): string[] {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, null];
  const h = head === '' ? [] : head.split(':');
  if (tail === null) return h;
  const t = tail === '' ? [] : tail.split(':');
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
}

export function prefixToNetmask(prefix: number): string {
  const bits = '1'.repeat(prefix).padEnd(32, '0');
  return [0, 8, 16, 24].map((i) => parseInt(bits.slice(i, i + 8), 2)).join('.');
}

/** "addr/prefix" or a bare address; returns both parts checked. */
export function cidr(w: Where, path: FieldPath, v: unknown): { address: string; prefix: number | null } {
  if (typeof v !== 'string') fail(w, path, 'an address, optionally with /prefix', v);
  const [a, p, extra] = v.split('/');
  if (extra !== undefined) fail(w, path, 'an address, optionally with /prefix', v);
  const address = ipAddr(w, path, a);
  return { address, prefix: p === undefined ? null : prefixLen(w, path, p, familyOf(address)) };
}

export function mtu(w: Where, path: FieldPath, v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 68 || n > 65535) fail(w, path, 'an MTU (integer 68-65535)', v);
  return n;
}

export function int(w: Where, path: FieldPath, v: unknown, min: number, max: number, what: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(w, path, `${what} (integer ${min}-${max})`, v);
  return n;
}

// A DNS name (search domain, host name): labels of letters, digits and '-', dot-separated.
const DNSNAME = /^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

export function isDnsName(s: unknown): s is string {
  return typeof s === 'string' && DNSNAME.test(s);
}

export function dnsName(w: Where, path: FieldPath, v: unknown): string {
  if (!isDnsName(v)) fail(w, path, 'a DNS name (letters, digits, - and .)', v);
  return v;
}

/** A bonding/bridge option value: a word, number or list of them, nothing shell-special. */
export function optionValue(w: Where, path: FieldPath, v: unknown): string {
  const s = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  if (typeof s !== 'string' || !/^[A-Za-z0-9_.:+-]{1,64}$/.test(s)) fail(w, path, 'an option value (letters, digits, _ . : + -)', v);
  return s;
}

export function list(w: Where, path: FieldPath, v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split(/[\s,]+/).filter((x) => x !== '');
  if (!Array.isArray(v)) fail(w, path, 'a list', v);
  return v;
}

export function record(w: Where, path: FieldPath, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(w, path, 'a mapping', v);
  return v as Record<string, unknown>;
}

/** A switch as cloud-init reads bridge_stp: a boolean, on/off, yes/no or 0/1. */
export function onOff(w: Where, path: FieldPath, v: unknown): boolean {
  if (v === 0 || v === '0') return false;
  if (v === 1 || v === '1') return true;
  return bool(w, path, v);
}

export function bool(w: Where, path: FieldPath, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === 'no' || v === 'off') return false;
  fail(w, path, 'true or false', v);
}
