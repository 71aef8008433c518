// Graph: resources plus the edges between them, in a deterministic
// dependency order. Generic: it sees ids and dependency keys, never kinds
// (Terraform's internal/dag, mgmt's pgraph).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
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
  // Direct predecessors of resource i.
  const std::vector<size_t>& deps(size_t i) const { return deps_[i]; }
  // Index of an id, or -1.
  long Find(const std::string& id) const;
  bool IsProvided(const std::string& key) const {
    return provided_.count(key) > 0;
  }

 private:
  std::vector<std::unique_ptr<Resource>> resources_;
  std::vector<std::vector<size_t>> deps_;
  std::vector<size_t> order_;
  std::unordered_map<std::string, size_t> by_id_;
  std::unordered_set<std::string> provided_;
};

}  // namespace flamingo
