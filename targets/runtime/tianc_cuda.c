/* tianc_cuda.c - the NVIDIA side of the tianc runtime.
 *
 * Two things live here:
 *  - tianc_cuda_device_ops: device memory for tianc_model_run (weights,
 *    inputs and outputs on the GPU);
 *  - the mgpu* functions that MLIR's GPU lowering calls from the compiled
 *    host code (module load at library load, kernel launch, streams,
 *    allocations), implemented on the CUDA driver API.
 *
 * The driver (libcuda.so.1) is opened with dlopen on first use: a model
 * links and loads on a machine without a GPU, and reports
 * TIANC_ERROR_DEVICE when it runs there. Every error met inside the
 * compiled code is kept and returned by take_error after the run.
 * Kernels are embedded as PTX; the driver compiles them for the GPU present
 * when the library loads. */
#define _GNU_SOURCE
#include "tianc_runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

typedef int CUresult; /* CUDA_SUCCESS is 0 */
typedef int CUdevice;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream, *CUevent;
typedef unsigned long long CUdeviceptr;

#define CU_JIT_OPTIMIZATION_LEVEL 7

static struct {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *, void **);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, CUstream, void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
} cu;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CUcontext context;
static char init_error[256];
static _Thread_local char pending_error[512];

static void record_error(const char *format, const char *what, CUresult result) {
  if (pending_error[0]) /* keep the first: later ones usually follow from it */
    return;
  const char *text = "unknown error";
  if (cu.cuGetErrorString)
    cu.cuGetErrorString(result, &text);
  snprintf(pending_error, sizeof pending_error, format, what, text);
}

static void load_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(init_error, sizeof init_error, "no CUDA driver (libcuda.so.1): %s", dlerror());
    return;
  }
#define LOAD(name, symbol)                                                                \
  if (!(*(void **)&cu.name = dlsym(lib, symbol))) {                                     \
    snprintf(init_error, sizeof init_error, "the CUDA driver lacks %s", symbol);          \
    return;                                                                               \
  }
  LOAD(cuInit, "cuInit")
  LOAD(cuDeviceGet, "cuDeviceGet")
  LOAD(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain")
  LOAD(cuCtxSetCurrent, "cuCtxSetCurrent")
  LOAD(cuGetErrorString, "cuGetErrorString")
  LOAD(cuModuleLoadDataEx, "cuModuleLoadDataEx")
  LOAD(cuModuleLoadData, "cuModuleLoadData")
  LOAD(cuModuleUnload, "cuModuleUnload")
  LOAD(cuModuleGetFunction, "cuModuleGetFunction")
  LOAD(cuLaunchKernel, "cuLaunchKernel")
  LOAD(cuStreamCreate, "cuStreamCreate")
  LOAD(cuStreamSynchronize, "cuStreamSynchronize")
  LOAD(cuStreamDestroy, "cuStreamDestroy_v2")
  LOAD(cuStreamWaitEvent, "cuStreamWaitEvent")
  LOAD(cuEventCreate, "cuEventCreate")
  LOAD(cuEventDestroy, "cuEventDestroy_v2")
  LOAD(cuEventRecord, "cuEventRecord")
  LOAD(cuEventSynchronize, "cuEventSynchronize")
  LOAD(cuMemAlloc, "cuMemAlloc_v2")
  LOAD(cuMemFree, "cuMemFree_v2")
  LOAD(cuMemcpy, "cuMemcpy")
  LOAD(cuMemcpyAsync, "cuMemcpyAsync")
  LOAD(cuMemsetD32Async, "cuMemsetD32Async")
#undef LOAD
  CUdevice device;
  CUresult result = cu.cuInit(0);
  if (result == 0)
    result = cu.cuDeviceGet(&device, 0);
  if (result == 0)
    result = cu.cuDevicePrimaryCtxRetain(&context, device);
  if (result != 0) {
    const char *text = "unknown error";
    cu.cuGetErrorString(result, &text);
    snprintf(init_error, sizeof init_error, "no usable CUDA device: %s", text);
    context = NULL;
  }
}

/* Makes the GPU current on this thread; false (and an error kept) when
 * there is none. */
static bool ready(void) {
  pthread_once(&init_once, load_driver);
  if (!context) {
    if (!pending_error[0])
      snprintf(pending_error, sizeof pending_error, "%s", init_error);
    return false;
  }
  cu.cuCtxSetCurrent(context);
  return true;
}

#define CHECK(call, what)                                                                 \
  do {                                                                                    \
    CUresult result_ = (call);                                                            \
    if (result_ != 0)                                                                     \
      record_error("CUDA %s failed: %s", what, result_);                                  \
  } while (0)

/* --- what the compiled host code calls (MLIR's gpu-to-llvm ABI) ---------- */

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  CUmodule module = NULL;
  if (ready())
    CHECK(cu.cuModuleLoadData(&module, data), "module load");
  return module;
}

void *mgpuModuleLoadJIT(void *data, int opt_level) {
  CUmodule module = NULL;
  int options[] = {CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {(void *)(intptr_t)opt_level};
  if (ready())
    CHECK(cu.cuModuleLoadDataEx(&module, data, 1, options, values), "PTX JIT");
  return module;
}

void mgpuModuleUnload(void *module) {
  if (module && ready())
    cu.cuModuleUnload(module);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = NULL;
  if (module && ready())
    CHECK(cu.cuModuleGetFunction(&function, module, name), "kernel lookup");
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gx, intptr_t gy, intptr_t gz, intptr_t bx,
                      intptr_t by, intptr_t bz, int32_t shared_bytes, void *stream,
                      void **params, void **extra, size_t param_count) {
  (void)param_count;
  if (!function) {
    if (!pending_error[0])
      snprintf(pending_error, sizeof pending_error, "%s",
               init_error[0] ? init_error : "a kernel of the model failed to load");
    return;
  }
  if (ready())
    CHECK(cu.cuLaunchKernel(function, (unsigned)gx, (unsigned)gy, (unsigned)gz, (unsigned)bx,
                            (unsigned)by, (unsigned)bz, (unsigned)shared_bytes, stream, params,
                            extra),
          "kernel launch");
}

void *mgpuStreamCreate(void) {
  CUstream stream = NULL;
  if (ready())
    CHECK(cu.cuStreamCreate(&stream, 1 /* non-blocking */), "stream creation");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (stream && ready())
    CHECK(cu.cuStreamDestroy(stream), "stream destruction");
}

void mgpuStreamSynchronize(void *stream) {
  if (stream && ready())
    CHECK(cu.cuStreamSynchronize(stream), "kernel execution");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (stream && event && ready())
    CHECK(cu.cuStreamWaitEvent(stream, event, 0), "stream wait");
}

void *mgpuEventCreate(void) {
  CUevent event = NULL;
  if (ready())
    CHECK(cu.cuEventCreate(&event, 2 /* disable timing */), "event creation");
  return event;
}

void mgpuEventDestroy(void *event) {
  if (event && ready())
    CHECK(cu.cuEventDestroy(event), "event destruction");
}

void mgpuEventSynchronize(void *event) {
  if (event && ready())
    CHECK(cu.cuEventSynchronize(event), "event wait");
}

void mgpuEventRecord(void *event, void *stream) {
  if (event && ready())
    CHECK(cu.cuEventRecord(event, stream), "event record");
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared) {
  (void)stream;
  CUdeviceptr pointer = 0;
  if (host_shared) {
    if (!pending_error[0])
      snprintf(pending_error, sizeof pending_error, "host-shared GPU memory is not supported");
    return NULL;
  }
  if (ready())
    CHECK(cu.cuMemAlloc(&pointer, bytes ? bytes : 1), "allocation");
  return (void *)(uintptr_t)pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  if (stream && ready())
    cu.cuStreamSynchronize(stream); /* the pointer may still be in use */
  if (pointer && ready())
    CHECK(cu.cuMemFree((CUdeviceptr)(uintptr_t)pointer), "free");
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (ready())
    CHECK(cu.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src, bytes,
                           stream),
          "copy");
}

void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  if (ready())
    CHECK(cu.cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count, stream), "memset");
}

void mgpuSetDefaultDevice(int32_t device) { (void)device; }

/* --- device memory for tianc_model_run ----------------------------------- */

static tianc_status take_error(void) {
  if (!pending_error[0])
    return TIANC_OK;
  tianc_status status = tianc_fail(TIANC_ERROR_DEVICE, "%s", pending_error);
  pending_error[0] = 0;
  return status;
}

static tianc_status device_alloc(void **pointer, size_t bytes) {
  *pointer = mgpuMemAlloc(bytes, NULL, false);
  return take_error();
}

static void device_release(void *pointer) { mgpuMemFree(pointer, NULL); pending_error[0] = 0; }

static tianc_status to_device(void *dst, const void *src, size_t bytes) {
  if (ready())
    CHECK(cu.cuMemcpy((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src, bytes),
          "copy to the GPU");
  return take_error();
}

static tianc_status to_host(void *dst, const void *src, size_t bytes) {
  if (ready())
    CHECK(cu.cuMemcpy((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src, bytes),
          "copy from the GPU");
  return take_error();
}

const tianc_device_ops tianc_cuda_device_ops = {device_alloc, device_release, to_device,
                                                to_host, take_error};
