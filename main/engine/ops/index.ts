// Every registry op, importable from one place. Importing this module registers them all.

export { scaledDotProductAttention } from './attention';
export { add, addScalar, div, mul, neg, scale, sub, unbroadcast } from './arithmetic';
export { cast } from './cast';
export { restrictedCrossEntropy, softmaxCrossEntropy } from './cross-entropy';
export { filled, onesOf, zerosOf } from './fill';
export { gather, pickRows } from './gather';
export { gelu, type GeluForm } from './gelu';
export { attentionMask, MASK_VALUE } from './masks';
export { gemm, linear, matmul } from './matmul';
export { segmentedLinear, type SegmentedWeight } from './segmented-linear';
export { layerNorm, rmsNorm } from './norms';
export { reduceMean, reduceSum } from './reduce';
export { callOp, lookupOp, registeredOps } from './registry';
export { rotary, rotaryTables } from './rotary';
export { concat, expand, flattenTo2d, reshape, slice, split, transpose, transposeLast2, unsqueeze } from './shape-ops';
export { logSoftmax, softmax } from './softmax';
export { equal, less, logicalNot, maximum, minimum, pow } from './elementwise-logic';
export { abs, exp, log, reciprocal, relu, sigmoid, silu, sqrt, tanh } from './unary';
export { swiglu } from './swiglu';
export { where } from './where';
