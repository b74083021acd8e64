// Pieces shared by the v1 and network_data.json parsers: routes and DNS lists.
import { fail, type FieldPath, type Where } from '../errors.js';
import type { Dns, Route } from '../model.js';
import { cidr, dnsName, familyOf, int, ipAddr, list, maskToPrefix, record } from '../validate.js';

/** Present and not empty: cloud-init treats "" like an absent key. */
const given = (x: unknown) => x !== undefined && x !== null && x !== '';

/**
 * A route given as {network, netmask|prefix, gateway, metric} or {destination|to: cidr,
 * gateway|via}. Without a gateway it is a route straight onto the link; without a
 * netmask or prefix it is a /24 (IPv4) or /64 (IPv6), as cloud-init reads it.
 */
export function parseRoute(w: Where, path: FieldPath, v: unknown): Route {
  const r = record(w, path, v);
  const gwKey = r.gateway !== undefined && r.gateway !== null && r.gateway !== '' ? 'gateway' : 'via';
  const via = r[gwKey] === undefined || r[gwKey] === null || r[gwKey] === '' ? undefined : ipAddr(w, [...path, gwKey], r[gwKey]);
  const defaultPrefix = (a: string) => (familyOf(a) === 4 ? 24 : 64);
  let to: string;
  let prefix: number;
  if (r.destination !== undefined || r.to !== undefined) {
    const key = r.destination !== undefined ? 'destination' : 'to';
    const raw = r[key];
    if (raw === 'default') {
      if (via === undefined) fail(w, [...path, 'via'], 'a gateway for a default route (its family says whether it is 0.0.0.0/0 or ::/0)');
      to = familyOf(via) === 4 ? '0.0.0.0' : '::';
      prefix = 0;
    } else {
      const c = cidr(w, [...path, key], raw);
      to = c.address;
      if (c.prefix !== null) prefix = c.prefix;
      else if (given(r.netmask) || given(r.prefix)) prefix = maskToPrefix(w, [...path, given(r.netmask) ? 'netmask' : 'prefix'], given(r.netmask) ? r.netmask : r.prefix, familyOf(to));
      else prefix = defaultPrefix(to);
    }
  } else if (r.network !== undefined) {
    const c = typeof r.network === 'string' && r.network.includes('/') ? cidr(w, [...path, 'network'], r.network) : null;
    to = c ? c.address : ipAddr(w, [...path, 'network'], r.network);
    const m = c?.prefix ?? (given(r.netmask) ? r.netmask : given(r.prefix) ? r.prefix : null);
    prefix = m === null ? defaultPrefix(to) : maskToPrefix(w, [...path, given(r.netmask) ? 'netmask' : 'prefix'], m, familyOf(to));
  } else {
    fail(w, path, 'a route with destination (or network and netmask)', v);
  }
  if (via !== undefined && familyOf(to) !== familyOf(via)) fail(w, [...path, gwKey], `a gateway of the same family as ${to}`, via);
  const route: Route = { to, prefix };
  if (via !== undefined) route.via = via;
  if (r.metric !== undefined && r.metric !== null) route.metric = int(w, [...path, 'metric'], r.metric, 0, 4294967295, 'a route metric');
  return route;
}

export function parseRoutes(w: Where, path: FieldPath, v: unknown): Route[] {
  return list(w, path, v).map((r, k) => parseRoute(w, [...path, k], r));
}

export function parseDns(w: Where, path: FieldPath, nameservers: unknown, search: unknown, nsKey: string, searchKey: string): Dns {
  return {
    nameservers: list(w, [...path, nsKey], nameservers).map((a, k) => ipAddr(w, [...path, nsKey, k], a)),
    search: list(w, [...path, searchKey], search).map((d, k) => dnsName(w, [...path, searchKey, k], d)),
  };
}
