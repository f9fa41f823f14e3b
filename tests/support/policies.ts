// Policy documents shared by the server tests, written to temporary files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The contract fixtures' policy: allow only registry.example.com/**. */
export const CONTRACT_POLICY = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: contract
allow:
  - registry.example.com/**
`;

export function writeTempPolicy(text: string, name = 'policy.yaml'): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ipw-policy-')), name);
  writeFileSync(file, text);
  return file;
}
