# find_package(tianc CONFIG REQUIRED), for plugins built against an installed
# tianc (pip install tianc[plugins], or an editable checkout): gives
# tianc_add_plugin(NAME SOURCES ...) (TiancPlugin.cmake) and
#   TIANC_INCLUDE_DIRS      tian's headers and generated .inc files
#   TIANC_OPT               the tian-opt of this installation
#   TIANC_MLIR_PYTHON_CAPI  the MLIR of the Python process
# MLIR comes from the wheels of the Python that has tianc (Python3_EXECUTABLE,
# or the first python3 found), unless MLIR_DIR and LLVM_DIR are given.
get_filename_component(_tianc_package "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
include("${CMAKE_CURRENT_LIST_DIR}/TiancFindMLIR.cmake")
if(NOT MLIR_FOUND)
  find_package(MLIR REQUIRED CONFIG)
endif()
set(TIANC_INCLUDE_DIRS "${_tianc_package}/_native/include")
set(TIANC_OPT "${_tianc_package}/_native/bin/tian-opt")
get_filename_component(_tianc_mlir_package "${MLIR_DIR}/../../.." ABSOLUTE)
set(TIANC_MLIR_PYTHON_CAPI "${_tianc_mlir_package}/_mlir_libs/libMLIRPythonCAPI.so")
if(NOT EXISTS "${TIANC_INCLUDE_DIRS}/dialects/tian/TianOps.h")
  message(FATAL_ERROR "tianc at ${_tianc_package} has no headers: build it first (./setup.sh)")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/TiancPlugin.cmake")
set(tianc_FOUND TRUE)
