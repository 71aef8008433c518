#include "resources/identity/group_resource.h"

#include <algorithm>

#include "resources/identity/account_db.h"

namespace flamingo::identity {

std::vector<std::string> RecordList(const Record* record,
                                    const std::string& key) {
  if (record == nullptr) return {};
  auto it = record->find(key);
  if (it == record->end()) return {};
  return SplitList(it->second);
}

namespace {

// Members of `spec` missing from the group (all of them when absent).
std::vector<std::string> MissingMembers(const GroupSpec& spec,
                                        const std::optional<GroupView>& g) {
  std::vector<std::string> out;
  for (const auto& m : spec.members) {
    if (!g || std::find(g->members.begin(), g->members.end(), m) ==
                  g->members.end()) {
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace

Result<Observation> GroupResource::Observe(const SystemReader& sys,
                                           const ResourceContext& ctx) const {
  auto loaded = ReadDb(sys);
  if (!loaded.ok()) return loaded.status();
  const AccountDb* db = loaded->get();
  Observation o;
  auto g = db->Group(spec_.name);
  o.exists = g.has_value();
  if (g) {
    o.fields["gid"] = std::to_string(g->gid);
    o.fields["members"] = JoinList(g->members);
  } else if (spec_.gid) {
    if (auto other = db->GroupByGid(*spec_.gid)) {
      return Status::Error(At() + "gid " + std::to_string(*spec_.gid) +
                           " of group '" + spec_.name +
                           "' is taken by group '" + other->name + "'");
    }
  }
  for (const auto& m : spec_.members) {
    if (!db->User(m) && !ctx.IsProvided("user:" + m)) {
      return Status::Error(At() + "group '" + spec_.name + "': member '" + m +
                           "' is not a user");
    }
  }
  o.fields["missing"] = JoinList(MissingMembers(spec_, g));
  return o;
}

Change GroupResource::Diff(const Observation& o, const ResourceContext&) const {
  if (!o.exists) {
    Change c = MakeChange(Action::kCreate);
    c.fields.push_back(
        {"gid", std::nullopt,
         spec_.gid ? std::to_string(*spec_.gid) : std::string("(next free)"),
         false});
    if (!spec_.members.empty()) {
      c.fields.push_back(
          {"members", std::nullopt, JoinList(spec_.members), false});
    }
    return c;
  }
  auto missing = o.fields.find("missing");
  if (missing == o.fields.end() || missing->second.empty()) {
    return MakeChange(Action::kNone);
  }
  Change c = MakeChange(Action::kUpdate);
  std::string before = o.fields.at("members");
  auto after = SplitList(before);
  for (const auto& m : SplitList(missing->second)) after.push_back(m);
  c.fields.push_back({"members", before, JoinList(after), false});
  return c;
}

Status GroupResource::Apply(System& sys, const Change&, const ResourceContext&,
                            Record*) const {
  auto edit = EditDb(sys);
  if (!edit.ok()) return edit.status();
  AccountDb* db = *edit;
  if (!db->Group(spec_.name)) {
    std::optional<uint32_t> gid = spec_.gid;
    if (!gid) gid = db->NextGid(spec_.system);
    if (!gid) return Status::Error("no free gid left");
    if (db->GroupByGid(*gid)) {
      return Status::Error("gid " + std::to_string(*gid) + " is taken");
    }
    db->AddGroup(spec_.name, *gid);
  }
  for (const auto& m : MissingMembers(spec_, db->Group(spec_.name))) {
    db->AddMember(spec_.name, m);
  }
  return Status::Ok();
}

Result<Observation> GroupOrphan::Observe(const SystemReader& sys,
                                         const ResourceContext&) const {
  auto loaded = ReadDb(sys);
  if (!loaded.ok()) return loaded.status();
  const AccountDb* db = loaded->get();
  Observation o;
  auto g = db->Group(name_);
  o.exists = g.has_value();
  if (g) {
    for (const auto* f : db->passwd().Entries()) {
      if (ParseId((*f)[3]) == g->gid) o.fields["primary_of"] = (*f)[0];
    }
  }
  return o;
}

Change GroupOrphan::Diff(const Observation& o, const ResourceContext&) const {
  if (!o.exists) return MakeChange(Action::kNone);
  if (o.fields.count("primary_of")) {
    // Still some user's primary group: deleting it would break that user.
    Change c = MakeChange(Action::kNone);
    c.reason =
        "kept: primary group of user '" + o.fields.at("primary_of") + "'";
    return c;
  }
  Change c = MakeChange(Action::kDelete);
  c.reason = "created by flamingo, no longer in the config";
  return c;
}

Status GroupOrphan::Apply(System& sys, const Change&, const ResourceContext&,
                          Record*) const {
  auto edit = EditDb(sys);
  if (!edit.ok()) return edit.status();
  (*edit)->RemoveGroup(name_);
  return Status::Ok();
}

}  // namespace flamingo::identity
