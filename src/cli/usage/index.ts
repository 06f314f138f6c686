/** Usage errors, usage lines and "did you mean" for the CLI layer. */
export { closest, editDistance } from './did-you-mean.js';
export { commandName, usageLine, type CommandShape } from './usage-line.js';
export { usageError } from './usage-error.js';
