// Which first components name a registry, and the canonical form of a registry.
import { checkRegistry, isRegistryComponent } from '../../../src/reference';
import { canonicalizeIPv6 } from '../../../src/reference/ipv6';

describe('isRegistryComponent (splitDockerDomain rule)', () => {
  test.each([
    { name: 'host with a dot', component: 'registry.example.com', want: true },
    { name: 'IPv4 address', component: '127.0.0.1', want: true },
    { name: 'single label with port', component: 'registry:5000', want: true },
    { name: 'localhost', component: 'localhost', want: true },
    { name: 'IPv6 literal', component: '[::1]', want: true },
    { name: 'Docker Hub namespace', component: 'grafana', want: false },
    { name: 'namespace with underscore', component: 'test_com', want: false },
    { name: 'upper-case namespace (distribution says registry; we say path, then reject case)', component: 'Foo', want: false },
    { name: 'upper-case LOCALHOST', component: 'LOCALHOST', want: false },
    { name: 'localhost with suffix', component: 'localhostx', want: false },
  ])('$name', ({ component, want }) => {
    expect(isRegistryComponent(component)).toBe(want);
  });
});

describe('checkRegistry normalizes', () => {
  test.each([
    { name: 'lower-cases the host', registry: 'REGISTRY.Example.COM', want: 'registry.example.com' },
    { name: 'keeps the port', registry: 'Registry.Example.com:5000', want: 'registry.example.com:5000' },
    { name: 'folds the legacy Docker Hub name', registry: 'index.docker.io', want: 'docker.io' },
    { name: 'folds Docker Hub\'s API host', registry: 'registry-1.docker.io', want: 'docker.io' },
    { name: 'folds Docker Hub\'s registry alias', registry: 'registry.docker.io', want: 'docker.io' },
    { name: 'folds Docker Hub\'s old hub alias', registry: 'registry.hub.docker.com', want: 'docker.io' },
    { name: 'folds docker.io with the HTTPS port', registry: 'docker.io:443', want: 'docker.io' },
    { name: 'folds the legacy name with the HTTPS port', registry: 'index.docker.io:443', want: 'docker.io' },
    { name: 'folds the API host with the HTTPS port', registry: 'registry-1.docker.io:443', want: 'docker.io' },
    { name: 'keeps Docker Hub on another port apart', registry: 'docker.io:5000', want: 'docker.io:5000' },
    { name: 'keeps the HTTPS port of other hosts', registry: 'registry.example.com:443', want: 'registry.example.com:443' },
    { name: 'look-alike of Docker Hub stays itself', registry: 'docker.io.evil.com', want: 'docker.io.evil.com' },
    { name: 'IPv6 loopback', registry: '[::1]:5000', want: '[::1]:5000' },
    { name: 'IPv6 with leading zeros and upper case', registry: '[2001:0DB8::0001]', want: '[2001:db8::1]' },
    { name: 'IPv4-mapped IPv6 in hex is the IPv4 address', registry: '[::ffff:a00:1]:5000', want: '10.0.0.1:5000' },
    { name: 'IPv4-mapped IPv6 written out in full', registry: '[0:0:0:0:0:FFFF:0A00:0001]', want: '10.0.0.1' },
    { name: 'NAT64 prefix stays IPv6', registry: '[64:ff9b::a00:1]', want: '[64:ff9b::a00:1]' },
    { name: 'canonical IPv4', registry: '10.0.0.1:5000', want: '10.0.0.1:5000' },
    { name: 'IPv4 zero octets', registry: '0.0.0.0', want: '0.0.0.0' },
    { name: 'host with a numeric first label', registry: '123.example.com', want: '123.example.com' },
    { name: 'highest port', registry: 'localhost:65535', want: 'localhost:65535' },
  ])('$name', ({ registry, want }) => {
    expect(checkRegistry(registry)).toStrictEqual({ ok: true, value: want });
  });

  test.each([
    { name: 'empty', registry: '', fault: /registry host ""/ },
    { name: 'IPv6 junk', registry: '[:::]', fault: /not a valid IPv6 address/ },
    { name: 'port with leading zero', registry: 'localhost:080', fault: /registry port "080"/ },
    { name: 'six-digit port', registry: 'localhost:100000', fault: /registry port "100000"/ },
    { name: 'upper-case docker.io', registry: 'DOCKER.IO', fault: /must be written in lower case/ },
    { name: 'mixed-case legacy Docker Hub name', registry: 'Index.Docker.Io', fault: /must be written in lower case/ },
    { name: 'upper-case Docker Hub API host with port', registry: 'Registry-1.docker.io:443', fault: /must be written in lower case/ },
    { name: 'octal IPv4', registry: '010.0.0.1', fault: /non-canonical form/ },
    { name: 'leading zero in the last octet', registry: '10.0.0.01:5000', fault: /non-canonical form/ },
    { name: 'hexadecimal IPv4 label', registry: '0x0a.0.0.1', fault: /non-canonical form/ },
    { name: 'all-hexadecimal IPv4', registry: '0x7f000001:5000', fault: /non-canonical form/ },
    { name: 'shortened IPv4', registry: '10.1:5000', fault: /non-canonical form/ },
    { name: 'three-part IPv4', registry: '127.0.1', fault: /non-canonical form/ },
    { name: 'integer IPv4', registry: '167772161:5000', fault: /non-canonical form/ },
    { name: 'octet above 255', registry: '10.0.0.256', fault: /non-canonical form/ },
    { name: 'five numeric labels', registry: '1.2.3.4.5', fault: /non-canonical form/ },
    { name: 'numeric top-level label', registry: 'registry.example.123', fault: /all-numeric label/ },
    { name: 'IPv4-mapped IPv6 with a dotted quad (distribution refuses it too)', registry: '[::ffff:10.0.0.1]', fault: /not a valid IPv6 address/ },
  ])('refuses $name', ({ registry, fault }) => {
    const checked = checkRegistry(registry);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.fault).toMatch(fault);
  });
});

describe('canonicalizeIPv6 (RFC 5952)', () => {
  test.each([
    { name: 'loopback', address: '::1', want: '::1' },
    { name: 'unspecified', address: '::', want: '::' },
    { name: 'fully written loopback', address: '0:0:0:0:0:0:0:1', want: '::1' },
    { name: 'leading zeros dropped', address: '2001:0db8:0000:0000:0000:0000:0000:0001', want: '2001:db8::1' },
    { name: 'upper case lowered', address: '2001:DB8::A', want: '2001:db8::a' },
    { name: 'longest zero run wins', address: '1:0:0:2:0:0:0:3', want: '1:0:0:2::3' },
    { name: 'first of equal runs wins', address: '1:0:0:2:0:0:3:4', want: '1::2:0:0:3:4' },
    { name: 'single zero group is not compressed', address: '1:0:2:3:4:5:6:7', want: '1:0:2:3:4:5:6:7' },
    { name: 'needlessly compressed single group is expanded', address: '1::2:3:4:5:6:7', want: '1:0:2:3:4:5:6:7' },
    { name: 'trailing compression', address: 'fe80::', want: 'fe80::' },
    { name: 'no zeros', address: '1:2:3:4:5:6:7:8', want: '1:2:3:4:5:6:7:8' },
  ])('$name', ({ address, want }) => {
    expect(canonicalizeIPv6(address)).toStrictEqual({ family: 6, text: want });
  });

  test.each([
    { name: 'mapped, hex', address: '::ffff:102:304', want: '1.2.3.4' },
    { name: 'mapped, upper-case hex', address: '::FFFF:7F00:1', want: '127.0.0.1' },
    { name: 'mapped, full form', address: '0000:0000:0000:0000:0000:ffff:ffff:ffff', want: '255.255.255.255' },
  ])('IPv4-mapped: $name', ({ address, want }) => {
    expect(canonicalizeIPv6(address)).toStrictEqual({ family: 4, text: want });
  });

  test.each([
    { name: 'empty', address: '' },
    { name: 'seven groups without compression', address: '1:2:3:4:5:6:7' },
    { name: 'nine groups', address: '1:2:3:4:5:6:7:8:9' },
    { name: 'compression with eight groups', address: '1:2:3:4::5:6:7:8' },
    { name: 'two compressions', address: '1::2::3' },
    { name: 'triple colon', address: ':::' },
    { name: 'leading single colon', address: ':1:2:3:4:5:6:7' },
    { name: 'five hex digits', address: '12345::' },
    { name: 'non-hex', address: 'g::1' },
    { name: 'embedded IPv4', address: '::ffff:1.2.3.4' },
    { name: 'too long', address: `${'0'.repeat(40)}::1` },
  ])('refuses $name', ({ address }) => {
    expect(canonicalizeIPv6(address)).toBeUndefined();
  });
});
