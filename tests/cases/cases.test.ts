// Runs every case file in this folder through both paths a review can take — answerImageReview
// (what `evaluate` uses) and the HTTP app (what kube-apiserver talks to) — and requires the same
// answer from both, and the outcome each case expects.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildCaseRequest, checkCaseResponse, parseCaseFile, runCase, type CaseFile } from '../../src/cases';
import { loadPolicy, type CompiledPolicy } from '../../src/policy';
import { createApp } from '../../src/server/app';
import { createSilentLogger } from '../../src/server/logger';

const CASES_DIR = __dirname;

function loadCasePolicy(caseFile: CaseFile, dir: string): CompiledPolicy {
  if (caseFile.policy.kind === 'inline') return loadPolicy(caseFile.policy.text, `${caseFile.fileName} (inline policy)`);
  const file = path.resolve(dir, caseFile.policy.path);
  return loadPolicy(readFileSync(file, 'utf8'), path.relative(process.cwd(), file));
}

const files = readdirSync(CASES_DIR).filter((file) => file.endsWith('.yaml')).sort();

test('there are case files to run', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe.each(files.map((file) => ({ file })))('$file', ({ file }) => {
  const caseFile = parseCaseFile(readFileSync(path.join(CASES_DIR, file), 'utf8'), file);
  const policy = loadCasePolicy(caseFile, CASES_DIR);
  const app = createApp({ currentPolicy: () => policy, logger: createSilentLogger(), isDraining: () => false });

  test.each(caseFile.cases.map((testCase) => ({ ...testCase, caseName: testCase.name })))('$caseName', async (testCase) => {
    const body: unknown = testCase.review
      ? JSON.parse(readFileSync(path.resolve(CASES_DIR, testCase.review), 'utf8'))
      : buildCaseRequest(testCase);
    const direct = runCase(policy, testCase, body);
    expect(direct.failures).toEqual([]);

    const http = await request(app).post('/imagepolicy?timeout=30s').set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(http.status).toBe(200);
    expect(checkCaseResponse(testCase, http.body).failures).toEqual([]);
    expect(http.body).toEqual(direct.response);
  });
});
