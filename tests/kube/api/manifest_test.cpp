#include "kube/api/manifest.hpp"

#include <chrono>
#include <fstream>
#include <random>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;
using nlohmann::json;

namespace {

std::vector<json> load_ok(std::string_view text) {
  std::vector<json> docs;
  manifest_error error;
  INFO(text);
  bool ok = load_manifests(text, docs, error);
  INFO(error.to_string());
  REQUIRE(ok);
  return docs;
}

manifest_error load_error(std::string_view text, const manifest_limits& limits = {}) {
  std::vector<json> docs;
  manifest_error error;
  CHECK_FALSE(load_manifests(text, docs, error, limits));
  CHECK_FALSE(error.message.empty());
  return error;
}

json value_of(const std::string& scalar) {
  auto docs = load_ok("v: " + scalar + "\n");
  REQUIRE(docs.size() == 1);
  return docs[0]["v"];
}

/// A directory under the system temp dir, removed when the test ends (also on failure).
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path()
           / ("podvisor-manifest-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    auto file = path / name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
};

} // namespace

TEST_CASE("manifests load from JSON", "[kube][api][manifest]") {
  auto docs = load_ok(R"(  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
    "spec":{"replicas":1.0,"big":9007199254740993,"tags":["a","b"]}})");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["metadata"]["name"] == "web");
  CHECK(docs[0]["spec"]["big"] == 9007199254740993LL);
  // JSON text is read as JSON: 1.0 stays a float, as Go's decoder sees it.
  CHECK(docs[0]["spec"]["replicas"].is_number_float());

  CHECK(load_ok(R"([{"a":1},{"b":2}])") == std::vector<json>{json::parse(R"([{"a":1},{"b":2}])")});
  CHECK(load_ok("null").empty());
  CHECK(load_ok("").empty());
  CHECK(load_ok("  \n# just a comment\n").empty());
}

TEST_CASE("manifests load a single YAML document", "[kube][api][manifest]") {
  auto docs = load_ok(R"(# a VM
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: testvm
  labels: {app: web, tier: "1"}
spec:
  running: false
  template:
    spec:
      domain:
        resources:
          requests:
            memory: 64Mi
            cpu: 0.5
        devices:
          disks:
          - name: containerdisk
            disk:
              bus: virtio
          - name: cloudinitdisk
            disk: {bus: virtio}
      volumes:
        - name: cloudinitdisk
          cloudInitNoCloud:
            userData: |
              #cloud-config
              password: fedora
)");
  REQUIRE(docs.size() == 1);
  auto expected = json::parse(R"({
    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
    "metadata": {"name": "testvm", "labels": {"app": "web", "tier": "1"}},
    "spec": {"running": false, "template": {"spec": {
      "domain": {"resources": {"requests": {"memory": "64Mi", "cpu": 0.5}},
                 "devices": {"disks": [{"name": "containerdisk", "disk": {"bus": "virtio"}},
                                       {"name": "cloudinitdisk", "disk": {"bus": "virtio"}}]}},
      "volumes": [{"name": "cloudinitdisk",
                   "cloudInitNoCloud": {"userData": "#cloud-config\npassword: fedora\n"}}]}}}})");
  CHECK(docs[0] == expected);
}

TEST_CASE("manifests load multi-document YAML and skip empty documents", "[kube][api][manifest]") {
  auto docs = load_ok("---\na: 1\n---\n---\nb: 2\n...\n---\n# only a comment\n---\nnull\n--- ~\n---\n- x\n");
  REQUIRE(docs.size() == 3);
  CHECK(docs[0] == json::parse(R"({"a":1})"));
  CHECK(docs[1] == json::parse(R"({"b":2})"));
  CHECK(docs[2] == json::parse(R"(["x"])"));
  // A JSON document stream is YAML too.
  CHECK(load_ok("{\"a\": 1}\n---\n{\"b\": 2}\n").size() == 2);
  // A flow mapping that is not JSON still loads as YAML.
  CHECK(load_ok("{a: yes}") == std::vector<json>{json::parse(R"({"a":true})")});
}

TEST_CASE("manifest scalars resolve as sigs.k8s.io/yaml resolves them", "[kube][api][manifest]") {
  struct {
    std::string in;
    json out;
  } cases[] = {
    {"true", true},    {"yes", true},    {"Yes", true},    {"on", true},      {"y", true},
    {"false", false},  {"no", false},    {"OFF", false},   {"n", false},      {"~", nullptr},
    {"null", nullptr}, {"", nullptr},    {"NULL", nullptr}, {"42", 42},       {"-7", -7},
    {"0x1F", 31},      {"0o17", 15},     {"017", 15},      {"1_000", 1000},   {"1.5", 1.5},
    {"1e3", 1000},     {"2.0", 2},       {".5", 0.5},      {"1Gi", "1Gi"},    {"500m", "500m"},
    {"yes please", "yes please"},        {"2024-05-01", "2024-05-01"},        {"+", "+"},
    {"\"yes\"", "yes"}, {"'no'", "no"},  {"\"1\"", "1"},   {"'0x1F'", "0x1F"}, {"\"null\"", "null"},
    {"'~'", "~"},      {"\"\"", ""},     {"!!str 5", "5"}, {"!!int \"5\"", 5}, {"! true", "true"},
    {"!custom 5", "5"}, {"|\n  true\n", "true\n"}, {">-\n  on\n", "on"},
  };
  for (const auto& c : cases) {
    INFO("v: " << c.in);
    auto got = value_of(c.in);
    CHECK(got == c.out);
    CHECK(got.type() == c.out.type());
  }
}

TEST_CASE("manifest keys are always strings", "[kube][api][manifest]") {
  auto docs = load_ok("1: a\ntrue: b\n1.5: c\n0x10: d\n\"quoted\": e\n1e6: f\nno: g\n'2': h\n");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0] == json::parse(R"({"1":"a","true":"b","1.5":"c","16":"d","quoted":"e",
    "1e+06":"f","false":"g","2":"h"})"));

  auto error = load_error("a: 1\n~: 2\n");
  CHECK(error.message == "unsupported map key of type: <nil>");
  CHECK(error.line == 2);
  error = load_error("a: 1\n? [x]\n: 2\n");
  CHECK(error.message.find("invalid map key") == 0);
  CHECK(error.line == 2);
}

TEST_CASE("manifest anchors, aliases and merge keys work as in go-yaml v2", "[kube][api][manifest]") {
  auto docs = load_ok(R"(
base: &base {cpu: 1, memory: 1Gi}
copy: *base
name: &n web
names: [*n, *n]
derived:
  <<: *base
  memory: 2Gi
before:
  memory: 4Gi
  <<: *base
list:
  <<: [{a: 1, b: 1}, {b: 2, c: 2}]
quoted:
  "<<": not a merge
)");
  REQUIRE(docs.size() == 1);
  const auto& d = docs[0];
  CHECK(d["copy"] == json::parse(R"({"cpu":1,"memory":"1Gi"})"));
  CHECK(d["names"] == json::parse(R"(["web","web"])"));
  CHECK(d["derived"] == json::parse(R"({"cpu":1,"memory":"2Gi"})"));
  // go-yaml v2 merges in document order: a "<<" after a key overrides it.
  CHECK(d["before"] == json::parse(R"({"cpu":1,"memory":"1Gi"})"));
  // In a merge list, earlier maps win.
  CHECK(d["list"] == json::parse(R"({"a":1,"b":1,"c":2})"));
  CHECK(d["quoted"] == json::parse(R"({"<<":"not a merge"})"));

  auto error = load_error("a: 1\nb:\n  <<: 5\n");
  CHECK(error.message == "map merge requires map or sequence of maps as the value");
  CHECK(error.line == 3);
  error = load_error("x: &a [1, *a]\n");
  CHECK(error.message == "anchor value contains itself");
  error = load_error("x: *nope\n");
  CHECK(error.message == "the referenced anchor is not defined");
}

TEST_CASE("manifest errors carry document, line and column", "[kube][api][manifest]") {
  auto error = load_error("a: 1\nb: 2\n  c: 3\n");
  CHECK(error.document == 1);
  CHECK(error.line == 3);
  CHECK(error.column == 4);
  CHECK(error.message == "illegal map value");
  CHECK(error.to_string() == "document 1, line 3, column 4: illegal map value");

  error = load_error("a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 3\n");
  CHECK(error.document == 3);
  CHECK(error.line == 6);
  CHECK(error.message == "end of sequence flow not found");

  error = load_error("kind: Pod\nspec:\n  n: !!int abc\n");
  CHECK(error.line == 3);
  CHECK(error.column == 6);
  CHECK(error.message == "cannot decode !!str `abc` as a !!int");

  error = load_error("a:\n  - 1\n  - .nan\n");
  CHECK(error.message == "json: unsupported value: NaN");
  CHECK(error.line == 3);

  error = load_error(R"({"a": [1, 2})");
  CHECK(error.document == 1);
  CHECK(error.message.find("invalid JSON") == 0); // looked like JSON: JSON's error is reported

  std::vector<json> docs;
  std::string text_error;
  CHECK_FALSE(load_manifests("ok: 1\n---\nb: [\n", docs, text_error));
  CHECK(text_error.find("document 2, line ") == 0);
  REQUIRE(docs.size() == 1); // documents before the failing one are kept
  CHECK(docs[0] == json::parse(R"({"ok":1})"));
}

TEST_CASE("manifest nesting is capped without crashing", "[kube][api][manifest]") {
  auto repeat = [](std::string_view unit, int times) {
    std::string s;
    for (int i = 0; i < times; ++i)
      s += unit;
    return s;
  };
  std::string block; // 150 levels of block mappings
  for (int i = 0; i < 150; ++i)
    block += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
  const std::string too_deep[] = {
    std::string(100000, '['),                                   // unterminated flow sequences
    std::string(1000, '[') + std::string(1000, ']'),            // JSON
    repeat("- ", 100000) + "x\n",                              // compact block sequences
    repeat("{a: ", 1000) + "1" + std::string(1000, '}'),        // flow mappings
    "x: " + repeat("[{b: ", 500) + "1" + repeat("}]", 500),     // mixed flow nodes
    block,
  };
  for (const auto& text : too_deep) {
    auto error = load_error(text);
    INFO(error.to_string());
    CHECK(error.message.find("nested deeper than 100 levels") != std::string::npos);
  }
  // Malformed and deep: any clear error will do, as long as nothing crashes.
  for (const auto& text : {std::string(100000, '{'), repeat("{a: ", 100000), repeat("? ", 100000)}) {
    auto error = load_error(text);
    CHECK(error.document == 1);
  }
  // Exactly at the limit is fine, one more is not.
  CHECK(load_ok(std::string(100, '[') + std::string(100, ']')).size() == 1);
  CHECK(load_ok("x: " + std::string(99, '[') + std::string(99, ']')).size() == 1);
  CHECK(load_error("x: " + std::string(100, '[') + std::string(100, ']')).line == 1);
}

TEST_CASE("manifest alias bombs are refused", "[kube][api][manifest]") {
  const std::string laughs = R"(
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
)";
  auto start = std::chrono::steady_clock::now();
  auto error = load_error(laughs);
  CHECK(error.message == "manifest expands to more than 1000000 nodes (aliases included)");
  CHECK(error.line >= 7);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));

  // A long string repeated through aliases hits the text cap instead.
  std::string text = "s: &s \"" + std::string(1024 * 1024, 'x') + "\"\nl: [";
  for (int i = 0; i < 40; ++i)
    text += "*s,";
  text += "*s]\n";
  error = load_error(text);
  CHECK(error.message == "manifest expands to more than 32 MiB of text (aliases included)");

  // Smaller limits apply as given.
  manifest_limits small;
  small.max_nodes = 10;
  CHECK(load_error("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", small).message.find("more than 10 nodes") != std::string::npos);
}

TEST_CASE("manifest text and files over the size limit are refused", "[kube][api][manifest]") {
  std::string big(8 * 1024 * 1024 + 1, '#');
  CHECK(load_error(big).message == "manifest is larger than 8 MiB");

  temp_dir dir;
  std::vector<json> docs;
  manifest_error error;
  CHECK_FALSE(load_manifest_file(dir.write("big.yaml", big), docs, error));
  CHECK(error.message == "file is larger than 8 MiB");
  CHECK(error.to_string() == (dir.path / "big.yaml").string() + ": file is larger than 8 MiB");
}

TEST_CASE("manifest files load, and missing ones fail clearly", "[kube][api][manifest]") {
  temp_dir dir;
  std::vector<json> docs;
  std::string error;
  REQUIRE(load_manifest_file(dir.write("vm.yaml", "kind: A\n---\nkind: B\n"), docs, error));
  REQUIRE(docs.size() == 2);
  CHECK(docs[1]["kind"] == "B");

  docs.clear();
  CHECK_FALSE(load_manifest_file(dir.path / "missing.yaml", docs, error));
  CHECK(error == (dir.path / "missing.yaml").string() + ": no such file");
  CHECK_FALSE(load_manifest_file(dir.path, docs, error));
  CHECK(error == dir.path.string() + ": is a directory, not a manifest file");
  CHECK_FALSE(load_manifest_file(dir.write("bad.yaml", "a: 1\n  b: 2\n"), docs, error));
  CHECK(error == (dir.path / "bad.yaml").string() + ": document 1, line 2, column 4: illegal map value");
  CHECK(docs.empty());
}

TEST_CASE("manifest strings are valid UTF-8 after loading", "[kube][api][manifest]") {
  auto docs = load_ok("a: \"caf\xc3\xa9\"\nb: x\xffy\n");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["a"] == "caf\xc3\xa9");
  CHECK(docs[0]["b"] == "x\xEF\xBF\xBDy");
  CHECK_NOTHROW(docs[0].dump());
}

TEST_CASE("text on which yaml-cpp reports empty documents without end is refused at once",
          "[kube][api][manifest]") {
  // Found by fuzz.api_manifest: yaml-cpp keeps reporting empty documents after a flow
  // mapping followed by a comma. Text that looks like JSON gets JSON's own error.
  auto json_like = load_error(R"({"":""},)");
  CHECK(json_like.document == 1);
  CHECK(json_like.message.find("invalid JSON") == 0);
  // Otherwise the YAML parser's lack of progress is named; either way no million
  // documents are built first.
  auto yaml_like = load_error("a: 1\n---\n{\"\":\"\"},");
  INFO(yaml_like.message);
  CHECK(yaml_like.message.find("stopped making progress") != std::string::npos);
  CHECK(yaml_like.document < 20);
}
