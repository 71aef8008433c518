// Graph: resources plus the edges between them, in a deterministic
// dependency order. Generic: it sees ids and dependency keys, never kinds
// (Terraform's internal/dag, mgmt's pgraph).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/resource.h"
#include "engine/status.h"

namespace flamingo {

class Graph {
 public:
  void Add(std::unique_ptr<Resource> r);

  // Computes edges (automatic from Provides/Requires, explicit from After)
  // and the order: a topological order where, among ready resources, the
  // lowest (Stage, id) goes first, so the same input always gives the same
  // order. Errors: a duplicate id, an After() naming no resource, a cycle
  // ("dependency cycle: a -> b -> a").
  Status Build();

  size_t size() const { return resources_.size(); }
  const Resource& at(size_t i) const { return *resources_[i]; }
  // Indices in dependency order. REQUIRES: Build() succeeded.
  const std::vector<size_t>& order() const { return order_; }
  // Direct predecessors of resource i, ascending. REQUIRES: Build() got as
  // far as the order (it succeeded, or failed on a cycle).
  std::span<const size_t> deps(size_t i) const;
  // Index of an id, or -1.
  long Find(const std::string& id) const;
  // Whether a resource in the graph provides `key`. REQUIRES: Build().
  bool IsProvided(const std::string& key) const;

 private:
  // (hash of a string, index of the resource it names), sorted: a lookup
  // table at 16 bytes an entry, where a hash map of the strings took about
  // 110 (10,000 files: 2 MB for the ids and the provided keys). A hit is
  // checked against the resource itself.
  using HashIndex = std::vector<std::pair<uint64_t, size_t>>;
  // Indices of the entries with the hash of `s`.
  static std::pair<HashIndex::const_iterator, HashIndex::const_iterator>
  Candidates(const HashIndex& index, const std::string& s);

  std::vector<std::unique_ptr<Resource>> resources_;
  // deps(i) is dep_list_[dep_start_[i], dep_start_[i + 1]): one list for
  // all (a vector per resource cost 56 bytes and a heap block).
  std::vector<size_t> dep_start_;
  std::vector<size_t> dep_list_;
  std::vector<size_t> order_;
  HashIndex by_id_;        // Id()
  HashIndex by_provided_;  // each of Provides()
};

}  // namespace flamingo
