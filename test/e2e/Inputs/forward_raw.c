/*===- forward_raw.c - run a stateless model's forward pass -----------------===
 *
 * For libraries built for another target and run under qemu, where the
 * host's Python cannot load them:
 *
 *   forward_raw MODEL.so NAME IN0.bin [IN1.bin ...] -- OUT0.bin:BYTES [...]
 *
 * calls NAME_forward with a zeroed state and workspace, each input read as
 * raw bytes, and writes each output (BYTES bytes) to its file.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef size_t (*size_fn)(void);
typedef int (*forward_fn)(const void *, void *, const void *const *,
                          void *const *);

static void *symbol(void *library, const char *name, const char *suffix) {
  char full[256];
  snprintf(full, sizeof full, "%s%s", name, suffix);
  void *address = dlsym(library, full);
  if (!address) {
    fprintf(stderr, "forward_raw: %s: %s\n", full, dlerror());
    exit(1);
  }
  return address;
}

static void *allocate(size_t bytes) {
  void *data = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
  if (!data) {
    fprintf(stderr, "forward_raw: out of memory\n");
    exit(1);
  }
  return memset(data, 0, bytes);
}

static void *read_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file || fseek(file, 0, SEEK_END) != 0) {
    fprintf(stderr, "forward_raw: cannot read %s\n", path);
    exit(1);
  }
  long bytes = ftell(file);
  rewind(file);
  void *data = allocate((size_t)bytes);
  if (fread(data, 1, (size_t)bytes, file) != (size_t)bytes) {
    fprintf(stderr, "forward_raw: cannot read %s\n", path);
    exit(1);
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: forward_raw MODEL.so NAME IN.bin... -- "
                    "OUT.bin:BYTES...\n");
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) {
    fprintf(stderr, "forward_raw: %s\n", dlerror());
    return 1;
  }
  const char *name = argv[2];
  size_t state_bytes = ((size_fn)symbol(library, name, "_state_bytes"))();
  size_t workspace_bytes =
      ((size_fn)symbol(library, name, "_workspace_bytes"))();
  forward_fn forward = (forward_fn)symbol(library, name, "_forward");

  const void *inputs[64];
  void *outputs[64];
  char *paths[64];
  size_t sizes[64];
  int num_inputs = 0, num_outputs = 0, arg = 3;
  for (; arg < argc && strcmp(argv[arg], "--") != 0 && num_inputs < 64; ++arg)
    inputs[num_inputs++] = read_file(argv[arg]);
  for (++arg; arg < argc && num_outputs < 64; ++arg) {
    char *colon = strrchr(argv[arg], ':');
    if (!colon) {
      fprintf(stderr, "forward_raw: %s: expected FILE:BYTES\n", argv[arg]);
      return 2;
    }
    *colon = '\0';
    paths[num_outputs] = argv[arg];
    sizes[num_outputs] = strtoull(colon + 1, NULL, 10);
    outputs[num_outputs] = allocate(sizes[num_outputs]);
    ++num_outputs;
  }
  if (forward(allocate(state_bytes), allocate(workspace_bytes), inputs,
              outputs) != 0) {
    fprintf(stderr, "forward_raw: %s_forward failed\n", name);
    return 1;
  }
  for (int i = 0; i < num_outputs; ++i) {
    FILE *file = fopen(paths[i], "wb");
    if (!file || fwrite(outputs[i], 1, sizes[i], file) != sizes[i]) {
      fprintf(stderr, "forward_raw: cannot write %s\n", paths[i]);
      return 1;
    }
    fclose(file);
  }
  return 0;
}
