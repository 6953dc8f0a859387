//===- ParallelRuntime.cpp - the thread pool of JIT-compiled parallel loops ===//
//
// The functions MLIR's async lowering calls (`mlirAsyncRuntime*`: tokens,
// groups, coroutine tasks), with the reference semantics of upstream's
// mlir/lib/ExecutionEngine/AsyncRuntime.cpp, on a pool made for short
// parallel loops on few cores. Upstream's pool (llvm::ThreadPool) has one
// worker per core that sleeps on a condition variable the moment its queue
// is empty, and the thread that awaits a loop's tasks sleeps too: every
// parallel loop of a kernel costs futex wake-ups and context switches (a
// training step of the W1 MLP made 1330 context switches and ran 1.7x
// slower on two threads than on one). Here:
//
// - there is one worker fewer than cores: the thread that awaits a group
//   or token runs queued tasks itself, so the cores are never
//   oversubscribed;
// - an idle worker, and an awaiting thread with nothing to run, spin for a
//   while (kSpinNanoseconds: about the gap between two kernels of a step)
//   before they sleep;
// - mlirAsyncRuntimGetNumWorkerThreads reports the cores (workers and the
//   awaiting thread), which is what async-parallel-for sizes its blocks by.
//
// Workers do not survive fork(): tianc compiles single-threaded code in a
// forked child (tianc.compiler.jit.threads_usable).
//
//===----------------------------------------------------------------------===//

#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
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

struct RefCounted {
  explicit RefCounted(int64_t count) : references(count) {}
  virtual ~RefCounted() = default;
  void addRef(int64_t count) { references.fetch_add(count, std::memory_order_relaxed); }
  void dropRef(int64_t count) {
    if (references.fetch_sub(count, std::memory_order_acq_rel) == count)
      delete this;
  }
  std::atomic<int64_t> references;
};

enum class State : int8_t { Unavailable, Available, Error };

/// What tokens and values share: a state, and the callbacks (coroutines
/// to resume, groups to count down) waiting for it to become final.
struct Awaitable : RefCounted {
  // Two references: the caller's, and the task's until it emplaces it.
  Awaitable() : RefCounted(2) {}
  std::atomic<State> state{State::Unavailable};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::function<void()>> awaiters;

  bool final() const { return state.load(std::memory_order_acquire) != State::Unavailable; }

  void finish(State final) {
    {
      std::lock_guard<std::mutex> lock(mu);
      state.store(final, std::memory_order_release);
      cv.notify_all();
      for (auto &awaiter : awaiters)
        awaiter();
    }
    dropRef(1);
  }

  void await() {
    if (!final())
      pool().await(mu, cv, [this] { return final(); });
  }

  void thenRun(std::function<void()> callback) {
    std::unique_lock<std::mutex> lock(mu);
    if (final()) {
      lock.unlock();
      callback();
      return;
    }
    awaiters.push_back(std::move(callback));
  }
};

struct Token : Awaitable {};

struct Value : Awaitable {
  explicit Value(int64_t size) : storage(size) {}
  std::vector<std::byte> storage;
};

struct Group : RefCounted {
  explicit Group(int64_t size) : RefCounted(1), pending(size) {}
  std::atomic<int64_t> pending;
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> rank{0};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::function<void()>> awaiters;

  bool done() const { return pending.load(std::memory_order_acquire) == 0; }

  /// One of its tokens became final (called with `mu` held).
  void countDown(bool error) {
    if (error)
      errors.fetch_add(1, std::memory_order_relaxed);
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      cv.notify_all();
      for (auto &awaiter : awaiters)
        awaiter();
    }
  }
};

using Resume = void (*)(void *);

std::function<void()> resumption(void *handle, Resume resume) {
  return [handle, resume] { resume(handle); };
}

} // namespace

TIANC_API void mlirAsyncRuntimeAddRef(void *object, int64_t count) {
  static_cast<RefCounted *>(object)->addRef(count);
}

TIANC_API void mlirAsyncRuntimeDropRef(void *object, int64_t count) {
  static_cast<RefCounted *>(object)->dropRef(count);
}

TIANC_API void *mlirAsyncRuntimeCreateToken() { return new Token(); }

TIANC_API void *mlirAsyncRuntimeCreateValue(int64_t size) { return new Value(size); }

TIANC_API void *mlirAsyncRuntimeCreateGroup(int64_t size) { return new Group(size); }

TIANC_API int64_t mlirAsyncRuntimeAddTokenToGroup(void *tokenPtr, void *groupPtr) {
  auto *token = static_cast<Token *>(tokenPtr);
  auto *group = static_cast<Group *>(groupPtr);
  std::unique_lock<std::mutex> tokenLock(token->mu);
  int64_t rank = group->rank.fetch_add(1);
  if (token->final()) {
    bool error = token->state.load() == State::Error;
    tokenLock.unlock();
    std::lock_guard<std::mutex> groupLock(group->mu);
    group->countDown(error);
    return rank;
  }
  group->addRef(1); // alive until the token is final
  token->awaiters.push_back([group, token] {
    {
      std::lock_guard<std::mutex> groupLock(group->mu);
      group->countDown(token->state.load() == State::Error);
    }
    group->dropRef(1);
  });
  return rank;
}

TIANC_API void mlirAsyncRuntimeEmplaceToken(void *token) {
  static_cast<Token *>(token)->finish(State::Available);
}

TIANC_API void mlirAsyncRuntimeEmplaceValue(void *value) {
  static_cast<Value *>(value)->finish(State::Available);
}

TIANC_API void mlirAsyncRuntimeSetTokenError(void *token) {
  static_cast<Token *>(token)->finish(State::Error);
}

TIANC_API void mlirAsyncRuntimeSetValueError(void *value) {
  static_cast<Value *>(value)->finish(State::Error);
}

TIANC_API bool mlirAsyncRuntimeIsTokenError(void *token) {
  return static_cast<Token *>(token)->state.load() == State::Error;
}

TIANC_API bool mlirAsyncRuntimeIsValueError(void *value) {
  return static_cast<Value *>(value)->state.load() == State::Error;
}

TIANC_API bool mlirAsyncRuntimeIsGroupError(void *group) {
  return static_cast<Group *>(group)->errors.load() > 0;
}

TIANC_API void mlirAsyncRuntimeAwaitToken(void *token) { static_cast<Token *>(token)->await(); }

TIANC_API void mlirAsyncRuntimeAwaitValue(void *value) { static_cast<Value *>(value)->await(); }

TIANC_API void mlirAsyncRuntimeAwaitAllInGroup(void *groupPtr) {
  auto *group = static_cast<Group *>(groupPtr);
  if (!group->done())
    pool().await(group->mu, group->cv, [group] { return group->done(); });
}

TIANC_API void *mlirAsyncRuntimeGetValueStorage(void *value) {
  return static_cast<Value *>(value)->storage.data();
}

TIANC_API void mlirAsyncRuntimeExecute(void *handle, Resume resume) {
  pool().push(resumption(handle, resume));
}

TIANC_API void mlirAsyncRuntimeAwaitTokenAndExecute(void *token, void *handle, Resume resume) {
  static_cast<Token *>(token)->thenRun(resumption(handle, resume));
}

TIANC_API void mlirAsyncRuntimeAwaitValueAndExecute(void *value, void *handle, Resume resume) {
  static_cast<Value *>(value)->thenRun(resumption(handle, resume));
}

TIANC_API void mlirAsyncRuntimeAwaitAllInGroupAndExecute(void *groupPtr, void *handle,
                                                        Resume resume) {
  auto *group = static_cast<Group *>(groupPtr);
  std::unique_lock<std::mutex> lock(group->mu);
  if (group->done()) {
    lock.unlock();
    resume(handle);
    return;
  }
  group->awaiters.push_back(resumption(handle, resume));
}

TIANC_API int64_t mlirAsyncRuntimGetNumWorkerThreads() { return pool().threads(); }

/// Returns once every task that was running when it was called has
/// returned into the pool. A compiled function's call completes when its
/// tasks signal, a moment before they return through its code: the JIT
/// frees a threaded function's code only after this (tianc.compiler.jit).
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
