#include "csystem_zlib.h"

int csystem_deflate_init2(z_streamp strm, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, strategy);
}

int csystem_inflate_init2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
