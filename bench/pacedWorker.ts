/**
 * The paced load generator's thread (bench/paced.ts starts it): requests leave at fixed instants,
 * `rate` a second evenly spaced, whatever the answers before them do (an open loop, as users
 * arrive), on up to `connections` keep-alive sockets. Each latency is counted twice: from the
 * instant the request was due (what a user arriving then waits, the generator's own lateness and a
 * wait for a free socket included) and from the moment it was written.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export interface PaceJob {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Paths requested in turn on the url's origin instead of the url's own path. */
  paths?: string[];
  rate: number;
  warmupSeconds: number;
  seconds: number;
  connections: number;
  timeoutMs: number;
}

export interface PaceSamples {
  /** Latencies (ms) of the 2xx answers to requests due in the measured window. */
  fromDue: number[];
  fromSent: number[];
  /** Requests due in the measured window. */
  due: number;
  completed: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** How late (ms) the generator wrote requests after their instant, p99: its own noise. */
  sendLateP99Ms: number;
}

function run(job: PaceJob): Promise<PaceSamples> {
  const target = new URL(job.url);
  const paths = job.paths ?? [`${target.pathname}${target.search}`];
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const body = job.body === undefined ? undefined : Buffer.from(job.body);
  const headers = body ? { ...job.headers, 'content-length': String(body.length) } : job.headers;
  const interval = 1000 / job.rate;
  const total = Math.round(job.rate * (job.warmupSeconds + job.seconds));
  const firstMeasured = Math.round(job.rate * job.warmupSeconds);
  const out: PaceSamples = { fromDue: [], fromSent: [], due: total - firstMeasured, completed: 0, non2xx: 0, errors: 0, statusCodes: {}, sendLateP99Ms: 0 };
  const late: number[] = [];
  let settled = 0;
  let sent = 0;
  const start = performance.now() + 20;

  return new Promise((resolve) => {
    const finish = () => {
      if (++settled < total) return;
      agent.destroy();
      late.sort((a, b) => a - b);
      out.sendLateP99Ms = Math.round(late[Math.floor(late.length * 0.99)] ?? 0);
      resolve(out);
    };
    const fire = (i: number, dueAt: number) => {
      const measured = i >= firstMeasured;
      const sentAt = performance.now();
      if (measured) late.push(sentAt - dueAt);
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: paths[i % paths.length], method: job.method, headers, timeout: job.timeoutMs },
        (res) => {
          res.resume();
          res.on('end', () => {
            const now = performance.now();
            if (measured) {
              const code = res.statusCode ?? 0;
              out.statusCodes[code] = (out.statusCodes[code] ?? 0) + 1;
              out.completed++;
              if (code >= 200 && code < 300) {
                out.fromDue.push(now - dueAt);
                out.fromSent.push(now - sentAt);
              } else out.non2xx++;
            }
            finish();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', () => {
        if (measured) out.errors++;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        fire(sent, start + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
}

if (parentPort) {
  const port = parentPort;
  run(workerData as PaceJob).then((samples) => port.postMessage(samples));
}
