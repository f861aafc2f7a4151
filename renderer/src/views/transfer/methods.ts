// The transfer methods in the order the form lists them. The page may use the contract's types but
// not its values; the list is repeated here and checked against the contract at compile time.

import type { TransferMethodName } from '../../../../main/api/contract/index';

export const METHODS = ['circuit', 'nearzero', 'random', 'least', 'full', 'direct', 'norms'] as const satisfies readonly TransferMethodName[];
export const HEAD_METHODS: readonly TransferMethodName[] = ['circuit', 'nearzero', 'random', 'least'];

type Unlisted = Exclude<TransferMethodName, (typeof METHODS)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;
