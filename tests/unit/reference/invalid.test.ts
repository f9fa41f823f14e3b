// Hostile and malformed image strings: each is refused with a fault that says what is wrong.
import { InvalidImageReferenceError, parseImageReference } from '../../../src/reference';
import { SHA256 } from './valid-rows';

const HEX64 = 'a1'.repeat(32);

function parseFault(input: string): string {
  try {
    parseImageReference(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidImageReferenceError);
    return (error as InvalidImageReferenceError).fault;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseImageReference rejects characters no reference may contain', () => {
  test.each([
    { name: 'empty string', input: '', fault: /^is empty$/ },
    { name: 'space inside', input: 'nginx :1', fault: /^contains whitespace U\+0020 at offset 5$/ },
    { name: 'leading space', input: ' nginx', fault: /whitespace U\+0020 at offset 0/ },
    { name: 'trailing newline', input: 'nginx\n', fault: /whitespace U\+000A at offset 5/ },
    { name: 'tab', input: 'ng\tinx', fault: /whitespace U\+0009 at offset 2/ },
    { name: 'carriage return', input: 'nginx\r', fault: /whitespace U\+000D at offset 5/ },
    { name: 'NUL byte', input: 'nginx\u0000:1', fault: /control character U\+0000 at offset 5/ },
    { name: 'escape character', input: '\u001b[31mnginx', fault: /control character U\+001B at offset 0/ },
    { name: 'DEL', input: 'ngi\u007fnx', fault: /control character U\+007F at offset 3/ },
    { name: 'C1 control (NEL)', input: 'nginx\u0085', fault: /non-ASCII character U\+0085 at offset 5/ },
    { name: 'zero-width space', input: 'ngi\u200bnx', fault: /^contains a non-ASCII character U\+200B at offset 3$/ },
    { name: 'zero-width joiner in registry', input: 'registry.example.com\u200d/app', fault: /U\+200D at offset 20/ },
    { name: 'byte order mark', input: '\ufeffnginx', fault: /U\+FEFF at offset 0/ },
    { name: 'full-width letters', input: 'ｎｇｉｎｘ', fault: /U\+FF4E at offset 0/ },
    { name: 'Cyrillic homoglyph a', input: 'registry.ex\u0430mple.com/app', fault: /U\+0430 at offset 11/ },
    { name: 'non-breaking space', input: 'nginx\u00a0', fault: /U\+00A0 at offset 5/ },
    { name: 'astral character reports its code point', input: 'app\u{1F600}', fault: /U\+1F600 at offset 3/ },
    { name: 'lone surrogate', input: 'app\ud800', fault: /U\+D800 at offset 3/ },
    { name: 'percent (IPv6 zone)', input: '[fe80::1%eth0]:5000/debian', fault: /character "%" at offset 8/ },
    { name: 'glob star is not an image', input: 'registry.example.com/*', fault: /character "\*" at offset 21/ },
    { name: 'plus sign', input: 'app@sha256+b64:abc', fault: /character "\+"/ },
    { name: 'double quote', input: 'a"b', fault: /character "\\"" at offset 1/ },
    { name: '4 KiB plus one', input: 'a'.repeat(4097), fault: /^is 4097 characters long, more than the limit of 4096$/ },
    { name: '64 KiB', input: 'a'.repeat(65536), fault: /^is 65536 characters long/ },
  ])('$name', ({ input, fault }) => {
    expect(parseFault(input)).toMatch(fault);
  });
});

describe('parseImageReference rejects malformed structure', () => {
  test.each([
    { name: 'bare 64-hex image ID', input: HEX64, fault: /64-character hexadecimal image ID/ },
    { name: 'https URL', input: 'https://registry.example.com/app', fault: /is a URL \("https:\/\/"\)/ },
    { name: 'oci scheme', input: 'oci://registry.example.com/app', fault: /is a URL \("oci:\/\/"\)/ },
    { name: 'tag without name', input: ':tag', fault: /^has no repository name$/ },
    { name: 'digest without name', input: `@${SHA256}`, fault: /^has no repository name$/ },
    { name: 'colon without tag', input: 'nginx:', fault: /":" must be followed by a tag/ },
    { name: 'at without digest', input: 'nginx@', fault: /"@" must be followed by a digest/ },
    { name: 'two at signs', input: `nginx@${SHA256}@${SHA256}`, fault: /more than one "@"/ },
    { name: 'two tags', input: 'a/b:c:d', fault: /tag "c:d" may contain only/ },
    { name: 'leading slash', input: '/nginx', fault: /^starts with "\/"$/ },
    { name: 'trailing slash after registry', input: 'registry.example.com/', fault: /^ends with "\/"$/ },
    { name: 'trailing slash after path', input: 'docker/', fault: /^ends with "\/"$/ },
    { name: 'empty component', input: 'a//b', fault: /empty path component \("\/\/"\)/ },
    { name: 'many slashes', input: 'docker///docker', fault: /empty path component/ },
    { name: 'dot-dot component', input: 'a/../b', fault: /path component "\.\." must be lowercase letters and digits/ },
    { name: 'single dot component', input: 'registry.example.com/./app', fault: /path component "\."/ },
    { name: 'consecutive periods', input: 'dock..er/docker', fault: /registry host "dock\.\.er"/ },
    { name: 'consecutive periods in a path', input: 'docker/dock..er', fault: /path component "dock\.\.er"/ },
    { name: 'underscore then period', input: 'docker/dock_.er', fault: /path component "dock_\.er"/ },
    { name: 'dash then period', input: 'docker/dock-.er', fault: /path component "dock-\.er"/ },
    { name: 'triple underscore', input: 'a___b', fault: /path component "a___b"/ },
    { name: 'leading dash', input: '-docker', fault: /path component "-docker"/ },
    { name: 'trailing dash in namespace', input: 'docker-/docker', fault: /path component "docker-"/ },
    { name: 'only underscores', input: '____/____', fault: /path component "____"/ },
    { name: 'bracket in path', input: '[::1]:5000', fault: /contains "\[" or "\]", which only enclose an IPv6 registry host/ },
    { name: 'at sign in path', input: 'a/b@c/d', fault: /digest "c\/d" must be written algorithm:hex/ },
    { name: 'port without digits', input: 'localhost:/app', fault: /registry port "" must be a number from 1 to 65535/ },
    { name: 'port with letters', input: 'localhost:50a/app', fault: /registry port "50a"/ },
    { name: 'port with leading zero', input: 'localhost:05000/app', fault: /registry port "05000" .*without leading zeros/ },
    { name: 'port zero', input: 'localhost:0/app', fault: /registry port "0"/ },
    { name: 'port above 65535', input: 'localhost:65536/app', fault: /registry port "65536"/ },
    { name: 'two ports', input: 'localhost:1:2/app', fault: /registry port "1:2"/ },
    { name: 'bare IPv6 without brackets', input: 'fc00::1:5000/debian', fault: /registry (host "fc00"|port ":1:5000")/ },
    { name: 'IPv6 missing closing bracket', input: '[::1/x', fault: /registry host "\[::1" is missing the closing "\]"/ },
    { name: 'IPv6 junk after bracket', input: '[::1]x:5000/x', fault: /must be "\[" IPv6 address "\]" with an optional ":" port/ },
    { name: 'IPv6 with embedded IPv4', input: '[2001:db8:3:4::192.0.2.33]:5000/debian', fault: /registry host "\[2001:db8:3:4::192\.0\.2\.33\]" is not a valid IPv6 address/ },
    { name: 'IPv6 with two double colons', input: '[1::2::3]/x', fault: /not a valid IPv6 address/ },
    { name: 'IPv6 with too many groups', input: '[1:2:3:4:5:6:7:8:9]/x', fault: /not a valid IPv6 address/ },
    { name: 'IPv6 with five-digit group', input: '[12345::1]/x', fault: /not a valid IPv6 address/ },
    { name: 'empty brackets', input: '[]/x', fault: /not a valid IPv6 address/ },
    { name: 'IPv6 with port but no path', input: '[fc00::1]:5000', fault: /path component/ },
    { name: 'host label with leading dash', input: '-docker.io/docker/docker', fault: /registry host "-docker\.io" must be dot-separated labels/ },
    { name: 'host label with trailing dash', input: 'registry-.example.com/app', fault: /registry host "registry-\.example\.com"/ },
    { name: 'host with underscore', input: 'my_registry.example.com/app', fault: /registry host "my_registry\.example\.com"/ },
    { name: 'host with trailing dot', input: 'registry.example.com./app', fault: /registry host "registry\.example\.com\."/ },
    { name: 'host with empty label', input: 'registry..example.com/app', fault: /registry host "registry\.\.example\.com"/ },
    { name: 'colon alone as registry', input: ':/app', fault: /registry host ""/ },
    { name: 'tag starting with a dot', input: 'app:.x', fault: /tag "\.x" may contain only/ },
    { name: 'tag starting with a dash', input: 'app:-x', fault: /must not start with "\." or "-"/ },
    { name: 'tag of 129 characters', input: `app:${'x'.repeat(129)}`, fault: /^tag "x{20}\.\.\." \(129 characters\) is longer than 128 characters$/ },
    { name: 'repository path of 256 characters', input: `registry.example.com/${'a'.repeat(256)}`, fault: /is 256 characters long, more than 255/ },
    { name: 'one-component name of 248 overflows with library/', input: 'a'.repeat(248), fault: /repository path "library\/a+\.\.\." \(256 characters\) is 256 characters long/ },
    { name: 'upper-case Docker Hub host', input: 'DOCKER.IO/nginx', fault: /registry host "DOCKER\.IO" must be written in lower case/ },
    { name: 'mixed-case legacy Docker Hub host', input: 'Index.Docker.Io/library/nginx:1', fault: /must be written in lower case/ },
    { name: 'upper-case Docker Hub API host with the HTTPS port', input: 'REGISTRY-1.DOCKER.IO:443/library/nginx', fault: /must be written in lower case/ },
    { name: 'octal IPv4 registry', input: '0177.0.0.1:5000/app', fault: /non-canonical form/ },
    { name: 'hexadecimal IPv4 registry', input: '0x7f.0.0.1:5000/app', fault: /non-canonical form/ },
    { name: 'shortened IPv4 registry', input: '127.1:5000/app', fault: /non-canonical form/ },
    { name: 'integer IPv4 registry', input: '2130706433:5000/app', fault: /non-canonical form/ },
    { name: 'numeric top-level domain', input: 'registry.example.5/app', fault: /all-numeric label/ },
  ])('$name', ({ input, fault }) => {
    expect(parseFault(input)).toMatch(fault);
  });
});

describe('parseImageReference requires lowercase repository paths', () => {
  test.each([
    { name: 'upper-case first component is not a registry', input: 'Foo/bar:1', fault: /^repository path "Foo\/bar" must be lowercase$/ },
    { name: 'all-caps first component', input: 'DOCKER/docker', fault: /"DOCKER\/docker" must be lowercase/ },
    { name: 'upper-case official image', input: 'Nginx', fault: /"Nginx" must be lowercase/ },
    { name: 'upper-case namespace under docker.io', input: 'docker.io/Library/nginx', fault: /"Library\/nginx" must be lowercase/ },
    { name: 'upper-case last component', input: 'docker/Docker', fault: /lowercase/ },
    { name: 'upper-case path under a registry', input: 'registry.example.com/App:1', fault: /"App" must be lowercase/ },
    { name: 'upper-case LOCALHOST is not localhost', input: 'LOCALHOST/app', fault: /"LOCALHOST\/app" must be lowercase/ },
  ])('$name', ({ input, fault }) => {
    expect(parseFault(input)).toMatch(fault);
  });
});

describe('parseImageReference rejects digests it cannot pin', () => {
  test.each([
    { name: 'sha256 one short', input: `app@sha256:${'a'.repeat(63)}`, fault: /^sha256 digest must be 64 lowercase hex characters, got 63$/ },
    { name: 'sha256 one long', input: `app@sha256:${'a'.repeat(65)}`, fault: /got 65$/ },
    { name: 'sha256 upper-case hex', input: `app@sha256:${'A'.repeat(64)}`, fault: /must be 64 lowercase hex characters, got "A" at hex offset 0/ },
    { name: 'sha256 non-hex letter', input: `app@sha256:${'a'.repeat(10)}g${'a'.repeat(53)}`, fault: /got "g" at hex offset 10/ },
    { name: 'sha256 empty hex', input: 'app@sha256:', fault: /got 0$/ },
    { name: 'sha384 with sha256 length', input: `app@sha384:${'a'.repeat(64)}`, fault: /sha384 digest must be 96 lowercase hex characters, got 64/ },
    { name: 'sha512 with sha384 length', input: `app@sha512:${'a'.repeat(96)}`, fault: /sha512 digest must be 128/ },
    { name: 'unknown algorithm', input: `app@md5:${'a'.repeat(32)}`, fault: /^unsupported digest algorithm "md5" \(supported: sha256, sha384, sha512\)$/ },
    { name: 'upper-case algorithm', input: `app@SHA256:${'a'.repeat(64)}`, fault: /unsupported digest algorithm "SHA256"/ },
    { name: 'inherited property name as algorithm', input: `app@constructor:${'a'.repeat(64)}`, fault: /unsupported digest algorithm "constructor"/ },
    { name: 'missing algorithm', input: `app@:${'a'.repeat(64)}`, fault: /digest has no algorithm/ },
    { name: 'missing colon', input: `app@${'a'.repeat(64)}`, fault: /must be written algorithm:hex/ },
    { name: 'digest with a tag after it', input: `app@${SHA256}:1`, fault: /got "?:"? at hex offset 64|got 66/ },
  ])('$name', ({ input, fault }) => {
    expect(parseFault(input)).toMatch(fault);
  });
});

describe('parseImageReference rejects values that are not strings', () => {
  test.each([
    { name: 'undefined', input: undefined, fault: /must be a string, got undefined/ },
    { name: 'number', input: 42, fault: /must be a string, got number/ },
    { name: 'object', input: { image: 'nginx' }, fault: /must be a string, got object/ },
  ])('$name', ({ input, fault }) => {
    expect(parseFault(input as unknown as string)).toMatch(fault);
  });
});
