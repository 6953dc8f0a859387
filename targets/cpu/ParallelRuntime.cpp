//===- ParallelRuntime.cpp - the thread pool of JIT-compiled parallel loops ===//
//
// tianc_parallel_for(body, arguments, trips): the call
// tian-lower-parallel-dispatch makes for each parallel loop. It splits the
// iterations [0, trips) into blocks and runs body(arguments, begin, end)
// for each on every core, returning once all have returned. The pool is
// made for short parallel loops on few cores (a training step runs
// hundreds of them):
//
// - there is one worker fewer than cores: the calling thread takes blocks
//   too, and while it waits it runs other queued tasks, so the cores are
//   never oversubscribed;
// - blocks are claimed from one counter (no task per block, no queue per
//   block): a core that finishes early takes the next block;
// - an idle worker, and a waiting caller with nothing to run, spin for a
//   while (kSpinNanoseconds: about the gap between two kernels of a step)
//   before they sleep on a condition variable (upstream's llvm::ThreadPool
//   sleeps at once: a training step of the W1 MLP made 1330 context
//   switches and ran 1.7x slower on two threads than on one).
//
// Workers do not survive fork(): tianc compiles single-threaded code in a
// forked child (tianc.compiler.jit.threads_usable).
//
//===----------------------------------------------------------------------===//

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TIANC_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define TIANC_PAUSE() asm volatile("yield")
#else
#define TIANC_PAUSE() std::this_thread::yield()
#endif

#define TIANC_API extern "C" __attribute__((visibility("default")))

namespace {

constexpr int64_t kSpinNanoseconds = 200 * 1000;

int64_t now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// The cores this process may run on.
int usableCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

/// Each thread that runs tasks counts them: its count is odd while it runs
/// one (nested runs, from an await inside a task, count once). Counters
/// are never freed: a thread's may be read after it ends.
struct TaskCounter {
  std::atomic<uint64_t> sequence{0};
  int depth = 0;  // touched by its thread only
};
std::mutex countersMutex;
std::vector<TaskCounter *> counters;
thread_local TaskCounter *threadCounter = nullptr;

TaskCounter &taskCounter() {
  if (!threadCounter) {
    threadCounter = new TaskCounter();
    std::lock_guard<std::mutex> lock(countersMutex);
    counters.push_back(threadCounter);
  }
  return *threadCounter;
}

/// Runs `task`, counted on this thread's counter.
void runCounted(std::function<void()> &task) {
  TaskCounter &counter = taskCounter();
  if (counter.depth++ == 0)
    counter.sequence.fetch_add(1, std::memory_order_acq_rel);
  task();
  if (--counter.depth == 0)
    counter.sequence.fetch_add(1, std::memory_order_release);
}

class Pool {
public:
  Pool() : cores(usableCores()) {
    for (int i = 1; i < cores; ++i)
      std::thread([this] { work(); }).detach();
  }

  int threads() const { return cores; }

  void push(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mu);
    tasks.push_back(std::move(task));
    queued.fetch_add(1, std::memory_order_release);
    if (sleeping > 0)
      wake.notify_one();
  }

  /// Runs one queued task on the calling thread; false when there is none.
  bool runOne() {
    if (queued.load(std::memory_order_acquire) == 0)
      return false;
    std::function<void()> task;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (tasks.empty())
        return false;
      task = std::move(tasks.front());
      tasks.pop_front();
      queued.fetch_sub(1, std::memory_order_relaxed);
    }
    runCounted(task);
    return true;
  }

  /// Until `done()`: runs queued tasks, spins, then sleeps on `cv` (which
  /// whoever makes `done()` true notifies under `m`).
  template <typename Done>
  void await(std::mutex &m, std::condition_variable &cv, Done done) {
    int64_t idleSince = now();
    while (!done()) {
      if (runOne()) {
        idleSince = now();
        continue;
      }
      for (int i = 0; i < 64; ++i)
        TIANC_PAUSE();
      if (now() - idleSince > kSpinNanoseconds) {
        std::unique_lock<std::mutex> lock(m);
        // A task queued meanwhile wakes a worker, not us: bounded waits let
        // this thread go back to helping.
        cv.wait_for(lock, std::chrono::milliseconds(1), done);
        idleSince = now();
      }
    }
  }

private:
  void work() {
    while (true) {
      if (runOne())
        continue;
      int64_t start = now();
      while (queued.load(std::memory_order_acquire) == 0 && now() - start < kSpinNanoseconds)
        for (int i = 0; i < 64; ++i)
          TIANC_PAUSE();
      if (queued.load(std::memory_order_acquire) != 0)
        continue;
      std::unique_lock<std::mutex> lock(mu);
      ++sleeping;
      wake.wait(lock, [this] { return !tasks.empty(); });
      --sleeping;
    }
  }

  const int cores;
  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::function<void()>> tasks;
  std::atomic<int64_t> queued{0};
  int sleeping = 0;
};

/// Never destroyed: detached workers may still be spinning at exit.
Pool &pool() {
  static Pool *instance = new Pool();
  return *instance;
}

/// One parallel loop: its blocks, claimed in order by whoever runs it.
struct ParallelJob {
  using Body = void (*)(void *arguments, int64_t begin, int64_t end);

  ParallelJob(Body body, void *arguments, int64_t trips, int64_t blockSize)
      : body(body), arguments(arguments), trips(trips), blockSize(blockSize),
        blocks((trips + blockSize - 1) / blockSize) {}

  /// Runs blocks until none is left unclaimed.
  void runBlocks() {
    int64_t ran = 0;
    for (int64_t block = next.fetch_add(1, std::memory_order_relaxed); block < blocks;
         block = next.fetch_add(1, std::memory_order_relaxed), ++ran)
      body(arguments, block * blockSize, std::min(trips, (block + 1) * blockSize));
    if (ran != 0 && finished.fetch_add(ran, std::memory_order_acq_rel) + ran == blocks) {
      std::lock_guard<std::mutex> lock(mu);
      cv.notify_all();
    }
  }

  bool done() const { return finished.load(std::memory_order_acquire) == blocks; }

  const Body body;
  void *const arguments;
  const int64_t trips, blockSize, blocks;
  std::atomic<int64_t> next{0}, finished{0};
  std::mutex mu;
  std::condition_variable cv;
};

} // namespace

/// Runs body(arguments, begin, end) over blocks covering [0, trips) on all
/// cores; returns when every block has. As upstream's async-parallel-for:
/// 8 blocks per core up to 4 cores (fewer per core above), so that uneven
/// blocks (a row loop's rows, the matmul's tasks) balance, and no minimum
/// block size.
TIANC_API void tianc_parallel_for(ParallelJob::Body body, void *arguments, int64_t trips) {
  if (trips <= 0)
    return;
  int threads = pool().threads();
  if (threads == 1 || trips == 1) {
    body(arguments, 0, trips);
    return;
  }
  int64_t perCore = threads <= 4 ? 8 : threads <= 8 ? 4 : threads <= 16 ? 2 : 1;
  int64_t blocks = std::min<int64_t>(trips, threads * perCore);
  auto job = std::make_shared<ParallelJob>(body, arguments, trips, (trips + blocks - 1) / blocks);
  // A helper that starts after the blocks are gone returns at once; the
  // job lives until the last helper has looked.
  int64_t helpers = std::min<int64_t>(threads - 1, job->blocks - 1);
  for (int64_t i = 0; i < helpers; ++i)
    pool().push([job] { job->runBlocks(); });
  job->runBlocks();
  if (!job->done())
    pool().await(job->mu, job->cv, [&job] { return job->done(); });
}

/// The threads parallel loops run on: the workers and the calling thread.
TIANC_API int64_t tianc_parallel_threads() { return pool().threads(); }

/// Returns once every task that was running when it was called has
/// returned into the pool. A block's body has returned from the compiled
/// code before the block counts as finished, so a compiled function's call
/// completes with no worker left in its code; the JIT still frees a
/// threaded function's code only after this (tianc.compiler.jit), which
/// keeps that safe whatever the tasks do.
TIANC_API void tianc_parallel_quiesce() {
  std::vector<std::pair<TaskCounter *, uint64_t>> running;
  {
    std::lock_guard<std::mutex> lock(countersMutex);
    for (TaskCounter *counter : counters) {
      uint64_t sequence = counter->sequence.load(std::memory_order_acquire);
      if ((sequence & 1) && counter != threadCounter)
        running.emplace_back(counter, sequence);
    }
  }
  for (auto &[counter, sequence] : running)
    while (counter->sequence.load(std::memory_order_acquire) == sequence)
      std::this_thread::yield();
}

//===----------------------------------------------------------------------===//
// Failed allocations (tian-check-allocations)
//===----------------------------------------------------------------------===//

namespace {
// One slot for the process, not per thread: a kernel may run on a worker.
// The Python call that ran the code takes it (tianc._native._tian.invoke).
std::atomic<int64_t> failedAllocationBytes{0};
} // namespace

/// Called by compiled code whose allocation of `bytes` returned null.
TIANC_API void tianc_allocation_failed(int64_t bytes) {
  int64_t none = 0;
  failedAllocationBytes.compare_exchange_strong(none, bytes);
}

/// The bytes of the first allocation that failed since the last call, or 0.
TIANC_API int64_t tianc_take_allocation_failure() { return failedAllocationBytes.exchange(0); }
