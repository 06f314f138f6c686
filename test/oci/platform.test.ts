import { expect } from 'chai';
import {
  compatiblePlatforms,
  formatPlatform,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectPlatform,
  type PlatformLike,
} from '../../src/oci/platform.js';
import { thrown, thrownCode } from '../rig/rejection.js';

const p = (os: string, architecture: string, variant?: string): PlatformLike =>
  variant === undefined ? { os, architecture } : { os, architecture, variant };

describe('PlatformSpec parsing and formatting', () => {
  const parsed: [string, string][] = [
    ['linux/amd64', 'linux/amd64'],
    ['linux/arm64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm64/8', 'linux/arm64'],
    ['linux/arm64/v8.2', 'linux/arm64/v8.2'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm/v7', 'linux/arm/v7'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/arm/v5', 'linux/arm/v5'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/i386', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64'],
    ['macos/arm64', 'darwin/arm64'],
    ['windows/amd64', 'windows/amd64'],
    ['linux/ppc64le', 'linux/ppc64le'],
    ['linux/s390x', 'linux/s390x'],
    ['linux/riscv64', 'linux/riscv64'],
  ];
  for (const [input, expected] of parsed) {
    it(`parses ${input} as ${expected}`, () => {
      expect(formatPlatform(parsePlatform(input))).to.equal(expected);
    });
  }

  it('returns plain objects without an empty variant', () => {
    expect(parsePlatform('linux/amd64')).to.deep.equal({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm/v7')).to.deep.equal({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
  });

  const rejected = [
    '',
    'linux',
    'amd64',
    'linux/',
    '/amd64',
    'linux//v7',
    'linux/arm/v7/extra',
    'linux/amd46',
    'linx/amd64',
    'linux/amd 64',
    'linux/*',
    'windows(10.0.17763)/amd64',
    'linux/amd64/v7!',
  ];
  for (const input of rejected) {
    it(`rejects ${JSON.stringify(input)} with E_PLATFORM_INVALID`, () => {
      expect(thrownCode(() => parsePlatform(input))).to.equal('E_PLATFORM_INVALID');
    });
  }

  it('names the input and gives examples in the hint', () => {
    const e = thrown(() => parsePlatform('linux/amd46'));
    expect(e.message).to.contain('"linux/amd46"').and.to.contain('amd46');
    expect(e.hint).to.contain('linux/amd64').and.to.contain('linux/arm/v7');
    expect(e.cause).to.be.instanceOf(Error);
  });

  it('formats with and without a variant', () => {
    expect(formatPlatform(p('linux', 'arm', 'v7'))).to.equal('linux/arm/v7');
    expect(formatPlatform(p('linux', 'amd64'))).to.equal('linux/amd64');
    expect(formatPlatform({ os: 'linux', architecture: 'amd64', variant: '' })).to.equal(
      'linux/amd64',
    );
  });
});

describe('PlatformSpec normalisation (containerd platforms.Normalize)', () => {
  const table: [PlatformLike, string][] = [
    [p('linux', 'x86_64'), 'linux/amd64'],
    [p('linux', 'x86-64'), 'linux/amd64'],
    [p('linux', 'amd64', 'v1'), 'linux/amd64'],
    [p('linux', 'amd64', 'V2'), 'linux/amd64/v2'],
    [p('linux', 'aarch64'), 'linux/arm64'],
    [p('linux', 'arm64', 'v8'), 'linux/arm64'],
    [p('linux', 'arm64', '8'), 'linux/arm64'],
    [p('linux', 'arm64', 'v9'), 'linux/arm64/v9'],
    [p('linux', 'armhf'), 'linux/arm/v7'],
    [p('linux', 'armhf', 'v6'), 'linux/arm/v7'],
    [p('linux', 'armel'), 'linux/arm/v6'],
    [p('linux', 'arm'), 'linux/arm/v7'],
    [p('linux', 'arm', '8'), 'linux/arm/v8'],
    [p('linux', 'i386', 'v5'), 'linux/386'],
    [p('LINUX', 'AMD64'), 'linux/amd64'],
    [p('MacOS', 'arm64'), 'darwin/arm64'],
    [p('linux', 'mips64le'), 'linux/mips64le'],
  ];
  for (const [input, expected] of table) {
    it(`${formatPlatform(input)} → ${expected}`, () => {
      expect(formatPlatform(normalizePlatform(input))).to.equal(expected);
    });
  }
});

describe('PlatformSpec matching (containerd NewMatcher / Only)', () => {
  const table: [string, PlatformLike, boolean][] = [
    ['linux/amd64', p('linux', 'amd64'), true],
    ['linux/amd64', p('linux', 'x86_64'), true],
    ['linux/amd64', p('linux', 'amd64', 'v1'), true],
    ['linux/amd64', p('linux', 'amd64', 'v3'), false],
    ['linux/amd64', p('linux', '386'), false],
    ['linux/amd64', p('windows', 'amd64'), false],
    ['linux/arm64', p('linux', 'arm64', 'v8'), true],
    ['linux/arm64', p('linux', 'arm64'), true],
    ['linux/arm64/v8', p('linux', 'arm64'), true],
    ['linux/arm64', p('linux', 'arm64', 'v9'), false],
    ['linux/arm64', p('linux', 'arm', 'v7'), false],
    ['linux/arm', p('linux', 'arm', 'v7'), true],
    ['linux/arm', p('linux', 'arm'), true],
    ['linux/arm/v7', p('linux', 'arm'), true],
    ['linux/arm/v7', p('linux', 'arm', 'v6'), false],
    ['linux/arm/v6', p('linux', 'arm', 'v7'), false],
    ['linux/arm/v6', p('linux', 'armel'), true],
  ];
  for (const [wanted, candidate, expected] of table) {
    it(`${wanted} ${expected ? 'matches' : 'does not match'} ${formatPlatform(candidate)}`, () => {
      expect(platformMatches(parsePlatform(wanted), candidate)).to.equal(expected);
    });
  }

  const vectors: [string, string[]][] = [
    ['linux/amd64', ['linux/amd64', 'linux/386']],
    ['linux/amd64/v3', ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386']],
    ['linux/386', ['linux/386']],
    ['linux/arm/v7', ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm/v5', ['linux/arm/v5']],
    [
      'linux/arm64',
      ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5'],
    ],
    [
      'linux/arm64/v8.2',
      [
        'linux/arm64/v8.2',
        'linux/arm64/v8.1',
        'linux/arm64',
        'linux/arm/v8',
        'linux/arm/v7',
        'linux/arm/v6',
        'linux/arm/v5',
      ],
    ],
    [
      'linux/arm64/v9.1',
      [
        'linux/arm64/v9.1',
        'linux/arm64/v9',
        'linux/arm64/v8.6',
        'linux/arm64/v8.5',
        'linux/arm64/v8.4',
        'linux/arm64/v8.3',
        'linux/arm64/v8.2',
        'linux/arm64/v8.1',
        'linux/arm64',
        'linux/arm/v8',
        'linux/arm/v7',
        'linux/arm/v6',
        'linux/arm/v5',
      ],
    ],
    ['linux/ppc64le', ['linux/ppc64le']],
  ];
  for (const [wanted, expected] of vectors) {
    it(`a ${wanted} host runs ${expected.join(', ')}`, () => {
      expect(compatiblePlatforms(parsePlatform(wanted)).map(formatPlatform)).to.deep.equal(
        expected,
      );
    });
  }

  it('selects the exact platform first, then the best fallback, else nothing', () => {
    const index = [
      { os: 'linux', architecture: '386', digest: 'a' },
      { os: 'linux', architecture: 'arm', variant: 'v6', digest: 'b' },
      { os: 'linux', architecture: 'amd64', digest: 'c' },
      { os: 'linux', architecture: 'arm', variant: 'v5', digest: 'd' },
    ];
    expect(selectPlatform(parsePlatform('linux/amd64'), index)?.digest).to.equal('c');
    expect(selectPlatform(parsePlatform('linux/arm/v7'), index)?.digest).to.equal('b');
    expect(selectPlatform(parsePlatform('linux/arm64'), index)?.digest).to.equal('b');
    expect(selectPlatform(parsePlatform('linux/s390x'), index)).to.equal(undefined);
    expect(selectPlatform(parsePlatform('linux/amd64'), index.slice(0, 2))?.digest).to.equal('a');
  });
});
