// `serve`: runs the webhook until SIGTERM or SIGINT, then drains in-flight reviews and exits 0.
// SIGHUP re-reads the policy and TLS files at once (they are also watched and re-read periodically).
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeError } from '../errors';
import { REVIEW_PATH } from '../imagereview';
import { PolicyError } from '../policy';
import { createLogger, LOG_LEVELS, type LogLevel } from '../logger';
import {
  onShutdownRequest,
  parseListenAddress,
  parseWorkerCount,
  releaseWorker,
  reportWorkerReady,
  shouldSuperviseWorkers,
  startWebhook,
  superviseWorkers,
} from '../server';
import { type CommandContext, EXIT_SUCCESS, RefusedError } from './kit';

interface ServeFlags {
  readonly policy: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly clientCa?: string;
  readonly listen: string;
  readonly healthListen: string;
  readonly allowedClientNames?: string;
  readonly insecureSkipClientAuth: boolean;
  readonly logLevel: LogLevel;
  readonly reloadInterval: number;
  readonly workers: number;
}

function parseWorkersFlag(value: string): number {
  try {
    return parseWorkerCount(value);
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
}

const MS_PER_SECOND = 1000;
const MAX_RELOAD_INTERVAL_SECONDS = 86_400;

function parseReloadInterval(value: string): number {
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 0 && seconds <= MAX_RELOAD_INTERVAL_SECONDS)) {
    throw new InvalidArgumentError(`--reload-interval must be seconds from 0 to ${MAX_RELOAD_INTERVAL_SECONDS}, got ${JSON.stringify(value)}`);
  }
  return seconds;
}

function splitNames(value: string | undefined): string[] {
  return (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/**
 * Returns once the webhook serves (the open listeners keep the process alive); a server that cannot
 * start is a refusal. A shutdown that fails later sets the process's exit code itself.
 */
async function serve(flags: ServeFlags): Promise<number> {
  const logger = createLogger(flags.logLevel);
  if (flags.clientCa === undefined && !flags.insecureSkipClientAuth) {
    throw new RefusedError('--client-ca is required: kube-apiserver must authenticate with a client certificate.\n' +
      '       (for a throwaway test only, --insecure-skip-client-auth serves without it)');
  }
  if (flags.insecureSkipClientAuth) {
    logger.warn('CLIENT AUTHENTICATION IS DISABLED (--insecure-skip-client-auth): anyone who can reach the port can ask for decisions');
  }
  if (shouldSuperviseWorkers(flags.workers)) {
    superviseWorkers(flags.workers, logger);
    return EXIT_SUCCESS;
  }
  try {
    const webhook = await startWebhook({
      policyFile: flags.policy,
      tlsCertFile: flags.tlsCert,
      tlsKeyFile: flags.tlsKey,
      ...(flags.insecureSkipClientAuth || flags.clientCa === undefined ? {} : { clientCaFile: flags.clientCa }),
      listen: parseListenAddress('--listen', flags.listen),
      healthListen: parseListenAddress('--health-listen', flags.healthListen),
      allowedClientNames: splitNames(flags.allowedClientNames),
      logger,
      reloadIntervalMs: flags.reloadInterval * MS_PER_SECOND,
    });
    const shutdown = (signal: NodeJS.Signals): Promise<void> => {
      logger.info('shutting down', { signal });
      return webhook.close().then(
        () => {
          logger.info('stopped');
        },
        (error: unknown) => {
          logger.error('shutdown failed', { error: String(error) });
          process.exitCode = 1;
        },
      );
    };
    onShutdownRequest(shutdown);
    // Without a listener, Node exits on SIGHUP: an operator's `kill -HUP` must reload, not stop.
    process.on('SIGHUP', () => webhook.reload('signal'));
    reportWorkerReady();
    return EXIT_SUCCESS;
  } catch (error) {
    const message = describeError(error);
    logger.error('cannot start', { error: message });
    throw new RefusedError(error instanceof PolicyError ? `invalid policy:\n${message}` : message);
  }
}

export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description(`Serve ImageReview decisions on POST ${REVIEW_PATH} over mutual TLS, with /healthz and /readyz on a plain-HTTP port.`)
    .requiredOption('--policy <file>', 'policy file (apiVersion image-policy-webhook/v1, kind ImagePolicy)')
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM)')
    .requiredOption('--tls-key <file>', 'serving certificate key (PEM)')
    .option('--client-ca <file>', 'CA that signs kube-apiserver\'s client certificate; required unless --insecure-skip-client-auth')
    .option('--listen <host:port>', 'address for reviews (HTTPS); loopback by default, since kube-apiserver reaches the webhook on its own node', '127.0.0.1:8443')
    .option('--health-listen <host:port>', 'address for /healthz and /readyz (plain HTTP)', '127.0.0.1:9090')
    .option('--allowed-client-names <names>', 'comma-separated client certificate names (CN or DNS SAN) that may ask for reviews')
    .option('--insecure-skip-client-auth', 'serve without requiring client certificates (never in production)', false)
    .option('--workers <count>', 'processes sharing the ports (node:cluster), or "auto" for one per core', parseWorkersFlag, 1)
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .option('--reload-interval <seconds>', 'periodic re-read of the policy and TLS files, besides watching them and SIGHUP (0: off)', parseReloadInterval, 30)
    .action(async (flags: ServeFlags) => {
      await context.run('serve', () => serve(flags));
      // A worker that could not start lets go of the primary (after saying why), so it exits.
      if (context.exitCode !== EXIT_SUCCESS) releaseWorker();
    });
}
