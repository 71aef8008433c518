#include "engine/graph.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace flamingo {

bool ResourceContext::IsProvided(const std::string& key) const {
  return graph_ != nullptr && graph_->IsProvided(key);
}

void Graph::Add(std::unique_ptr<Resource> r) {
  resources_.push_back(std::move(r));
}

namespace {

uint64_t HashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

std::pair<Graph::HashIndex::const_iterator, Graph::HashIndex::const_iterator>
Graph::Candidates(const HashIndex& index, const std::string& s) {
  const uint64_t h = HashOf(s);
  auto first = std::lower_bound(index.begin(), index.end(), h,
                                [](const std::pair<uint64_t, size_t>& e,
                                   uint64_t v) { return e.first < v; });
  auto last = first;
  while (last != index.end() && last->first == h) ++last;
  return {first, last};
}

long Graph::Find(const std::string& id) const {
  auto [first, last] = Candidates(by_id_, id);
  for (auto it = first; it != last; ++it) {
    if (resources_[it->second]->Id() == id) {
      return static_cast<long>(it->second);
    }
  }
  return -1;
}

bool Graph::IsProvided(const std::string& key) const {
  auto [first, last] = Candidates(by_provided_, key);
  for (auto it = first; it != last; ++it) {
    for (const std::string& k : resources_[it->second]->Provides()) {
      if (k == key) return true;
    }
  }
  return false;
}

Status Graph::Build() {
  const size_t n = resources_.size();
  by_id_.clear();
  by_provided_.clear();
  deps_.assign(n, {});
  order_.clear();
  // The strings themselves only while building.
  std::vector<std::string> ids(n);
  std::unordered_map<std::string_view, size_t> index_of;
  std::unordered_map<std::string, std::vector<size_t>> providers;
  for (size_t i = 0; i < n; ++i) {
    ids[i] = resources_[i]->Id();
    if (!index_of.emplace(ids[i], i).second) {
      by_id_.clear();  // unsorted so far: Find finds nothing
      by_provided_.clear();
      return Status::Error("duplicate resource " + ids[i]);
    }
    by_id_.emplace_back(HashOf(ids[i]), i);
    for (auto& key : resources_[i]->Provides()) {
      std::vector<size_t>& p = providers[key];
      // A resource is one entry of its key, however often it names it.
      if (p.empty() || p.back() != i) by_provided_.emplace_back(HashOf(key), i);
      p.push_back(i);
    }
  }
  std::sort(by_id_.begin(), by_id_.end());
  std::sort(by_provided_.begin(), by_provided_.end());
  for (size_t i = 0; i < n; ++i) {
    auto& d = deps_[i];
    for (const auto& key : resources_[i]->Requires()) {
      auto it = providers.find(key);
      if (it == providers.end()) continue;  // provided by the system, if at all
      for (size_t p : it->second) {
        if (p != i) d.push_back(p);
      }
    }
    for (const auto& id : resources_[i]->After()) {
      auto it = index_of.find(id);
      if (it == index_of.end()) {
        return Status::Error(ids[i] + ": depends on unknown resource " + id);
      }
      if (it->second != i) d.push_back(it->second);
    }
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
  }

  // Kahn's algorithm; ready resources ordered by (stage, id).
  std::vector<std::vector<size_t>> dependents(n);
  std::vector<size_t> indegree(n, 0);
  for (size_t i = 0; i < n; ++i) {
    indegree[i] = deps_[i].size();
    for (size_t p : deps_[i]) dependents[p].push_back(i);
  }
  std::vector<int> stage(n);
  for (size_t i = 0; i < n; ++i) stage[i] = resources_[i]->Stage();
  auto later = [&](size_t a, size_t b) {
    return std::tie(stage[a], ids[a]) > std::tie(stage[b], ids[b]);
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(
      later);
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order_.push_back(i);
    for (size_t d : dependents[i]) {
      if (--indegree[d] == 0) ready.push(d);
    }
  }
  if (order_.size() == n) return Status::Ok();

  // A cycle: walk predecessors among the unordered nodes until one repeats.
  std::vector<bool> done(n, false);
  for (size_t i : order_) done[i] = true;
  size_t start = 0;
  while (done[start]) ++start;
  std::vector<size_t> path;
  std::vector<long> pos(n, -1);
  size_t cur = start;
  while (pos[cur] < 0) {
    pos[cur] = static_cast<long>(path.size());
    path.push_back(cur);
    for (size_t p : deps_[cur]) {
      if (!done[p]) {
        cur = p;
        break;
      }
    }
  }
  // path[pos[cur]..] is the cycle in "depends on" direction; print it in
  // "comes before" direction.
  std::vector<size_t> cycle(path.begin() + pos[cur], path.end());
  std::reverse(cycle.begin(), cycle.end());
  std::string msg = "dependency cycle: ";
  for (size_t i : cycle) msg += ids[i] + " -> ";
  msg += ids[cycle.front()];
  return Status::Error(msg);
}

}  // namespace flamingo
