// The review endpoint as an express app (no listen): POST /imagepolicy decodes an ImageReview,
// evaluates it against the current policy and answers. Every decision is a 200, because
// kube-apiserver treats any non-2xx answer as a backend failure and may then fail open.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import express, { type Express, type NextFunction } from 'express';
import { type Answer, REVIEW_PATH, answerImageReview, answerImageReviewWith, buildInternalErrorResponse, buildInvalidRequestResponse, labelDecision, type ImageReviewResponse } from '../imagereview';
import { REVIEW_MESSAGE, buildDecisionLine } from '../decision-log';
import type { CompiledPolicy, EvaluationContext, ReviewSubject } from '../policy';
import { nestsDeeperThan, readBody } from './body';
import type { Logger } from '../logger';
import type { ReviewObserver } from './review-observer';

/**
 * A real ImageReview holds only image strings, filtered annotations and a namespace, and a Pod
 * cannot exceed etcd's 1.5 MiB request limit, so this cap never refuses a genuine review.
 */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Deeper than any ImageReview (five levels) by a wide margin, far below what stalls JSON.parse. */
export const MAX_NESTING_DEPTH = 32;

export interface AppOptions {
  /** Returns the policy in force; read once per review, so a reload never splits a review. */
  readonly currentPolicy: () => CompiledPolicy;
  readonly logger: Logger;
  /** True while shutting down: answers then carry `Connection: close` so keep-alive sockets drain. */
  readonly isDraining: () => boolean;
  /** Told about every decision and invalid request (metrics); must stay cheap, it runs per review. */
  readonly observer?: ReviewObserver;
  /**
   * Scan reports and tag digests for policies that use them (ReviewContextSource.prepare): a value
   * when at hand, a promise only when a tag must be looked up at its registry.
   */
  readonly reviewContext?: (policy: CompiledPolicy, review: ReviewSubject) => EvaluationContext | Promise<EvaluationContext>;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * Status line, headers and body in one write on Node's response (headers set earlier, such as
 * Connection or Allow, are kept). Express's send() would work out the content type, test
 * freshness and re-encode the body again for every review; none of that applies here.
 */
function sendBody(response: ServerResponse, code: number, contentType: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(code, { 'Content-Type': contentType, 'Content-Length': bytes.length });
  response.end(bytes);
}

function sendReview(response: ServerResponse, review: ImageReviewResponse): void {
  sendBody(response, 200, JSON_CONTENT_TYPE, JSON.stringify(review));
}

/** A metav1.Status body: kube-apiserver decodes it and shows its message for a non-2xx answer. */
function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  sendBody(response, code, JSON_CONTENT_TYPE, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
}

/**
 * Decided when the answer goes out, not when the request came in: a review whose body was still
 * arriving (or whose lookups were running) when the drain began must not invite another request
 * on its keep-alive socket, which the server is about to close.
 */
function closeIfDraining(response: ServerResponse, options: AppOptions): void {
  if (options.isDraining()) response.setHeader('Connection', 'close');
}

/** Decodes and judges; evaluate runs after every lookup has finished, and a review with nothing to look up never waits. */
function judgeReview(policy: CompiledPolicy, parsed: unknown, options: AppOptions): Answer | Promise<Answer> {
  const { reviewContext } = options;
  return reviewContext === undefined ? answerImageReview(policy, parsed) : answerImageReviewWith(policy, parsed, (review) => reviewContext(policy, review));
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function handleReview(request: IncomingMessage, response: ServerResponse, options: AppOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const policy = options.currentPolicy();
  const policyInfo = { name: policy.name, hash: policy.hash };

  const body = await readBody(request, MAX_BODY_BYTES);
  if (body.kind === 'too-large') {
    // Answered as a deny rather than a 413 so that no defaultAllow can admit the pod.
    const fault = `request body is larger than ${MAX_BODY_BYTES} bytes`;
    options.logger.warn('invalid request', { fault });
    options.observer?.observeInvalidRequest('too-large');
    response.setHeader('Connection', 'close');
    sendReview(response, buildInvalidRequestResponse(fault, policyInfo));
    return;
  }

  if (nestsDeeperThan(body.body, MAX_NESTING_DEPTH)) {
    const fault = `request body nests objects and arrays deeper than ${MAX_NESTING_DEPTH} levels; an ImageReview nests five`;
    options.logger.warn('invalid request', { fault });
    options.observer?.observeInvalidRequest('not-imagereview');
    closeIfDraining(response, options);
    sendReview(response, buildInvalidRequestResponse(fault, policyInfo));
    return;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.body.toString('utf8'));
  } catch (error) {
    const message = `request body is not JSON: ${error instanceof Error ? error.message : String(error)}`;
    options.logger.warn('invalid request', { fault: message });
    options.observer?.observeInvalidRequest('not-json');
    closeIfDraining(response, options);
    sendStatus(response, 400, 'BadRequest', message);
    return;
  }

  let answer: Answer;
  try {
    const prepared = judgeReview(policy, parsed, options);
    answer = prepared instanceof Promise ? await prepared : prepared;
  } catch (error) {
    // A bug, not a verdict: logged once with its stack, counted, and answered with a 200 denial
    // that says so, because a 5xx would hand the pod to kube-apiserver's defaultAllow.
    options.logger.error('internal error while judging a review; the review was refused', { error: describeThrown(error), policy: policy.name, policyHash: policy.hash });
    options.observer?.observeInternalError();
    closeIfDraining(response, options);
    sendReview(response, buildInternalErrorResponse(policyInfo));
    return;
  }
  closeIfDraining(response, options);
  sendReview(response, answer.response);
  if (answer.kind === 'invalid-request') {
    options.logger.warn('invalid request', { fault: answer.fault, policy: policy.name, policyHash: policy.hash });
    options.observer?.observeInvalidRequest('not-imagereview');
    return;
  }
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  options.observer?.observeDecision(answer.decision, durationMs / 1000);
  options.logger.info(REVIEW_MESSAGE, { ...buildDecisionLine(answer.decision, answer.review, labelDecision(answer.decision), durationMs) });
}

/**
 * Express swaps Node's request and response prototypes for its own on every request, and V8 then
 * deoptimizes Node's HTTP and stream code for the whole process: measured, that costs more than
 * the whole decision. The handlers here use only Node's request and response API, so Express is
 * handed Node's own prototypes and its swap changes nothing. Routing stays Express's.
 */
function keepNodePrototypes(app: Express): void {
  Object.defineProperty(app, 'request', { value: http.IncomingMessage.prototype });
  Object.defineProperty(app, 'response', { value: http.ServerResponse.prototype });
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '').split('?')[0] ?? '';
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Only the exact path kube-apiserver is configured with is the review endpoint:
  // not `/IMAGEPOLICY`, not `/imagepolicy/`.
  app.enable('case sensitive routing');
  app.enable('strict routing');
  keepNodePrototypes(app);
  app.use((_request: IncomingMessage, response: ServerResponse, next: NextFunction) => {
    if (options.isDraining()) response.setHeader('Connection', 'close');
    next();
  });

  // Express routes on the path alone, so kube-apiserver's `?timeout=30s` needs no handling.
  app.post(REVIEW_PATH, (request: IncomingMessage, response: ServerResponse) => handleReview(request, response, options));
  app.all(REVIEW_PATH, (_request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('Allow', 'POST');
    sendStatus(response, 405, 'MethodNotAllowed', `only POST is served on ${REVIEW_PATH}`);
  });
  app.use((request: IncomingMessage, response: ServerResponse) => {
    sendStatus(response, 404, 'NotFound', `no route for ${request.method} ${JSON.stringify(pathOf(request).slice(0, 100))}; reviews go to POST ${REVIEW_PATH}`);
  });
  app.use((error: unknown, _request: IncomingMessage, response: ServerResponse, _next: NextFunction) => {
    options.logger.error('internal error', { error: describeThrown(error) });
    if (response.headersSent) {
      response.destroy();
      return;
    }
    // A short text/plain body: kube-apiserver quotes it to users when it fails closed.
    sendBody(response, 500, TEXT_CONTENT_TYPE, 'image-policy-webhook: internal error, see the webhook log');
  });
  return app;
}
