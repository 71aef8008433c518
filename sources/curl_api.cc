#include "sources/curl_api.h"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>

namespace flamingo {
namespace {

struct Loaded {
  CurlApi api{};
  bool ok = false;
  std::string error;
};

template <typename F>
bool Sym(void* lib, const char* name, F* out, std::string* error) {
  void* p = dlsym(lib, name);
  if (p == nullptr) {
    *error = std::string("libcurl has no ") + name;
    return false;
  }
  *out = reinterpret_cast<F>(p);
  return true;
}

Loaded Load(const char* soname) {
  Loaded l;
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* e = dlerror();
    l.error = e ? e : "dlopen failed";
    return l;
  }
  CurlApi& a = l.api;
  if (!Sym(lib, "curl_global_init", &a.global_init, &l.error) ||
      !Sym(lib, "curl_easy_init", &a.easy_init, &l.error) ||
      !Sym(lib, "curl_easy_cleanup", &a.easy_cleanup, &l.error) ||
      !Sym(lib, "curl_easy_setopt", &a.easy_setopt, &l.error) ||
      !Sym(lib, "curl_easy_perform", &a.easy_perform, &l.error) ||
      !Sym(lib, "curl_easy_strerror", &a.easy_strerror, &l.error) ||
      !Sym(lib, "curl_easy_getinfo", &a.easy_getinfo, &l.error) ||
      !Sym(lib, "curl_getdate", &a.getdate, &l.error) ||
      !Sym(lib, "curl_slist_append", &a.slist_append, &l.error) ||
      !Sym(lib, "curl_slist_free_all", &a.slist_free_all, &l.error)) {
    return l;  // the library stays loaded: harmless, and rare
  }
  if (a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    l.error = "curl_global_init failed";
    return l;
  }
  l.ok = true;
  return l;
}

}  // namespace

const CurlApi* Curl(std::string* error, const char* soname) {
  // Never freed: the API stays valid for the life of the process.
  static std::mutex mu;
  static auto* loaded = new std::map<std::string, Loaded>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded->find(soname);
  if (it == loaded->end()) it = loaded->emplace(soname, Load(soname)).first;
  const Loaded* l = &it->second;
  if (!l->ok) {
    if (error != nullptr) *error = l->error;
    return nullptr;
  }
  return &l->api;
}

}  // namespace flamingo
