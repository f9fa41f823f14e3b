// The webhook's Prometheus metrics, in a registry of its own (never prom-client's global one, so
// several webhooks in one process never share counters). Label values come only from closed sets
// and from the operator's policy name, never from images or namespaces a pod author chose.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { labelDecision, type DecisionLabel } from '../imagereview';
import { type CompiledPolicy, type Decision, type PolicyMode, SIGNATURE_RESULTS, type SignatureResult } from '../policy';
import { RELOAD_RESULTS, type ReloadKind, type ReloadMetrics, type ReloadResult } from '../reload';
import type { InvalidRequestKind, ReviewObserver } from './review-observer';

export const METRIC_PREFIX = 'image_policy_webhook_';

/** Decisions take well under a millisecond; kube-apiserver gives up after its webhook timeout. */
export const REVIEW_DURATION_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const DECISION_LABELS: readonly DecisionLabel[] = ['allow', 'deny', 'audit-deny', 'break-glass'];
const MODES: readonly PolicyMode[] = ['enforce', 'audit'];
const INVALID_REQUEST_KINDS: readonly InvalidRequestKind[] = ['not-json', 'not-imagereview', 'too-large'];

const MS_PER_SECOND = 1000;

export class WebhookMetrics implements ReviewObserver, ReloadMetrics {
  readonly registry = new Registry();
  private readonly reviews = new Map<string, Counter.Internal>();
  private readonly allowedImages: Counter.Internal;
  private readonly deniedImages: Counter.Internal;
  private readonly reviewDuration: Histogram;
  private readonly breakGlass: Counter;
  private readonly invalidRequests: Counter<'kind'>;
  private readonly internalErrors: Counter;
  private readonly reloads: Counter<'kind' | 'result'>;
  private readonly lastReloadSuccessful: Gauge<'kind'>;
  private readonly lastReloadSuccess: Gauge<'kind'>;
  private readonly policyInfo: Gauge<'name' | 'hash'>;
  private readonly certificateExpiry: Gauge<'certificate'>;
  private readonly signatureResults = new Map<SignatureResult, Counter.Internal>();

  constructor() {
    const registers = [this.registry];
    const reviews = new Counter({
      name: `${METRIC_PREFIX}reviews_total`,
      help: 'ImageReviews answered, by decision (allow, deny, audit-deny, break-glass) and effective mode.',
      labelNames: ['decision', 'mode'] as const,
      registers,
    });
    // Children are created up front: the hot path then skips label hashing, and every series
    // exists at 0 from the start, so rate() and alerts see the first review.
    for (const decision of DECISION_LABELS) {
      for (const mode of MODES) this.reviews.set(reviewKey(decision, mode), createZeroCounter(reviews, decision, mode));
    }
    const images = new Counter({
      name: `${METRIC_PREFIX}images_total`,
      help: 'Images judged, by what enforce mode says about each (allow or deny).',
      labelNames: ['decision'] as const,
      registers,
    });
    this.allowedImages = createZeroCounter(images, 'allow');
    this.deniedImages = createZeroCounter(images, 'deny');
    this.reviewDuration = new Histogram({
      name: `${METRIC_PREFIX}review_duration_seconds`,
      help: 'Server time per ImageReview, from the first byte of the request to the answer.',
      buckets: [...REVIEW_DURATION_BUCKETS],
      registers,
    });
    this.breakGlass = new Counter({
      name: `${METRIC_PREFIX}break_glass_total`,
      help: 'Reviews allowed only because the pod asked for break-glass where the policy enables it.',
      registers,
    });
    this.invalidRequests = new Counter({
      name: `${METRIC_PREFIX}invalid_requests_total`,
      help: 'Requests that were not a decodable ImageReview, by kind (not-json, not-imagereview, too-large).',
      labelNames: ['kind'] as const,
      registers,
    });
    for (const kind of INVALID_REQUEST_KINDS) createZeroCounter(this.invalidRequests, kind);
    this.internalErrors = new Counter({
      name: `${METRIC_PREFIX}internal_errors_total`,
      help: 'Reviews answered with a denial because something threw while they were judged (a bug: the log has the stack).',
      registers,
    });
    this.reloads = new Counter({
      name: `${METRIC_PREFIX}reloads_total`,
      help: 'Reload attempts of changed files, by kind (policy, tls) and result (success, failure).',
      labelNames: ['kind', 'result'] as const,
      registers,
    });
    this.lastReloadSuccessful = new Gauge({
      name: `${METRIC_PREFIX}last_reload_successful`,
      help: '1 when the files on disk are the ones in force, 0 while a changed file is refused and the last good one serves.',
      labelNames: ['kind'] as const,
      registers,
      // With serve --workers, /metrics sums the workers' metrics; these gauges take the worst worker.
      aggregator: 'min',
    });
    this.lastReloadSuccess = new Gauge({
      name: `${METRIC_PREFIX}last_reload_success_timestamp_seconds`,
      help: 'Unix time of the last successful load (at startup or on reload), by kind.',
      labelNames: ['kind'] as const,
      registers,
      aggregator: 'min',
    });
    for (const kind of ['policy', 'tls'] as const) {
      for (const result of RELOAD_RESULTS) createZeroCounter(this.reloads, kind, result);
    }
    this.policyInfo = new Gauge({
      name: `${METRIC_PREFIX}policy_info`,
      help: 'Always 1; names the policy in force and its content hash, so instances can be compared.',
      labelNames: ['name', 'hash'] as const,
      registers,
      aggregator: 'max',
    });
    this.certificateExpiry = new Gauge({
      name: `${METRIC_PREFIX}certificate_expiry_timestamp_seconds`,
      help: 'Unix time at which a certificate in force expires: the serving certificate, and the earliest-expiring client CA.',
      labelNames: ['certificate'] as const,
      registers,
      aggregator: 'min',
    });
    const signatures = new Counter({
      name: `${METRIC_PREFIX}signature_verifications_total`,
      help: 'Images a signatures rule covers, by how the check ended: verified, unsigned, invalid (no valid signature by the rule\'s keys), unavailable (registry or key file), limited (the webhook\'s own limits), digest-unknown, not-verified.',
      labelNames: ['result'] as const,
      registers,
    });
    for (const result of SIGNATURE_RESULTS) this.signatureResults.set(result, createZeroCounter(signatures, result));
    collectDefaultMetrics({ register: this.registry });
  }

  observeDecision(decision: Decision, durationSeconds: number): void {
    const label = labelDecision(decision);
    this.reviews.get(reviewKey(label, decision.mode))?.inc();
    let allowed = 0;
    for (const verdict of decision.images) {
      if (verdict.allowed) allowed += 1;
      if (verdict.signature !== undefined) this.signatureResults.get(verdict.signature.result)?.inc();
    }
    if (allowed > 0) this.allowedImages.inc(allowed);
    if (allowed < decision.images.length) this.deniedImages.inc(decision.images.length - allowed);
    if (label === 'break-glass') this.breakGlass.inc();
    this.reviewDuration.observe(durationSeconds);
  }

  observeInvalidRequest(kind: InvalidRequestKind): void {
    this.invalidRequests.labels(kind).inc();
  }

  observeInternalError(): void {
    this.internalErrors.inc();
  }

  /** A policy is in force: at startup, or after a successful reload. */
  recordPolicyLoaded(policy: CompiledPolicy, at: Date): void {
    this.policyInfo.reset();
    this.policyInfo.labels(policy.name, policy.hash).set(1);
    this.recordLoadSuccess('policy', at);
  }

  recordTlsLoaded(expiry: { readonly serving: Date; readonly clientCa?: Date }, at: Date): void {
    this.certificateExpiry.reset();
    this.certificateExpiry.labels('serving').set(expiry.serving.getTime() / MS_PER_SECOND);
    if (expiry.clientCa !== undefined) this.certificateExpiry.labels('client-ca').set(expiry.clientCa.getTime() / MS_PER_SECOND);
    this.recordLoadSuccess('tls', at);
  }

  /** A reload attempt ended; success is also recorded by recordPolicyLoaded / recordTlsLoaded. */
  recordReload(kind: ReloadKind, result: ReloadResult): void {
    this.reloads.labels(kind, result).inc();
    if (result === 'failure') this.lastReloadSuccessful.labels(kind).set(0);
  }

  /** The file on disk is again the one in force (for example, a broken edit was reverted). */
  recordReloadRecovered(kind: ReloadKind): void {
    this.lastReloadSuccessful.labels(kind).set(1);
  }

  private recordLoadSuccess(kind: ReloadKind, at: Date): void {
    this.lastReloadSuccessful.labels(kind).set(1);
    this.lastReloadSuccess.labels(kind).set(at.getTime() / MS_PER_SECOND);
  }
}

/** A labelled child that is exported at 0 before its first increment (prom-client omits it otherwise). */
function createZeroCounter<T extends string>(counter: Counter<T>, ...labelValues: string[]): Counter.Internal {
  const child = counter.labels(...labelValues);
  child.inc(0);
  return child;
}

function reviewKey(decision: DecisionLabel, mode: PolicyMode): string {
  return `${decision}/${mode}`;
}
