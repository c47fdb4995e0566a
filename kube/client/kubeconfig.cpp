// load_kubeconfig: the subset of clientcmd's kubeconfig reading Podvisor's components need.
// yaml-cpp throws on malformed input and on conversions; every exception is caught here
// and becomes an error naming the file and the entry.

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kube/client/config.hpp"
#include "kube/client/config_files.hpp"

namespace podvisor::kube::client {

namespace {

namespace fs = std::filesystem;

/// Reads one kubeconfig; every error starts with "kubeconfig PATH: ".
class kubeconfig_reader {
public:
  explicit kubeconfig_reader(fs::path file) : file_(std::move(file)), prefix_("kubeconfig " + file_.string() + ": ") {}

  expected<client_config> load(std::string_view context_name) {
    auto text = read_text_file(file_, "kubeconfig");
    if (!text)
      return text.error();
    YAML::Node root;
    try {
      root = YAML::Load(*text);
    } catch (const YAML::Exception& e) {
      return fail(errc::parse_error, "malformed YAML at line " + std::to_string(e.mark.line + 1) + ", column "
                                       + std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    try {
      return read(root, context_name);
    } catch (const YAML::Exception& e) {
      // A shape the checks below did not foresee (a map where a scalar belongs, ...).
      return fail(errc::parse_error, "unexpected structure: " + e.msg);
    }
  }

private:
  error fail(errc code, const std::string& what) const { return {code, prefix_ + what}; }

  /// A string member of `map`, "" when absent or null; an error when not a scalar.
  expected<std::string> str(const YAML::Node& map, const char* key, const std::string& where) const {
    auto node = map[key];
    if (!node || node.IsNull())
      return std::string{};
    if (!node.IsScalar())
      return fail(errc::parse_error, where + ": " + key + " must be a string");
    return node.as<std::string>();
  }

  /// A boolean member, false when absent.
  expected<bool> boolean(const YAML::Node& map, const char* key, const std::string& where) const {
    auto node = map[key];
    if (!node || node.IsNull())
      return false;
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
      return fail(errc::parse_error, where + ": " + key + " must be true or false");
    return value;
  }

  /// The inner map of the entry named `name` in the list `list` ("clusters", with inner
  /// key "cluster").
  expected<YAML::Node> named(const YAML::Node& root, const char* list, const char* inner, const std::string& name,
                             const std::string& referenced_by) const {
    auto entries = root[list];
    std::string label = std::string(inner) + " \"" + name + "\"";
    if (entries && !entries.IsNull() && !entries.IsSequence())
      return fail(errc::parse_error, std::string(list) + " must be a list");
    std::vector<std::string> names;
    if (entries && entries.IsSequence()) {
      for (const auto& entry : entries) {
        if (!entry.IsMap())
          return fail(errc::parse_error, std::string(list) + ": every entry must be a map with name and " + inner);
        auto n = str(entry, "name", list);
        if (!n)
          return n.error();
        if (*n != name) {
          names.push_back(*n);
          continue;
        }
        auto body = entry[inner];
        if (!body || body.IsNull())
          return YAML::Node(YAML::NodeType::Map);
        if (!body.IsMap())
          return fail(errc::parse_error, label + ": " + inner + " must be a map");
        return body;
      }
    }
    std::string known;
    for (const auto& n : names)
      known += (known.empty() ? "" : ", ") + n;
    return fail(errc::not_found, label + referenced_by + " not found in " + list
                                   + (known.empty() ? " (there are none)" : " (have: " + known + ")"));
  }

  /// A path from the kubeconfig, relative ones resolved against the file's directory as
  /// kubectl does.
  fs::path resolve(const std::string& p) const {
    fs::path path{p};
    return path.is_absolute() ? path : file_.parent_path() / path;
  }

  /// `data` (base64) or the file `path_key` names, as text; "" when neither is set.
  expected<std::string> data_or_file(const YAML::Node& map, const char* data_key, const char* path_key,
                                     const std::string& where) const {
    auto data = str(map, data_key, where);
    if (!data)
      return data.error();
    if (!data->empty()) {
      auto decoded = base64_decode(*data);
      if (!decoded)
        return fail(errc::parse_error, where + ": " + data_key + " is not valid base64");
      return *decoded;
    }
    auto path = str(map, path_key, where);
    if (!path)
      return path.error();
    if (path->empty())
      return std::string{};
    auto text = read_text_file(resolve(*path), path_key);
    if (!text)
      return fail(text.error().code, where + ": " + text.error().message);
    return *text;
  }

  expected<client_config> read(const YAML::Node& root, std::string_view context_arg) {
    if (!root.IsMap())
      return fail(errc::parse_error, "not a kubeconfig (the document is not a map)");
    client_config out;
    std::string context_name{context_arg};
    if (context_name.empty()) {
      auto current = str(root, "current-context", "kubeconfig");
      if (!current)
        return current.error();
      if (current->empty())
        return fail(errc::invalid_argument, "no current-context is set and no context was given");
      context_name = *current;
    }
    auto context = named(root, "contexts", "context", context_name, "");
    if (!context)
      return context.error();
    std::string context_label = "context \"" + context_name + "\"";
    auto cluster_name = str(*context, "cluster", context_label);
    if (!cluster_name)
      return cluster_name.error();
    if (cluster_name->empty())
      return fail(errc::invalid_argument, context_label + " names no cluster");
    auto user_name = str(*context, "user", context_label);
    if (!user_name)
      return user_name.error();
    auto ns = str(*context, "namespace", context_label);
    if (!ns)
      return ns.error();
    if (!ns->empty())
      out.namespace_ = *ns;

    if (auto e = read_cluster(root, *cluster_name, context_label, out))
      return e;
    if (!user_name->empty())
      if (auto e = read_user(root, *user_name, context_label, out))
        return e;
    return out;
  }

  error read_cluster(const YAML::Node& root, const std::string& name, const std::string& context_label,
                     client_config& out) const {
    auto cluster = named(root, "clusters", "cluster", name, " (used by " + context_label + ")");
    if (!cluster)
      return cluster.error();
    std::string label = "cluster \"" + name + "\"";
    auto server = str(*cluster, "server", label);
    if (!server)
      return server.error();
    if (server->empty())
      return fail(errc::invalid_argument, label + " has no server");
    out.server = *server;
    auto insecure = boolean(*cluster, "insecure-skip-tls-verify", label);
    if (!insecure)
      return insecure.error();
    out.insecure_skip_tls_verify = *insecure;
    auto ca = data_or_file(*cluster, "certificate-authority-data", "certificate-authority", label);
    if (!ca)
      return ca.error();
    if (!ca->empty() && !has_pem_block(*ca, "CERTIFICATE"))
      return fail(errc::parse_error, label + ": the certificate authority holds no PEM certificate");
    if (!ca->empty() && out.insecure_skip_tls_verify)
      // As clientcmd: trusting a CA and skipping verification contradict each other.
      return fail(errc::invalid_argument,
                  label + ": insecure-skip-tls-verify cannot be combined with a certificate authority");
    out.ca_pem = std::move(*ca);
    return {};
  }

  error read_user(const YAML::Node& root, const std::string& name, const std::string& context_label,
                  client_config& out) const {
    auto user = named(root, "users", "user", name, " (used by " + context_label + ")");
    if (!user)
      return user.error();
    const YAML::Node& entry = *user;
    std::string label = "user \"" + name + "\"";
    // Refuse credentials we cannot use rather than silently connecting anonymously.
    for (const char* key : {"exec", "auth-provider", "username", "password", "as"})
      if (entry[key] && !entry[key].IsNull())
        return fail(errc::unsupported, label + ": " + key + " is not supported (use a token, tokenFile or a client certificate)");
    auto token = str(entry, "token", label);
    if (!token)
      return token.error();
    out.token = trim(*token);
    auto token_file = str(entry, "tokenFile", label);
    if (!token_file)
      return token_file.error();
    if (!token_file->empty()) {
      out.token_file = resolve(*token_file);
      // Read once now, so that a missing file is reported with the kubeconfig that named it.
      auto content = read_text_file(out.token_file, "tokenFile");
      if (!content)
        return fail(content.error().code, label + ": " + content.error().message);
    }
    auto cert = data_or_file(entry, "client-certificate-data", "client-certificate", label);
    if (!cert)
      return cert.error();
    auto key = data_or_file(entry, "client-key-data", "client-key", label);
    if (!key)
      return key.error();
    if (cert->empty() != key->empty())
      return fail(errc::invalid_argument, label + ": a client certificate needs both a certificate and a key");
    if (!cert->empty() && !has_pem_block(*cert, "CERTIFICATE"))
      return fail(errc::parse_error, label + ": the client certificate holds no PEM certificate");
    if (!key->empty() && key->find("PRIVATE KEY-----") == std::string::npos)
      return fail(errc::parse_error, label + ": the client key holds no PEM private key");
    out.client_cert_pem = std::move(*cert);
    out.client_key_pem = std::move(*key);
    return {};
  }

  fs::path file_;
  std::string prefix_;
};

} // namespace

expected<client_config> load_kubeconfig(const std::filesystem::path& file, std::string_view context) {
  return kubeconfig_reader{file}.load(context);
}

} // namespace podvisor::kube::client
