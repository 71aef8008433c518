// Benchmark: converging 10, 100 and 1,000 firewall rules over netlink, each
// size in a fresh network namespace (a forked child; this process never
// moves). Prints a Markdown table of wall times (median of REPEAT runs):
//   compile  parse + validate + lower the config
//   plan     first plan (reads the empty table, sshd_config)
//   apply    first apply: one netlink batch + boot files + re-observe
//   replan   plan after apply (must be empty: the idempotency check)
//   drift    one rule deleted by hand: plan + apply repairs it
//   read     Netfilter::Read of the whole table alone
// Usage: build/firewall_bench [REPEAT]   (root; default REPEAT=5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "resources/firewall/firewall_test_util.h"
#include "system/nft/netlink_netfilter.h"
#include "system/nft/netns_test_util.h"

namespace flamingo {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string Config(int n) {
  std::string s = "#cloud-config\nfirewall:\n  input_policy: drop\n  rules:\n";
  for (int i = 0; i < n; ++i) {
    int port = 10000 + i;
    std::string src = std::to_string(10 + i / 250) + "." +
                      std::to_string(i % 250) + ".0.0/16";
    s += "    - {name: r" + std::to_string(i) +
         ", action: accept, protocol: tcp, ports: [" + std::to_string(port) +
         ", \"" + std::to_string(port + 20000) + "-" +
         std::to_string(port + 20010) + "\"], sources: [" + src +
         ", \"2001:db8:" + std::to_string(i) + "::/48\"]}\n";
  }
  return s;
}

nlohmann::json RunOnce(int n) {
  return testing_netns::RunInNewNetns([n] {
    nlohmann::json out;
    auto nf = MakeNetlinkNetfilter();
    firewall_testing::Harness h;
    h.sys.set_live(true);
    h.sys.set_netfilter(nf.get());
    std::string yaml = Config(n);
    auto t0 = Clock::now();
    if (!h.Load(yaml)) return nlohmann::json{{"error", h.Errors()}};
    auto t1 = Clock::now();
    Plan plan = h.MakeIt();
    auto t2 = Clock::now();
    ApplyReport rep = h.ApplyIt(plan);
    auto t3 = Clock::now();
    if (!rep.ok())
      return nlohmann::json{{"error", firewall_testing::Report(rep)}};
    Plan again = h.MakeIt();
    auto t4 = Clock::now();
    if (again.HasChanges()) return nlohmann::json{{"error", "not idempotent"}};
    testing_netns::Sh(
        "nft delete rule inet flamingo input handle $(nft -a list chain inet "
        "flamingo input | awk '/\"r0\"/{print $NF; exit}')");
    auto t5 = Clock::now();
    Plan drift = h.MakeIt();
    ApplyReport fixed = h.ApplyIt(drift);
    auto t6 = Clock::now();
    if (!drift.HasChanges() || !fixed.ok()) {
      return nlohmann::json{{"error", "drift not repaired"}};
    }
    auto t7 = Clock::now();
    auto table = nf->Read();
    auto t8 = Clock::now();
    if (!table.ok()) return nlohmann::json{{"error", table.status().message()}};
    out["kernel_rules"] = table->rules.size();
    out["kernel_sets"] = table->sets.size();
    out["read"] = Ms(t7, t8);

    out["compile"] = Ms(t0, t1);
    out["plan"] = Ms(t1, t2);
    out["apply"] = Ms(t2, t3);
    out["replan"] = Ms(t3, t4);
    out["drift"] = Ms(t5, t6);
    return out;
  });
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace flamingo

int main(int argc, char** argv) {
  int repeat = argc > 1 ? std::atoi(argv[1]) : 5;
  if (repeat < 1) repeat = 1;
  std::printf(
      "| rules (kernel rules, sets) | compile | plan | apply | replan | drift "
      "repair | read |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int n : {10, 100, 1000}) {
    std::vector<double> compile, plan, apply, replan, drift, read;
    size_t kernel = 0;
    size_t sets = 0;
    for (int i = 0; i < repeat; ++i) {
      nlohmann::json j = flamingo::RunOnce(n);
      if (j.contains("error")) {
        std::fprintf(stderr, "%d rules: %s\n", n, j["error"].dump().c_str());
        return 1;
      }
      kernel = j["kernel_rules"];
      sets = j["kernel_sets"];
      read.push_back(j["read"]);
      compile.push_back(j["compile"]);
      plan.push_back(j["plan"]);
      apply.push_back(j["apply"]);
      replan.push_back(j["replan"]);
      drift.push_back(j["drift"]);
    }
    std::printf(
        "| %d (%zu, %zu) | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | "
        "%.1f ms |\n",
        n, kernel, sets, flamingo::Median(compile), flamingo::Median(plan),
        flamingo::Median(apply), flamingo::Median(replan),
        flamingo::Median(drift), flamingo::Median(read));
  }
  return 0;
}
