# tests/versions/boost_python_module.cmake: bbv_add_boost_python_module(NAME), the Boost.Python version module as a target.
#
# Included by tests/versions/CMakeLists.txt and bench/CMakeLists.txt: a
# MODULE library NAME from boost_python_module.cpp, linked to the system's
# Boost.Python for this interpreter (./dev installs it), with hidden
# visibility; the caller adds bindbridge and the BBV_* definitions.
if(POLICY CMP0167)
  cmake_policy(SET CMP0167 NEW) # Boost's own CMake config, not FindBoost (recorded with the function)
endif()

function(bbv_add_boost_python_module name)
  set(component python${Python_VERSION_MAJOR}${Python_VERSION_MINOR})
  find_package(Boost 1.66 CONFIG REQUIRED COMPONENTS ${component})
  Python_add_library(${name} MODULE WITH_SOABI "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/boost_python_module.cpp")
  target_link_libraries(${name} PRIVATE Boost::${component})
  target_compile_definitions(${name} PRIVATE BOOST_BIND_GLOBAL_PLACEHOLDERS BOOST_ALLOW_DEPRECATED_HEADERS)
  set_target_properties(${name} PROPERTIES CXX_VISIBILITY_PRESET hidden)
endfunction()
