# tianc_add_plugin(<name> SOURCES <file>... [LINK_LIBS <lib>...])
#
# Builds an MLIR pass or dialect plugin that uses tian's ops, interfaces and
# passes, once for each of the two MLIR worlds of a tianc installation
# (docs/architecture.md): the tools, whose MLIR is libMLIR.so, and the
# Python process, whose MLIR is the bindings' libMLIRPythonCAPI.so. A
# library loaded into the wrong world would bring a second copy of MLIR's
# globals (its TypeIDs, its pass registry) and fail in confusing ways.
#
#   lib<name>.so         for tian-opt --load-pass-plugin / --load-dialect-plugin
#   lib<name>.python.so  for tc.passes.load_plugin (which takes either path)
#
# The sources are compiled once (an object library). Neither library holds
# tian's code: its symbols bind, when the plugin loads, to the copy in the
# process (tian-opt exports them; tianc's extension makes them global), so
# tian's op classes are the same classes on both sides of the plugin.
#
# Needs: MLIR found (find_package(MLIR)), TIANC_INCLUDE_DIRS (tian's headers
# and generated .inc files) and TIANC_MLIR_PYTHON_CAPI (the path of
# libMLIRPythonCAPI.so); tianc's own build and tiancConfig.cmake set both.
function(tianc_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK_LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "tianc_add_plugin(${name}): no SOURCES")
  endif()
  add_library(${name}_objects OBJECT ${ARG_SOURCES})
  target_include_directories(${name}_objects PRIVATE ${TIANC_INCLUDE_DIRS}
                             ${MLIR_INCLUDE_DIRS} ${LLVM_INCLUDE_DIRS})
  # LLVM_DEFINITIONS is one string of -D flags.
  separate_arguments(llvm_definitions NATIVE_COMMAND "${LLVM_DEFINITIONS}")
  target_compile_options(${name}_objects PRIVATE ${llvm_definitions})
  set_target_properties(${name}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # The wheels' LLVM has neither RTTI nor exceptions: match it.
  target_compile_options(${name}_objects PRIVATE
                         $<$<COMPILE_LANGUAGE:CXX>:-fno-rtti -fno-exceptions>)
  if(TARGET TianOpsIncGen) # inside tianc's own build: its generated headers first
    add_dependencies(${name}_objects TianOpsIncGen TianInterfacesIncGen TianPassesIncGen)
  endif()

  # The tools' world: MLIR from libMLIR.so, tian from the tool.
  add_library(${name} MODULE $<TARGET_OBJECTS:${name}_objects>)
  target_link_libraries(${name} PRIVATE MLIR ${ARG_LINK_LIBS})
  # The Python world: MLIR from the bindings' library, tian from tianc's extension.
  add_library(${name}_python MODULE $<TARGET_OBJECTS:${name}_objects>)
  target_link_libraries(${name}_python PRIVATE ${TIANC_MLIR_PYTHON_CAPI} ${ARG_LINK_LIBS})
  get_filename_component(capi_dir "${TIANC_MLIR_PYTHON_CAPI}" DIRECTORY)
  set_target_properties(${name}_python PROPERTIES OUTPUT_NAME "${name}.python"
                        BUILD_RPATH "${capi_dir}")
  foreach(target ${name} ${name}_python)
    set_target_properties(${target} PROPERTIES PREFIX "lib" SUFFIX ".so"
                          LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  endforeach()
endfunction()
