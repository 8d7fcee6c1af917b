# cmake/bridges.cmake: the bridges of the wheel, one extension per pybind11 internals version, each built against a pinned release.
#
# A bridge (src/bridges/pybind11_bridge.cpp) joins the pybind11 internals
# of its key that modules without bindbridge made, and publishes their
# types (docs/bridges.md).  The pinned releases' wheels come from the
# package index through this interpreter's pip (cmake/fetch_framework.py),
# kept in BINDBRIDGE_FRAMEWORK_CACHE.  A bridge is a per-Python-version
# extension: an abi3 wheel (wheel.py-api) cannot carry one, and has none.
#
#   -C cmake.define.BINDBRIDGE_BRIDGES=OFF     a wheel without bridges
option(BINDBRIDGE_BRIDGES "Build the bridges (needs the package index for the pinned frameworks)" ON)
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

# name, framework, pinned release, internals version (or "default" for the
# release's default).  pybind11 2.12/2.13 use internals v5 on Python 3.12+
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
  Python_add_library(${_bbr_name} MODULE WITH_SOABI src/bridges/pybind11_bridge.cpp)
  target_compile_features(${_bbr_name} PRIVATE cxx_std_17)
  target_compile_definitions(${_bbr_name} PRIVATE BINDBRIDGE_BRIDGE_MODULE=${_bbr_name})
  if(NOT _bbr_internals STREQUAL "default")
    target_compile_definitions(${_bbr_name} PRIVATE PYBIND11_INTERNALS_VERSION=${_bbr_internals})
  endif()
  target_include_directories(${_bbr_name} PRIVATE "${_bbr_root}/${_bbr_fw}/include")
  set_target_properties(${_bbr_name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${_bbr_name} PRIVATE bindbridge::headers)
  install(TARGETS ${_bbr_name} LIBRARY DESTINATION .)
  message(STATUS "bindbridge: bridge ${_bbr_name} (${_bbr_fw} ${_bbr_ver})")
endforeach()
