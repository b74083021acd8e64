// Pieces shared by the v1 and network_data.json parsers: routes and DNS lists.
import { fail, type FieldPath, type Where } from '../errors.js';
import type { Dns, Route } from '../model.js';
import { cidr, dnsName, familyOf, int, ipAddr, list, maskToPrefix, record } from '../validate.js';

/** A route given as {network, netmask|prefix, gateway, metric} or {destination: cidr, gateway}. */
export function parseRoute(w: Where, path: FieldPath, v: unknown): Route {
  const r = record(w, path, v);
  const gwKey = r.gateway !== undefined ? 'gateway' : 'via';
  const via = ipAddr(w, [...path, gwKey], r[gwKey]);
  let to: string;
  let prefix: number;
  if (r.destination !== undefined || r.to !== undefined) {
    const key = r.destination !== undefined ? 'destination' : 'to';
    const raw = r[key];
    if (raw === 'default') {
      to = familyOf(via) === 4 ? '0.0.0.0' : '::';
      prefix = 0;
    } else {
      const c = cidr(w, [...path, key], raw);
      to = c.address;
      prefix = c.prefix ?? (familyOf(to) === 4 ? 32 : 128);
    }
  } else if (r.network !== undefined) {
    const c = typeof r.network === 'string' && r.network.includes('/') ? cidr(w, [...path, 'network'], r.network) : null;
    to = c ? c.address : ipAddr(w, [...path, 'network'], r.network);
    const m = r.netmask ?? r.prefix ?? c?.prefix ?? (familyOf(to) === 4 ? 32 : 128);
    prefix = maskToPrefix(w, [...path, r.netmask !== undefined ? 'netmask' : 'prefix'], m, familyOf(to));
  } else {
    fail(w, path, 'a route with destination (or network and netmask) and gateway', v);
  }
  if (familyOf(to) !== familyOf(via)) fail(w, [...path, gwKey], `a gateway of the same family as ${to}`, via);
  const route: Route = { to, prefix, via };
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
