/* Classifies the digits test images with the AOT-compiled CNN: plain C,
 * no Python. Usage: classify <digits.tcw> <images.bin> <labels.bin>
 * (float32 [N,1,8,8] and int64 [N], written by run.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "digits.h"

static void *read_file(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) != 0)
    return NULL;
  *size = ftell(f);
  rewind(f);
  void *data = malloc((size_t)*size);
  if (data && fread(data, 1, (size_t)*size, f) != (size_t)*size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s digits.tcw images.bin labels.bin\n", argv[0]);
    return 2;
  }
  tianc_model *model;
  if (digits_load(argv[1], &model) != TIANC_OK) {
    fprintf(stderr, "cannot load the model: %s\n", tianc_last_error());
    return 1;
  }
  long image_bytes, label_bytes;
  float *images = read_file(argv[2], &image_bytes);
  int64_t *labels = read_file(argv[3], &label_bytes);
  if (!images || !labels) {
    fprintf(stderr, "cannot read the test images\n");
    return 1;
  }
  long count = label_bytes / (long)sizeof(int64_t), correct = 0;
  for (long i = 0; i < count; ++i) {
    float logits[DIGITS_OUTPUT0_ELEMENTS];
    if (digits_run(model, images + i * DIGITS_INPUT0_ELEMENTS, logits) != TIANC_OK) {
      fprintf(stderr, "run failed: %s\n", tianc_last_error());
      return 1;
    }
    int best = 0;
    for (int k = 1; k < DIGITS_OUTPUT0_ELEMENTS; ++k)
      if (logits[k] > logits[best])
        best = k;
    correct += best == labels[i];
    if (i < 8)
      printf("image %ld: predicted %d, label %lld\n", i, best, (long long)labels[i]);
  }
  printf("accuracy %.4f (%ld of %ld test images)\n", (double)correct / (double)count, correct, count);
  tianc_model_free(model);
  free(images);
  free(labels);
  return 0;
}
