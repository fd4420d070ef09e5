import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { Deadline } from '../../src/modules/webhooks/webhooks.send.js';

/**
 * The batch deadline on real requests to a loopback receiver that never answers, with the timer
 * and the clock it reads faked (the sockets stay real): a request is timed from when it has a
 * socket, and one still waiting for a socket at the limit ends as not sent, without waiting for
 * the agent to give it a socket first.
 */
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer(() => undefined); // holds every request
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A POST through `agent`, with the reasons the deadline ended it for (normally one). */
function post(agent: http.Agent, deadline?: Deadline) {
  const req = http.request(url, { method: 'POST', agent });
  req.on('error', () => undefined);
  req.end('{}');
  const ended: string[] = [];
  deadline?.track(req, { end: (reason) => ended.push(reason) });
  return { req, ended };
}

describe('the deadline of a batch of requests', () => {
  it('when a request waits for a socket, then its timeout starts when it has one; at the limit a waiting one ends as not sent', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const deadline = new Deadline(1_000, 5_000);
    try {
      const first = post(agent, deadline);
      const second = post(agent, deadline);
      while (!first.req.socket) await turn();
      // The first is seen holding its socket at the first tick (100 ms); it has 1 s from there.
      vi.advanceTimersByTime(1_000);
      expect(first.ended).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(first.ended).toEqual(['No answer within 1000 ms']);
      // The second had no socket all that time: not charged for the wait, it ends at the limit.
      expect(second.req.socket).toBeFalsy();
      vi.advanceTimersByTime(3_800);
      expect(second.ended).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(second.ended).toEqual(['Not sent within 5000 ms: every connection to the receiver stayed busy']);
      // Each is ended once.
      vi.advanceTimersByTime(10_000);
      expect([...first.ended, ...second.ended]).toHaveLength(2);
    } finally {
      deadline.clear();
      agent.destroy();
      vi.useRealTimers();
    }
  });

  it('when a request gets its socket late, then it still has the whole timeout', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const deadline = new Deadline(1_000, 60_000);
    try {
      const holder = post(agent);
      while (!holder.req.socket) await turn();
      const late = post(agent, deadline);
      vi.advanceTimersByTime(3_000);
      expect(late.ended).toEqual([]);
      // The holder lets go; the late one gets a socket and is timed from here.
      holder.req.destroy(new Error('done'));
      while (!late.req.socket) await turn();
      vi.advanceTimersByTime(1_000);
      expect(late.ended).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(late.ended).toEqual(['No answer within 1000 ms']);
    } finally {
      deadline.clear();
      agent.destroy();
      vi.useRealTimers();
    }
  });
});
