# cmake/bindbridgeImportHeader.cmake: bindbridge_import_header(), a generated header of import declarations.
#
#   bindbridge_import_header(<output.h>
#       FRAMEWORK pybind11|nanobind          # the framework of the modules that include it
#       MODULES owner [owner2 ...]           # Python modules whose exported types it imports
#       [INCLUDES pet.h ...]                 # headers declaring those C++ types
#       [EXCLUDE Both ...]                   # C++ (or Python) names to leave out: types the
#                                            # including module binds itself
#       [PYTHONPATH dir ...]                 # where the owners are importable at build time
#       [DEPENDS target ...])                # e.g. the owners' targets
#
# Runs `python -m bindbridge --header` at build time (the owners are
# imported in the Python of Python_EXECUTABLE, or Python3_EXECUTABLE) and
# rewrites <output.h> only when its text changes.  Make a target depend on
# it by listing <output.h> among its sources.
function(bindbridge_import_header output)
  cmake_parse_arguments(PARSE_ARGV 1 BBH "" "FRAMEWORK" "MODULES;INCLUDES;EXCLUDE;PYTHONPATH;DEPENDS")
  if(BBH_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "bindbridge_import_header: unknown arguments ${BBH_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT BBH_FRAMEWORK MATCHES "^(pybind11|nanobind)$")
    message(FATAL_ERROR "bindbridge_import_header: FRAMEWORK must be pybind11 or nanobind")
  endif()
  if(NOT BBH_MODULES)
    message(FATAL_ERROR "bindbridge_import_header: MODULES names no module")
  endif()
  if(Python_EXECUTABLE)
    set(python "${Python_EXECUTABLE}")
  elseif(Python3_EXECUTABLE)
    set(python "${Python3_EXECUTABLE}")
  else()
    message(FATAL_ERROR "bindbridge_import_header: find_package(Python) first "
                        "(Python_EXECUTABLE is not set)")
  endif()
  if(NOT IS_ABSOLUTE "${output}")
    set(output "${CMAKE_CURRENT_BINARY_DIR}/${output}")
  endif()
  set(args --header "${BBH_FRAMEWORK}" --output "${output}")
  foreach(m IN LISTS BBH_MODULES)
    list(APPEND args --import "${m}")
  endforeach()
  foreach(h IN LISTS BBH_INCLUDES)
    list(APPEND args --include "${h}")
  endforeach()
  foreach(x IN LISTS BBH_EXCLUDE)
    list(APPEND args --exclude "${x}")
  endforeach()
  if(WIN32)
    set(sep ";")
  else()
    set(sep ":")
  endif()
  list(JOIN BBH_PYTHONPATH "${sep}" pythonpath)
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${pythonpath}"
            "${python}" -m bindbridge ${args}
    DEPENDS ${BBH_DEPENDS}
    COMMENT "bindbridge: import declarations for ${BBH_MODULES}"
    VERBATIM)
endfunction()
