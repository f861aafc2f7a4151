// The strings the interface shows. Only English exists today; a translation is another module of
// the same shape (`satisfies Strings`), chosen here.

import { en, type Strings } from './en';

export const t: Strings = en;
export type { Strings };
