/**
 * The reference grammar of distribution/reference (regexp.go), built from the
 * same named fragments so each rule can be checked against its source.
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | \[ IPv6address \]
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *
 * JavaScript's `\w` without the `u` flag is ASCII-only, like Go's RE2.
 */

/** Lowercase letters and digits only: uppercase is never valid in a path. */
const alphanumeric = '[a-z0-9]+';

/** One period, one or two underscores, or any number of dashes. */
const separator = '(?:[._]|__|[-]+)';

const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;

/** Upper and lower case are allowed in host names (DNS is case-insensitive). */
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;

/** Compressed or full IPv6 in brackets; zone ids and IPv4-mapped forms are excluded upstream too. */
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';

const host = `(?:${domainName}|${ipv6address})`;
const optionalPort = '(?::[0-9]+)?';

const anchored = (pattern: string): RegExp => new RegExp(`^${pattern}$`);

/** A registry: host name, IPv4 or bracketed IPv6, with an optional port. */
export const domainAndPortRegexp = anchored(`${host}${optionalPort}`);

/** One slash-separated component of a repository path. */
export const pathComponentRegexp = anchored(pathComponent);

/** A tag: word characters, '.' and '-', not starting with '.' or '-', at most 128 long. */
export const tagRegexp = anchored('[\\w][\\w.-]{0,127}');

/** The generic digest shape (`algorithm:hex`, ≥ 128 bits) before algorithm checks. */
export const digestShapeRegexp = anchored(
  '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}',
);

/**
 * A bare 64-hex identifier. `ParseNormalizedNamed` refuses these as names so
 * that an image ID is never mistaken for `docker.io/library/<hex>`.
 */
export const identifierRegexp = anchored('[a-f0-9]{64}');

/** distribution/reference `RepositoryNameTotalLengthMax`, applied to the path. */
export const repositoryNameMaxLength = 255;

/** Longest tag the grammar allows. */
export const tagMaxLength = 128;
