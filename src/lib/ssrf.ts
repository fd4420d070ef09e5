import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for customer-supplied webhook URLs (docs/webhooks-security.md). Only global unicast
 * addresses are allowed; range classification comes from ipaddr.js, the embedded IPv4 of mapped,
 * NAT64 and 6to4 addresses is classified too. `checkUrl` runs at save time; at send time
 * `guardedLookup` (or `createGuardedAgent`) filters the very addresses the socket connects to, so a
 * DNS answer that changes between check and send (rebinding) cannot reach a refused address.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has; injected in tests so no real DNS is used. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1: tests and local development only (the receiver lives on loopback). */
  allowLoopback?: boolean;
}

export interface GuardOptions extends AddressPolicy {
  resolve?: Resolver;
}

export interface CheckUrlOptions extends GuardOptions {
  /** Accept `http:` as well as `https:`: development and tests only. */
  allowHttp?: boolean;
}

export const defaultResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export const SSRF_BLOCKED = 'ERR_SSRF_BLOCKED';

/** Thrown (or passed to the socket) when no allowed address is left: no connection was attempted. */
export class SsrfError extends Error {
  override name = 'SsrfError';
  readonly code = SSRF_BLOCKED;
  readonly hostname: string;
  /** Why each address was refused, for logs: may name internal addresses, not for the customer. */
  readonly refused: readonly string[];
  constructor(hostname: string, refused: readonly string[]) {
    super(`Refused to connect to ${hostname}: it has no allowed address (${refused.join('; ') || 'none'})`);
    this.hostname = hostname;
    this.refused = refused;
  }
}

// ---------------------------------------------------------------------------------------------
// Address classification

const V4_RANGES: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address (224.0.0.0/4)',
  linkLocal: 'a link-local address (169.254.0.0/16, cloud metadata included)',
  loopback: 'a loopback address (127.0.0.0/8)',
  carrierGradeNat: 'a shared CGNAT address (100.64.0.0/10)',
  private: 'a private address (10/8, 172.16/12, 192.168/16)',
  reserved: 'a reserved, documentation or benchmarking address',
};

const V6_RANGES: Record<string, string> = {
  unspecified: 'the unspecified address (::)',
  loopback: 'the loopback address (::1)',
  linkLocal: 'a link-local address (fe80::/10)',
  multicast: 'a multicast address (ff00::/8)',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  teredo: 'a Teredo tunnelling address (2001::/32)',
  rfc6052: 'a local-use NAT64 address (64:ff9b:1::/48)',
  reserved: 'a reserved or documentation address',
};

/** Why `address` must not be connected to, or null when it is allowed. */
export function addressRefusal(address: string, policy: AddressPolicy = {}): string | null {
  const kind = net.isIP(address);
  if (kind === 4) return v4Refusal(ipaddr.IPv4.parse(address), policy);
  if (kind === 6) return v6Refusal(ipaddr.IPv6.parse(address), policy);
  return `${address} is not an IP address`;
}

function v4Refusal(ip: ipaddr.IPv4, policy: AddressPolicy): string | null {
  const range = ip.range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.allowLoopback) return null;
  return `${ip.toString()} is ${V4_RANGES[range] ?? `a special-purpose address (${range})`}`;
}

function v6Refusal(ip: ipaddr.IPv6, policy: AddressPolicy): string | null {
  const range = ip.range();
  const parts = ip.parts;
  const embedded = embeddedV4(ip, range);
  if (embedded) {
    // The v4 inside is what a translator or the dual-stack socket reaches: judge that one.
    // allowLoopback is not applied to it: the test receiver is reached as 127.0.0.1 or ::1.
    const inner = v4Refusal(embedded, {});
    return inner === null ? null : `${ip.toString()} embeds ${embedded.toString()}, which is refused: ${inner}`;
  }
  if (range === 'loopback' && policy.allowLoopback) return null;
  if (range === 'unicast') {
    if (parts.slice(0, 6).every((p) => p === 0)) {
      return `${ip.toString()} is an IPv4-compatible IPv6 address (::/96, deprecated)`;
    }
    return null;
  }
  return `${ip.toString()} is ${V6_RANGES[range] ?? `a special-purpose address (${range})`}`;
}

/** The IPv4 embedded in IPv4-mapped/translated, NAT64 well-known prefix and 6to4 addresses. */
function embeddedV4(ip: ipaddr.IPv6, range: string): ipaddr.IPv4 | null {
  const p = ip.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return v4(p[6]!, p[7]!);
    case 'rfc6052': // 64:ff9b::a.b.c.d (the /96 only; 64:ff9b:1::/48 is local-use, refused as such)
      return p.slice(2, 6).every((x) => x === 0) ? v4(p[6]!, p[7]!) : null;
    case '6to4': // 2002:aabb:ccdd::/48
      return v4(p[1]!, p[2]!);
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Save time

export type UrlRefusalReason =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'https_required'
  | 'credentials_in_url'
  | 'blocked_address'
  | 'host_not_public';

export type UrlCheck =
  | { ok: true; url: URL; addresses: string[] }
  | {
      ok: false;
      reason: UrlRefusalReason;
      /** Safe to show the customer. */
      message: string;
      /** For logs only: may name the internal addresses a host name resolved to. */
      detail?: string;
    };

const refuse = (reason: UrlRefusalReason, message: string, detail?: string): UrlCheck =>
  detail === undefined ? { ok: false, reason, message } : { ok: false, reason, message, detail };

/**
 * Checks a webhook URL at save time. The WHATWG parser has already canonicalised odd IPv4 spellings
 * (`0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1` → 127.0.0.1) and IPv6 forms, so the host is
 * either a canonical literal or a name to resolve. A name is refused if any of its addresses is.
 */
export async function checkUrl(input: string, options: CheckUrlOptions = {}): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('invalid_url', 'The URL is not valid');
  }
  if (url.protocol === 'http:') {
    if (!options.allowHttp) return refuse('https_required', 'The URL must use https');
  } else if (url.protocol !== 'https:') {
    return refuse('scheme_not_allowed', `The scheme ${url.protocol} is not allowed: use https`);
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('credentials_in_url', 'The URL must not contain a user name or password');
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') return refuse('invalid_url', 'The URL has no host');

  if (net.isIP(host) !== 0) {
    const refusal = addressRefusal(host, options);
    if (refusal) return refuse('blocked_address', `The address is not allowed: ${refusal}`);
    return { ok: true, url, addresses: [host] };
  }

  // One message for "does not resolve" and "resolves to a refused address": anything more precise
  // would tell a caller which internal names exist.
  const notPublic = `${host} does not resolve to public addresses only`;
  let answers: ResolvedAddress[];
  try {
    answers = await (options.resolve ?? defaultResolver)(host);
  } catch (err) {
    return refuse('host_not_public', notPublic, `resolution failed: ${(err as Error).message}`);
  }
  if (answers.length === 0) return refuse('host_not_public', notPublic, 'no address');
  const refused = answers.map((a) => addressRefusal(a.address, options)).filter((r) => r !== null);
  if (refused.length > 0) return refuse('host_not_public', notPublic, refused.join('; '));
  return { ok: true, url, addresses: answers.map((a) => a.address) };
}

// ---------------------------------------------------------------------------------------------
// Connect time

/**
 * A `lookup` for `http.Agent`/`https.Agent`/`net.connect`: resolves, drops every refused address and
 * hands the socket only allowed ones, or fails with SsrfError before any connection. Node does not
 * call `lookup` for IP-literal hosts: use `createGuardedAgent`, which refuses those too.
 */
export function guardedLookup(options: GuardOptions = {}): net.LookupFunction {
  const resolve = options.resolve ?? defaultResolver;
  return (hostname, lookupOptions, callback) => {
    const literal = net.isIP(hostname);
    const answers: Promise<ResolvedAddress[]> =
      literal === 0 ? resolve(hostname) : Promise.resolve([{ address: hostname, family: literal === 6 ? 6 : 4 }]);
    answers.then(
      (all) => {
        const family = familyOf(lookupOptions.family);
        const candidates = family === 0 ? all : all.filter((a) => a.family === family);
        const refused: string[] = [];
        const allowed = candidates.filter((a) => {
          const refusal = addressRefusal(a.address, options);
          if (refusal) refused.push(refusal);
          return refusal === null;
        });
        const first = allowed[0];
        if (!first) {
          const err: NodeJS.ErrnoException =
            candidates.length === 0
              ? Object.assign(new Error(`No address found for ${hostname}`), { code: 'ENOTFOUND' })
              : new SsrfError(hostname, refused);
          callback(err, '', 0);
        } else if (lookupOptions.all) {
          callback(null, allowed.map((a) => ({ address: a.address, family: a.family })));
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

function familyOf(family: dns.LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/** Refuses IP-literal hosts, which bypass `lookup`; host names go through `guardedLookup`. */
function literalRefusal(options: { host?: string | null | undefined }, policy: AddressPolicy): SsrfError | null {
  const host = options.host ?? '';
  if (net.isIP(host) === 0) return null;
  const refusal = addressRefusal(host, policy);
  return refusal ? new SsrfError(host, [refusal]) : null;
}

/**
 * An agent whose every connection goes to an allowed address: `lookup` is `guardedLookup`, and IP
 * literals are checked before connecting. Redirects are the caller's business (do not follow them).
 */
export function createGuardedAgent(
  protocol: 'http:' | 'https:',
  options: GuardOptions & { agent?: https.AgentOptions } = {},
): http.Agent {
  const agentOptions = { ...options.agent, lookup: guardedLookup(options) };
  const policy: AddressPolicy = { allowLoopback: options.allowLoopback ?? false };
  if (protocol === 'https:') {
    return new (class extends https.Agent {
      override createConnection(opts: https.RequestOptions, cb?: ConnectCallback) {
        const err = literalRefusal(opts, policy);
        if (err) return void cb?.(err, undefined as unknown as Duplex);
        return super.createConnection(opts, cb);
      }
    })(agentOptions);
  }
  return new (class extends http.Agent {
    override createConnection(opts: http.ClientRequestArgs, cb?: ConnectCallback) {
      const err = literalRefusal(opts, policy);
      if (err) return void cb?.(err, undefined as unknown as Duplex);
      return super.createConnection(opts, cb);
    }
  })(agentOptions);
}
