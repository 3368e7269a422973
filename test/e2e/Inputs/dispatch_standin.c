/*===- dispatch_standin.c - dispatch_apply_f for Linux tests ----------------===
 *
 * Libraries built with --thread-runtime=dispatch call libdispatch's
 * dispatch_apply_f, which macOS's libSystem has and Debian 12 does not.
 * This stand-in, loaded into the process first (RTLD_GLOBAL), runs
 * work(context, i) for every i below `iterations`, each on a thread of its
 * own (i = 0 on the caller's), and joins them, as dispatch_apply_f returns
 * only when all are done. It counts its calls and the widest one, which
 * standin_calls() and standin_widest() report.
 *
 *===----------------------------------------------------------------------===*/

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*work_fn)(void *, size_t);

struct item {
  work_fn work;
  void *context;
  size_t index;
};

static long calls, widest;

static void *run(void *argument) {
  struct item *item = argument;
  item->work(item->context, item->index);
  return NULL;
}

void dispatch_apply_f(size_t iterations, void *queue, void *context,
                      work_fn work) {
  (void)queue;
  __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
  if ((long)iterations > widest)
    widest = (long)iterations;
  pthread_t *threads = calloc(iterations, sizeof *threads);
  struct item *items = calloc(iterations, sizeof *items);
  if (!threads || !items) {
    fprintf(stderr, "dispatch_standin: out of memory\n");
    abort();
  }
  for (size_t i = 0; i < iterations; ++i)
    items[i] = (struct item){work, context, i};
  for (size_t i = 1; i < iterations; ++i)
    if (pthread_create(&threads[i], NULL, run, &items[i]) != 0) {
      fprintf(stderr, "dispatch_standin: cannot start a thread\n");
      abort();
    }
  if (iterations > 0)
    run(&items[0]);
  for (size_t i = 1; i < iterations; ++i)
    pthread_join(threads[i], NULL);
  free(items);
  free(threads);
}

long standin_calls(void) { return calls; }
long standin_widest(void) { return widest; }
