// In-process timing of DiscoverInstance() with auto detection on this host
// (no process start-up): built and run by bench/datasources.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "sources/datasource.h"

int main() {
  flamingo::DiscoverOptions o;
  double best = 1e9, sum = 0;
  const int n = 200;
  std::string result;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = flamingo::DiscoverInstance(o, nullptr);
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    if (i == 0)
      result = r.ok() ? r->datasource : r.status().message().substr(0, 19);
    best = std::min(best, ms);
    sum += ms;
  }
  std::printf(
      "| auto detection in-process (DiscoverInstance) | %.3f (min) | %.3f "
      "(mean) | %s |\n",
      best, sum / n, result.c_str());
}
