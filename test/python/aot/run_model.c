/* Runs a tianc AOT model on raw input files and writes raw output files:
 *   run_model <weights.tcw | -> <in0.bin>... <out0.bin>...
 * ("-": weights embedded). Compile with -DMODEL_DESC=<name>_model_desc. */
#include <stdio.h>
#include <stdlib.h>

#include "tianc_runtime.h"

extern const tianc_model_desc MODEL_DESC;

static int fail(const char *what, tianc_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, tianc_status_name(status), tianc_last_error());
  return 10 + (int)status;
}

int main(int argc, char **argv) {
  const tianc_model_desc *desc = &MODEL_DESC;
  if (argc != 2 + (int)(desc->num_inputs + desc->num_outputs)) {
    fprintf(stderr, "usage: %s <weights|-> inputs... outputs...\n", argv[0]);
    return 2;
  }
  tianc_model *model;
  tianc_status status = argv[1][0] == '-' && !argv[1][1]
                            ? tianc_model_load_embedded(desc, &model)
                            : tianc_model_load(desc, argv[1], &model);
  if (status != TIANC_OK)
    return fail("load", status);
  void *buffers[64];
  for (unsigned i = 0; i < desc->num_inputs + desc->num_outputs; ++i) {
    const tianc_tensor_info *info =
        i < desc->num_inputs ? &desc->inputs[i] : &desc->outputs[i - desc->num_inputs];
    buffers[i] = malloc(info->nbytes ? info->nbytes : 1);
    if (i < desc->num_inputs) {
      FILE *f = fopen(argv[2 + i], "rb");
      if (!f || fread(buffers[i], 1, info->nbytes, f) != info->nbytes) {
        fprintf(stderr, "cannot read %s\n", argv[2 + i]);
        return 3;
      }
      fclose(f);
    }
  }
  status = tianc_model_run(model, (const void *const *)buffers, buffers + desc->num_inputs);
  if (status != TIANC_OK)
    return fail("run", status);
  for (unsigned i = 0; i < desc->num_outputs; ++i) {
    FILE *f = fopen(argv[2 + desc->num_inputs + i], "wb");
    fwrite(buffers[desc->num_inputs + i], 1, desc->outputs[i].nbytes, f);
    fclose(f);
  }
  tianc_model_free(model);
  return 0;
}
