// The policy case files of tests/cases (the example policy, the contract's requests), through
// evaluate and the HTTP app alike.
import { describeCaseFiles } from '../../support/case-runner';
import { CASES_DIR } from '../../support/paths';

describeCaseFiles(CASES_DIR);
