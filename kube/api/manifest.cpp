#include "kube/api/manifest.hpp"

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "kube/api/json_text.hpp"
#include "kube/api/yaml_scalar.hpp"

namespace podvisor::kube::api {

namespace {

using nlohmann::json;

// Thrown from the event handler so that yaml-cpp's parser stops right where the problem
// is (before it recurses deeper, or before an alias bomb allocates); caught in
// load_manifests and never seen outside this file.
struct build_error {
  YAML::Mark mark;
  std::string message;
  bool limit = false; ///< a cap of manifest_limits was hit (not a plain syntax problem)
};

[[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
  throw build_error{mark, std::move(message)};
}

[[noreturn]] void fail_limit(const YAML::Mark& mark, std::string message) {
  throw build_error{mark, std::move(message), true};
}

std::string size_text(std::size_t bytes) {
  constexpr std::size_t mib = 1024 * 1024;
  if (bytes % mib == 0)
    return std::to_string(bytes / mib) + " MiB";
  return std::to_string(bytes) + " bytes";
}

/// What has been allocated so far, over all documents of one load.
struct budget {
  std::size_t nodes = 0;
  std::size_t text = 0;
};

/// A finished node on its way to its parent.
struct node {
  json value;
  std::size_t nodes = 1; ///< in this subtree, aliases expanded
  std::size_t text = 0;  ///< scalar bytes in this subtree
  std::optional<yaml_scalar> scalar; ///< set for scalars, which may become keys
  std::string value_error;           ///< set when the scalar has no JSON value (NaN)
  bool merge_key = false;            ///< a plain "<<"
};

/// Builds JSON documents from yaml-cpp's parse events, with go-yaml v2's meaning for
/// scalars, keys, anchors and merge keys ("<<").
class json_builder final : public YAML::EventHandler {
public:
  json_builder(const manifest_limits& limits, budget& used) : limits_(limits), used_(used) {}

  /// The document just parsed (null when it was empty).
  json take() { return std::exchange(root_, json()); }

  void OnDocumentStart(const YAML::Mark&) override {
    stack_.clear();
    anchors_.clear(); // yaml-cpp numbers anchors per document
    root_ = nullptr;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    yaml_scalar null_value;
    null_value.type = yaml_scalar::kind::null;
    scalar(mark, anchor, std::move(null_value), false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    yaml_scalar resolved;
    std::string error;
    if (!resolve_yaml_scalar(tag, value, resolved, error))
      fail(mark, error);
    scalar(mark, anchor, std::move(resolved), tag == yaml_plain_tag && value == "<<");
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end())
      fail(mark, "unknown anchor referenced");
    if (!it->second)
      fail(mark, "anchor value contains itself");
    // Charge before copying: this is where an alias bomb is stopped.
    charge(mark, it->second->nodes, it->second->text);
    node copy = *it->second;
    copy.merge_key = false;
    deliver(mark, std::move(copy));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

private:
  struct frame {
    json value;
    bool is_map = false;
    YAML::Mark mark;
    YAML::anchor_t anchor = 0;
    std::size_t nodes = 1;
    std::size_t text = 0;
    std::optional<std::string> key; ///< a mapping's key waiting for its value
    bool merging = false;           ///< the waiting key is "<<"
  };

  void charge(const YAML::Mark& mark, std::size_t nodes, std::size_t text) {
    used_.nodes += nodes;
    used_.text += text;
    if (used_.nodes > limits_.max_nodes)
      fail_limit(mark, "manifest expands to more than " + std::to_string(limits_.max_nodes)
                   + " nodes (aliases included)");
    if (used_.text > limits_.max_text_bytes)
      fail_limit(mark, "manifest expands to more than " + size_text(limits_.max_text_bytes)
                   + " of text (aliases included)");
  }

  void scalar(const YAML::Mark& mark, YAML::anchor_t anchor, yaml_scalar resolved, bool merge_key) {
    node n;
    n.text = resolved.string.size();
    charge(mark, 1, n.text);
    std::string error;
    if (!yaml_scalar_to_json(resolved, n.value, error))
      n.value_error = std::move(error);
    n.scalar = std::move(resolved);
    n.merge_key = merge_key;
    if (anchor != YAML::NullAnchor)
      anchors_[anchor] = n;
    deliver(mark, std::move(n));
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    if (!stack_.empty() && stack_.back().is_map && !stack_.back().key)
      fail(mark, "invalid map key: a mapping or sequence cannot be a key");
    if (stack_.size() >= limits_.max_depth)
      fail_limit(mark, "YAML nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    charge(mark, 1, 0);
    if (anchor != YAML::NullAnchor)
      anchors_[anchor] = std::nullopt; // being built: an alias to it now would be a cycle
    frame f;
    f.value = is_map ? json::object() : json::array();
    f.is_map = is_map;
    f.mark = mark;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    frame f = std::move(stack_.back());
    stack_.pop_back();
    node n;
    n.value = std::move(f.value);
    n.nodes = f.nodes;
    n.text = f.text;
    if (f.anchor != YAML::NullAnchor)
      anchors_[f.anchor] = n;
    deliver(f.mark, std::move(n));
  }

  void deliver(const YAML::Mark& mark, node n) {
    auto as_value = [&]() -> json {
      if (!n.value_error.empty())
        fail(mark, n.value_error);
      return std::move(n.value);
    };
    if (stack_.empty()) {
      root_ = as_value();
      return;
    }
    frame& top = stack_.back();
    top.nodes += n.nodes;
    top.text += n.text;
    if (!top.is_map) {
      top.value.push_back(as_value());
      return;
    }
    if (!top.key) { // this node is a key
      if (n.merge_key) {
        top.key.emplace();
        top.merging = true;
        return;
      }
      if (!n.scalar)
        fail(mark, "invalid map key: a mapping or sequence cannot be a key");
      std::string key, error;
      if (!yaml_scalar_to_key(*n.scalar, key, error))
        fail(mark, error);
      top.key = std::move(key);
      return;
    }
    if (top.merging)
      merge(mark, top.value, as_value());
    else
      top.value[*top.key] = as_value(); // a repeated key replaces the earlier one, as in go-yaml v2
    top.key.reset();
    top.merging = false;
  }

  // go-yaml v2 merges "<<" in document order: merged keys replace keys seen before the
  // "<<" and are replaced by keys after it; in a list, earlier maps win.
  static void merge(const YAML::Mark& mark, json& target, const json& source) {
    auto apply = [&](const json& map) {
      for (auto it = map.begin(); it != map.end(); ++it)
        target[it.key()] = it.value();
    };
    if (source.is_object()) {
      apply(source);
      return;
    }
    if (source.is_array()) {
      for (const auto& item : source)
        if (!item.is_object())
          fail(mark, "map merge requires map or sequence of maps as the value");
      for (auto it = source.rbegin(); it != source.rend(); ++it)
        apply(*it);
      return;
    }
    fail(mark, "map merge requires map or sequence of maps as the value");
  }

  const manifest_limits& limits_;
  budget& used_;
  std::vector<frame> stack_;
  std::map<YAML::anchor_t, std::optional<node>> anchors_;
  json root_;
};

// JSON has no aliases, but the same caps apply to what it builds. `depth` is bounded by
// parse_json's nesting limit, so the recursion is too.
void count_json(const json& j, budget& used) {
  ++used.nodes;
  if (j.is_string())
    used.text += j.get_ref<const std::string&>().size();
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) {
      used.text += it.key().size();
      count_json(it.value(), used);
    }
  else if (j.is_array())
    for (const auto& item : j)
      count_json(item, used);
}

bool looks_like_json(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

void set_position(manifest_error& error, const YAML::Mark& mark) {
  error.line = mark.line >= 0 ? static_cast<std::size_t>(mark.line) + 1 : 0;
  error.column = mark.column >= 0 ? static_cast<std::size_t>(mark.column) + 1 : 0;
}

} // namespace

std::string manifest_error::to_string() const {
  std::string out;
  if (!source.empty())
    out += source + ": ";
  std::string where;
  if (document != 0)
    where = "document " + std::to_string(document);
  if (line != 0) {
    if (!where.empty())
      where += ", ";
    where += "line " + std::to_string(line) + ", column " + std::to_string(column);
  }
  if (!where.empty())
    out += where + ": ";
  return out + message;
}

bool load_manifests(std::string_view text, std::vector<json>& out, manifest_error& error,
                    const manifest_limits& limits) {
  error = {};
  if (text.size() > limits.max_bytes) {
    error.message = "manifest is larger than " + size_text(limits.max_bytes);
    return false;
  }
  // kubectl reads text that starts like JSON as JSON. A JSON document stream or a YAML
  // flow mapping does not parse as one JSON value; YAML (a superset) gets a try then.
  std::string json_error;
  if (looks_like_json(text)) {
    json doc;
    if (parse_json(text, doc, json_error, limits.max_depth)) {
      budget used;
      count_json(doc, used);
      error.document = 1;
      if (used.nodes > limits.max_nodes) {
        error.message = "manifest has more than " + std::to_string(limits.max_nodes) + " nodes";
        return false;
      }
      if (used.text > limits.max_text_bytes) {
        error.message = "manifest has more than " + size_text(limits.max_text_bytes) + " of text";
        return false;
      }
      error = {};
      if (!doc.is_null())
        out.push_back(std::move(doc));
      return true;
    }
  }
  std::size_t document = 0;
  bool limit_hit = false;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    budget used;
    json_builder builder(limits, used);
    // Every document takes at least a few bytes of text ("---" between two), so more
    // documents than that is yaml-cpp going round in circles: on `{"":""},` it reports
    // empty documents without end (found by fuzz.api_manifest).
    const std::size_t most_documents = text.size() / 3 + 2;
    while (true) {
      if (++document > most_documents) {
        // Not a cap on the user's data: text that looked like JSON gets JSON's error.
        error.message = "the YAML parser stopped making progress (more documents than the text can hold)";
        break;
      }
      if (!parser.HandleNextDocument(builder))
        return true;
      json doc = builder.take();
      if (!doc.is_null())
        out.push_back(std::move(doc));
    }
  } catch (const build_error& e) {
    set_position(error, e.mark);
    error.message = e.message;
    limit_hit = e.limit;
  } catch (const YAML::Exception& e) {
    set_position(error, e.mark);
    error.message = e.msg;
  } catch (const std::bad_alloc&) {
    error.message = "out of memory while loading the manifest";
  } catch (const std::exception& e) {
    error.message = e.what();
  }
  error.document = document;
  // It looked like JSON: JSON's syntax error is the one that helps, unless YAML stopped
  // at one of our caps (hostile input such as "[[[[..." fails both ways).
  if (!json_error.empty() && !limit_hit) {
    error = {};
    error.document = 1;
    error.message = json_error;
  }
  return false;
}

bool load_manifests(std::string_view text, std::vector<json>& out, std::string& error) {
  manifest_error detail;
  if (load_manifests(text, out, detail))
    return true;
  error = detail.to_string();
  return false;
}

bool load_manifest_file(const std::filesystem::path& path, std::vector<json>& out,
                        manifest_error& error, const manifest_limits& limits) {
  namespace fs = std::filesystem;
  error = {};
  auto refuse = [&](std::string message) {
    error.source = path.string();
    error.message = std::move(message);
    return false;
  };
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (!fs::exists(status))
    return refuse("no such file");
  if (fs::is_directory(status))
    return refuse("is a directory, not a manifest file");
  if (fs::is_regular_file(status)) {
    auto size = fs::file_size(path, ec);
    if (!ec && size > limits.max_bytes)
      return refuse("file is larger than " + size_text(limits.max_bytes));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return refuse("cannot open file for reading");
  // Read at most one byte past the limit: the size may have changed since the check, and
  // pipes and /proc files report no size at all.
  std::string text;
  char buffer[64 * 1024];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(file.gcount()));
    if (text.size() > limits.max_bytes)
      return refuse("file is larger than " + size_text(limits.max_bytes));
  }
  if (file.bad())
    return refuse("error while reading the file");
  if (load_manifests(text, out, error, limits))
    return true;
  error.source = path.string();
  return false;
}

bool load_manifest_file(const std::filesystem::path& path, std::vector<json>& out, std::string& error) {
  manifest_error detail;
  if (load_manifest_file(path, out, detail))
    return true;
  error = detail.to_string();
  return false;
}

} // namespace podvisor::kube::api
