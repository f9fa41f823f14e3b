// The image-reference grammar as small named pieces, after distribution/reference's regexp.go.
// Every piece up to `domain` and `remote-name` matches a string in only one way (each repetition
// is delimited by a character its neighbour cannot match), so V8's backtracking engine stays
// linear on them. `name` and `reference` are not (is `a.b` a host or a path?): parse.ts splits
// the string by index and runs only the unambiguous pieces.
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [ domain "/" ] remote-name
//   domain           := host [ ":" port ]
//   host             := domain-name | "[" ipv6address "]"        ; IPv4 is a domain-name; ipv6.ts checks the address
//   domain-name      := domain-component [ "." domain-component ]*
//   domain-component := /[a-zA-Z0-9]+(-+[a-zA-Z0-9]+)*/           ; = /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
//   port             := /[0-9]+/                                  ; registry.ts also refuses leading zeros, 0 and > 65535
//   remote-name      := path-component [ "/" path-component ]*     ; at most 255 characters
//   path-component   := alphanumeric [ separator alphanumeric ]*
//   alphanumeric     := /[a-z0-9]+/
//   separator        := /[_.]|__|[-]+/
//   tag              := /[\w][\w.-]{0,127}/
//   digest           := algorithm ":" encoded                      ; digest.ts accepts sha256, sha384, sha512
//   identifier       := /[a-f0-9]{64}/                             ; an image ID, never a repository name

/** Escapes regular-expression syntax so the text matches itself. */
export function literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Wraps the pieces in a non-capturing group that may be absent. */
export function optional(...pieces: string[]): string {
  return `(?:${pieces.join('')})?`;
}

/** Wraps the pieces in a non-capturing group that may repeat any number of times. */
export function repeated(...pieces: string[]): string {
  return `(?:${pieces.join('')})*`;
}

/** Matches exactly one of the alternatives. */
export function oneOf(...alternatives: string[]): string {
  return `(?:${alternatives.join('|')})`;
}

/** Wraps the pieces in a capturing group. */
export function capture(...pieces: string[]): string {
  return `(${pieces.join('')})`;
}

/** Compiles the pieces into a regular expression that must match the whole string. */
export function anchored(...pieces: string[]): RegExp {
  return new RegExp(`^${pieces.join('')}$`);
}

/** Lower-case letters and digits: the atom of a repository path. */
export const ALPHANUMERIC = '[a-z0-9]+';

/** One period, one or two underscores, or any number of dashes, between two alphanumerics. */
export const SEPARATOR = oneOf('[._]', '__', '-+');

/** One slash-delimited part of a repository path, e.g. `node-exporter` or `ubuntu_12.04`. */
export const PATH_COMPONENT = ALPHANUMERIC + repeated(SEPARATOR, ALPHANUMERIC);

/** The repository path, e.g. `library/nginx`. */
export const REMOTE_NAME = PATH_COMPONENT + repeated(literal('/'), PATH_COMPONENT);

/**
 * One DNS label: letters, digits and inner dashes. Same language as distribution's
 * `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`, rewritten so dash runs and alphanumeric
 * runs alternate and a failed match cannot retry other splits.
 */
export const DOMAIN_COMPONENT = '[a-zA-Z0-9]+' + repeated('-+', '[a-zA-Z0-9]+');

/** A host name or a dotted IPv4 address, e.g. `registry.k8s.io` or `127.0.0.1`. */
export const DOMAIN_NAME = DOMAIN_COMPONENT + repeated(literal('.'), DOMAIN_COMPONENT);

/** The bracketed shape of an IPv6 host; ipv6.ts checks that the address itself is real. */
export const IPV6_ADDRESS = literal('[') + '[a-fA-F0-9:]+' + literal(']');

/** The registry host without its port. */
export const HOST = oneOf(DOMAIN_NAME, IPV6_ADDRESS);

/** The registry port number. */
export const PORT = '[0-9]+';

/** The registry: host with an optional port, e.g. `localhost:5000` or `[::1]:5000`. */
export const DOMAIN_AND_PORT = HOST + optional(literal(':'), PORT);

/** A tag, from docker/docker graph/tags.go: at most 128 word characters, dots and dashes. */
export const TAG = '[\\w][\\w.-]{0,127}';

/** The algorithm part of a digest, from go-digest; digest.ts narrows it to the registered ones. */
export const DIGEST_ALGORITHM = '[a-z0-9]+' + repeated('[.+_-]', '[a-z0-9]+');

/** A well-formed digest, e.g. `sha256:<hex>`; its algorithm and length are checked by digest.ts. */
export const DIGEST = DIGEST_ALGORITHM + literal(':') + '[a-zA-Z0-9=_-]+';

/** A bare sha256 image ID, which distribution refuses to read as a repository name. */
export const IDENTIFIER = '[a-f0-9]{64}';

/** The name: optional registry and the repository path. */
export const NAME = optional(DOMAIN_AND_PORT, literal('/')) + REMOTE_NAME;

/**
 * The whole reference with capture groups for name, tag and digest. The optional registry
 * makes this one ambiguous (`a.b/c` could start with a host or a path), so parse.ts never runs
 * it on input; tests use it to check that every formatted reference is in the language.
 */
export const REFERENCE = capture(NAME) + optional(literal(':'), capture(TAG)) + optional(literal('@'), capture(DIGEST));

export const ANCHORED_PATH_COMPONENT = anchored(PATH_COMPONENT);
export const ANCHORED_DOMAIN_NAME = anchored(DOMAIN_NAME);
export const ANCHORED_PORT = anchored(PORT);
export const ANCHORED_TAG = anchored(TAG);
export const ANCHORED_IDENTIFIER = anchored(IDENTIFIER);
export const ANCHORED_REFERENCE = anchored(REFERENCE);
