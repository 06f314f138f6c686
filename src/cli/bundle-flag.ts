/**
 * Flags and arguments that name a bundle: a file, or the first part or base
 * name of a bundle cut into parts (bundle split), checked before the
 * command runs as oclif's `exists` checks a file.
 */
import { Args, Flags } from '@oclif/core';
import { bundleExists } from '../fs/bundle-file.js';

async function existingBundle(input: string): Promise<string> {
  if (await bundleExists(input)) return input;
  throw new Error(`No file found at ${input}`);
}

export function bundleFlag(o: { description: string; char?: 's'; exclusive?: string[] }) {
  return Flags.string({ ...o, parse: existingBundle });
}

export function requiredBundleFlag(o: { description: string; char?: 's' }) {
  return Flags.string({ ...o, required: true, parse: existingBundle });
}

export function bundleArg(o: { description: string; required: true }) {
  return Args.string({ ...o, parse: existingBundle });
}

/** A required, repeatable bundle flag (bmpack serve --source A --source B). */
export function bundleExistsFlag(o: {
  description: string;
  char?: 's';
  required?: boolean;
  exclusive?: string[];
}) {
  return Flags.string({
    required: true,
    ...o,
    multiple: true,
    multipleNonGreedy: true,
    parse: existingBundle,
  });
}
