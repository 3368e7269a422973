// Times one generated NF4 dequantize-matmul (bench/halide_nf4.py builds
// it with -DPIPELINE=<function> -include <its header>): reads x, codes and
// scales as raw files, runs the pipeline `calls` times, writes y and
// prints the median seconds of a call.
#include "HalideBuffer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

template <typename T>
static std::vector<T> readAll(const char *path, size_t count) {
  std::vector<T> data(count);
  FILE *f = std::fopen(path, "rb");
  if (!f || std::fread(data.data(), sizeof(T), count, f) != count) {
    std::fprintf(stderr, "cannot read %s\n", path);
    std::exit(1);
  }
  std::fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 10) {
    std::fprintf(stderr, "usage: M K N block x codes scales y calls\n");
    return 1;
  }
  int m = std::atoi(argv[1]), k = std::atoi(argv[2]), n = std::atoi(argv[3]);
  int block = std::atoi(argv[4]), calls = std::atoi(argv[9]);
  std::vector<float> x = readAll<float>(argv[5], size_t(m) * k);
  std::vector<uint8_t> codes = readAll<uint8_t>(argv[6], size_t(k) * n / 2);
  std::vector<float> scales = readAll<float>(argv[7], size_t(k) * n / block);
  std::vector<float> y(size_t(m) * n);
  Halide::Runtime::Buffer<float> xb(x.data(), k, m), yb(y.data(), n, m);
  Halide::Runtime::Buffer<uint8_t> cb(codes.data(), int(codes.size()));
  Halide::Runtime::Buffer<float> sb(scales.data(), int(scales.size()));
  std::vector<double> times;
  for (int call = 0; call < calls + 3; ++call) {
    auto start = std::chrono::steady_clock::now();
    if (PIPELINE(xb, cb, sb, yb) != 0)
      return 1;
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    if (call >= 3)
      times.push_back(took.count());
  }
  std::sort(times.begin(), times.end());
  FILE *f = std::fopen(argv[8], "wb");
  std::fwrite(y.data(), sizeof(float), y.size(), f);
  std::fclose(f);
  std::printf("%.9f\n", times[times.size() / 2]);
  return 0;
}
