/* tianc_runtime.c - loads and runs models compiled by tianc (see the header). */
#include "tianc_runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tianc_model {
  const tianc_model_desc *desc;
  void *weights_image;   /* the .tcw image in host memory (64-aligned) */
  void **buffers;        /* the pointers handed to the entry point */
  void **device_buffers; /* CUDA: device copies of inputs, weights, outputs */
};

static _Thread_local char last_error[512];

tianc_status tianc_fail(tianc_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof last_error, format, args);
  va_end(args);
  return status;
}

const char *tianc_last_error(void) { return last_error; }

const char *tianc_status_name(tianc_status status) {
  switch (status) {
  case TIANC_OK: return "ok";
  case TIANC_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case TIANC_ERROR_IO: return "I/O error";
  case TIANC_ERROR_BAD_WEIGHTS: return "bad weights";
  case TIANC_ERROR_OUT_OF_MEMORY: return "out of memory";
  case TIANC_ERROR_DEVICE: return "device error";
  case TIANC_ERROR_ABI: return "ABI mismatch";
  }
  return "unknown status";
}

static uint32_t read_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const unsigned char *p) {
  return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

/* Checks that a .tcw image holds exactly the weights `desc` was compiled with. */
static tianc_status check_weights(const tianc_model_desc *desc, const unsigned char *image,
                                  uint64_t size) {
  if (size < TIANC_WEIGHTS_HEADER_BYTES || memcmp(image, TIANC_WEIGHTS_MAGIC, 8) != 0)
    return tianc_fail(TIANC_ERROR_BAD_WEIGHTS, "not a tianc weights file (bad magic)");
  if (read_u32(image + 8) != TIANC_WEIGHTS_VERSION)
    return tianc_fail(TIANC_ERROR_BAD_WEIGHTS, "weights format version %u, this runtime reads %u",
                      read_u32(image + 8), TIANC_WEIGHTS_VERSION);
  uint32_t count = read_u32(image + 12);
  if (count != desc->num_weights)
    return tianc_fail(TIANC_ERROR_BAD_WEIGHTS, "the weights file holds %u tensors, model '%s' has %u",
                      count, desc->name, desc->num_weights);
  if (read_u64(image + 16) != size)
    return tianc_fail(TIANC_ERROR_BAD_WEIGHTS, "the weights file is truncated: %llu of %llu bytes",
                      (unsigned long long)size, (unsigned long long)read_u64(image + 16));
  if (size < TIANC_WEIGHTS_HEADER_BYTES + (uint64_t)count * TIANC_WEIGHTS_ENTRY_BYTES)
    return tianc_fail(TIANC_ERROR_BAD_WEIGHTS, "the weights file's table is truncated");
  for (uint32_t i = 0; i < count; ++i) {
    const unsigned char *entry = image + TIANC_WEIGHTS_HEADER_BYTES + i * TIANC_WEIGHTS_ENTRY_BYTES;
    const tianc_tensor_info *want = &desc->weights[i];
    uint64_t offset = read_u64(entry), nbytes = read_u64(entry + 8);
    int same = read_u32(entry + 16) == (uint32_t)want->dtype &&
               read_u32(entry + 20) == (uint32_t)want->rank && nbytes == want->nbytes;
    for (int d = 0; same && d < want->rank; ++d)
      same = (int64_t)read_u64(entry + 24 + 8 * d) == want->shape[d];
    if (!same)
      return tianc_fail(TIANC_ERROR_BAD_WEIGHTS,
                        "weight #%u (%s) differs in dtype or shape from the one model '%s' "
                        "was compiled with: a weights file from another model?",
                        i, want->name, desc->name);
    if (offset % TIANC_WEIGHTS_ALIGNMENT != 0 || offset > size || nbytes > size - offset)
      return tianc_fail(TIANC_ERROR_BAD_WEIGHTS, "weight #%u (%s) lies outside the file", i,
                        want->name);
  }
  return TIANC_OK;
}

static uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

static tianc_status attach_weights(tianc_model *model) {
  const tianc_model_desc *desc = model->desc;
  unsigned char *image = model->weights_image;
  uint32_t total = desc->num_inputs + desc->num_weights + desc->num_outputs;
  model->buffers = calloc(total ? total : 1, sizeof(void *));
  if (!model->buffers)
    return tianc_fail(TIANC_ERROR_OUT_OF_MEMORY, "cannot allocate the model's buffer table");
  for (uint32_t i = 0; i < desc->num_weights; ++i) {
    const unsigned char *entry = image + TIANC_WEIGHTS_HEADER_BYTES + i * TIANC_WEIGHTS_ENTRY_BYTES;
    model->buffers[desc->num_inputs + i] = image + read_u64(entry);
  }
  if (!desc->device_ops)
    return TIANC_OK;
  /* A device model keeps every buffer on the device: weights are copied
     once, inputs and outputs on every run. */
  model->device_buffers = calloc(total ? total : 1, sizeof(void *));
  if (!model->device_buffers)
    return tianc_fail(TIANC_ERROR_OUT_OF_MEMORY, "cannot allocate the model's buffer table");
  for (uint32_t i = 0; i < total; ++i) {
    const tianc_tensor_info *info =
        i < desc->num_inputs ? &desc->inputs[i]
        : i < desc->num_inputs + desc->num_weights ? &desc->weights[i - desc->num_inputs]
                                                    : &desc->outputs[i - desc->num_inputs - desc->num_weights];
    tianc_status status = desc->device_ops->alloc(&model->device_buffers[i], info->nbytes ? info->nbytes : 1);
    if (status != TIANC_OK)
      return status;
    if (i >= desc->num_inputs && i < desc->num_inputs + desc->num_weights) {
      status = desc->device_ops->to_device(model->device_buffers[i], model->buffers[i], info->nbytes);
      if (status != TIANC_OK)
        return status;
    }
  }
  return TIANC_OK;
}

static tianc_status new_model(const tianc_model_desc *desc, tianc_model **out) {
  if (!desc || !out)
    return tianc_fail(TIANC_ERROR_INVALID_ARGUMENT, "tianc_model_load: null argument");
  *out = NULL;
  if (desc->abi_version != TIANC_ABI_VERSION)
    return tianc_fail(TIANC_ERROR_ABI, "model '%s' was compiled for runtime ABI %u, this is %u",
                      desc->name, desc->abi_version, TIANC_ABI_VERSION);
  tianc_model *model = calloc(1, sizeof *model);
  if (!model)
    return tianc_fail(TIANC_ERROR_OUT_OF_MEMORY, "cannot allocate the model");
  model->desc = desc;
  *out = model;
  return TIANC_OK;
}

static tianc_status finish_load(tianc_model *model, uint64_t size, tianc_model **out) {
  tianc_status status = check_weights(model->desc, model->weights_image, size);
  if (status == TIANC_OK)
    status = attach_weights(model);
  if (status != TIANC_OK) {
    tianc_model_free(model);
    model = NULL;
  }
  *out = model;
  return status;
}

tianc_status tianc_model_load_from_memory(const tianc_model_desc *desc, const void *data,
                                          size_t size, tianc_model **out) {
  tianc_model *model;
  tianc_status status = new_model(desc, &model);
  if (status != TIANC_OK)
    return status;
  if (!data)
    return finish_load(model, 0, out);
  model->weights_image = aligned_alloc(TIANC_WEIGHTS_ALIGNMENT, round_up(size ? size : 1, TIANC_WEIGHTS_ALIGNMENT));
  if (!model->weights_image) {
    tianc_model_free(model);
    *out = NULL;
    return tianc_fail(TIANC_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes of weights", size);
  }
  memcpy(model->weights_image, data, size);
  return finish_load(model, size, out);
}

tianc_status tianc_model_load_embedded(const tianc_model_desc *desc, tianc_model **out) {
  if (desc && !desc->embedded_weights)
    return tianc_fail(TIANC_ERROR_INVALID_ARGUMENT,
                      "model '%s' was compiled without embedded weights: use tianc_model_load",
                      desc->name);
  return tianc_model_load_from_memory(desc, desc ? desc->embedded_weights : NULL,
                                      desc ? desc->embedded_weights_size : 0, out);
}

tianc_status tianc_model_load(const tianc_model_desc *desc, const char *path, tianc_model **out) {
  if (!path)
    return tianc_fail(TIANC_ERROR_INVALID_ARGUMENT, "tianc_model_load: null weights path");
  tianc_model *model;
  tianc_status status = new_model(desc, &model);
  if (status != TIANC_OK)
    return status;
  FILE *file = fopen(path, "rb");
  if (!file) {
    tianc_model_free(model);
    *out = NULL;
    return tianc_fail(TIANC_ERROR_IO, "cannot open the weights file '%s'", path);
  }
  long size = -1;
  if (fseek(file, 0, SEEK_END) == 0)
    size = ftell(file);
  if (size < 0 || fseek(file, 0, SEEK_SET) != 0) {
    fclose(file);
    tianc_model_free(model);
    *out = NULL;
    return tianc_fail(TIANC_ERROR_IO, "cannot read the weights file '%s'", path);
  }
  model->weights_image = aligned_alloc(TIANC_WEIGHTS_ALIGNMENT, round_up(size ? (uint64_t)size : 1, TIANC_WEIGHTS_ALIGNMENT));
  size_t got = model->weights_image ? fread(model->weights_image, 1, (size_t)size, file) : 0;
  fclose(file);
  if (!model->weights_image || got != (size_t)size) {
    status = model->weights_image
                 ? tianc_fail(TIANC_ERROR_IO, "cannot read the weights file '%s'", path)
                 : tianc_fail(TIANC_ERROR_OUT_OF_MEMORY, "cannot allocate %ld bytes of weights", size);
    tianc_model_free(model);
    *out = NULL;
    return status;
  }
  return finish_load(model, (uint64_t)size, out);
}

/* Compiled code calls this when an allocation of its temporaries returned
 * null, and returns without running further (tian-check-allocations). */
static _Thread_local int64_t failed_allocation_bytes;

void tianc_allocation_failed(int64_t bytes) {
  if (!failed_allocation_bytes)
    failed_allocation_bytes = bytes;
}

static tianc_status take_allocation_failure(const tianc_model_desc *desc) {
  int64_t bytes = failed_allocation_bytes;
  failed_allocation_bytes = 0;
  return bytes ? tianc_fail(TIANC_ERROR_OUT_OF_MEMORY,
                            "model '%s' could not allocate %lld bytes for its temporaries",
                            desc->name, (long long)bytes)
               : TIANC_OK;
}

tianc_status tianc_model_run(tianc_model *model, const void *const *inputs, void *const *outputs) {
  if (!model || (!inputs && model->desc->num_inputs) || (!outputs && model->desc->num_outputs))
    return tianc_fail(TIANC_ERROR_INVALID_ARGUMENT, "tianc_model_run: null argument");
  const tianc_model_desc *desc = model->desc;
  uint32_t first_output = desc->num_inputs + desc->num_weights;
  for (uint32_t i = 0; i < desc->num_inputs; ++i)
    if (!inputs[i])
      return tianc_fail(TIANC_ERROR_INVALID_ARGUMENT, "input #%u (%s) is null", i, desc->inputs[i].name);
  for (uint32_t i = 0; i < desc->num_outputs; ++i)
    if (!outputs[i])
      return tianc_fail(TIANC_ERROR_INVALID_ARGUMENT, "output #%u (%s) is null", i, desc->outputs[i].name);
  if (!desc->device_ops) {
    for (uint32_t i = 0; i < desc->num_inputs; ++i)
      model->buffers[i] = (void *)(uintptr_t)inputs[i]; /* the code only reads inputs */
    for (uint32_t i = 0; i < desc->num_outputs; ++i)
      model->buffers[first_output + i] = outputs[i];
    desc->entry(model->buffers);
    return take_allocation_failure(desc);
  }
  const tianc_device_ops *ops = desc->device_ops;
  for (uint32_t i = 0; i < desc->num_inputs; ++i) {
    tianc_status status = ops->to_device(model->device_buffers[i], inputs[i], desc->inputs[i].nbytes);
    if (status != TIANC_OK)
      return status;
  }
  desc->entry(model->device_buffers);
  tianc_status status = take_allocation_failure(desc);
  if (status == TIANC_OK)
    status = ops->take_error();
  for (uint32_t i = 0; status == TIANC_OK && i < desc->num_outputs; ++i)
    status = ops->to_host(outputs[i], model->device_buffers[first_output + i], desc->outputs[i].nbytes);
  return status;
}

void tianc_model_free(tianc_model *model) {
  if (!model)
    return;
  const tianc_model_desc *desc = model->desc;
  if (model->device_buffers) {
    uint32_t total = desc->num_inputs + desc->num_weights + desc->num_outputs;
    for (uint32_t i = 0; i < total; ++i)
      if (model->device_buffers[i])
        desc->device_ops->release(model->device_buffers[i]);
    free(model->device_buffers);
  }
  free(model->buffers);
  free(model->weights_image);
  free(model);
}

const tianc_model_desc *tianc_model_description(const tianc_model *model) {
  return model ? model->desc : NULL;
}
