#include "engine/graph.h"

#include <algorithm>
#include <queue>
#include <tuple>

namespace flamingo {

bool ResourceContext::IsProvided(const std::string& key) const {
  return graph_ != nullptr && graph_->IsProvided(key);
}

void Graph::Add(std::unique_ptr<Resource> r) {
  resources_.push_back(std::move(r));
}

long Graph::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? -1 : static_cast<long>(it->second);
}

Status Graph::Build() {
  const size_t n = resources_.size();
  by_id_.clear();
  provided_.clear();
  deps_.assign(n, {});
  order_.clear();
  std::vector<std::string> ids(n);
  std::unordered_map<std::string, std::vector<size_t>> providers;
  for (size_t i = 0; i < n; ++i) {
    ids[i] = resources_[i]->Id();
    if (!by_id_.emplace(ids[i], i).second) {
      return Status::Error("duplicate resource " + ids[i]);
    }
    for (auto& key : resources_[i]->Provides()) {
      providers[key].push_back(i);
      provided_.insert(key);
    }
  }
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
      auto it = by_id_.find(id);
      if (it == by_id_.end()) {
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
