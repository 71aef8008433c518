#include "resources/hosts_file.h"

#include <sstream>
#include <string_view>
#include <vector>

#include "engine/text.h"

namespace flamingo {

namespace {

// [begin, end] line indices of the block; begin = -1 when none. end ==
// begin for a BEGIN marker without END.
std::pair<long, long> FindBlock(const std::vector<std::string_view>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (TrimSpace(lines[i], " \t\r") != kHostsBegin) continue;
    for (size_t j = i + 1; j < lines.size(); ++j) {
      if (TrimSpace(lines[j], " \t\r") == kHostsEnd) {
        return {static_cast<long>(i), static_cast<long>(j)};
      }
      if (TrimSpace(lines[j], " \t\r") == kHostsBegin) break;
    }
    return {static_cast<long>(i), static_cast<long>(i)};
  }
  return {-1, -1};
}

// True when a line outside the block maps `address` to "localhost".
bool MapsLocalhost(const std::vector<std::string_view>& lines,
                   std::pair<long, long> block, const std::string& address) {
  for (size_t i = 0; i < lines.size(); ++i) {
    long li = static_cast<long>(i);
    if (li >= block.first && li <= block.second) continue;
    std::string line(lines[i].substr(0, lines[i].find('#')));
    std::istringstream in(line);
    std::string addr, name;
    if (!(in >> addr) || addr != address) continue;
    while (in >> name) {
      if (name == "localhost") return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> ManagedHostsLines(std::string_view text) {
  auto lines = SplitLines(text);
  auto [b, e] = FindBlock(lines);
  if (b < 0 || e <= b) return {};
  return std::vector<std::string>(lines.begin() + b + 1, lines.begin() + e);
}

std::vector<std::string> DesiredHostsLines(std::string_view text,
                                           const std::string& hostname,
                                           const std::string& fqdn) {
  auto lines = SplitLines(text);
  auto block = FindBlock(lines);
  std::vector<std::string> out;
  std::string names =
      fqdn.empty() || fqdn == hostname ? hostname : fqdn + " " + hostname;
  out.push_back("127.0.1.1 " + names);
  if (!MapsLocalhost(lines, block, "127.0.0.1")) {
    out.push_back(
        "127.0.0.1 localhost localhost.localdomain localhost4 "
        "localhost4.localdomain4");
  }
  if (!MapsLocalhost(lines, block, "::1")) {
    out.push_back(
        "::1 localhost localhost.localdomain localhost6 "
        "localhost6.localdomain6");
  }
  return out;
}

std::string RewriteHosts(std::string_view text,
                         const std::vector<std::string>& lines) {
  std::string block = std::string(kHostsBegin) + "\n";
  for (const auto& l : lines) block += l + "\n";
  block += std::string(kHostsEnd) + "\n";

  auto all = SplitLines(text);
  auto [b, e] = FindBlock(all);
  if (b < 0) {
    std::string out(text);
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + block;
  }
  // Keep bytes before and after the block exactly.
  size_t start = 0;
  for (long i = 0; i < b; ++i) start = text.find('\n', start) + 1;
  size_t stop = start;
  for (long i = b; i <= e; ++i) {
    size_t nl = text.find('\n', stop);
    stop = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return std::string(text.substr(0, start)) + block +
         std::string(text.substr(stop));
}

}  // namespace flamingo
