#!/usr/bin/env node
// Writes oclif.manifest.json after a build, so that oclif loads only the
// command being run instead of every command module (start-up time). This
// is what `oclif manifest` does, without that package's dependencies.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = await Config.load({ root, ignoreManifest: true });
const plugin = config.getPluginsList().find((p) => p.root === config.root);
if (!plugin) throw new Error('bmpack plugin not found');
const manifest = { ...plugin.manifest, version: config.version };
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`oclif.manifest.json: ${Object.keys(manifest.commands).length} commands`);
