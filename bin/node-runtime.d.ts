/** Path of the official Node.js binary of .node-version for linux-`arch`, fetched if absent. */
export function nodeRuntime(arch?: string): string;
