# cmake/bridges.cmake: the bridges of the wheel, one extension per framework internals version, each built against a pinned release.
#
# A bridge (src/bridges/pybind11_bridge.cpp, nanobind_bridge.cpp) joins
# the framework internals of its key that modules without bindbridge made,
# and publishes their types (docs/bridges.md).  The pinned releases' wheels come from the
# package index through this interpreter's pip (cmake/fetch_framework.py),
# kept in BINDBRIDGE_FRAMEWORK_CACHE.  A bridge is a per-Python-version
# extension: an abi3 wheel (wheel.py-api) cannot carry one, and has none.
#
#   -C cmake.define.BINDBRIDGE_BRIDGES=OFF     a wheel without bridges
#   -C cmake.define.BINDBRIDGE_BRIDGES_ONLY="_bridge_pybind11_v12;_bridge_nanobind_v22"
#                                              only those
option(BINDBRIDGE_BRIDGES "Build the bridges (needs the package index for the pinned frameworks)" ON)
set(BINDBRIDGE_BRIDGES_ONLY "" CACHE STRING
    "Build only these bridges (names, e.g. _bridge_pybind11_v12; empty: every one)")
set(BINDBRIDGE_FRAMEWORK_CACHE "${CMAKE_BINARY_DIR}/bridge-frameworks" CACHE PATH
    "Where the bridges' pinned framework wheels are downloaded and unpacked")

if(NOT BINDBRIDGE_BRIDGES)
  message(STATUS "bindbridge: bridges off (BINDBRIDGE_BRIDGES)")
  return()
endif()
if(SKBUILD_SABI_COMPONENT)
  message(STATUS "bindbridge: no bridges in a stable-ABI wheel (each is built for one Python version)")
  return()
endif()

# name, framework, pinned release, internals version (pybind11: the one to
# build with, or "default" for the release's; nanobind: the one the
# release has, checked when the bridge compiles).  pybind11 2.12/2.13 use internals v5 on Python 3.12+
# and v4 before (v5 there on request: PYBIND11_INTERNALS_VERSION=5);
# 2.10/2.11 keep v4 on 3.12+, which 2.13 refuses to build there: those
# are not bridged on 3.12+.
set(_bbr_bridges "")
if(Python_VERSION VERSION_LESS 3.12)
  list(APPEND _bbr_bridges "_bridge_pybind11_v4;pybind11;2.13.6;4")
endif()
list(APPEND _bbr_bridges
  "_bridge_pybind11_v5;pybind11;2.13.6;5"
  "_bridge_pybind11_v11;pybind11;3.0.4;default")
# (pybind11 3.1 supports Python 3.9+: no v12 module can exist on 3.8)
if(NOT Python_VERSION VERSION_LESS 3.9)
  list(APPEND _bbr_bridges "_bridge_pybind11_v12;pybind11;3.1.0;default")
endif()
# nanobind: one per internals version from 2.9 on, each the newest
# release of it (2.13 and 2.14 share v20, 3.0 and 3.1 v22: one key, one
# layout); 2.10+ needs Python 3.9+, 3.x 3.10+.
list(APPEND _bbr_bridges "_bridge_nanobind_v16;nanobind;2.9.2;16")
if(NOT Python_VERSION VERSION_LESS 3.9)
  list(APPEND _bbr_bridges
    "_bridge_nanobind_v17;nanobind;2.10.2;17"
    "_bridge_nanobind_v18;nanobind;2.11.0;18"
    "_bridge_nanobind_v19;nanobind;2.12.0;19"
    "_bridge_nanobind_v20;nanobind;2.14.0;20"
    "_bridge_nanobind_v21;nanobind;2.15.0;21")
endif()
if(NOT Python_VERSION VERSION_LESS 3.10)
  list(APPEND _bbr_bridges "_bridge_nanobind_v22;nanobind;3.1.0;22")
endif()

# A nanobind bridge's own copy of its release's library (static, hidden,
# as nanobind builds it for a module), from the release's sources in the
# wheel: nanobind's CMake functions cannot be loaded for two releases in
# one project.  nb_combined.cpp is nanobind's own one-file build of the
# library (12 s here, against about 35 s for its eleven files).  -O2, not
# nanobind's default -Os: a bridged argument goes through this copy's
# nb_type_get (callgrind: 1,671 instructions per call at -Os, 1,418 at -O2,
# against 1,344 for the same class exported by its own module).
function(_bbr_nanobind_library target root)
  add_library(${target} STATIC "${root}/src/nb_combined.cpp")
  target_compile_features(${target} PUBLIC cxx_std_17)
  target_compile_definitions(${target} PRIVATE NB_BUILD NB_COMPACT_ASSERTIONS)
  target_compile_options(${target} PRIVATE -fno-strict-aliasing -O2)
  # (robin_map: public, as the bridge reads nb_internals.h, which uses it)
  target_include_directories(${target} PUBLIC "${root}/include" "${root}/ext/robin_map/include")
  target_link_libraries(${target} PUBLIC Python::Module)
  set_target_properties(${target} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()

list(LENGTH _bbr_bridges _bbr_n)
math(EXPR _bbr_last "${_bbr_n} - 1")
foreach(_bbr_i RANGE 0 ${_bbr_last} 4)
  math(EXPR _bbr_j "${_bbr_i} + 1")
  math(EXPR _bbr_k "${_bbr_i} + 2")
  math(EXPR _bbr_l "${_bbr_i} + 3")
  list(GET _bbr_bridges ${_bbr_i} _bbr_name)
  list(GET _bbr_bridges ${_bbr_j} _bbr_fw)
  list(GET _bbr_bridges ${_bbr_k} _bbr_ver)
  list(GET _bbr_bridges ${_bbr_l} _bbr_internals)
  if(BINDBRIDGE_BRIDGES_ONLY AND NOT _bbr_name IN_LIST BINDBRIDGE_BRIDGES_ONLY)
    continue()
  endif()
  execute_process(
    COMMAND "${Python_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/fetch_framework.py"
            "${BINDBRIDGE_FRAMEWORK_CACHE}" "${_bbr_fw}" "${_bbr_ver}"
    OUTPUT_VARIABLE _bbr_root OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_VARIABLE _bbr_err RESULT_VARIABLE _bbr_rc)
  if(NOT _bbr_rc EQUAL 0)
    message(FATAL_ERROR "bindbridge: the bridge ${_bbr_name} needs ${_bbr_fw} ${_bbr_ver} "
            "from the package index, which failed:\n${_bbr_err}\n"
            "Build without bridges: pip install -C cmake.define.BINDBRIDGE_BRIDGES=OFF .")
  endif()
  Python_add_library(${_bbr_name} MODULE WITH_SOABI src/bridges/${_bbr_fw}_bridge.cpp)
  target_compile_features(${_bbr_name} PRIVATE cxx_std_17)
  target_compile_definitions(${_bbr_name} PRIVATE BINDBRIDGE_BRIDGE_MODULE=${_bbr_name})
  if(_bbr_fw STREQUAL "nanobind")
    target_compile_definitions(${_bbr_name} PRIVATE BINDBRIDGE_BRIDGE_INTERNALS_VERSION=${_bbr_internals})
    _bbr_nanobind_library(${_bbr_name}_nanobind "${_bbr_root}/nanobind")
    # (src/: the release's private nb_internals.h, which the bridge reads)
    target_include_directories(${_bbr_name} PRIVATE "${_bbr_root}/nanobind/src")
    target_link_libraries(${_bbr_name} PRIVATE ${_bbr_name}_nanobind)
  else()
    if(NOT _bbr_internals STREQUAL "default")
      target_compile_definitions(${_bbr_name} PRIVATE PYBIND11_INTERNALS_VERSION=${_bbr_internals})
    endif()
    target_include_directories(${_bbr_name} PRIVATE "${_bbr_root}/${_bbr_fw}/include")
  endif()
  set_target_properties(${_bbr_name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${_bbr_name} PRIVATE bindbridge::headers)
  install(TARGETS ${_bbr_name} LIBRARY DESTINATION .)
  message(STATUS "bindbridge: bridge ${_bbr_name} (${_bbr_fw} ${_bbr_ver})")
endforeach()
