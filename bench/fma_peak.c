// The FMA peak the bench compares tianc's compute-bound work with: twelve
// independent chains of fused multiply-adds (enough to cover the FMA
// latency on two pipes) on the widest vectors the compiler targets
// (-march=native: AVX-512, AVX2 or NEON), one set per thread.
// Usage: fma_peak THREADS ITERATIONS; prints GFLOP/s and the vector bits.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef LANES
#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
#endif
typedef float vec __attribute__((vector_size(LANES * 4)));
#define CHAINS 12
static long iterations;

static void *run(void *out) {
  vec acc[CHAINS], x, y;
  // acc -> y / (1 - x) = 1: no overflow, no denormals, and x is not 1 (which
  // the compiler could fold away).
  for (int i = 0; i < LANES; ++i) { x[i] = 1.0f - 1e-7f * (i + 1); y[i] = 1e-7f * (i + 1); }
  for (int c = 0; c < CHAINS; ++c) acc[c] = x * (float)c;
  for (long n = 0; n < iterations; ++n) {
    // Unrolled by hand: the chains must stay in registers.
    acc[0] = acc[0] * x + y;
    acc[1] = acc[1] * x + y;
    acc[2] = acc[2] * x + y;
    acc[3] = acc[3] * x + y;
    acc[4] = acc[4] * x + y;
    acc[5] = acc[5] * x + y;
    acc[6] = acc[6] * x + y;
    acc[7] = acc[7] * x + y;
    acc[8] = acc[8] * x + y;
    acc[9] = acc[9] * x + y;
    acc[10] = acc[10] * x + y;
    acc[11] = acc[11] * x + y;
  }

  float sum = 0;
  for (int c = 0; c < CHAINS; ++c) for (int i = 0; i < LANES; ++i) sum += acc[c][i];
  *(float *)out = sum;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  iterations = argc > 2 ? atol(argv[2]) : 100000000L;
  pthread_t tid[64];
  float sums[64];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int t = 0; t < threads; ++t) pthread_create(&tid[t], NULL, run, &sums[t]);
  for (int t = 0; t < threads; ++t) pthread_join(tid[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  double flops = 2.0 * LANES * CHAINS * (double)iterations * threads;
  printf("%.3f %d %g\n", flops / s / 1e9, LANES * 32, (double)sums[0]);
  return 0;
}
