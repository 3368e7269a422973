/* Calls a compiled MLP through its generated header (mlp.h), as a program
 * linked against mlp.so would; libquern_rt only loads the initial state.
 *
 *   mlp_header_api DIR/mlp.so INPUT.bin OUTPUT.bin
 */
#include "mlp.h"

#include <quern/runtime.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 4)
    return 2;
  if (MLP_FORWARD_NUM_INPUTS != 1 || MLP_FORWARD_NUM_OUTPUTS != 1) {
    fprintf(stderr, "unexpected input/output counts\n");
    return 1;
  }
  if (!strstr(mlp_manifest(), "\"format\": \"quern-manifest\"")) {
    fprintf(stderr, "embedded manifest lacks its format tag\n");
    return 1;
  }
  quern_rt_model *model;
  if (quern_rt_model_open(argv[1], &model) != QUERN_RT_OK) {
    fprintf(stderr, "%s\n", quern_rt_last_error());
    return 1;
  }
  if (quern_rt_model_state_bytes(model) != mlp_state_bytes()) {
    fprintf(stderr, "state size differs between header API and manifest\n");
    return 1;
  }
  char state_path[4096];
  snprintf(state_path, sizeof state_path, "%.*s.safetensors",
           (int)(strlen(argv[1]) - 3), argv[1]);
  void *state = quern_rt_alloc(mlp_state_bytes());
  void *workspace = quern_rt_alloc(mlp_workspace_bytes());
  if (quern_rt_state_load(model, state_path, state) != QUERN_RT_OK) {
    fprintf(stderr, "%s\n", quern_rt_last_error());
    return 1;
  }
  float x[4 * 784], y[4 * 10];
  FILE *in = fopen(argv[2], "rb");
  if (!in || fread(x, sizeof x, 1, in) != 1)
    return 1;
  fclose(in);
  const void *inputs[] = {x};
  void *outputs[] = {y};
  int status = mlp_forward(state, workspace, inputs, outputs);
  if (status != 0) {
    fprintf(stderr, "mlp_forward returned %d\n", status);
    return 1;
  }
  FILE *out = fopen(argv[3], "wb");
  if (!out || fwrite(y, sizeof y, 1, out) != 1)
    return 1;
  fclose(out);
  printf("mlp_forward: state %zu bytes, workspace %zu bytes\n",
         mlp_state_bytes(), mlp_workspace_bytes());
  quern_rt_free(workspace);
  quern_rt_free(state);
  quern_rt_model_close(model);
  return 0;
}
