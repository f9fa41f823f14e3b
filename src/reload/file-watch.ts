// Notices when the files the webhook serves from may have changed. It watches each file's parent
// directory (and its symlink target's), because editors save by renaming a new file over the old
// one and Kubernetes ConfigMaps swap a `..data` symlink: a watch on the file itself goes stale.
// Events are debounced; a slow periodic tick is the safety net for anything a watch misses.
import { watch, realpathSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors';
import type { Logger } from '../logger';

export const DEFAULT_DEBOUNCE_MS = 150;
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
// A file rewritten without pause would otherwise postpone the reload forever.
const MAX_DEBOUNCE_DELAY_MS = 1_000;

export type ChangeTrigger = 'watch' | 'poll';

export interface FileWatchOptions {
  readonly files: readonly string[];
  readonly onChange: (trigger: ChangeTrigger) => void;
  readonly logger: Logger;
  readonly debounceMs?: number;
  /** 0 switches the periodic re-read off. */
  readonly pollIntervalMs?: number;
}

export interface FileWatch {
  close(): void;
}

/** The directories whose entries decide what `file` reads: its own and its symlink target's. */
function directoriesOf(file: string): string[] {
  const directories = [path.dirname(path.resolve(file))];
  try {
    directories.push(path.dirname(realpathSync(file)));
  } catch {
    // Missing or dangling right now: the parent directory's watch sees it come back.
  }
  return directories;
}

export function watchFiles(options: FileWatchOptions): FileWatch {
  const { files, onChange, logger } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const watchers = new Map<string, FSWatcher>();
  let debounce: NodeJS.Timeout | undefined;
  let firstEventAt = 0;
  let closed = false;

  const fire = (trigger: ChangeTrigger): void => {
    if (trigger === 'watch') debounce = undefined;
    if (closed) return;
    refreshWatchers();
    onChange(trigger);
  };

  const onEvent = (): void => {
    const now = Date.now();
    if (debounce === undefined) firstEventAt = now;
    else if (now - firstEventAt >= MAX_DEBOUNCE_DELAY_MS) return;
    else clearTimeout(debounce);
    debounce = setTimeout(() => fire('watch'), debounceMs);
  };

  // Symlink targets move (a ConfigMap's `..data` points at a new timestamped folder each time),
  // so the set of directories is recomputed after every change and on every tick.
  function refreshWatchers(): void {
    const wanted = new Set(files.flatMap(directoriesOf));
    for (const [directory, watcher] of watchers) {
      if (!wanted.has(directory)) {
        watcher.close();
        watchers.delete(directory);
      }
    }
    for (const directory of wanted) {
      if (watchers.has(directory)) continue;
      try {
        const watcher = watch(directory, { persistent: false }, onEvent);
        watcher.on('error', (error) => {
          logger.warn('file watch failed; the periodic re-read still runs', { directory, error: error.message });
          watcher.close();
          watchers.delete(directory);
        });
        watchers.set(directory, watcher);
      } catch (error) {
        logger.debug('cannot watch directory yet', { directory, error: describeError(error) });
      }
    }
  }

  refreshWatchers();
  const poll = pollIntervalMs > 0 ? setInterval(() => fire('poll'), pollIntervalMs) : undefined;
  poll?.unref();

  return {
    close() {
      closed = true;
      if (debounce !== undefined) clearTimeout(debounce);
      if (poll !== undefined) clearInterval(poll);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
