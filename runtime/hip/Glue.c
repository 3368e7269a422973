/*===- Glue.c - what a library built for an AMD GPU calls of HIP ----------===*
 *
 * quernc links this file (as LLVM bitcode) into every library it builds for
 * an AMD GPU. The generated host code calls MLIR's GPU runtime interface
 * (mgpu*: load a code object, get a kernel, launch it on a stream); this
 * implements it on HIP, which it loads at run time with dlopen, so that the
 * library builds and loads on any machine. Without HIP or a GPU nothing is
 * launched, and the library's NAME_device_error says why; after a failed
 * launch nothing more is launched, while memory can still be freed and
 * copied. Entry points may be called from several threads.
 *
 * The functions named quern_* become the library's NAME_* (the ABI, see
 * docs/ABI.md); everything else is internal to the library.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* HIP's C API, as libamdhip64.so.5 exports it. */
typedef int hipError_t;
typedef void *hipModule_t;
typedef void *hipFunction_t;
typedef void *hipStream_t;
enum { hipSuccess = 0, hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2 };

static struct {
  hipError_t (*init)(unsigned);
  hipError_t (*getDeviceCount)(int *);
  const char *(*getErrorString)(hipError_t);
  hipError_t (*moduleLoadData)(hipModule_t *, const void *);
  hipError_t (*moduleGetFunction)(hipFunction_t *, hipModule_t, const char *);
  hipError_t (*moduleLaunchKernel)(hipFunction_t, unsigned, unsigned, unsigned,
                                   unsigned, unsigned, unsigned, unsigned,
                                   hipStream_t, void **, void **);
  hipError_t (*streamCreate)(hipStream_t *);
  hipError_t (*streamSynchronize)(hipStream_t);
  hipError_t (*malloc)(void **, size_t);
  hipError_t (*free)(void *);
  hipError_t (*memcpy)(void *, const void *, size_t, int);
} hip;

/* HIP is loaded and there is a GPU (setUp). */
static int usable;
static pthread_once_t setUpOnce = PTHREAD_ONCE_INIT;
/* Guards what follows. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* The first failure, empty while there is none: sticky, since a failed
 * launch leaves the step's results undefined. */
static char error[512];
/* The code object, loaded once, and the stream every kernel runs on. */
static const void *loadedData;
static hipModule_t module;
static hipStream_t stream;

static void fail(const char *what, const char *how, const char *why) {
  pthread_mutex_lock(&lock);
  if (!error[0])
    snprintf(error, sizeof error, "%s%s%s", what, how, why);
  pthread_mutex_unlock(&lock);
}

static int failed(void) {
  pthread_mutex_lock(&lock);
  int any = error[0] != 0;
  pthread_mutex_unlock(&lock);
  return any;
}

/* Whether `result` is success; records the failure of `what` if not. */
static int check(hipError_t result, const char *what) {
  if (result == hipSuccess)
    return 1;
  fail(what, " returned ", hip.getErrorString(result));
  return 0;
}

/* Loads HIP, checks that there is a GPU and makes the stream. */
static void setUp(void) {
  const char *names[] = {"libamdhip64.so.5", "libamdhip64.so.6",
                         "libamdhip64.so"};
  void *library = NULL;
  for (size_t i = 0; !library && i < sizeof names / sizeof *names; ++i)
    library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fail("cannot load HIP (Debian's libamdhip64-5)", ": ", dlerror());
    return;
  }
#define LOAD(field, symbol)                                                    \
  if (!(*(void **)&hip.field = dlsym(library, symbol))) {                      \
    fail("HIP has no " symbol, ": ", dlerror());                               \
    return;                                                                    \
  }
  LOAD(init, "hipInit")
  LOAD(getDeviceCount, "hipGetDeviceCount")
  LOAD(getErrorString, "hipGetErrorString")
  LOAD(moduleLoadData, "hipModuleLoadData")
  LOAD(moduleGetFunction, "hipModuleGetFunction")
  LOAD(moduleLaunchKernel, "hipModuleLaunchKernel")
  LOAD(streamCreate, "hipStreamCreate")
  LOAD(streamSynchronize, "hipStreamSynchronize")
  LOAD(malloc, "hipMalloc")
  LOAD(free, "hipFree")
  LOAD(memcpy, "hipMemcpy")
#undef LOAD
  int devices = 0;
  if (!check(hip.init(0), "no usable AMD GPU: hipInit") ||
      !check(hip.getDeviceCount(&devices),
             "no usable AMD GPU: hipGetDeviceCount"))
    return;
  if (devices == 0) {
    fail("no usable AMD GPU", ": ", "HIP found no device");
    return;
  }
  usable = check(hip.streamCreate(&stream), "hipStreamCreate");
}

/* Whether HIP can be called (memory, copies, waiting), set up once. */
static int ready(void) {
  pthread_once(&setUpOnce, setUp);
  return usable;
}

/* MLIR's GPU runtime interface. The code object is loaded on the first
 * launch and kept; every kernel runs on one stream. After a failure
 * nothing more is launched. */

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  if (!ready() || failed())
    return NULL;
  pthread_mutex_lock(&lock);
  hipError_t result = hipSuccess;
  if (loadedData != data &&
      (result = hip.moduleLoadData(&module, data)) == hipSuccess)
    loadedData = data;
  hipModule_t loaded = loadedData == data ? module : NULL;
  pthread_mutex_unlock(&lock);
  check(result, "hipModuleLoadData");
  return loaded;
}

void mgpuModuleUnload(void *loaded) { (void)loaded; }

void *mgpuModuleGetFunction(void *loaded, const char *name) {
  hipFunction_t function = NULL;
  if (loaded && !check(hip.moduleGetFunction(&function, loaded, name), name))
    return NULL;
  return function;
}

void *mgpuStreamCreate(void) { return stream; }

void mgpuStreamDestroy(void *unused) { (void)unused; }

/* MLIR waits for every launch; the kernels run in order on one stream and
 * the host code between them reads no device memory, so the library waits
 * once, when an entry point returns (glueFinish). */
void mgpuStreamSynchronize(void *unused) { (void)unused; }

/* Waits for the kernels launched; called by every entry point before it
 * returns (lib/Driver/GPU.cpp). */
void glueFinish(void) {
  if (ready())
    check(hip.streamSynchronize(stream), "hipStreamSynchronize");
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *unused,
                      void **params, void **extra, size_t paramCount) {
  (void)unused;
  (void)paramCount;
  if (function && !failed())
    check(hip.moduleLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                                 blockZ, sharedBytes, stream, params, extra),
          "hipModuleLaunchKernel");
}

/* The library's device API (NAME_*, docs/ABI.md). */

const char *quern_device_error(void) {
  ready();
  return failed() ? error : NULL;
}

/* Memory and copies report by their results, not through device_error:
 * a failed allocation leaves the kernels usable. */

void *quern_device_alloc(size_t bytes) {
  void *memory = NULL;
  if (!ready() || hip.malloc(&memory, bytes ? bytes : 1) != hipSuccess)
    return NULL;
  return memory;
}

void quern_device_free(void *memory) {
  if (memory && ready())
    hip.free(memory);
}

int quern_copy_to_device(void *device, const void *host, size_t bytes) {
  return ready() &&
         hip.memcpy(device, host, bytes, hipMemcpyHostToDevice) == hipSuccess;
}

int quern_copy_to_host(void *host, const void *device, size_t bytes) {
  return ready() &&
         hip.memcpy(host, device, bytes, hipMemcpyDeviceToHost) == hipSuccess;
}
