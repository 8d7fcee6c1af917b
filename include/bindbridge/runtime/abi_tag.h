// include/bindbridge/runtime/abi_tag.h: the C++ platform ABI tag (pymetabind abi_extra).
//
// The tag names the platform C++ ABI that two shared objects must share to
// exchange C++ objects: compiler family + standard-library ABI + (MSVC)
// build type, in the format pymetabind 0.3 uses (the same string as
// pybind11 3.x's PYBIND11_PLATFORM_ABI_ID and nanobind's
// NB_PLATFORM_ABI_TAG), e.g. "system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_1".
// One addition: libstdc++'s debug mode appends "_glibcxx_debug" (below).
// It is derived here from the compiler's own macros, never borrowed from a
// framework, because pybind11 2.x defines a macro of the same name in an
// older format.  Depends on the C++ standard library only.
#ifndef BINDBRIDGE_RUNTIME_ABI_TAG_H
#define BINDBRIDGE_RUNTIME_ABI_TAG_H

#if !defined(__cplusplus)
#  error "bindbridge/runtime/abi_tag.h is C++ only (C frameworks publish abi_extra = NULL)"
#endif

#include <cstddef> // defines _GLIBCXX_USE_CXX11_ABI / _LIBCPP_ABI_VERSION

#define BINDBRIDGE_ABI_STR2_(x) #x
#define BINDBRIDGE_ABI_STR_(x) BINDBRIDGE_ABI_STR2_(x)

#if defined(__MINGW32__)
#  define BINDBRIDGE_ABI_COMPILER_ "mingw"
#elif defined(__CYGWIN__)
#  define BINDBRIDGE_ABI_COMPILER_ "gcc_cygwin"
#elif defined(_MSC_VER)
#  define BINDBRIDGE_ABI_COMPILER_ "msvc"
#elif defined(__clang__) || defined(__GNUC__)
#  define BINDBRIDGE_ABI_COMPILER_ "system"
#else
#  error "bindbridge: unknown compiler, cannot name its C++ ABI (see runtime/abi_tag.h)"
#endif

#if defined(_MSC_VER)
#  if defined(_MT) && defined(_DLL)
#    if _MSC_VER / 100 == 19
#      define BINDBRIDGE_ABI_STDLIB_ "_md_mscver19"
#    else
#      error "bindbridge: unknown MSVC major version, cannot name its C++ ABI"
#    endif
#  elif defined(_MT)
#    define BINDBRIDGE_ABI_STDLIB_ "_mt_mscver" BINDBRIDGE_ABI_STR_(_MSC_VER)
#  else
#    if _MSC_VER / 100 == 19
#      define BINDBRIDGE_ABI_STDLIB_ "_none_mscver19"
#    else
#      error "bindbridge: unknown MSVC major version, cannot name its C++ ABI"
#    endif
#  endif
#elif defined(_LIBCPP_ABI_VERSION)
#  define BINDBRIDGE_ABI_STDLIB_ "_libcpp_abi" BINDBRIDGE_ABI_STR_(_LIBCPP_ABI_VERSION)
#elif defined(_GLIBCXX_USE_CXX11_ABI)
#  if !defined(__NVCOMPILER) && !defined(__GXX_ABI_VERSION)
#    error "bindbridge: libstdc++ without __GXX_ABI_VERSION, cannot name its C++ ABI"
#  endif
#  if defined(__GXX_ABI_VERSION) && (__GXX_ABI_VERSION < 1002 || __GXX_ABI_VERSION >= 2000)
#    error "bindbridge: unknown __GXX_ABI_VERSION family, cannot name its C++ ABI"
#  endif
#  define BINDBRIDGE_ABI_STDLIB_ \
      "_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_" BINDBRIDGE_ABI_STR_(_GLIBCXX_USE_CXX11_ABI)
#else
#  error "bindbridge: unknown C++ standard library, cannot name its ABI"
#endif

#if defined(_MSC_VER) && defined(_DEBUG)
#  define BINDBRIDGE_ABI_BUILD_ "_debug"
#elif defined(_GLIBCXX_DEBUG)
// libstdc++'s debug mode swaps every container for a larger one (another
// layout under the same names), which neither pybind11 nor nanobind puts
// in its tag: such modules must never exchange C++ objects with others.
#  define BINDBRIDGE_ABI_BUILD_ "_glibcxx_debug"
#else
#  define BINDBRIDGE_ABI_BUILD_ ""
#endif

// The tag, as a string literal.
#define BINDBRIDGE_PLATFORM_ABI_TAG \
    BINDBRIDGE_ABI_COMPILER_ BINDBRIDGE_ABI_STDLIB_ BINDBRIDGE_ABI_BUILD_

#endif // BINDBRIDGE_RUNTIME_ABI_TAG_H
