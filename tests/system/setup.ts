// Runs before every system test file. The system tier starts processes, TLS servers, registries
// and Prometheus; on a loaded machine one test can take minutes, so the per-test limit is only a
// guard against a hang. Every wait inside a test is for evidence (tests/support/eventually.ts).
const SYSTEM_TEST_TIMEOUT_MS = 180_000;

jest.setTimeout(SYSTEM_TEST_TIMEOUT_MS);
