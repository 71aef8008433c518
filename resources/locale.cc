#include "resources/locale.h"

#include <memory>

#include "engine/text.h"

namespace flamingo {
namespace {

// "LANG=..." with optional blanks before; the value after '='.
std::optional<std::string_view> LangValue(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos || line.substr(i, 5) != "LANG=") {
    return std::nullopt;
  }
  return line.substr(i + 5);
}

}  // namespace

std::optional<std::string> LocaleLang(const std::string& text) {
  std::optional<std::string> lang;
  for (std::string_view line : SplitLines(text)) {
    if (auto v = LangValue(line)) {
      std::string value = TrimSpace(*v);
      if (value.size() >= 2 &&
          (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      lang = value;
    }
  }
  return lang;
}

std::string SetLocaleLang(const std::string& text, const std::string& lang) {
  std::string out;
  bool done = false;
  for (std::string_view line : SplitLines(text)) {
    if (LangValue(line)) {
      if (done) continue;
      out += "LANG=" + lang + "\n";
      done = true;
      continue;
    }
    out += line;
    out += '\n';
  }
  if (!done) out += "LANG=" + lang + "\n";
  return out;
}

void CompileLocale(const CompileInput& in, CompileOutput* out,
                   Diagnostics* diags) {
  if (!in.config.is_map()) return;
  const Value* v = in.config.Get("locale");
  // No locale, false (cloud-init's "leave it"), or a type the schema
  // reports: nothing to do.
  if (v == nullptr || !v->is_string()) return;
  const std::string& lang = v->text();
  if (lang.empty() ||
      lang.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
                             "xyz0123456789_.@-") != std::string::npos) {
    diags->Error(*v, "invalid locale \"" + lang +
                         "\": letters, digits, '_', '.', '@' and '-' only "
                         "(e.g. fr_CA.UTF-8)");
    return;
  }
  std::string file = kLocaleConf;
  if (const Value* f = in.config.Get("locale_configfile");
      f != nullptr && f->is_string()) {
    file = NormalizePath(f->text());
    if (file.empty() || file == "/") {
      diags->Error(*f, "expected an absolute file path");
      return;
    }
  }
  out->Add(std::make_unique<LocaleResource>(lang, file, v->Origin()));
}

Result<Observation> LocaleResource::Observe(
    const SystemReader& sys, const ResourceContext& /*ctx*/) const {
  Observation obs;
  auto text = ReadRegularFile(sys, file_);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return obs;
  obs.exists = true;
  if (auto lang = LocaleLang(**text)) obs.fields["LANG"] = *lang;
  return obs;
}

Change LocaleResource::Diff(const Observation& observed,
                            const ResourceContext& /*ctx*/) const {
  auto lang = observed.fields.find("LANG");
  if (lang != observed.fields.end() && lang->second == lang_) {
    return MakeChange(Action::kNone);
  }
  Change c = MakeChange(observed.exists ? Action::kUpdate : Action::kCreate);
  std::optional<std::string> before;
  if (lang != observed.fields.end()) before = lang->second;
  c.fields.push_back({"LANG", before, lang_, false});
  return c;
}

Status LocaleResource::Apply(System& sys, const Change& /*change*/,
                             const ResourceContext& /*ctx*/,
                             Record* /*record*/) const {
  std::string text;
  FileAttrs attrs{0644, 0, 0};
  auto st = sys.Stat(file_);
  if (!st.ok()) return st.status();
  if (st->has_value()) {
    auto old = sys.ReadFile(file_);
    if (!old.ok()) return old.status();
    text = *old;
    attrs = {(*st)->mode, (*st)->uid, (*st)->gid};
  } else {
    Status s = MakeDirs(sys, ParentPath(file_), FileAttrs{0755, 0, 0});
    if (!s.ok()) return s;
  }
  return sys.WriteFile(file_, SetLocaleLang(text, lang_), attrs);
}

}  // namespace flamingo
