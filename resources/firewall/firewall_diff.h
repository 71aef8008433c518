// Field-level before/after of the firewall for plan output: per chain
// policy, per set elements, per rule (aligned by a longest common
// subsequence, so an inserted rule shows as one insertion).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/change.h"
#include "resources/firewall/firewall_lower.h"

namespace flamingo {
namespace firewall {

// Kernel table vs desired. An observed rule that equals a desired one
// (expressions and comment) shows as that rule's text; anything else shows
// its decoded expressions, marked "(not as flamingo wrote it)".
void KernelFields(const nft::Table& observed, const Lowered& desired,
                  std::vector<FieldChange>* fields);

// Line-level difference of two texts; field names "<label> line N".
void LineFields(const std::string& label,
                const std::optional<std::string>& before,
                const std::string& after, std::vector<FieldChange>* fields);

// Aligns two sequences: pairs (i, j) with -1 for a missing side, in order.
std::vector<std::pair<long, long>> Align(const std::vector<std::string>& a,
                                         const std::vector<std::string>& b);

}  // namespace firewall
}  // namespace flamingo
