// yum_repos (cloud-init's cc_yum_add_repo): one .repo file per repository
// in yum_repo_dir (default /etc/yum.repos.d), kind "yum_repo", name = the
// file's path. A FileResource (resources/file_resource.h) with:
//
//  - the file named after the repository id, spaces made underscores
//    ("my repo" -> my_repo.repo), as cloud-init names it; an id with '/',
//    or "." / "..", is an error (it would name another file);
//  - the content "[ID]" and one "key = value" line per option in the
//    config's order: keys lower-cased, true/false as 1/0, numbers as
//    written; a value's further lines indented (yum's continuation lines);
//  - mode 0644 root:root; missing directories made 0755;
//  - an existing file flamingo did not write left as it is, with a note
//    (cloud-init skips a repository whose file exists); one flamingo wrote
//    is kept as configured (drift repaired, changes applied);
//  - never deleted when it leaves the config (cloud-init never removes
//    one either).
//
// The schema (schemas/keys/yum_repos.json) requires baseurl, metalink or
// mirrorlist in each repository, as cloud-init's does.
#pragma once

#include <string>

#include "resources/kinds.h"

namespace flamingo {

inline constexpr char kDefaultYumRepoDir[] = "/etc/yum.repos.d";

void CompileYumRepos(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags);

// The .repo file's content for one repository (`repo`: a map of options).
std::string RenderYumRepo(const std::string& id, const Value& repo);

}  // namespace flamingo
