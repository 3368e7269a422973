/*===- entry_raw.c - run a compiled model's entry point from raw files ------===
 *
 * For libraries built for another target and run under qemu, where the
 * host's Python cannot load them:
 *
 *   entry_raw MODEL.so NAME ENTRY [--state FILE] [--repeat N]
 *             IN0.bin [IN1.bin ...] -- OUT0.bin:BYTES [...]
 *
 * calls NAME_ENTRY (NAME_forward, NAME_train_step) N times (default 1) on
 * the inputs, each read as raw bytes, with the state read from FILE (the
 * state buffer's bytes; zeros without it) and a zeroed workspace. For a
 * library threaded with OpenMP it prints its team size ("threads N"), and
 * so it does for the widest team of the dispatch_apply_f stand-in when
 * linked with it. After each call it prints the first f32 of output 0 (a
 * training step's loss);
 * after the last it writes each output (BYTES bytes) to its file. Unlike
 * examples/mlp/run_model.c it needs only the C library, not libquern_rt
 * (C++), so Debian's cross gcc builds it without a cross libstdc++.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef size_t (*size_fn)(void);
typedef int (*entry_fn)(void *, void *, const void *const *, void *const *);

static void *symbol(void *library, const char *name, const char *suffix) {
  char full[256];
  snprintf(full, sizeof full, "%s_%s", name, suffix);
  void *address = dlsym(library, full);
  if (!address) {
    fprintf(stderr, "entry_raw: %s: %s\n", full, dlerror());
    exit(1);
  }
  return address;
}

static void *allocate(size_t bytes) {
  void *data = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
  if (!data) {
    fprintf(stderr, "entry_raw: out of memory\n");
    exit(1);
  }
  return memset(data, 0, bytes);
}

/* The file's bytes in a new buffer of at least `least` bytes; its size in
 * *bytes. */
static void *read_file(const char *path, size_t least, size_t *bytes) {
  FILE *file = fopen(path, "rb");
  if (!file || fseek(file, 0, SEEK_END) != 0) {
    fprintf(stderr, "entry_raw: cannot read %s\n", path);
    exit(1);
  }
  *bytes = (size_t)ftell(file);
  rewind(file);
  void *data = allocate(*bytes > least ? *bytes : least);
  if (fread(data, 1, *bytes, file) != *bytes) {
    fprintf(stderr, "entry_raw: cannot read %s\n", path);
    exit(1);
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: entry_raw MODEL.so NAME ENTRY [--state FILE] "
                    "[--repeat N] IN.bin... -- OUT.bin:BYTES...\n");
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) {
    fprintf(stderr, "entry_raw: %s\n", dlerror());
    return 1;
  }
  const char *name = argv[2];
  size_t state_bytes = ((size_fn)symbol(library, name, "state_bytes"))();
  size_t workspace_bytes = ((size_fn)symbol(library, name, "workspace_bytes"))();
  entry_fn entry = (entry_fn)symbol(library, name, argv[3]);
  /* A threaded library's OpenMP team size (its libomp's, found among the
     library's dependencies), so that a test sees how many threads ran. */
  typedef int (*max_threads_fn)(void);
  max_threads_fn max_threads =
      (max_threads_fn)dlsym(library, "omp_get_max_threads");
  if (max_threads)
    printf("threads %d\n", max_threads());

  void *state = NULL;
  long repeat = 1;
  int arg = 4;
  for (; arg + 1 < argc && strncmp(argv[arg], "--", 2) == 0 && argv[arg][2];
       arg += 2) {
    if (strcmp(argv[arg], "--state") == 0) {
      size_t bytes;
      state = read_file(argv[arg + 1], state_bytes, &bytes);
      if (bytes != state_bytes) {
        fprintf(stderr, "entry_raw: %s holds %zu bytes, the state %zu\n",
                argv[arg + 1], bytes, state_bytes);
        return 1;
      }
    } else if (strcmp(argv[arg], "--repeat") == 0) {
      repeat = strtol(argv[arg + 1], NULL, 10);
    } else {
      fprintf(stderr, "entry_raw: unknown option %s\n", argv[arg]);
      return 2;
    }
  }
  if (!state)
    state = allocate(state_bytes);

  const void *inputs[64];
  void *outputs[64];
  char *paths[64];
  size_t sizes[64];
  int num_inputs = 0, num_outputs = 0;
  for (; arg < argc && strcmp(argv[arg], "--") != 0 && num_inputs < 64; ++arg) {
    size_t bytes;
    inputs[num_inputs++] = read_file(argv[arg], 1, &bytes);
  }
  for (++arg; arg < argc && num_outputs < 64; ++arg) {
    char *colon = strrchr(argv[arg], ':');
    if (!colon) {
      fprintf(stderr, "entry_raw: %s: expected FILE:BYTES\n", argv[arg]);
      return 2;
    }
    *colon = '\0';
    paths[num_outputs] = argv[arg];
    sizes[num_outputs] = strtoull(colon + 1, NULL, 10);
    outputs[num_outputs] = allocate(sizes[num_outputs]);
    ++num_outputs;
  }
  void *workspace = allocate(workspace_bytes);
  for (long call = 1; call <= repeat; ++call) {
    if (entry(state, workspace, inputs, outputs) != 0) {
      fprintf(stderr, "entry_raw: %s_%s failed\n", name, argv[3]);
      return 1;
    }
    if (num_outputs > 0 && sizes[0] >= sizeof(float))
      printf("call %ld: %.6g\n", call, *(const float *)outputs[0]);
  }
  /* Linked with the pthreads stand-in for dispatch_apply_f
     (dispatch_standin.c), the widest team it ran. */
  typedef long (*widest_fn)(void);
  widest_fn widest = (widest_fn)dlsym(RTLD_DEFAULT, "standin_widest");
  if (widest)
    printf("threads %ld\n", widest());
  for (int i = 0; i < num_outputs; ++i) {
    FILE *file = fopen(paths[i], "wb");
    if (!file || fwrite(outputs[i], 1, sizes[i], file) != sizes[i]) {
      fprintf(stderr, "entry_raw: cannot write %s\n", paths[i]);
      return 1;
    }
    fclose(file);
  }
  return 0;
}
