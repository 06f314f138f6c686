/**
 * --progress and --quiet (bundle create, bundle verify, push images, image
 * copy): how progress is shown, for people, logs or machines.
 */
import { Flags } from '@oclif/core';
import { progressChoices } from './progress.js';

export const progressFlags = {
  progress: Flags.option({
    description:
      'How progress is shown on stderr: bars on a terminal, lines in a log (each image started and done, a heartbeat every 10 s), json (one event a line, docs/progress.md), none. Default auto: bars on a terminal, lines otherwise, none with --json.',
    options: progressChoices,
    default: 'auto' as const,
    helpGroup: 'OUTPUT',
  })(),
  quiet: Flags.boolean({
    char: 'q',
    description: 'Print only errors and the result: no progress, no warnings.',
    helpGroup: 'OUTPUT',
  }),
};
