// zlib's deflateInit2/inflateInit2 are macros (they pass ZLIB_VERSION and sizeof(z_stream)), which
// Swift cannot call; these functions wrap them.
#ifndef CSYSTEM_ZLIB_H
#define CSYSTEM_ZLIB_H

#include <zlib.h>

/// deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, strategy).
int csystem_deflate_init2(z_streamp strm, int level, int windowBits, int memLevel, int strategy);

/// inflateInit2(strm, windowBits).
int csystem_inflate_init2(z_streamp strm, int windowBits);

#endif
