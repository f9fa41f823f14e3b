// parseCredentialsFile reads the docker config.json `auths` subset; every refusal names the file,
// line:col and the entry, and no message ever shows a password or an encoded auth value.
import { CredentialsFileError, normalizeCredentialKey, parseCredentialsFile } from '../../../src/registry';

const SECRET = 'hunter2-secret';
const encode = (text: string): string => Buffer.from(text).toString('base64');

describe('normalizeCredentialKey', () => {
  test.each([
    { name: 'plain host', key: 'registry.example.com', want: 'registry.example.com' },
    { name: 'host and port', key: 'registry.example.com:5000', want: 'registry.example.com:5000' },
    { name: 'docker login writes a URL for Docker Hub', key: 'https://index.docker.io/v1/', want: 'docker.io' },
    { name: 'Docker Hub API host', key: 'registry-1.docker.io', want: 'docker.io' },
    { name: 'scheme and path dropped, host lower-cased', key: 'https://Registry.Example.com/v2/', want: 'registry.example.com' },
    { name: 'loopback with port', key: '127.0.0.1:5000', want: '127.0.0.1:5000' },
    { name: 'not a host', key: 'not a host', want: undefined },
    { name: 'empty', key: '', want: undefined },
  ])('$name', ({ key, want }) => {
    expect(normalizeCredentialKey(key)).toBe(want);
  });
});

describe('parseCredentialsFile', () => {
  test('auth and username/password entries', () => {
    const text = JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: encode(`hubuser:${SECRET}`) },
        'registry.example.com:5000': { username: 'robot$ci', password: `pa:ss:${SECRET}` },
        'quay.io': { auth: encode(`quayuser:with:colons`), email: 'ignored@example.com' },
      },
      credsStore: 'ignored',
    });
    expect(Object.fromEntries(parseCredentialsFile(text, 'auth.json'))).toEqual({
      'docker.io': { username: 'hubuser', password: SECRET },
      'registry.example.com:5000': { username: 'robot$ci', password: `pa:ss:${SECRET}` },
      'quay.io': { username: 'quayuser', password: 'with:colons' },
    });
  });

  test.each([
    { name: 'not JSON (the text is not quoted: it may hold a password)', text: `{"auths": {"r.io": {"auth": ${SECRET}}}}`, message: /^auth\.json:1:\d+: not JSON$/ },
    { name: 'no auths', text: '{"credHelpers": {}}', message: /^auth\.json:1:1: auths: must be an object mapping registry hosts/ },
    { name: 'auths is a list', text: '{\n  "auths": []\n}', message: /^auth\.json:2:12: auths: must be an object/ },
    { name: 'key is not a host', text: '{"auths": {"not a host": {"auth": "eDp5"}}}', message: /^auth\.json:1:\d+: auths\["not a host"\]: is not a registry host\[:port\]$/ },
    { name: 'auth is not base64', text: `{"auths": {"r.io": {"auth": "${SECRET}!!"}}}`, message: /auths\["r\.io"\]\.auth: must be base64 of "user:password" \(the value is not shown\)$/ },
    { name: 'auth without a colon', text: `{"auths": {"r.io": {"auth": "${encode(SECRET)}"}}}`, message: /auths\["r\.io"\]\.auth: must be base64/ },
    { name: 'identity token only', text: `{"auths": {"r.io": {"identitytoken": "${SECRET}"}}}`, message: /auths\["r\.io"\]\.identitytoken: identity tokens .* are not supported/ },
    { name: 'empty entry', text: '{"auths": {"r.io": {}}}', message: /auths\["r\.io"\]: needs "auth"/ },
    { name: 'entry is a string', text: `{"auths": {"r.io": "${SECRET}"}}`, message: /auths\["r\.io"\]: must be an object/ },
  ])('$name', ({ text, message }) => {
    let thrown: unknown;
    try {
      parseCredentialsFile(text, 'auth.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CredentialsFileError);
    const shown = (thrown as Error).message;
    expect(shown).toMatch(message);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(encode(SECRET));
  });
});
