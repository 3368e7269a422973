/*===- CApiFromC.c - The runtime C API used from C99 ----------------------===*\
|*                                                                            *|
|* This file is part of Quern.                                                *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* Compiled as C99 with -pedantic-errors: proves that quern/runtime.h is a    *|
|* C header and that a C program can run a model end to end.                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "quern/runtime.h"

#include <string.h>

/* Returns 0 on success, else the number of the failed step. */
int quernTestRunFromC(const char *soPath) {
  quern_rt_model *model = NULL;
  quern_rt_tensor_info info;
  void *state, *workspace;
  float x[3] = {1.0f, 2.0f, 3.0f}, y[2] = {0.0f, 0.0f};
  const void *inputs[1];
  void *outputs[1];
  int failed = 0;

  if (quern_rt_model_open(soPath, &model) != QUERN_RT_OK)
    return 1;
  if (strcmp(quern_rt_model_name(model), "tinymodel") != 0 ||
      quern_rt_entry_num_inputs(model, QUERN_RT_FORWARD) != 1 ||
      quern_rt_entry_input(model, QUERN_RT_FORWARD, 0, &info) != QUERN_RT_OK ||
      info.rank != 2 || info.dims[1] != 3 || strcmp(info.dtype, "f32") != 0)
    failed = 2;

  state = quern_rt_alloc(quern_rt_model_state_bytes(model));
  workspace = quern_rt_alloc(quern_rt_model_workspace_bytes(model));
  inputs[0] = x;
  outputs[0] = y;
  /* Zero state: y = W x + b = 0. Set b[1] = 1 through the state layout. */
  if (!failed && quern_rt_state_tensor(model, 1, &info) == QUERN_RT_OK) {
    ((float *)((char *)state + info.offset))[1] = 1.0f;
    if (quern_rt_forward(model, state, workspace, inputs, outputs) !=
            QUERN_RT_OK ||
        y[0] != 0.0f || y[1] != 1.0f)
      failed = 3;
  }
  quern_rt_free(workspace);
  quern_rt_free(state);
  quern_rt_model_close(model);
  return failed;
}
