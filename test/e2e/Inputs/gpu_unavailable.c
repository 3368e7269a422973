/* Loads a library quernc built for an AMD GPU on a machine without one and
 * shows what its caller sees: the reason from NAME_device_error, no device
 * memory, and an entry point that returns 1 without touching a buffer.
 *
 *   gpu_unavailable LIBRARY NAME ENTRY
 */
#include <dlfcn.h>
#include <stdio.h>

typedef const char *(*ErrorFn)(void);
typedef void *(*AllocFn)(size_t);
typedef int (*EntryFn)(void *, void *, const void *const *, void *const *);

static void *find(void *library, const char *name, const char *suffix) {
  char symbol[256];
  snprintf(symbol, sizeof symbol, "%s_%s", name, suffix);
  void *found = dlsym(library, symbol);
  if (!found)
    fprintf(stderr, "no %s\n", symbol);
  return found;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return 2;
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  ErrorFn error = (ErrorFn)find(library, argv[2], "device_error");
  AllocFn alloc = (AllocFn)find(library, argv[2], "device_alloc");
  EntryFn entry = (EntryFn)find(library, argv[2], argv[3]);
  if (!error || !alloc || !entry)
    return 2;
  void *buffers[64] = {0};
  printf("device_error: %s\n", error() ? error() : "(none)");
  printf("device_alloc: %s\n", alloc(64) ? "memory" : "NULL");
  printf("%s returns %d\n", argv[3],
         entry(NULL, NULL, (const void *const *)buffers, buffers));
  return 0;
}
