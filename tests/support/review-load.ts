// Sends ImageReviews continuously over mutual TLS from several concurrent loops, half on
// keep-alive connections and half on a new connection per review, and records every answer,
// so reload and rotation tests can prove that no review failed while files changed.
import https from 'node:https';
import { requestHttps, type ClientCredentials } from './https-client';

export interface ReviewRecord {
  readonly at: number;
  readonly status: number;
  /** The parsed answer; undefined when the request failed or the body was not JSON. */
  readonly body?: { status?: { allowed?: boolean; reason?: string; auditAnnotations?: Record<string, string> } };
  readonly error?: string;
}

export interface ReviewLoad {
  readonly records: ReviewRecord[];
  /** The newest answer, if any. */
  latest(): ReviewRecord | undefined;
  stop(): Promise<ReviewRecord[]>;
}

export interface ReviewLoadOptions {
  readonly port: number;
  readonly credentials: ClientCredentials;
  readonly body: string;
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;

export function startReviewLoad(options: ReviewLoadOptions): ReviewLoad {
  const records: ReviewRecord[] = [];
  let running = true;
  const agents: https.Agent[] = [];

  const loop = async (agent: https.Agent | undefined): Promise<void> => {
    while (running) {
      try {
        const result = await requestHttps(options.port, options.credentials, options.body, agent ? { agent } : {});
        let body: ReviewRecord['body'];
        try {
          body = JSON.parse(result.body) as ReviewRecord['body'];
        } catch {
          body = undefined;
        }
        records.push({ at: Date.now(), status: result.status, ...(body === undefined ? {} : { body }) });
      } catch (error) {
        records.push({ at: Date.now(), status: 0, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const loops: Promise<void>[] = [];
  for (let index = 0; index < concurrency; index += 1) {
    const agent = index % 2 === 0 ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    if (agent) agents.push(agent);
    loops.push(loop(agent));
  }
  return {
    records,
    latest: () => records.at(-1),
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return records;
    },
  };
}
