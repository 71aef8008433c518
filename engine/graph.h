// Graph: resources plus the edges between them, in a deterministic
// dependency order. Generic: it sees ids and dependency keys, never kinds
// (Terraform's internal/dag, mgmt's pgraph).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
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
  // ("dependency cycle: a -> b -> a"). REQUIRES: no resource is released.
  Status Build();

  size_t size() const { return resources_.size(); }
  // REQUIRES: resource i is not released.
  const Resource& at(size_t i) const { return *resources_[i]; }
  // Resource i's Id(), also once it is released. REQUIRES: Build() got as
  // far as checking the ids (it succeeded, or failed after that).
  std::string_view id(size_t i) const;
  // Indices in dependency order. REQUIRES: Build() succeeded.
  const std::vector<uint32_t>& order() const { return order_; }
  // Direct predecessors of resource i, ascending. REQUIRES: Build() got as
  // far as the order (it succeeded, or failed on a cycle).
  std::span<const uint32_t> deps(size_t i) const;
  // Index of an id, or -1.
  long Find(std::string_view id) const;
  // Whether a resource in the graph provides `key` (released ones too).
  // REQUIRES: Build().
  bool IsProvided(const std::string& key) const;

  // Destroys resource i (what it holds is freed) and keeps what the graph
  // knows of it: id(i), deps, the order, Find and IsProvided. For a caller
  // done with it (ApplyPlanReleasing). REQUIRES: Build() succeeded.
  void Release(size_t i) { resources_[i].reset(); }
  bool released(size_t i) const { return resources_[i] == nullptr; }

 private:
  // (hash of a string, index of the resource it names, where the string is
  // in names_), sorted: a lookup table at 16 bytes an entry, where a hash
  // map of the strings took about 110 (10,000 files: 2 MB for the ids and
  // the provided keys). A hit is checked against the string.
  struct Entry {
    uint64_t hash;
    uint32_t index;
    uint32_t name;
    bool operator<(const Entry& o) const {
      return hash != o.hash ? hash < o.hash : index < o.index;
    }
  };
  using HashIndex = std::vector<Entry>;
  // The entries with the hash of `s`.
  static std::pair<HashIndex::const_iterator, HashIndex::const_iterator>
  Candidates(const HashIndex& index, std::string_view s);
  // The string at `at` in names_.
  std::string_view Name(uint32_t at) const;
  // Adds `s` to names_; where it starts.
  uint32_t AddName(std::string_view s);

  std::vector<std::unique_ptr<Resource>> resources_;
  // deps(i) is dep_list_[dep_start_[i], dep_start_[i + 1]): one list for
  // all (a vector per resource cost 56 bytes and a heap block).
  std::vector<uint32_t> dep_start_;
  std::vector<uint32_t> dep_list_;
  std::vector<uint32_t> order_;
  // Every id and provided key, each after its length (4 bytes: an id may
  // hold a NUL byte): what the lookups check their hits against, kept when
  // a resource is released.
  // (A vector, not a string: assigning a Graph() to a graph frees it; a
  // string's move assignment from an empty one keeps the buffer.)
  std::vector<char> names_;
  std::vector<uint32_t> id_at_;  // where id(i) is in names_
  HashIndex by_id_;              // Id()
  HashIndex by_provided_;        // each of Provides()
};

}  // namespace flamingo
