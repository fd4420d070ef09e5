import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ResolvedAddress,
  type Resolver,
  type UrlRefusalReason,
  SSRF_BLOCKED,
  SsrfError,
  addressRefusal,
  checkUrl,
  createGuardedAgent,
  guardedLookup,
} from '../../src/lib/ssrf.js';

// No real DNS and no traffic to anything but 127.0.0.1: every resolver here is a stub, and the
// public or TEST-NET addresses it returns are only used where no connection is attempted.

const answer = (address: string): ResolvedAddress => ({ address, family: net.isIP(address) === 6 ? 6 : 4 });

const stubResolver = (table: Record<string, string[]>): Resolver & { calls: string[] } => {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map(answer);
  };
  return Object.assign(resolve, { calls });
};

/** For literal hosts: resolving would mean a DNS query was made for an IP. */
const noDns: Resolver = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};

const names = stubResolver({
  'internal.test': ['10.1.2.3'],
  'mixed.test': ['93.184.215.14', '127.0.0.1'],
  'localhost': ['127.0.0.1', '::1'],
  'metadata.test': ['169.254.169.254'],
  'mapped.test': ['::ffff:10.0.0.1'],
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'receiver.test': ['127.0.0.1'],
});

describe('checkUrl refuses', () => {
  const refused: [url: string, reason: UrlRefusalReason, message: RegExp][] = [
    ['http://10.0.0.1/', 'blocked_address', /private/],
    ['http://172.16.5.4/', 'blocked_address', /private/],
    ['http://192.168.1.1/', 'blocked_address', /private/],
    ['http://169.254.169.254/latest/meta-data', 'blocked_address', /link-local.*metadata/],
    ['http://127.0.0.1/', 'blocked_address', /loopback/],
    ['http://[::1]/', 'blocked_address', /loopback/],
    ['http://0x7f000001/', 'blocked_address', /127\.0\.0\.1 is a loopback/],
    ['http://2130706433/', 'blocked_address', /127\.0\.0\.1 is a loopback/],
    ['http://127.1/', 'blocked_address', /127\.0\.0\.1 is a loopback/],
    ['http://0177.0.0.1/', 'blocked_address', /127\.0\.0\.1 is a loopback/],
    ['http://017700000001/', 'blocked_address', /loopback/],
    ['http://0x7f.0x0.0x0.0x1/', 'blocked_address', /loopback/],
    ['http://[::ffff:127.0.0.1]/', 'blocked_address', /embeds 127\.0\.0\.1.*loopback/],
    ['http://[::ffff:7f00:1]/', 'blocked_address', /embeds 127\.0\.0\.1/],
    ['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'blocked_address', /embeds 127\.0\.0\.1/],
    ['http://[::ffff:0:a00:1]/', 'blocked_address', /embeds 10\.0\.0\.1/],
    ['http://[::7f00:1]/', 'blocked_address', /IPv4-compatible/],
    ['http://[64:ff9b::a00:1]/', 'blocked_address', /embeds 10\.0\.0\.1.*private/],
    ['http://[64:ff9b::7f00:1]/', 'blocked_address', /embeds 127\.0\.0\.1/],
    ['http://[64:ff9b:1::8.8.8.8]/', 'blocked_address', /local-use NAT64/],
    ['http://[2002:a00:1::1]/', 'blocked_address', /embeds 10\.0\.0\.1/],
    ['http://[2002:a9fe:a9fe::]/', 'blocked_address', /embeds 169\.254\.169\.254/],
    ['http://[2001:0:4136:e378::1]/', 'blocked_address', /Teredo/],
    ['http://[fc00::1]/', 'blocked_address', /unique-local/],
    ['http://[fd12:3456::1]/', 'blocked_address', /unique-local/],
    ['http://[fe80::1]/', 'blocked_address', /link-local/],
    ['http://[fec0::1]/', 'blocked_address', /site-local/],
    ['http://[ff02::1]/', 'blocked_address', /multicast/],
    ['http://[::]/', 'blocked_address', /unspecified/],
    ['http://[2001:db8::1]/', 'blocked_address', /documentation/],
    ['http://0.0.0.0/', 'blocked_address', /unspecified/],
    ['http://0/', 'blocked_address', /unspecified/],
    ['http://100.64.0.1/', 'blocked_address', /CGNAT/],
    ['http://198.18.0.1/', 'blocked_address', /benchmarking/],
    ['http://240.0.0.1/', 'blocked_address', /reserved/],
    ['http://255.255.255.255/', 'blocked_address', /broadcast/],
    ['http://224.0.0.1/', 'blocked_address', /multicast/],
    ['http://192.0.2.10/', 'blocked_address', /documentation/],
    ['http://203.0.113.7/', 'blocked_address', /documentation/],
    ['http://192.0.0.8/', 'blocked_address', /reserved/],
    ['http://user:pw@example.com/', 'credentials_in_url', /user name or password/],
    ['http://A.com@127.0.0.1/', 'credentials_in_url', /user name or password/],
    ['ftp://example.com/', 'scheme_not_allowed', /ftp:/],
    ['file:///etc/passwd', 'scheme_not_allowed', /file:/],
    ['gopher://example.com:70/', 'scheme_not_allowed', /gopher:/],
    ['not a url', 'invalid_url', /not valid/],
    ['http://internal.test/', 'host_not_public', /internal\.test does not resolve to public addresses only/],
    ['http://metadata.test/', 'host_not_public', /does not resolve to public/],
    ['http://mapped.test/', 'host_not_public', /does not resolve to public/],
    ['http://mixed.test/', 'host_not_public', /does not resolve to public/],
    ['http://localhost:8080/', 'host_not_public', /does not resolve to public/],
    ['http://nowhere.test/', 'host_not_public', /does not resolve to public/],
  ];

  it.each(refused)('%s → %s', async (url, reason, message) => {
    const literalOrStub = /\.test|localhost/.test(url) ? names : noDns;
    const result = await checkUrl(url, { allowHttp: true, resolve: literalOrStub });
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('when odd IPv4 spellings are parsed, then the WHATWG URL parser has already made them 127.0.0.1', () => {
    for (const spelling of ['0x7f000001', '2130706433', '0177.0.0.1', '127.1', '017700000001', '0x7f.0x0.0x0.0x1', '127.0.1']) {
      expect(new URL(`http://${spelling}/`).hostname).toBe('127.0.0.1');
    }
    expect(new URL('http://[0:0:0:0:0:ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });

  it('when a name resolves to a private address, then the message does not reveal the address but the detail does (for logs)', async () => {
    const result = await checkUrl('https://internal.test/hook', { resolve: names });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).not.toContain('10.1.2.3');
    expect(result.detail).toMatch(/10\.1\.2\.3 is a private address/);
  });

  it('when a name resolves to [public, 127.0.0.1], then it is refused and the detail names only the loopback address', async () => {
    const result = await checkUrl('https://mixed.test/', { resolve: names });
    expect(result).toMatchObject({ ok: false, reason: 'host_not_public' });
    if (!result.ok) expect(result.detail).toBe('127.0.0.1 is a loopback address (127.0.0.0/8)');
  });

  it('when the URL is http and allowHttp is not set, then https is required (WH-22)', async () => {
    expect(await checkUrl('http://hooks.example.com/', { resolve: names })).toMatchObject({
      ok: false,
      reason: 'https_required',
    });
  });

  it('when allowLoopback is set, then private, metadata and mapped-loopback addresses stay refused', async () => {
    const options = { allowLoopback: true, allowHttp: true, resolve: names };
    for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/', 'http://[::]/']) {
      expect(await checkUrl(url, options)).toMatchObject({ ok: false, reason: 'blocked_address' });
    }
  });
});

describe('checkUrl allows', () => {
  it('when the URL is an https public IPv4 or IPv6 literal, then it is allowed without any DNS lookup', async () => {
    expect(await checkUrl('https://93.184.215.14/hooks', { resolve: noDns })).toMatchObject({
      ok: true,
      addresses: ['93.184.215.14'],
    });
    expect(await checkUrl('https://[2606:4700:4700::1111]/', { resolve: noDns })).toMatchObject({ ok: true });
  });

  it('when a name resolves to public addresses only, then it is allowed with those addresses', async () => {
    const result = await checkUrl('https://hooks.example.com/afterview?x=1', { resolve: names });
    expect(result).toMatchObject({ ok: true, addresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    if (result.ok) expect(result.url.pathname).toBe('/afterview');
  });

  it('when allowLoopback is set, then 127.0.0.1, [::1] and a name resolving to loopback are allowed', async () => {
    const options = { allowLoopback: true, allowHttp: true, resolve: names };
    expect(await checkUrl('http://127.0.0.1:3000/hook', options)).toMatchObject({ ok: true });
    expect(await checkUrl('http://[::1]:3000/hook', options)).toMatchObject({ ok: true });
    expect(await checkUrl('http://localhost:3000/hook', options)).toMatchObject({ ok: true });
  });
});

describe('addressRefusal', () => {
  it('when an IPv6 address embeds a public IPv4 (mapped, NAT64, 6to4), then the embedded address decides', () => {
    expect(addressRefusal('::ffff:93.184.215.14')).toBeNull();
    expect(addressRefusal('64:ff9b::5db8:d70e')).toBeNull();
    expect(addressRefusal('2002:5db8:d70e::1')).toBeNull();
    expect(addressRefusal('2002:c0a8:0101::1')).toMatch(/embeds 192\.168\.1\.1/);
  });

  it('when the input is not an IP address, then it is refused', () => {
    expect(addressRefusal('example.com')).toMatch(/not an IP address/);
  });
});

describe('guardedLookup (no connection)', () => {
  const lookup = (resolve: Resolver, options: { all?: boolean; family?: number } = {}, allowLoopback = false) =>
    new Promise<{ address: unknown; family: unknown }>((ok, fail) => {
      guardedLookup({ resolve, allowLoopback })('mixed.test', options, (err, address, family) =>
        err ? fail(err) : ok({ address, family }),
      );
    });

  it('when the answer is [public, 127.0.0.1] in either order, then only the public address is handed over (WH-21)', async () => {
    for (const order of [['93.184.215.14', '127.0.0.1'], ['127.0.0.1', '93.184.215.14']]) {
      const resolve = stubResolver({ 'mixed.test': order });
      expect(await lookup(resolve, { all: true })).toEqual({
        address: [{ address: '93.184.215.14', family: 4 }],
        family: undefined,
      });
      expect(await lookup(resolve, {})).toEqual({ address: '93.184.215.14', family: 4 });
    }
  });

  it('when every address is refused, then it fails with SsrfError ERR_SSRF_BLOCKED', async () => {
    const resolve = stubResolver({ 'mixed.test': ['127.0.0.1', '10.0.0.1', '::1'] });
    const err = await lookup(resolve, { all: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsrfError);
    expect(err).toMatchObject({ code: SSRF_BLOCKED, hostname: 'mixed.test' });
    expect((err as SsrfError).refused).toHaveLength(3);
  });

  it('when a family is asked for, then only allowed addresses of that family are handed over', async () => {
    const resolve = stubResolver({ 'mixed.test': ['93.184.215.14', '::1', '2606:4700:4700::1111'] });
    expect(await lookup(resolve, { all: true, family: 6 })).toMatchObject({
      address: [{ address: '2606:4700:4700::1111', family: 6 }],
    });
  });

  it('when the resolver fails, then its error is passed on', async () => {
    await expect(lookup(stubResolver({}), {})).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('guarded connections to a real loopback receiver', () => {
  let server: http.Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });
  beforeEach(() => {
    connections = 0;
  });

  const get = (url: string, agent: http.Agent) =>
    new Promise<number>((ok, fail) => {
      const client = url.startsWith('https:') ? https : http;
      const req = client.get(url, { agent, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', fail);
    });
  /**
   * Before counting, one honest request goes through: the server accepts connections in order,
   * so any connection wrongly attempted earlier has been counted by the time it answers.
   */
  const settle = async () => {
    const agent = new http.Agent();
    await get(`http://127.0.0.1:${port}/canary`, agent);
    agent.destroy();
    connections -= 1;
  };

  it('when allowLoopback is set, then a request through http.Agent({ lookup }) reaches the receiver', async () => {
    const agent = new http.Agent({ lookup: guardedLookup({ allowLoopback: true, resolve: names }) });
    expect(await get(`http://receiver.test:${port}/hook`, agent)).toBe(200);
    expect(connections).toBe(1);
    agent.destroy();
  });

  it('when allowLoopback is not set, then the request fails with ERR_SSRF_BLOCKED and no connection is made', async () => {
    const agent = new http.Agent({ lookup: guardedLookup({ resolve: names }) });
    await expect(get(`http://receiver.test:${port}/hook`, agent)).rejects.toMatchObject({ code: SSRF_BLOCKED });
    await settle();
    expect(connections).toBe(0);
    agent.destroy();
  });

  it('when DNS rebinds (public at save time, 127.0.0.1 at send time), then the send is refused before connecting (WH-20)', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => [answer(calls++ === 0 ? '93.184.215.14' : '127.0.0.1')];
    const url = `http://rebind.test:${port}/hook`;

    expect(await checkUrl(url, { allowHttp: true, resolve: rebinding })).toMatchObject({ ok: true });
    const agent = new http.Agent({ lookup: guardedLookup({ resolve: rebinding }) });
    await expect(get(url, agent)).rejects.toMatchObject({ code: SSRF_BLOCKED });
    await settle();
    expect(calls).toBe(2);
    expect(connections).toBe(0);
    agent.destroy();
  });

  it('when the host is an IP literal, then Node skips lookup, so a bare lookup-only agent connects (why createGuardedAgent exists)', async () => {
    const agent = new http.Agent({ lookup: guardedLookup({ resolve: noDns }) });
    expect(await get(`http://127.0.0.1:${port}/`, agent)).toBe(200);
    expect(connections).toBe(1);
    agent.destroy();
  });

  it('when createGuardedAgent is used, then refused IP literals fail with ERR_SSRF_BLOCKED before connecting, over http and https', async () => {
    const agentHttp = createGuardedAgent('http:', { resolve: noDns });
    const agentHttps = createGuardedAgent('https:', { resolve: noDns });
    await expect(get(`http://127.0.0.1:${port}/`, agentHttp)).rejects.toMatchObject({ code: SSRF_BLOCKED });
    await expect(get(`https://127.0.0.1:${port}/`, agentHttps)).rejects.toMatchObject({ code: SSRF_BLOCKED });
    await expect(get(`http://[::ffff:127.0.0.1]:${port}/`, agentHttp)).rejects.toMatchObject({ code: SSRF_BLOCKED });
    await expect(get(`http://receiver.test:${port}/`, createGuardedAgent('http:', { resolve: names }))).rejects.toMatchObject(
      { code: SSRF_BLOCKED },
    );
    await settle();
    expect(connections).toBe(0);
    agentHttp.destroy();
    agentHttps.destroy();
  });

  it('when createGuardedAgent has allowLoopback, then both a literal and a name reach the receiver', async () => {
    const agent = createGuardedAgent('http:', { allowLoopback: true, resolve: names });
    expect(await get(`http://127.0.0.1:${port}/`, agent)).toBe(200);
    expect(await get(`http://receiver.test:${port}/`, agent)).toBe(200);
    expect(connections).toBe(2);
    agent.destroy();
  });
});
