// The policy case files of this folder (the example policy, the contract's requests), through
// evaluate and the HTTP app alike.
import { describeCaseFiles } from '../support/case-runner';

describeCaseFiles(__dirname);
