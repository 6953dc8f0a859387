/* tianc_runtime.h - the C runtime of models compiled ahead of time by tianc.
 *
 * C11, no Python, no C++. A compiled model is a tianc_model_desc (generated
 * by `tianc compile` into <model>.o / lib<model>.so, declared in <model>.h);
 * this runtime loads its weights, runs it and reports errors as status
 * codes with a message from tianc_last_error().
 *
 *   tianc_model *model;
 *   if (tianc_model_load(&mlp_model_desc, "mlp.tcw", &model) != TIANC_OK)
 *     fprintf(stderr, "%s\n", tianc_last_error());
 *   const void *inputs[] = {x};
 *   void *outputs[] = {y};
 *   tianc_model_run(model, inputs, outputs);
 *   tianc_model_free(model);
 *
 * Buffers are dense, row-major, in host memory, for every device: on
 * NVIDIA GPUs the runtime copies inputs in and outputs out. A tianc_model
 * may be run by one thread at a time (it owns its device buffers); load one
 * model per thread to run in parallel.
 *
 * The weights file format (.tcw), all integers little-endian:
 *   0   char[8]  magic "TIANCWT\0"
 *   8   u32      format version (1)
 *   12  u32      number of tensors N
 *   16  u64      file size in bytes
 *   24  u64      reserved (0)
 *   32  N entries of 256 bytes:
 *         u64 offset of the data from the file start (a multiple of 64)
 *         u64 size of the data in bytes
 *         u32 dtype (tianc_dtype)   u32 rank   i64 shape[8]
 *         char name[168]  (NUL-terminated, the state_dict name)
 *   then the data of each tensor, dense row-major, at its offset.
 */
#ifndef TIANC_RUNTIME_H
#define TIANC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TIANC_ABI_VERSION 1
#define TIANC_MAX_RANK 8
#define TIANC_WEIGHTS_MAGIC "TIANCWT"
#define TIANC_WEIGHTS_VERSION 1
#define TIANC_WEIGHTS_HEADER_BYTES 32
#define TIANC_WEIGHTS_ENTRY_BYTES 256
#define TIANC_WEIGHTS_NAME_BYTES 168
#define TIANC_WEIGHTS_ALIGNMENT 64

typedef enum {
  TIANC_OK = 0,
  TIANC_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a wrong count */
  TIANC_ERROR_IO = 2,               /* the weights file cannot be read */
  TIANC_ERROR_BAD_WEIGHTS = 3,      /* not a weights file, or not this model's */
  TIANC_ERROR_OUT_OF_MEMORY = 4,
  TIANC_ERROR_DEVICE = 5,           /* no GPU, no driver, a failed launch */
  TIANC_ERROR_ABI = 6,              /* model built for another runtime version */
} tianc_status;

typedef enum {
  TIANC_FLOAT32 = 0,
  TIANC_FLOAT16 = 1,
  TIANC_BFLOAT16 = 2,
  TIANC_INT8 = 3,
  TIANC_INT32 = 4,
  TIANC_INT64 = 5,
  TIANC_BOOL = 6, /* one byte per element */
  TIANC_INT16 = 7,
  TIANC_UINT8 = 8,
  TIANC_UINT16 = 9,
  TIANC_UINT32 = 10,
  TIANC_UINT64 = 11,
} tianc_dtype;

typedef enum { TIANC_DEVICE_CPU = 0, TIANC_DEVICE_CUDA = 1 } tianc_device;

typedef struct {
  const char *name;
  tianc_dtype dtype;
  int32_t rank;
  int64_t shape[TIANC_MAX_RANK];
  uint64_t nbytes;
} tianc_tensor_info;

/* How the runtime reaches a device's memory (NULL for the host CPU). Errors
 * met inside the compiled code (a failed kernel launch) are kept by the
 * device layer and reported by take_error after the run. */
typedef struct {
  tianc_status (*alloc)(void **ptr, size_t bytes);
  void (*release)(void *ptr);
  tianc_status (*to_device)(void *dst, const void *src, size_t bytes);
  tianc_status (*to_host)(void *dst, const void *src, size_t bytes);
  tianc_status (*take_error)(void);
} tianc_device_ops;

/* What `tianc compile` generates for a model. */
typedef struct {
  uint32_t abi_version;
  const char *name;
  const char *target; /* the LLVM target triple */
  tianc_device device;
  const tianc_device_ops *device_ops;
  uint32_t num_inputs, num_weights, num_outputs;
  const tianc_tensor_info *inputs, *weights, *outputs;
  /* The compiled code: one buffer per input, then weight, then output. */
  void (*entry)(void *const *buffers);
  /* Set when the weights were embedded in the object (--embed-weights). */
  const void *embedded_weights;
  uint64_t embedded_weights_size;
} tianc_model_desc;

typedef struct tianc_model tianc_model;

/* Loads a model with its weights from a .tcw file. */
tianc_status tianc_model_load(const tianc_model_desc *desc, const char *weights_path,
                              tianc_model **model);
/* The same from a .tcw image in memory (copied: the caller keeps `data`). */
tianc_status tianc_model_load_from_memory(const tianc_model_desc *desc, const void *data,
                                          size_t size, tianc_model **model);
/* Loads a model compiled with its weights embedded. */
tianc_status tianc_model_load_embedded(const tianc_model_desc *desc, tianc_model **model);

/* Runs the model: inputs[i] holds desc->inputs[i].nbytes bytes, outputs[i]
 * receives desc->outputs[i].nbytes bytes. */
tianc_status tianc_model_run(tianc_model *model, const void *const *inputs,
                             void *const *outputs);

void tianc_model_free(tianc_model *model);
const tianc_model_desc *tianc_model_description(const tianc_model *model);

/* The message of the last failure on this thread ("" when none). */
const char *tianc_last_error(void);
const char *tianc_status_name(tianc_status status);

/* For device layers: records the message of a failure on this thread. */
tianc_status tianc_fail(tianc_status status, const char *format, ...);

/* For the compiled code: an allocation of `bytes` returned null; the run
 * then returns TIANC_ERROR_OUT_OF_MEMORY. */
void tianc_allocation_failed(int64_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* TIANC_RUNTIME_H */
