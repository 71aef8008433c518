#include "engine/graph.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <queue>
#include <string_view>

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
Graph::Candidates(const HashIndex& index, std::string_view s) {
  const uint64_t h = HashOf(s);
  auto first =
      std::lower_bound(index.begin(), index.end(), h,
                       [](const Entry& e, uint64_t v) { return e.hash < v; });
  auto last = first;
  while (last != index.end() && last->hash == h) ++last;
  return {first, last};
}

uint32_t Graph::AddName(std::string_view s) {
  const auto at = static_cast<uint32_t>(names_.size());
  const auto size = static_cast<uint32_t>(s.size());
  const char* bytes = reinterpret_cast<const char*>(&size);
  names_.insert(names_.end(), bytes, bytes + sizeof size);
  names_.insert(names_.end(), s.begin(), s.end());
  return at;
}

std::string_view Graph::Name(uint32_t at) const {
  uint32_t size;
  std::memcpy(&size, names_.data() + at, sizeof size);
  return {names_.data() + at + sizeof size, size};
}

std::string_view Graph::id(size_t i) const { return Name(id_at_[i]); }

long Graph::Find(std::string_view id) const {
  auto [first, last] = Candidates(by_id_, id);
  for (auto it = first; it != last; ++it) {
    if (Name(it->name) == id) return static_cast<long>(it->index);
  }
  return -1;
}

bool Graph::IsProvided(const std::string& key) const {
  auto [first, last] = Candidates(by_provided_, key);
  for (auto it = first; it != last; ++it) {
    if (Name(it->name) == key) return true;
  }
  return false;
}

std::span<const uint32_t> Graph::deps(size_t i) const {
  return {dep_list_.data() + dep_start_[i], dep_start_[i + 1] - dep_start_[i]};
}

Status Graph::Build() {
  const size_t n = resources_.size();
  names_.clear();
  id_at_.assign(n, 0);
  by_id_.clear();
  by_provided_.clear();
  dep_start_.assign(n + 1, 0);
  dep_list_.clear();
  order_.clear();
  // Each id and provided key is made once, into names_; no map of strings
  // is built (10,000 files: the maps were 3 MB at the peak of the run).
  // The tables are sized first: grown, then shrunk to fit, each was copied
  // twice, and the copies were the build's peak.
  {
    size_t name_bytes = 0;
    size_t provided = 0;
    for (size_t i = 0; i < n; ++i) {
      name_bytes += resources_[i]->Id().size() + sizeof(uint32_t);
      for (const std::string& key : resources_[i]->Provides()) {
        name_bytes += key.size() + sizeof(uint32_t);
        ++provided;
      }
    }
    names_.reserve(name_bytes);
    by_provided_.reserve(provided);
  }
  by_id_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto index = static_cast<uint32_t>(i);
    const std::string id = resources_[i]->Id();
    id_at_[i] = AddName(id);
    by_id_.push_back({HashOf(id), index, id_at_[i]});
    std::vector<std::string> keys = resources_[i]->Provides();
    std::sort(keys.begin(), keys.end());
    // A resource is one entry of its key, however often it names it.
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (const std::string& key : keys) {
      by_provided_.push_back({HashOf(key), index, AddName(key)});
    }
  }
  std::sort(by_id_.begin(), by_id_.end());
  std::sort(by_provided_.begin(), by_provided_.end());

  // A repeated id: the one whose second resource comes first.
  size_t dup = n;
  for (size_t a = 0; a < by_id_.size();) {
    size_t b = a + 1;
    while (b < by_id_.size() && by_id_[b].hash == by_id_[a].hash) ++b;
    for (size_t j = a + 1; j < b; ++j) {  // same hash, ascending index
      for (size_t k = a; k < j; ++k) {
        if (by_id_[j].index < dup &&
            Name(by_id_[k].name) == Name(by_id_[j].name)) {
          dup = by_id_[j].index;
        }
      }
    }
    a = b;
  }
  if (dup < n) {
    by_id_.clear();  // Find finds nothing
    by_provided_.clear();
    return Status::Error("duplicate resource " + std::string(id(dup)));
  }

  // Edges, as lists of predecessors one after the other.
  std::vector<uint32_t> d;
  for (size_t i = 0; i < n; ++i) {
    d.clear();
    for (const auto& key : resources_[i]->Requires()) {
      // Unprovided: provided by the system, if at all.
      auto [first, last] = Candidates(by_provided_, key);
      for (auto it = first; it != last; ++it) {
        if (it->index != i && Name(it->name) == key) d.push_back(it->index);
      }
    }
    for (const auto& id : resources_[i]->After()) {
      const long p = Find(id);
      if (p < 0) {
        dep_start_.assign(n + 1, 0);  // no edges at all
        dep_list_.clear();
        return Status::Error(std::string(this->id(i)) +
                             ": depends on unknown resource " + id);
      }
      if (static_cast<size_t>(p) != i) d.push_back(static_cast<uint32_t>(p));
    }
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    dep_list_.insert(dep_list_.end(), d.begin(), d.end());
    dep_start_[i + 1] = static_cast<uint32_t>(dep_list_.size());
  }
  dep_list_.shrink_to_fit();

  // Kahn's algorithm; ready resources ordered by (stage, id): each
  // resource's rank in that order. (32-bit indices: these tables are the
  // build's peak.)
  std::vector<uint32_t> rank(n);
  {
    std::vector<int> stage(n);
    for (size_t i = 0; i < n; ++i) stage[i] = resources_[i]->Stage();
    std::vector<uint32_t> by_key(n);
    for (size_t i = 0; i < n; ++i) by_key[i] = static_cast<uint32_t>(i);
    std::sort(by_key.begin(), by_key.end(), [&](uint32_t a, uint32_t b) {
      return stage[a] != stage[b] ? stage[a] < stage[b] : id(a) < id(b);
    });
    for (size_t r = 0; r < n; ++r) rank[by_key[r]] = static_cast<uint32_t>(r);
  }
  // Dependents, as lists one after the other.
  std::vector<uint32_t> next_start(n + 1, 0);
  for (uint32_t p : dep_list_) ++next_start[p + 1];
  for (size_t i = 0; i < n; ++i) next_start[i + 1] += next_start[i];
  std::vector<uint32_t> next(dep_list_.size());
  {
    std::vector<uint32_t> fill(next_start.begin(), next_start.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      for (uint32_t p : deps(i)) next[fill[p]++] = static_cast<uint32_t>(i);
    }
  }
  std::vector<uint32_t> indegree(n, 0);
  for (size_t i = 0; i < n; ++i)
    indegree[i] = dep_start_[i + 1] - dep_start_[i];
  auto later = [&](uint32_t a, uint32_t b) { return rank[a] > rank[b]; };
  std::priority_queue<uint32_t, std::vector<uint32_t>, decltype(later)> ready(
      later);
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready.push(static_cast<uint32_t>(i));
  }
  order_.reserve(n);
  while (!ready.empty()) {
    const uint32_t i = ready.top();
    ready.pop();
    order_.push_back(i);
    for (uint32_t k = next_start[i]; k < next_start[i + 1]; ++k) {
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
  for (size_t i : cycle) msg += std::string(id(i)) + " -> ";
  msg += id(cycle.front());
  return Status::Error(msg);
}

}  // namespace flamingo
