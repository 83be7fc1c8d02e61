// glibc's allocator controls (malloc_trim, mallopt, mallinfo2), which Swift's Glibc module leaves out.
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif
