#ifndef ATTESTD_CLZ4_SHIM_H
#define ATTESTD_CLZ4_SHIM_H

#include <lz4.h>

// LZ4_COMPRESSBOUND is a function-like macro; Swift sees it through this inline function.
static inline int CLZ4_LZ4_COMPRESSBOUND(int size) { return LZ4_COMPRESSBOUND(size); }
static const int CLZ4_LZ4_MAX_INPUT_SIZE = LZ4_MAX_INPUT_SIZE;

#endif
