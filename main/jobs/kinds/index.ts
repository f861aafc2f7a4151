// Every job kind Lontar ships, in one list: the registry loads this module (in the owner and in
// each job process). A new kind is a module exporting a defineJobKind(...) value, added here.

import type { JobKind } from '../types';
import { trainTiny } from './train-tiny';

export const jobKinds: JobKind[] = [trainTiny];
