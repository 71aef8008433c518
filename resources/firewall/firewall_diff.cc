#include "resources/firewall/firewall_diff.h"

#include <linux/netfilter.h>

#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace flamingo {
namespace firewall {

std::vector<std::pair<long, long>> Align(const std::vector<std::string>& a,
                                         const std::vector<std::string>& b) {
  size_t n = a.size();
  size_t m = b.size();
  std::vector<std::pair<long, long>> out;
  if (n * m > 4'000'000) {  // too big for the table: compare by position
    for (size_t i = 0; i < std::max(n, m); ++i) {
      long x = i < n ? static_cast<long>(i) : -1;
      long y = i < m ? static_cast<long>(i) : -1;
      if (x >= 0 && y >= 0 && a[i] != b[i]) {
        out.push_back({x, -1});
        out.push_back({-1, y});
      } else {
        out.push_back({x, y});
      }
    }
    return out;
  }
  // lcs[i][j]: LCS length of a[i..] and b[j..].
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1
                               : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out.push_back({static_cast<long>(i++), static_cast<long>(j++)});
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push_back({-1, static_cast<long>(j++)});
    } else {
      out.push_back({static_cast<long>(i++), -1});
    }
  }
  return out;
}

namespace {

// Emits fields for the unmatched entries of an alignment; a run of
// deletions and insertions between two matches is paired up positionally.
void AlignedFields(const std::string& label, const std::vector<std::string>& a,
                   const std::vector<std::string>& b,
                   std::vector<FieldChange>* fields) {
  auto pairs = Align(a, b);
  std::vector<long> dels;
  std::vector<long> ins;
  auto flush = [&] {
    size_t k = std::max(dels.size(), ins.size());
    for (size_t x = 0; x < k; ++x) {
      FieldChange f;
      long at = x < ins.size() ? ins[x] : dels[x];
      f.name = label + "[" + std::to_string(at) + "]";
      if (x < dels.size()) f.before = a[static_cast<size_t>(dels[x])];
      if (x < ins.size()) f.after = b[static_cast<size_t>(ins[x])];
      fields->push_back(std::move(f));
    }
    dels.clear();
    ins.clear();
  };
  for (const auto& [x, y] : pairs) {
    if (x >= 0 && y >= 0) {
      flush();
    } else if (x >= 0) {
      dels.push_back(x);
    } else {
      ins.push_back(y);
    }
  }
  flush();
}

std::string ChainText(const nft::Chain& c) {
  if (c.hook == ~0u) return "regular chain (not as flamingo writes it)";
  const char* hook = c.hook == NF_INET_LOCAL_IN    ? "input"
                     : c.hook == NF_INET_FORWARD   ? "forward"
                     : c.hook == NF_INET_LOCAL_OUT ? "output"
                                                   : "other";
  return "type " + c.type + " hook " + hook + " priority " +
         std::to_string(c.priority) + " policy " +
         (c.policy == NF_DROP     ? "drop"
          : c.policy == NF_ACCEPT ? "accept"
                                  : "?");
}

}  // namespace

void KernelFields(const nft::Table& observed, const Lowered& desired,
                  std::vector<FieldChange>* fields) {
  const nft::Table& want = desired.table;
  if (!observed.exists) {
    fields->push_back({"table", std::nullopt, "inet flamingo", false});
  }
  std::map<std::string,
           std::pair<std::optional<std::string>, std::optional<std::string>>>
      chains;
  for (const auto& c : observed.chains) chains[c.name].first = ChainText(c);
  for (const auto& c : want.chains) chains[c.name].second = ChainText(c);
  for (const auto& [name, ba] : chains) {
    if (ba.first != ba.second) {
      fields->push_back({"chain " + name, ba.first, ba.second, false});
    }
  }
  std::map<std::string,
           std::pair<std::optional<std::string>, std::optional<std::string>>>
      sets;
  for (const auto& s : observed.sets) {
    sets[s.name].first = nft::DescribeElements(s);
  }
  for (const auto& s : want.sets)
    sets[s.name].second = nft::DescribeElements(s);
  for (const auto& [name, ba] : sets) {
    if (ba.first != ba.second) {
      fields->push_back({"set " + name, ba.first, ba.second, false});
    }
  }
  // Desired rules by their full content, to name observed ones in O(n).
  auto key = [](const nft::Rule& r) {
    return r.chain + "\n" + r.comment + "\n" + nft::DescribeExprs(r.exprs);
  };
  std::unordered_map<std::string, size_t> by_content;
  for (size_t i = 0; i < want.rules.size(); ++i) {
    by_content.emplace(key(want.rules[i]), i);
  }
  std::set<std::string> names;
  for (const auto& r : observed.rules) names.insert(r.chain);
  for (const auto& r : want.rules) names.insert(r.chain);
  for (const auto& chain : names) {
    std::vector<std::string> before;
    std::vector<std::string> after;
    for (size_t i = 0; i < want.rules.size(); ++i) {
      if (want.rules[i].chain == chain) after.push_back(desired.texts[i]);
    }
    for (const auto& r : observed.rules) {
      if (r.chain != chain) continue;
      std::string text;
      auto it = by_content.find(key(r));
      if (it != by_content.end() && want.rules[it->second] == r) {
        text = desired.texts[it->second];
      }
      if (text.empty()) {
        text = "(not as flamingo wrote it) " +
               (r.comment.empty() ? "" : "comment \"" + r.comment + "\" ") +
               nft::DescribeExprs(r.exprs);
      }
      before.push_back(std::move(text));
    }
    AlignedFields(chain, before, after, fields);
  }
}

void LineFields(const std::string& label,
                const std::optional<std::string>& before,
                const std::string& after, std::vector<FieldChange>* fields) {
  auto split = [](const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line)) {
      size_t start = line.find_first_not_of('\t');
      lines.push_back(start == std::string::npos ? "" : line.substr(start));
    }
    return lines;
  };
  std::vector<std::string> a =
      before ? split(*before) : std::vector<std::string>{};
  AlignedFields(label + " line", a, split(after), fields);
}

}  // namespace firewall
}  // namespace flamingo
