#include "sources/userdata.h"

#include <cctype>
#include <cstdio>
#include <set>

#include "engine/codec.h"
#include "engine/text.h"
#include "schemas/yaml_loader.h"
#include "sources/merge.h"
#include "sources/mime.h"

namespace flamingo {

namespace {

bool IsDecompType(const std::string& t) {
  static const std::set<std::string> kTypes = {
      "application/gzip",         "application/gzip-compressed",
      "application/gzipped",      "application/x-compress",
      "application/x-compressed", "application/x-gunzip",
      "application/x-gzip",       "application/x-gzip-compressed"};
  return kTypes.count(t) > 0;
}

bool IsUnsupportedKnownType(const std::string& t) {
  static const std::set<std::string> kTypes = {
      "text/cloud-boothook",
      "text/part-handler",
      "text/jinja2",
      "text/cloud-config-jsonp",
      "text/x-shellscript-per-boot",
      "text/x-shellscript-per-instance",
      "text/x-shellscript-per-once",
      "text/upstart-job"};
  return kTypes.count(t) > 0;
}

std::string FirstLine(std::string_view s) {
  std::string t = TrimSpace(s);
  size_t nl = t.find('\n');
  if (nl != std::string::npos) t = t.substr(0, nl);
  if (t.size() > 40) t = t.substr(0, 40) + "...";
  return t;
}

std::optional<int> ParseIndex(const std::string& s) {
  std::string t = TrimSpace(s);
  if (t.empty() || t.size() > 9) return std::nullopt;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoi(t);
}

// A part to process. Its payload is a view: the blob, a MIME body, a
// decompressed copy or an archive entry's text, each owned by a caller's
// frame for as long as the part is processed (the user-data is never copied
// whole: 1.2 MB at 10,000 files).
struct Leaf {
  std::string ctype;
  std::string_view payload;
  std::string filename;
  std::string launch_index;  // header value or ""
  std::string merge_type;    // Merge-Type header or ""
};

class Processor {
 public:
  Processor(const UserDataOptions& opts, Diagnostics* diags, Logger* logger)
      : opts_(opts), diags_(diags), logger_(logger) {}

  void ProcessBlob(std::string_view raw, const std::string& origin, int depth) {
    std::string_view data = raw;
    std::string decompressed;
    if (LooksGzipped(data)) {
      Result<std::string> d = GunzipLimited(data, opts_.max_decompressed_bytes);
      if (!d.ok()) return Error(origin, d.status().message());
      decompressed = std::move(d.value());
      data = decompressed;
    }
    if (AsciiLower(std::string_view(data).substr(0, 4096))
            .find("mime-version:") != std::string::npos) {
      Result<MimePart> msg = ParseMime(data);
      if (!msg.ok()) return Error(origin, msg.status().message());
      std::vector<const MimePart*> leaves;
      CollectLeaves(*msg, &leaves);
      for (const MimePart* p : leaves) {
        Leaf l;
        l.ctype = p->content_type;
        l.payload = p->body;
        l.filename = p->Filename();
        l.launch_index = p->Header("launch-index");
        l.merge_type = p->Header("merge-type");
        if (l.merge_type.empty()) l.merge_type = p->Header("x-merge-type");
        ProcessLeaf(std::move(l), origin, true, depth);
      }
      return;
    }
    Leaf l;
    l.ctype = "text/x-not-multipart";
    l.payload = data;
    ProcessLeaf(std::move(l), origin, false, depth);
  }

  void Finish(ProcessedUserData* out) {
    out->config =
        MergeCloudConfigParts(std::move(cc_parts_), cc_headers_, diags_);
    out->scripts = std::move(scripts_);
    out->part_types = std::move(types_);
  }

 private:
  void Error(const std::string& origin, std::string msg) {
    Diagnostic d;
    d.file = origin;
    d.message = std::move(msg);
    diags_->Add(std::move(d));
  }
  void Warn(const std::string& origin, std::string msg) {
    Diagnostic d;
    d.severity = Severity::kWarning;
    d.file = origin;
    d.message = std::move(msg);
    diags_->Add(std::move(d));
  }

  void ProcessLeaf(Leaf l, const std::string& origin, bool mime, int depth) {
    std::string decompressed;
    if (IsDecompType(l.ctype)) {
      Result<std::string> d =
          GunzipLimited(l.payload, opts_.max_decompressed_bytes);
      if (!d.ok()) {
        return Error(origin,
                     "part of type " + l.ctype + ": " + d.status().message());
      }
      decompressed = std::move(d.value());
      l.payload = decompressed;
      l.ctype = "text/plain";
    }
    if (l.ctype == "text/plain" || l.ctype == "text/x-not-multipart" ||
        l.ctype == "text/x-shellscript") {
      std::string t = TypeFromStartsWith(l.payload);
      if (!t.empty()) l.ctype = t;
    }
    if (l.ctype == "text/x-include-url" ||
        l.ctype == "text/x-include-once-url") {
      types_.push_back(l.ctype);
      return DoInclude(l.payload, origin, depth);
    }
    if (l.ctype == "text/cloud-config-archive") {
      types_.push_back(l.ctype);
      return ExplodeArchive(l.payload, origin);
    }
    Attach(std::move(l), origin, mime);
  }

  void Attach(Leaf l, const std::string& origin, bool mime) {
    ++count_;
    if (static_cast<size_t>(count_) > opts_.max_parts) {
      if (static_cast<size_t>(count_) == opts_.max_parts + 1) {
        Error(origin, "more than " + std::to_string(opts_.max_parts) +
                          " user-data parts");
      }
      return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "part-%03d", count_);
    std::string name = l.filename.empty() ? std::string(buf) : l.filename;
    std::string where = mime ? origin + "/" + name : origin;
    if (opts_.launch_index && !l.launch_index.empty()) {
      std::optional<int> idx = ParseIndex(l.launch_index);
      if (idx && *idx != *opts_.launch_index) {
        if (logger_)
          logger_->Debug(where + ": skipped (launch-index " + l.launch_index +
                         ")");
        return;
      }
    }
    types_.push_back(l.ctype);
    if (l.ctype == "text/cloud-config") {
      YamlLoadLimits limits;
      limits.item_sink = opts_.item_sink;
      std::optional<Value> v = LoadYaml(l.payload, where, diags_, limits);
      if (!v || v->is_null()) return;
      if (!v->is_map()) {
        Diagnostic d;
        d.file = where;
        d.line = v->line();
        d.col = v->col();
        d.message = std::string("cloud-config must be a mapping, not ") +
                    Value::TypeName(v->type());
        diags_->Add(std::move(d));
        return;
      }
      if (opts_.launch_index) {
        if (const Value* li = v->Get("launch-index"); li && li->is_scalar()) {
          std::optional<int> idx = ParseIndex(li->ScalarText());
          if (idx && *idx != *opts_.launch_index) return;
        }
      }
      cc_parts_.push_back(std::move(*v));
      cc_headers_.push_back(l.merge_type);
      return;
    }
    if (l.ctype == "text/x-shellscript") {
      if (l.payload.rfind("#!", 0) != 0) {
        return Warn(
            where,
            "text/x-shellscript part does not start with \"#!\"; ignored");
      }
      scripts_.push_back(ScriptPart{name, std::string(l.payload)});
      return;
    }
    if (l.ctype == "text/x-not-multipart") {
      if (!TrimSpace(l.payload).empty()) {
        Warn(where,
             "unhandled user-data (not cloud-config, a script, an include or "
             "MIME): '" +
                 FirstLine(l.payload) + "'");
      }
      return;
    }
    if (IsUnsupportedKnownType(l.ctype)) {
      return Warn(where, "part type " + l.ctype +
                             " is not supported by flamingo; part ignored");
    }
    Warn(where, "unknown part type " + l.ctype + "; part ignored");
  }

  void DoInclude(std::string_view payload, const std::string& origin,
                 int depth) {
    bool once = false;
    size_t pos = 0;
    while (pos < payload.size()) {
      size_t nl = payload.find('\n', pos);
      std::string line(payload.substr(
          pos, nl == std::string::npos ? std::string::npos : nl - pos));
      pos = nl == std::string::npos ? payload.size() : nl + 1;
      std::string lc = AsciiLower(line);
      if (lc.rfind("#include-once", 0) == 0) {
        line = TrimSpace(line.substr(13));
        once = true;
      } else if (lc.rfind("#include", 0) == 0) {
        line = TrimSpace(line.substr(8));
        once = false;
      }
      if (!line.empty() && line[0] == '#') continue;
      std::string url = TrimSpace(line);
      if (url.empty()) continue;
      if (once && included_once_.count(url)) continue;
      for (const std::string& s : stack_) {
        if (s == url) {
          std::string chain;
          for (const std::string& x : stack_) chain += x + " -> ";
          return Error(origin, "#include loop: " + chain + url);
        }
      }
      if (depth + 1 > opts_.max_include_depth) {
        return Error(origin, "#include " + url + ": nested deeper than " +
                                 std::to_string(opts_.max_include_depth) +
                                 " levels");
      }
      if (!opts_.fetcher) {
        Error(origin, "#include " + url + ": no fetcher available");
        continue;
      }
      Result<std::string> body = FetchBody(opts_.fetcher, url, opts_.policy);
      if (!body.ok()) {
        Error(origin, "#include: " + body.status().message());
        continue;
      }
      if (once) included_once_.insert(url);
      stack_.push_back(url);
      ProcessBlob(*body, url, depth + 1);
      stack_.pop_back();
    }
  }

  void ExplodeArchive(std::string_view payload, const std::string& origin) {
    std::optional<Value> v = LoadYaml(payload, origin, diags_);
    if (!v || v->is_null()) return;
    if (!v->is_list()) {
      return diags_->Error(*v, "#cloud-config-archive must be a list");
    }
    for (const Value& ent : v->items()) {
      Leaf l;
      std::string content_text;  // l.payload's bytes for a map entry
      if (ent.is_string()) {
        l.payload = ent.text();
      } else if (ent.is_map()) {
        const Value* content = ent.Get("content");
        if (content && !content->is_scalar()) {
          diags_->Warning(
              *content,
              "archive entry content must be a string; entry ignored");
          continue;
        }
        if (content) {
          content_text = content->ScalarText();
          l.payload = content_text;
        }
        for (const auto& [k, hv] : ent.entries()) {
          std::string lk = AsciiLower(k);
          if (lk == "type") l.ctype = AsciiLower(TrimSpace(hv.ScalarText()));
          if (lk == "filename") l.filename = hv.ScalarText();
          if (lk == "launch-index") l.launch_index = hv.ScalarText();
          if (lk == "merge-type" || lk == "x-merge-type")
            l.merge_type = hv.ScalarText();
        }
      } else {
        continue;  // cloud-init skips other entries
      }
      if (l.ctype.empty()) {
        l.ctype = TypeFromStartsWith(l.payload);
        if (l.ctype.empty()) l.ctype = "text/cloud-config";
      }
      if (l.ctype.find('/') == std::string::npos) {
        diags_->Warning(ent, "archive entry type \"" + l.ctype +
                                 "\" is not a MIME type; ignored");
        continue;
      }
      Attach(std::move(l), origin, true);
    }
  }

  const UserDataOptions& opts_;
  Diagnostics* diags_;
  Logger* logger_;
  int count_ = 0;
  std::vector<Value> cc_parts_;
  std::vector<std::string> cc_headers_;
  std::vector<ScriptPart> scripts_;
  std::vector<std::string> types_;
  std::vector<std::string> stack_;
  std::set<std::string> included_once_;
};

}  // namespace

bool IsUserDataContainer(std::string_view blob) {
  if (LooksGzipped(blob)) return true;
  if (AsciiLower(blob.substr(0, 4096)).find("mime-version:") !=
      std::string::npos)
    return true;
  std::string t = TypeFromStartsWith(blob);
  return !t.empty() && t != "text/cloud-config";
}

std::string TypeFromStartsWith(std::string_view payload) {
  static const std::pair<const char*, const char*> kPrefixes[] = {
      {"#cloud-config-archive", "text/cloud-config-archive"},
      {"#cloud-config-jsonp", "text/cloud-config-jsonp"},
      {"## template: jinja", "text/jinja2"},
      {"#include-once", "text/x-include-once-url"},
      {"#cloud-boothook", "text/cloud-boothook"},
      {"#cloud-config", "text/cloud-config"},
      {"#part-handler", "text/part-handler"},
      {"#include", "text/x-include-url"},
      {"#upstart-job", "text/upstart-job"},
      {"#!", "text/x-shellscript"},
  };
  size_t b = 0;
  while (b < payload.size() &&
         std::isspace(static_cast<unsigned char>(payload[b])))
    ++b;
  std::string head = AsciiLower(payload.substr(b, 32));
  for (const auto& [prefix, type] : kPrefixes) {
    if (head.rfind(prefix, 0) == 0) return type;
  }
  return "";
}

ProcessedUserData DecodeUserData(std::string_view blob,
                                 const std::string& source,
                                 const UserDataOptions& options,
                                 Diagnostics* diags, Logger* logger) {
  ProcessedUserData out;
  if (blob.empty()) return out;
  UserDataOptions opts = options;
  // One document only: a container's parts are merged as trees.
  if (IsUserDataContainer(blob)) opts.item_sink = nullptr;
  Processor p(opts, diags, logger);
  p.ProcessBlob(blob, source, 0);
  p.Finish(&out);
  return out;
}

ProcessedUserData ProcessUserData(std::string_view user_data,
                                  std::string_view vendor_data,
                                  const UserDataOptions& options,
                                  Diagnostics* diags, Logger* logger,
                                  const std::string& user_name,
                                  const std::string& vendor_name) {
  // Vendor-data is merged beneath the user-data as trees: nothing streams.
  UserDataOptions no_sink = options;
  no_sink.item_sink = nullptr;
  ProcessedUserData user =
      DecodeUserData(user_data, user_name,
                     vendor_data.empty() ? options : no_sink, diags, logger);
  bool vendor_enabled = true;
  if (const Value* vd = user.config.Get("vendor_data"); vd && vd->is_map()) {
    if (const Value* en = vd->Get("enabled");
        en && en->is_bool() && !en->as_bool()) {
      vendor_enabled = false;
    }
  }
  if (vendor_data.empty() || !vendor_enabled) {
    if (!vendor_data.empty() && logger)
      logger->Info("vendor-data disabled by user-data");
    return user;
  }
  ProcessedUserData vendor =
      DecodeUserData(vendor_data, vendor_name, no_sink, diags, logger);
  ProcessedUserData out;
  out.config =
      MergeValues(MergeValues(Value::Map(), user.config, DefaultMergers()),
                  vendor.config, DefaultMergers());
  out.scripts = std::move(user.scripts);
  for (ScriptPart& s : vendor.scripts) {
    s.name = "vendor-" + s.name;
    out.scripts.push_back(std::move(s));
  }
  out.part_types = std::move(user.part_types);
  for (std::string& t : vendor.part_types)
    out.part_types.push_back("vendor:" + t);
  return out;
}

}  // namespace flamingo
