// Every job kind Lontar ships, in one list: the registry loads this module (in the owner and in
// each job process). A new kind is a module exporting a defineJobKind(...) value, added here.

import { competenceKind, discoverKind, evaluateKind, transferKind } from '../../transfer/kinds/index';
import { exportRunKind, verifyExportKind } from '../../exports/kinds';
import type { JobKind } from '../types';
import { discoverModel } from './discover-model';
import { importDataset } from './import-dataset';
import { trainTiny } from './train-tiny';

export const jobKinds: JobKind[] = [trainTiny, importDataset, discoverModel, competenceKind, discoverKind, transferKind, evaluateKind, exportRunKind, verifyExportKind];
