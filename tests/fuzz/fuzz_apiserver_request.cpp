// libFuzzer harness: one API request → api_handler::handle, the HTTP-independent entry of
// the embedded API server (routing, query parsing, body decoding, patches, selectors,
// admission, the store, watches). Every input must get an HTTP answer; a crash, leak,
// hang or sanitizer report is a bug.
//
// Input layout (text, so that seeds are readable and mutations stay meaningful):
//
//   METHOD TARGET\n        GET, POST, PUT, PATCH or DELETE (anything else: first byte % 5),
//                          then the request target: percent-encoded path [? query]
//   CONTENT-TYPE\n         the Content-Type header ("" for none)
//   ACCEPT\n               the Accept header ("" for none)
//   BODY                   everything after the third newline
//
// Missing lines are empty. The target is split and decoded as the HTTP layer
// (cpp-httplib, see http_server.cpp) does: the path percent-decoded without '+' → ' ', the
// query parsed by the project's own parse_query.
//
// The store is created once, in a temp directory under /tmp removed at exit, and seeded
// with the "default" namespace, a VMI "testvmi" and a few more objects (`world_seeds`), so
// that GET/PUT/PATCH/DELETE inputs reach real objects. Inputs change it (that is the
// point), so the world is rebuilt when it grows large or loses its seeds (`world_usable`).
//
// Run: ctest -R fuzz.apiserver_request (60 s), or by hand
//   tests/fuzz/run-fuzzer.sh run build/fuzz-build apiserver_request SECONDS tests/fuzz/corpus/apiserver_request
// PODVISOR_FUZZ_TRAP_500=1 makes every 500 answer a finding; PODVISOR_FUZZ_VERBOSE=1
// prints each request and the start of its answer (for writing seeds).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include <unistd.h>

#include "kube/apiserver/resources/builtin_resources.hpp"
#include "kube/apiserver/server/api_handler.hpp"
#include "kube/apiserver/server/query.hpp"
#include "kube/apiserver/server/watch_session.hpp"

namespace {

using namespace podvisor::kube::apiserver;

// Inputs beyond this are rejected: the server's own limit (3 MiB) is tested elsewhere,
// and large bodies only make each execution slower without reaching new code.
constexpr std::size_t max_input = 64 * 1024;
// The store is rebuilt beyond this many objects, so that list, deletecollection and watch
// from RV 0 stay cheap (their cost grows with the store, which is not a bug).
constexpr std::size_t max_objects = 400;

/// What every world starts with: the "default" namespace, a running VMI "testvmi" (with
/// a finalizer, so that DELETE leaves it terminating), a pod "web" bound to a node, the node, and
/// a CustomResourceDefinition with printer columns and one object of it, so that inputs
/// reach real objects of every kind of resource (built-in, kubevirt.io, custom).
struct seed_request {
  const char* method;
  const char* path;
  const char* content_type;
  int expected_status;
  std::string_view body;
};

constexpr seed_request world_seeds[] = {
  {"POST", "/api/v1/namespaces", "application/json", 201,
   R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}})"},
  {"POST", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances", "application/json", 201,
   R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
       "metadata":{"name":"testvmi","namespace":"default","labels":{"app":"testvmi"},
                   "finalizers":["kubevirt.io/virtualMachineControllerFinalize"]},
       "spec":{"domain":{"resources":{"requests":{"memory":"128Mi"}},
                         "devices":{"disks":[{"name":"containerdisk","disk":{"bus":"virtio"}}],
                                    "interfaces":[{"name":"default","masquerade":{}}]}},
               "networks":[{"name":"default","pod":{}}],
               "terminationGracePeriodSeconds":0,
               "volumes":[{"name":"containerdisk","containerDisk":{"image":"quay.io/kubevirt/cirros-container-disk-demo"}}]}})"},
  // A status, so that status PUT/PATCH inputs have something to change.
  {"PATCH", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/testvmi/status",
   "application/merge-patch+json", 200,
   R"({"status":{"phase":"Running","nodeName":"node01","conditions":[{"type":"Ready","status":"True"}]}})"},
  {"POST", "/api/v1/namespaces/default/pods", "application/json", 201,
   R"({"apiVersion":"v1","kind":"Pod",
       "metadata":{"name":"web","labels":{"app":"web","kubevirt.io":"virt-launcher"}},
       "spec":{"nodeName":"node01","terminationGracePeriodSeconds":30,
               "containers":[{"name":"compute","image":"virt-launcher","ports":[{"containerPort":80,"protocol":"TCP"}],
                              "env":[{"name":"A","value":"1"}]},
                             {"name":"sidecar","image":"busybox"}]}})"},
  {"POST", "/api/v1/nodes", "application/json", 201,
   R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node01","labels":{"kubernetes.io/hostname":"node01"}},
       "status":{"conditions":[{"type":"Ready","status":"True"}],
                 "addresses":[{"type":"InternalIP","address":"10.0.0.1"}],
                 "nodeInfo":{"kubeletVersion":"v1.30.0"}}})"},
  {"POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/json", 201,
   R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
       "metadata":{"name":"widgets.example.com"},
       "spec":{"group":"example.com","scope":"Namespaced",
               "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
               "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                            "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"},
                                                        {"name":"Tags","type":"string","jsonPath":".spec.tags[*].name"},
                                                        {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}],
                            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})"},
  {"POST", "/apis/example.com/v1/namespaces/default/widgets", "application/json", 201,
   R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},
       "spec":{"size":3,"tags":[{"name":"a"},{"name":"b"}]}})"},
};

/// One store with its registry and handler. The registry is per world because created
/// CustomResourceDefinitions register resources in it.
struct world {
  std::filesystem::path dir;
  std::unique_ptr<store> db;
  std::unique_ptr<resource_registry> registry;
  std::unique_ptr<api_handler> handler;

  ~world() {
    // The handler refers to the store and the registry: it goes first.
    handler.reset();
    registry.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

std::filesystem::path g_root;  // the temp directory, removed at exit
std::unique_ptr<world> g_world; // heap-owned so that cleanup runs in our atexit handler
unsigned g_generation = 0;
bool g_trap_500 = false;
bool g_verbose = false; // PODVISOR_FUZZ_VERBOSE=1: print each request and answer (writing seeds)

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_apiserver_request: %s\n", what.c_str());
  std::abort();
}

api_request make_request(std::string method, std::string path, std::string body,
                         std::string content_type = "application/json") {
  api_request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

void seed(world& w) {
  for (const auto& seed : world_seeds) {
    auto r = w.handler->handle(make_request(seed.method, seed.path, std::string(seed.body), seed.content_type));
    if (r.status != seed.expected_status)
      fail(std::string("seeding ") + seed.method + " " + seed.path + ": " + std::to_string(r.status) + " " + r.body);
  }
}

std::unique_ptr<world> make_world() {
  auto w = std::make_unique<world>();
  w->dir = g_root / std::to_string(g_generation++);
  std::error_code ec;
  std::filesystem::create_directories(w->dir, ec);
  store_options so;
  so.data_dir = w->dir;
  // Small windows keep memory flat over millions of executions.
  so.history_size = 256;
  so.watch_queue_capacity = 64;
  auto db = store::open(so);
  if (!db)
    fail("opening the store in " + w->dir.string() + ": " + db.error().message);
  w->db = std::move(db).value();
  w->registry = std::make_unique<resource_registry>(builtin_resources());
  handler_options ho;
  ho.server_address = "127.0.0.1:6443";
  ho.insecure_allow_all = true; // authentication has its own tests; here every request is admin
  w->handler = std::make_unique<api_handler>(*w->db, *w->registry, nullptr, ho);
  w->handler->load_crds();
  // No background work: the garbage collector's thread would make executions depend on
  // timing. Deletions it would complete simply stay pending until the world is rebuilt.
  seed(*w);
  return w;
}

/// False when inputs have worn the world out: too many objects, or the seeded namespace,
/// VMI or CRD gone or being deleted (then most inputs would only get 404/403).
bool world_usable(world& w) {
  if (w.db->size() > max_objects)
    return false;
  for (const object_key& key :
       {object_key{"v1/namespaces", "", "default"},
        object_key{"kubevirt.io/v1/virtualmachineinstances", "default", "testvmi"},
        object_key{"apiextensions.k8s.io/v1/customresourcedefinitions", "", "widgets.example.com"}}) {
    auto found = w.db->get(key);
    if (!found || found->text().find("\"deletionTimestamp\"") != std::string::npos)
      return false;
  }
  return true;
}

void cleanup() {
  g_world.reset();
  std::error_code ec;
  if (!g_root.empty())
    std::filesystem::remove_all(g_root, ec);
}

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

/// Percent-decodes a request path the way cpp-httplib 0.11 does before the handler sees
/// it: "%XX" is a byte, "%uXXXX" a UTF-16 code unit written as UTF-8, '+' stays '+',
/// anything malformed is kept as it is. So "%2F" becomes a '/' the path parser splits on.
std::string decode_path(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 5 < s.size() && s[i + 1] == 'u' && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0
        && hex(s[i + 4]) >= 0 && hex(s[i + 5]) >= 0) {
      append_utf8(out, static_cast<unsigned>(hex(s[i + 2]) << 12 | hex(s[i + 3]) << 8 | hex(s[i + 4]) << 4
                                             | hex(s[i + 5])));
      i += 5;
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) << 4 | hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

/// Takes the text up to the next '\n' (or everything) off the front of `rest`.
std::string_view take_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

std::string pick_method(std::string_view word) {
  static constexpr std::string_view methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  for (auto m : methods)
    if (word == m)
      return std::string(m);
  // Unknown words still make a request: the first byte chooses, so mutations of the
  // method never waste an execution.
  auto index = word.empty() ? 0 : static_cast<unsigned char>(word.front()) % std::size(methods);
  return std::string(methods[index]);
}

/// Reads whatever a watch has ready (the initial ADDED events of a watch from RV 0, an
/// in-stream error) without waiting, then drops it as a client that goes away would.
void pump(const std::shared_ptr<watch_session>& session) {
  for (int i = 0; i < 4; ++i) {
    auto chunk = session->next(std::chrono::milliseconds(0));
    if (!chunk || chunk->empty())
      break;
  }
  session->close();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char pattern[] = "/tmp/podvisor-fuzz-apiserver-XXXXXX";
  if (mkdtemp(pattern) == nullptr)
    fail("cannot create a temp directory under /tmp");
  g_root = pattern;
  const char* trap = std::getenv("PODVISOR_FUZZ_TRAP_500");
  g_trap_500 = trap != nullptr && std::string_view(trap) == "1";
  const char* verbose = std::getenv("PODVISOR_FUZZ_VERBOSE");
  g_verbose = verbose != nullptr && std::string_view(verbose) == "1";
  std::atexit(cleanup);
  g_world = make_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > max_input)
    return -1; // not added to the corpus
  if (!world_usable(*g_world)) {
    g_world.reset(); // before the next one is made: its directory must be released
    g_world = make_world();
  }

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  auto request_line = take_line(rest);
  auto space = request_line.find(' ');
  auto method_word = request_line.substr(0, space);
  auto target = space == std::string_view::npos ? std::string_view() : request_line.substr(space + 1);

  api_request r;
  r.method = pick_method(method_word);
  // As cpp-httplib: the path is what precedes the first '?', the query what follows it.
  auto q = target.find('?');
  r.path = decode_path(target.substr(0, q));
  if (q != std::string_view::npos)
    r.query = parse_query(target.substr(q + 1));
  r.content_type = std::string(take_line(rest));
  r.accept = std::string(take_line(rest));
  r.body = std::string(rest);

  auto response = g_world->handler->handle(r);
  if (response.status < 100 || response.status > 599)
    __builtin_trap(); // the HTTP layer could not send this
  // A 500 is an exception the handler did not expect. Not fatal by default (a full disk
  // answers 500 too), but PODVISOR_FUZZ_TRAP_500=1 turns each one into a finding to triage.
  if (response.status == 500 && g_trap_500) {
    std::fprintf(stderr, "500 for %s %s: %s\n", r.method.c_str(), r.path.c_str(), response.body.c_str());
    __builtin_trap();
  }
  if (g_verbose)
    std::fprintf(stderr, "%s %s -> %d %.300s\n", r.method.c_str(), r.path.c_str(), response.status,
                 response.body.c_str());
  if (response.watch)
    pump(response.watch);
  return 0;
}
