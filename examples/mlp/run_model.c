/*===- run_model.c - run a model quernc compiled ----------------------------===
 *
 * The smallest complete user of a compiled model, through libquern_rt:
 *
 *   run_model MODEL.so OUTPUT_PREFIX INPUT0.bin [INPUT1.bin ...]
 *
 * loads MODEL.so and its initial state (MODEL.safetensors beside it), reads
 * each input as raw row-major data, runs the forward entry point and writes
 * output i to OUTPUT_PREFIX<i>.bin, printing each output's first values.
 *
 *===----------------------------------------------------------------------===*/

#include <quern/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what) {
  fprintf(stderr, "run_model: %s: %s\n", what, quern_rt_last_error());
  return 1;
}

/* Reads exactly `bytes` bytes of `path` into a new aligned buffer. */
static void *read_input(const char *path, size_t bytes) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "run_model: cannot open %s\n", path);
    return NULL;
  }
  void *data = quern_rt_alloc(bytes);
  size_t got = data ? fread(data, 1, bytes, file) : 0;
  int extra = fgetc(file) != EOF;
  fclose(file);
  if (got != bytes || extra) {
    fprintf(stderr, "run_model: %s must hold exactly %zu bytes\n", path, bytes);
    quern_rt_free(data);
    return NULL;
  }
  return data;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr,
            "usage: run_model MODEL.so OUTPUT_PREFIX INPUT0.bin [...]\n");
    return 2;
  }
  quern_rt_model *model;
  if (quern_rt_model_open(argv[1], &model) != QUERN_RT_OK)
    return fail(argv[1]);

  /* MODEL.so -> MODEL.safetensors */
  char state_path[4096];
  snprintf(state_path, sizeof state_path, "%s", argv[1]);
  char *dot = strrchr(state_path, '.');
  if (!dot || (size_t)(dot - state_path) + 13 > sizeof state_path)
    return fail("model path");
  strcpy(dot, ".safetensors");

  void *state = quern_rt_alloc(quern_rt_model_state_bytes(model));
  void *workspace = quern_rt_alloc(quern_rt_model_workspace_bytes(model));
  if (quern_rt_state_load(model, state_path, state) != QUERN_RT_OK)
    return fail(state_path);

  size_t num_inputs = quern_rt_entry_num_inputs(model, QUERN_RT_FORWARD);
  size_t num_outputs = quern_rt_entry_num_outputs(model, QUERN_RT_FORWARD);
  if ((size_t)(argc - 3) != num_inputs) {
    fprintf(stderr, "run_model: the model takes %zu inputs, got %d files\n",
            num_inputs, argc - 3);
    return 2;
  }
  void **inputs = calloc(num_inputs + 1, sizeof *inputs);
  void **outputs = calloc(num_outputs + 1, sizeof *outputs);
  for (size_t i = 0; i < num_inputs; ++i) {
    quern_rt_tensor_info info;
    quern_rt_entry_input(model, QUERN_RT_FORWARD, i, &info);
    if (!(inputs[i] = read_input(argv[3 + i], info.bytes)))
      return 1;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    quern_rt_tensor_info info;
    quern_rt_entry_output(model, QUERN_RT_FORWARD, i, &info);
    outputs[i] = quern_rt_alloc(info.bytes);
  }

  if (quern_rt_forward(model, state, workspace, (const void *const *)inputs,
                       outputs) != QUERN_RT_OK)
    return fail("forward");

  for (size_t i = 0; i < num_outputs; ++i) {
    quern_rt_tensor_info info;
    quern_rt_entry_output(model, QUERN_RT_FORWARD, i, &info);
    char path[4096];
    snprintf(path, sizeof path, "%s%zu.bin", argv[2], i);
    FILE *file = fopen(path, "wb");
    if (!file || fwrite(outputs[i], 1, info.bytes, file) != info.bytes) {
      fprintf(stderr, "run_model: cannot write %s\n", path);
      return 1;
    }
    fclose(file);
    printf("%s %s[", info.name, info.dtype);
    for (size_t d = 0; d < info.rank; ++d)
      printf(d ? ", %lld" : "%lld", (long long)info.dims[d]);
    printf("] -> %s", path);
    if (strcmp(info.dtype, "f32") == 0) {
      const float *values = outputs[i];
      size_t count = info.bytes / sizeof(float);
      printf(":");
      for (size_t k = 0; k < count && k < 4; ++k)
        printf(" %.6g", values[k]);
      if (count > 4)
        printf(" ...");
    }
    printf("\n");
    quern_rt_free(outputs[i]);
  }
  for (size_t i = 0; i < num_inputs; ++i)
    quern_rt_free(inputs[i]);
  free(inputs);
  free(outputs);
  quern_rt_free(workspace);
  quern_rt_free(state);
  quern_rt_model_close(model);
  return 0;
}
