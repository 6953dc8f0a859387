# Points MLIR_DIR and LLVM_DIR at the LLVM/MLIR 22 wheels of the Python that
# builds (or uses) tianc, unless they are given: the wheels ship
# MLIRConfig.cmake and LLVMConfig.cmake inside site-packages. A build
# folder keeps the wheels it was configured with while they exist (another
# venv's pip install of the same checkout builds nothing anew); wheels that
# are gone (pip's isolated build environment, since deleted) are found
# again through the current Python.
if(NOT EXISTS "${MLIR_DIR}/MLIRConfig.cmake" OR NOT EXISTS "${LLVM_DIR}/LLVMConfig.cmake")
  if(NOT Python3_EXECUTABLE)
    find_package(Python3 3.10 REQUIRED COMPONENTS Interpreter)
  endif()
  execute_process(
    COMMAND "${Python3_EXECUTABLE}" -c "import mlir, os; print(os.path.dirname(mlir.__path__[0]))"
    OUTPUT_VARIABLE _tianc_site OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _tianc_found)
  if(NOT _tianc_found EQUAL 0 OR NOT EXISTS "${_tianc_site}/mlir/lib/cmake/mlir/MLIRConfig.cmake")
    message(FATAL_ERROR "the LLVM/MLIR 22 development wheels are not installed for "
            "${Python3_EXECUTABLE}: pip install xtc-mlir-dev xtc-llvm-dev (the versions "
            "of tianc's requirements/build.txt), or pass -DMLIR_DIR= and -DLLVM_DIR=")
  endif()
  set(MLIR_DIR "${_tianc_site}/mlir/lib/cmake/mlir" CACHE PATH "MLIRConfig.cmake's folder" FORCE)
  set(LLVM_DIR "${_tianc_site}/llvm/lib/cmake/llvm" CACHE PATH "LLVMConfig.cmake's folder" FORCE)
endif()
