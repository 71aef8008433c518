#include "sources/merge.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "engine/text.h"

namespace flamingo {

namespace {

bool Has(const std::vector<std::string>& opts, std::string_view o) {
  for (const auto& x : opts) {
    if (x == o) return true;
  }
  return false;
}

std::string Canonical(std::string name) {
  name = AsciiLower(TrimSpace(name));
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

bool KnownMerger(const std::string& n) {
  return n == "dict" || n == "list" || n == "str";
}

class Merger {
 public:
  explicit Merger(const std::vector<MergerSpec>& specs) {
    for (const MergerSpec& s : specs) {
      if (s.name == "dict" && !dict_) {
        Dict d;
        d.replace = Has(s.opts, "replace");  // else no_replace (default)
        d.recurse_str = Has(s.opts, "recurse_str");
        d.recurse_array =
            Has(s.opts, "recurse_array") || Has(s.opts, "recurse_list");
        d.allow_delete = Has(s.opts, "allow_delete");
        dict_ = d;
      } else if (s.name == "list" && !list_) {
        List l;
        for (const char* m : {"append", "prepend", "replace", "no_replace"}) {
          if (Has(s.opts, m)) {
            l.method = m;
            break;
          }
        }
        l.recurse_str = Has(s.opts, "recurse_str");
        l.recurse_dict = Has(s.opts, "recurse_dict");
        l.recurse_array =
            Has(s.opts, "recurse_array") || Has(s.opts, "recurse_list");
        list_ = l;
      } else if (s.name == "str" && !str_) {
        str_ = Has(s.opts, "append");
      }
    }
  }

  Value Merge(const Value& old, const Value& with) const {
    if (old.is_map()) return dict_ ? OnDict(old, with) : old;
    if (old.is_list()) return list_ ? OnList(old, with) : old;
    if (old.is_string()) return str_ ? OnStr(old, with) : old;
    return old;  // no merger for this type: keep the earlier value
  }

 private:
  struct Dict {
    bool replace = false, recurse_str = false, recurse_array = false,
         allow_delete = false;
  };
  struct List {
    std::string method = "replace";
    bool recurse_str = false, recurse_dict = false, recurse_array = false;
  };

  Value OnDict(const Value& old, const Value& with) const {
    if (!with.is_map()) return old;
    Value out = old;
    for (const auto& [k, v] : with.entries()) {
      Value* cur = out.GetMutable(k);
      if (!cur) {
        out.Set(k, v);
        continue;
      }
      if (v.is_null() && dict_->allow_delete) {
        out.Erase(k);
        continue;
      }
      if (dict_->replace) {
        *cur = v;
      } else if ((v.is_list() && dict_->recurse_array) ||
                 (v.is_string() && dict_->recurse_str) || v.is_map()) {
        *cur = Merge(*cur, v);
      }  // otherwise the earlier value stays
    }
    return out;
  }

  Value OnList(const Value& old, const Value& with) const {
    const std::string& m = list_->method;
    if (!with.is_list()) return m == "replace" ? with : old;
    Value out = old;
    if (m == "prepend") {
      Value l = with;
      for (const Value& v : old.items()) l.Append(v);
      return l;
    }
    if (m == "append") {
      for (const Value& v : with.items()) out.Append(v);
      return out;
    }
    if (m == "no_replace") return out;
    auto& items = out.mutable_items();
    size_t common = std::min(items.size(), with.items().size());
    for (size_t i = 0; i < common; ++i) {
      const Value& nv = with.items()[i];
      if ((nv.is_list() && list_->recurse_array) ||
          (nv.is_string() && list_->recurse_str) ||
          (nv.is_map() && list_->recurse_dict)) {
        items[i] = Merge(items[i], nv);
      } else {
        items[i] = nv;
      }
    }
    return out;
  }

  Value OnStr(const Value& old, const Value& with) const {
    if (!*str_ || !with.is_string()) return with;
    Value out = old;
    out.SetScalar(Value::Type::kString, old.text() + with.text(), false, 0);
    return out;
  }

  std::optional<Dict> dict_;
  std::optional<List> list_;
  std::optional<bool> str_;  // value: append
};

}  // namespace

Result<std::vector<MergerSpec>> ParseMergers(std::string_view text) {
  std::vector<MergerSpec> out;
  size_t pos = 0;
  std::string s(text);
  while (pos <= s.size()) {
    size_t plus = s.find('+', pos);
    std::string item = Canonical(s.substr(
        pos, plus == std::string::npos ? std::string::npos : plus - pos));
    pos = plus == std::string::npos ? s.size() + 1 : plus + 1;
    if (item.empty()) continue;
    size_t open = item.find('(');
    if (open == std::string::npos || open == 0 || item.back() != ')') {
      return Status::Error("merger \"" + item +
                           "\" is not in the form name(options)");
    }
    MergerSpec spec;
    spec.name = item.substr(0, open);
    for (char c : spec.name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        return Status::Error("merger \"" + item +
                             "\" is not in the form name(options)");
      }
    }
    if (!KnownMerger(spec.name)) {
      return Status::Error("unknown merger \"" + spec.name +
                           "\" (known: dict, list, str)");
    }
    std::string opts = item.substr(open + 1, item.size() - open - 2);
    size_t p = 0;
    while (p <= opts.size()) {
      size_t comma = opts.find(',', p);
      std::string o = AsciiLower(TrimSpace(opts.substr(
          p, comma == std::string::npos ? std::string::npos : comma - p)));
      if (!o.empty()) spec.opts.push_back(o);
      p = comma == std::string::npos ? opts.size() + 1 : comma + 1;
    }
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<MergerSpec> ExtractMergers(Value* config, Diagnostics* diags) {
  if (!config->is_map()) return {};
  std::string key = "merge_how";
  const Value* raw = config->Get(key);
  if (!raw) {
    key = "merge_type";
    raw = config->Get(key);
  }
  if (!raw) return {};
  Value v = *raw;
  config->Erase(key);
  if (v.is_null()) return {};
  if (v.is_string()) {
    Result<std::vector<MergerSpec>> r = ParseMergers(v.text());
    if (!r.ok()) {
      diags->Error(v, r.status().message());
      return {};
    }
    return r.value();
  }
  if (!v.is_list()) {
    diags->Error(v, key + " must be a string or a list");
    return {};
  }
  std::vector<MergerSpec> out;
  for (const Value& m : v.items()) {
    MergerSpec spec;
    if (m.is_map()) {
      const Value* name = m.Get("name");
      if (!name || !name->is_string()) {
        diags->Error(m, "a merger needs a string \"name\"");
        continue;
      }
      spec.name = Canonical(name->text());
      if (const Value* settings = m.Get("settings");
          settings && settings->is_list()) {
        for (const Value& o : settings->items())
          spec.opts.push_back(AsciiLower(o.ScalarText()));
      }
    } else if (m.is_list() && !m.items().empty()) {
      spec.name = Canonical(m.items()[0].ScalarText());
      for (size_t i = 1; i < m.items().size(); ++i) {
        spec.opts.push_back(AsciiLower(m.items()[i].ScalarText()));
      }
    } else {
      diags->Error(m, "a merger must be {name, settings} or [name, option...]");
      continue;
    }
    if (spec.name.empty()) continue;
    if (!KnownMerger(spec.name)) {
      diags->Error(
          m, "unknown merger \"" + spec.name + "\" (known: dict, list, str)");
      continue;
    }
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<MergerSpec> CloudConfigPartMergers() {
  return {{"dict", {"replace"}}, {"list", {}}, {"str", {}}};
}

std::vector<MergerSpec> DefaultMergers() {
  return {{"dict", {}}, {"list", {}}, {"str", {}}};
}

Value MergeValues(const Value& base, const Value& with,
                  const std::vector<MergerSpec>& mergers) {
  return Merger(mergers).Merge(base, with);
}

Value MergeCloudConfigParts(std::vector<Value> parts,
                            const std::vector<std::string>& header_mergers,
                            Diagnostics* diags) {
  Value buf = Value::Map();
  for (size_t i = 0; i < parts.size(); ++i) {
    Value& part = parts[i];
    std::vector<MergerSpec> mergers = ExtractMergers(&part, diags);
    if (i < header_mergers.size() && !header_mergers[i].empty()) {
      Result<std::vector<MergerSpec>> h = ParseMergers(header_mergers[i]);
      if (h.ok()) {
        mergers.insert(mergers.end(), h->begin(), h->end());
      } else {
        Diagnostic d;
        d.file = part.file();
        d.message = "Merge-Type header: " + h.status().message();
        diags->Add(d);
      }
    }
    if (mergers.empty()) mergers = CloudConfigPartMergers();
    // Into nothing yet, a dict merger yields the part itself (a loaded
    // map's keys are unique): moved instead of copied key by key, which
    // for one large part was the largest copy of a run.
    bool dict =
        std::any_of(mergers.begin(), mergers.end(),
                    [](const MergerSpec& m) { return m.name == "dict"; });
    if (buf.is_map() && buf.entries().empty() && part.is_map() && dict) {
      buf = std::move(part);
      continue;
    }
    buf = MergeValues(buf, part, mergers);
  }
  return buf;
}

}  // namespace flamingo
