import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { runImageTags } from '../../src/cli/image-tags/adapter.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import type { TagList } from '../../src/image/list-tags.js';

export default class ImageTags extends BaseCommand {
  static override summary = 'List the tags of a repository in its registry.';

  static override description =
    'Asks the registry for every tag of REPOSITORY (distribution-spec tags/list), following its pages, and prints one tag a line, as crane ls and skopeo list-tags do. A tag or digest on REPOSITORY is ignored.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> registry.k8s.io/pause',
    '<%= config.bin %> <%= command.id %> 10.0.0.5:5000/mirror/library/nginx --cacert ca.crt --json',
  ];

  static override args = {
    repository: Args.string({
      description: 'Repository, as docker names it (nginx, gcr.io/x/y, host:5000/app).',
      required: true,
    }),
  };

  static override flags = { ...registryFlags };

  async run(): Promise<TagList> {
    const { args, flags } = await this.parse(ImageTags);
    const { warnings, ...list } = await runImageTags(args.repository, flags);
    for (const w of warnings) this.warnAlways(w);
    for (const tag of list.tags) this.log(tag);
    return list;
  }
}
