#include "engine/graph.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string_view>
#include <tuple>

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

namespace {

// Whether `r` provides `key`.
bool Provides(const Resource& r, const std::string& key) {
  for (const std::string& k : r.Provides()) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace

std::span<const size_t> Graph::deps(size_t i) const {
  return {dep_list_.data() + dep_start_[i], dep_start_[i + 1] - dep_start_[i]};
}

Status Graph::Build() {
  const size_t n = resources_.size();
  by_id_.clear();
  by_provided_.clear();
  dep_start_.assign(n + 1, 0);
  dep_list_.clear();
  order_.clear();
  // No table of strings is kept while building either: ids and provided
  // keys are found through the sorted hash tables and checked against the
  // resources (10,000 files: the maps of strings were 3 MB at the peak of
  // the run).
  by_id_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    by_id_.emplace_back(HashOf(resources_[i]->Id()), i);
    for (const std::string& key : resources_[i]->Provides()) {
      by_provided_.emplace_back(HashOf(key), i);
    }
  }
  std::sort(by_id_.begin(), by_id_.end());
  std::sort(by_provided_.begin(), by_provided_.end());
  // A resource is one entry of its key, however often it names it.
  by_provided_.erase(std::unique(by_provided_.begin(), by_provided_.end()),
                     by_provided_.end());
  by_provided_.shrink_to_fit();

  // A repeated id: the one whose second resource comes first.
  size_t dup = n;
  for (size_t a = 0; a < by_id_.size();) {
    size_t b = a + 1;
    while (b < by_id_.size() && by_id_[b].first == by_id_[a].first) ++b;
    for (size_t j = a + 1; j < b; ++j) {  // same hash, ascending index
      const std::string id = resources_[by_id_[j].second]->Id();
      for (size_t k = a; k < j; ++k) {
        if (by_id_[j].second < dup &&
            resources_[by_id_[k].second]->Id() == id) {
          dup = by_id_[j].second;
        }
      }
    }
    a = b;
  }
  if (dup < n) {
    by_id_.clear();  // Find finds nothing
    by_provided_.clear();
    return Status::Error("duplicate resource " + resources_[dup]->Id());
  }

  // Edges, as lists of predecessors one after the other.
  std::vector<size_t> d;
  for (size_t i = 0; i < n; ++i) {
    d.clear();
    for (const auto& key : resources_[i]->Requires()) {
      // Unprovided: provided by the system, if at all.
      auto [first, last] = Candidates(by_provided_, key);
      for (auto it = first; it != last; ++it) {
        if (it->second != i && Provides(*resources_[it->second], key)) {
          d.push_back(it->second);
        }
      }
    }
    for (const auto& id : resources_[i]->After()) {
      const long p = Find(id);
      if (p < 0) {
        dep_start_.assign(n + 1, 0);  // no edges at all
        dep_list_.clear();
        return Status::Error(resources_[i]->Id() +
                             ": depends on unknown resource " + id);
      }
      if (static_cast<size_t>(p) != i) d.push_back(static_cast<size_t>(p));
    }
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    dep_list_.insert(dep_list_.end(), d.begin(), d.end());
    dep_start_[i + 1] = dep_list_.size();
  }
  dep_list_.shrink_to_fit();

  // Kahn's algorithm; ready resources ordered by (stage, id): each
  // resource's rank in that order, from the ids made once for the sort.
  std::vector<size_t> rank(n);
  {
    std::vector<std::pair<int, std::string>> keys(n);
    for (size_t i = 0; i < n; ++i) {
      keys[i] = {resources_[i]->Stage(), resources_[i]->Id()};
    }
    std::vector<size_t> by_key(n);
    for (size_t i = 0; i < n; ++i) by_key[i] = i;
    std::sort(by_key.begin(), by_key.end(),
              [&](size_t a, size_t b) { return keys[a] < keys[b]; });
    for (size_t r = 0; r < n; ++r) rank[by_key[r]] = r;
  }
  // Dependents, as lists one after the other.
  std::vector<size_t> next_start(n + 1, 0);
  for (size_t p : dep_list_) ++next_start[p + 1];
  for (size_t i = 0; i < n; ++i) next_start[i + 1] += next_start[i];
  std::vector<size_t> next(dep_list_.size());
  {
    std::vector<size_t> fill(next_start.begin(), next_start.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      for (size_t p : deps(i)) next[fill[p]++] = i;
    }
  }
  std::vector<size_t> indegree(n, 0);
  for (size_t i = 0; i < n; ++i)
    indegree[i] = dep_start_[i + 1] - dep_start_[i];
  auto later = [&](size_t a, size_t b) { return rank[a] > rank[b]; };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(
      later);
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready.push(i);
  }
  order_.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order_.push_back(i);
    for (size_t k = next_start[i]; k < next_start[i + 1]; ++k) {
      if (--indegree[next[k]] == 0) ready.push(next[k]);
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
    for (size_t p : deps(cur)) {
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
  for (size_t i : cycle) msg += resources_[i]->Id() + " -> ";
  msg += resources_[cycle.front()]->Id();
  return Status::Error(msg);
}

}  // namespace flamingo
