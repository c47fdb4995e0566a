// Tables written from the behaviour of k8s.io/apimachinery's labels and fields selectors
// (pkg/labels/selector.go, pkg/fields/selector.go): what parses, what it prints back as,
// what it matches, and the exact error messages for malformed input.

#include "kube/api/selector.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/names.hpp"

using namespace podvisor::kube::api;
using json = nlohmann::json;

namespace {

std::string parse_error(std::string_view text) {
  std::string why;
  auto m = label_matcher::parse(text, &why);
  return m ? std::string("<parsed: ") + m->to_string() + ">" : why;
}

std::string field_error_of(std::string_view text) {
  std::string why;
  auto m = field_matcher::parse(text, &why);
  return m ? std::string("<parsed: ") + m->to_string() + ">" : why;
}

} // namespace

TEST_CASE("selector operators round-trip through their string table", "[kube][api][selector]") {
  for (const auto& entry : enum_table<selector_operator>::entries)
    CHECK(parse_enum<selector_operator>(to_string(entry.value)) == entry.value);
}

TEST_CASE("label selectors parse and print back without whitespace", "[kube][api][selector]") {
  struct row {
    std::string_view in, out;
  };
  const row rows[] = {
    {"x=a,y=b,z=c", "x=a,y=b,z=c"},
    {"", ""},
    {"x!=a,y=b", "x!=a,y=b"},
    {"x=", "x="},
    {"x= ", "x="},
    {"x=,z= ", "x=,z="},
    {"!x", "!x"},
    {"x>1,z<5", "x>1,z<5"},
    {"x==a", "x==a"},
    {"\rx", "x"},
    {"this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"},
    {"0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"},
    {"foo  in\t (abc)", "foo in (abc)"},
    {"x notin\n (abc)", "x notin (abc)"},
    {"x in (def,abc,abc)", "x in (abc,def)"},
    {"x in (abc,)", "x in (,abc)"},
    {"x in ()", "x in ()"},
    {"x in (,,a)", "x in (,a)"},
    {"x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"},
    {"x,y in (a)", "x,y in (a)"},
    {"a=x,x=a", "a=x,x=a"}, // sorted by key, so the order written does not matter
    {"x=a,a=x", "a=x,x=a"},
    {"z!=a,z", "z!=a,z"},
    {"notin=in", "notin=in"}, // keywords are plain identifiers where a key or value goes
    {"x in (in,notin)", "x in (in,notin)"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    std::string why;
    auto m = label_matcher::parse(r.in, &why);
    REQUIRE(m);
    CHECK(m->to_string() == r.out);
  }
}

TEST_CASE("malformed label selectors fail with apimachinery's messages", "[kube][api][selector]") {
  struct row {
    std::string_view in, error;
  };
  const row rows[] = {
    {"x==a==b", "found '==', expected: ',' or 'end of string'"},
    {"!x=a", "found '=', expected: ',' or 'end of string'"},
    {"x=a b", "found 'b', expected: ',' or 'end of string'"},
    {"x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, "
            "the value must be an integer"},
    {"x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
    {"=a", "found '=', expected: !, identifier, or 'end of string'"},
    {",x", "found ',', expected: !, identifier, or 'end of string'"},
    {"x,", "found '', expected: identifier after ','"},
    {"x in a", "unable to parse requirement: found 'a' expected: '('"},
    {"x in (a", "unable to parse requirement: found '', expected: ',' or ')'"},
    {"x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
    {"x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"},
    {"x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
    {"x in", "unable to parse requirement: found '' expected: '('"},
    {"!", "unable to parse requirement: found '', expected: identifier"},
    {"! =a", "unable to parse requirement: found '=', expected: identifier"},
    {"x>=1", "unable to parse requirement: found '=', expected: identifier"},
    {"x=(", "unable to parse requirement: found '(', expected: identifier"},
    {"x,x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(parse_error(r.in) == r.error);
  }
}

TEST_CASE("label selector keys and values are validated", "[kube][api][selector]") {
  // The parser validates keys with a nil field path, which Go prints as "<nil>".
  auto key_error = parse_error("x/y/z=a");
  CHECK(key_error.starts_with("unable to parse requirement: <nil>: Invalid value: \"x/y/z\": "));
  auto long_key = parse_error(std::string(254, 'a'));
  CHECK(long_key.starts_with("unable to parse requirement: <nil>: Invalid value: \"aaaa"));
  CHECK(long_key.find("must be no more than 63 bytes") != std::string::npos);

  CHECK(parse_error("x=a||y")
        == "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an "
           "empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
           "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
           "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  // Several problems are aggregated in brackets.
  auto both = parse_error("x<-a-");
  CHECK(both.starts_with("unable to parse requirement: [values[0]: Invalid value: \"-a-\": for 'Gt', 'Lt' "
                         "operators, the value must be an integer, values[0][x]: Invalid value: \"-a-\": "));
  CHECK(both.ends_with("]"));
}

TEST_CASE("label selectors match label sets", "[kube][api][selector]") {
  struct row {
    std::string_view selector;
    label_set labels;
    bool match;
  };
  const label_set foo_baz{{"foo", "bar"}, {"baz", "blah"}};
  const std::vector<row> rows = {
    {"", {{"x", "y"}}, true},
    {"x=y", {{"x", "y"}}, true},
    {"x=y,z=w", {{"x", "y"}, {"z", "w"}}, true},
    {"x!=y,z!=w", {{"x", "z"}, {"z", "a"}}, true},
    {"notin=in", {{"notin", "in"}}, true},
    {"x", {{"x", "z"}}, true},
    {"!x", {{"y", "z"}}, true},
    {"x>1", {{"x", "2"}}, true},
    {"x<1", {{"x", "0"}}, true},
    {"x<10", {{"x", "9"}}, true},
    {"x<10", {{"x", "-2"}}, true}, // label values that are negative numbers still compare
    {"x=z", {}, false},
    {"x=y", {{"x", "z"}}, false},
    {"x=y,z=w", {{"x", "w"}, {"z", "w"}}, false},
    {"x!=y,z!=w", {{"x", "z"}, {"z", "w"}}, false},
    {"x", {{"y", "z"}}, false},
    {"!x", {{"x", "z"}}, false},
    {"x>1", {{"x", "0"}}, false},
    {"x<1", {{"x", "2"}}, false},
    {"x>1", {{"x", "v2"}}, false}, // not an integer
    {"x>1", {}, false},
    {"x!=y", {}, true}, // != and notin hold when the label is absent
    {"x notin (a)", {}, true},
    {"x in (a,b)", {{"x", "b"}}, true},
    {"x in (a,b)", {{"x", "c"}}, false},
    {"x notin (a,b)", {{"x", "b"}}, false},
    {"x in ()", {{"x", ""}}, true},
    {"x in ()", {{"y", "baz"}}, false},
    {"x notin (),y", {{"y", ""}}, true},
    {"x,y in (a)", {{"x", "1"}}, false},
    {"foo=bar,baz=blah", foo_baz, true},
    {"foo=blah", foo_baz, false},
    {"foo=bar,foobar=bar,baz=blah", foo_baz, false},
  };
  for (const auto& r : rows) {
    INFO(r.selector);
    auto m = label_matcher::parse(r.selector);
    REQUIRE(m);
    CHECK(m->matches(r.labels) == r.match);
    json object = {{"metadata", {{"name", "o"}, {"labels", json(r.labels)}}}};
    CHECK(m->matches_object(object) == r.match);
  }
}

TEST_CASE("label matchers: everything, nothing, sets and exact matches", "[kube][api][selector]") {
  label_matcher everything;
  CHECK(everything.empty());
  CHECK(everything.matches({{"a", "b"}}));
  CHECK(everything.matches_object(json::object()));

  auto nothing = label_matcher::nothing();
  CHECK_FALSE(nothing.empty());
  CHECK(nothing.selects_nothing());
  CHECK_FALSE(nothing.matches({}));
  CHECK_FALSE(nothing.matches_object(json::object()));

  auto from_set = label_matcher::from_set({{"b", "2"}, {"a", "1"}});
  CHECK(from_set.to_string() == "a=1,b=2");
  CHECK(from_set.matches({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  CHECK_FALSE(from_set.matches({{"a", "1"}}));
  CHECK(label_matcher::from_set({}).empty());

  auto m = label_matcher::parse("app=web,tier in (db),env!=prod,x in (a,b)");
  REQUIRE(m);
  CHECK(m->requires_exact_match("app") == "web");
  CHECK(m->requires_exact_match("tier") == "db");
  CHECK_FALSE(m->requires_exact_match("env"));
  CHECK_FALSE(m->requires_exact_match("x"));
  CHECK_FALSE(m->requires_exact_match("missing"));

  // Labels of the wrong JSON type never match.
  CHECK_FALSE(m->matches_object(json{{"metadata", {{"labels", {{"app", 5}}}}}}));
}

TEST_CASE("metav1.LabelSelector converts to the same matcher", "[kube][api][selector]") {
  label_selector sel;
  sel.match_labels = {{"app", "web"}};
  auto expr = [](std::string key, label_selector_operator op, std::vector<std::string> values) {
    label_selector_requirement r;
    r.key = std::move(key);
    r.operator_ = op;
    r.values = std::move(values);
    return r;
  };
  sel.match_expressions = {
    expr("zone", label_selector_operator::in, {"b", "a"}),
    expr("tier", label_selector_operator::not_in, {"db"}),
    expr("gpu", label_selector_operator::exists, {}),
    expr("legacy", label_selector_operator::does_not_exist, {}),
  };
  std::string why;
  auto m = label_matcher::from_label_selector(sel, &why);
  REQUIRE(m);
  CHECK(m->to_string() == "app=web,gpu,!legacy,tier notin (db),zone in (a,b)");
  CHECK(m->matches({{"app", "web"}, {"zone", "a"}, {"gpu", "1"}}));
  CHECK_FALSE(m->matches({{"app", "web"}, {"zone", "c"}, {"gpu", "1"}}));
  CHECK_FALSE(m->matches({{"app", "web"}, {"zone", "a"}, {"gpu", "1"}, {"legacy", ""}}));
  CHECK_FALSE(m->matches({{"app", "web"}, {"zone", "a"}, {"gpu", "1"}, {"tier", "db"}}));
  // Parsing the printed form gives the same requirements.
  auto reparsed = label_matcher::parse(m->to_string());
  REQUIRE(reparsed);
  CHECK(reparsed->requirements() == m->requirements());

  auto empty = label_matcher::from_label_selector(label_selector{});
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("invalid metav1.LabelSelectors fail like LabelSelectorAsSelector", "[kube][api][selector]") {
  auto convert = [](label_selector sel) {
    std::string why;
    auto m = label_matcher::from_label_selector(sel, &why);
    return m ? std::string("<converted>") : why;
  };
  label_selector bad_op;
  bad_op.match_expressions.emplace_back();
  bad_op.match_expressions.back().key = "a";
  bad_op.match_expressions.back().operator_.set_raw("Equals");
  CHECK(convert(bad_op) == "\"Equals\" is not a valid label selector operator");

  label_selector empty_in;
  empty_in.match_expressions.emplace_back();
  empty_in.match_expressions.back().key = "a";
  empty_in.match_expressions.back().operator_ = label_selector_operator::in;
  CHECK(convert(empty_in)
        == "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");

  label_selector exists_with_values;
  exists_with_values.match_expressions.emplace_back();
  exists_with_values.match_expressions.back().key = "a";
  exists_with_values.match_expressions.back().operator_ = label_selector_operator::exists;
  exists_with_values.match_expressions.back().values = {"x"};
  CHECK(convert(exists_with_values)
        == "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist");

  label_selector bad_key;
  bad_key.match_labels = {{"a b", "x"}};
  CHECK(convert(bad_key).starts_with("key: Invalid value: \"a b\": name part must consist of"));

  label_selector bad_value;
  bad_value.match_labels = {{"a", "-x"}};
  CHECK(convert(bad_value).starts_with("values[0][a]: Invalid value: \"-x\": a valid label must be"));
}

TEST_CASE("field selectors parse terms in any order, with escapes", "[kube][api][selector][fields]") {
  struct row {
    std::string_view in, out;
  };
  const row rows[] = {
    {"", ""},
    {",,", ""},
    {"metadata.name=foo", "metadata.name=foo"},
    {"metadata.name==foo", "metadata.name=foo"},
    {"spec.nodeName!=n1,metadata.name=a", "metadata.name=a,spec.nodeName!=n1"},
    {"metadata.name=a,spec.nodeName!=n1", "metadata.name=a,spec.nodeName!=n1"},
    {"a=", "a="},
    {"a!b=c", "a!b=c"},
    {"a=b\\,c", "a=b\\,c"},
    {"a=b\\=c", "a=b\\=c"},
    {"a=b\\\\c", "a=b\\\\c"},
    {"a=b!c", "a=b!c"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(field_error_of(r.in) == "<parsed: " + std::string(r.out) + ">");
  }
  auto m = field_matcher::parse("x=a\\,b\\=c\\\\d,y!=");
  REQUIRE(m);
  REQUIRE(m->requirements().size() == 2);
  CHECK(m->requirements()[0] == field_requirement{"x", false, "a,b=c\\d"});
  CHECK(m->requirements()[1] == field_requirement{"y", true, ""});
  CHECK(escape_field_value("a,b=c\\d") == "a\\,b\\=c\\\\d");
  CHECK(m->requires_exact_match("x") == "a,b=c\\d");
  CHECK_FALSE(m->requires_exact_match("y"));
}

TEST_CASE("malformed field selectors fail with apimachinery's messages", "[kube][api][selector][fields]") {
  struct row {
    std::string_view in, error;
  };
  const row rows[] = {
    {"a", "invalid selector: 'a'; can't understand 'a'"},
    {"a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
    {"a=b=c", "invalid field selector: unescapedRune character in value: 61"},
    {"a==b=c", "invalid field selector: unescapedRune character in value: 61"},
    {"a=b\\c", "invalid field selector: invalid escape sequence: \\c"},
    {"a=b\\", "invalid field selector: invalid escape sequence: \\"},
    // Only ',', '=' and '\' can be escaped, as in apimachinery; "\!" is refused.
    {"a=\\!", "invalid field selector: invalid escape sequence: \\!"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(field_error_of(r.in) == r.error);
  }
}

TEST_CASE("field selectors are checked against the kind's table", "[kube][api][selector][fields]") {
  std::string why;
  CHECK(field_matcher::parse_for_kind("spec.nodeName=n1,status.phase=Running", "Pod", &why));
  CHECK(field_matcher::parse_for_kind("metadata.name=a,metadata.namespace=b", "Anything", &why));
  CHECK(field_matcher::parse_for_kind("involvedObject.uid=u,reason=Started,source=kubelet", "Event", &why));
  CHECK(field_matcher::parse_for_kind("spec.unschedulable=true", "Node", &why));
  CHECK(field_matcher::parse_for_kind("type=Opaque", "Secret", &why));
  CHECK(field_matcher::parse_for_kind("status.phase=Active", "Namespace", &why));
  CHECK(field_matcher::parse_for_kind("status.phase=Running,status.nodeName=n1", "VirtualMachineInstance", &why));

  CHECK_FALSE(field_matcher::parse_for_kind("spec.nodeName=n1", "Node", &why));
  CHECK(why == "field label not supported: spec.nodeName");
  CHECK_FALSE(field_matcher::parse_for_kind("spec.foo=x", "Pod", &why));
  CHECK(why == "field label not supported: spec.foo");
  CHECK_FALSE(field_matcher::parse_for_kind("metadata.name = x", "Pod", &why)); // no trimming, as in Go
  CHECK(why == "field label not supported: metadata.name ");
  CHECK_FALSE(field_matcher::parse_for_kind("a", "Pod", &why)); // syntax errors come first
  CHECK(why == "invalid selector: 'a'; can't understand 'a'");

  CHECK(field_selector_fields("Foo") == std::vector<std::string_view>{"metadata.name", "metadata.namespace"});
  auto pod_fields = field_selector_fields("Pod");
  CHECK(pod_fields.size() == 10);
  CHECK(std::is_sorted(pod_fields.begin(), pod_fields.end()));
}

TEST_CASE("field selectors match objects through the field table", "[kube][api][selector][fields]") {
  const json running = json::parse(R"({"metadata":{"name":"web","namespace":"default"},
    "spec":{"nodeName":"n1","hostNetwork":true},
    "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.5"}],"podIP":"10.0.0.9"}})");
  const json pending = json::parse(R"({"metadata":{"name":"db","namespace":"default"},
    "spec":{"restartPolicy":"Never"},"status":{"phase":"Pending","podIP":"10.0.0.7"}})");
  struct row {
    std::string_view selector;
    bool running, pending;
  };
  const row rows[] = {
    {"", true, true},
    {"spec.nodeName=n1", true, false},
    {"spec.nodeName=", false, true}, // unscheduled pods have an empty nodeName
    {"spec.nodeName!=", true, false},
    {"status.phase=Running,metadata.namespace=default", true, false},
    {"status.phase!=Running", false, true},
    {"metadata.name==db", false, true},
    {"spec.restartPolicy=Always", true, false}, // the API default when absent
    {"spec.schedulerName=default-scheduler", true, true},
    {"spec.hostNetwork=true", true, false},
    {"spec.hostNetwork=false", false, true},
    {"status.podIP=10.0.0.5", true, false}, // podIPs[0] wins over podIP
    {"status.podIP=10.0.0.7", false, true},
  };
  for (const auto& r : rows) {
    INFO(r.selector);
    std::string why;
    auto m = field_matcher::parse_for_kind(r.selector, "Pod", &why);
    REQUIRE(m);
    CHECK(m->matches(running, "Pod") == r.running);
    CHECK(m->matches(pending, "Pod") == r.pending);
  }

  // kubectl describe's event query.
  const json event = json::parse(R"({"metadata":{"name":"e1","namespace":"ns"},
    "involvedObject":{"kind":"VirtualMachineInstance","uid":"U1","name":"vm","namespace":"ns"},
    "reason":"Started","type":"Normal","reportingComponent":"virt-handler"})");
  auto describe = field_matcher::parse_for_kind(
    "involvedObject.kind=VirtualMachineInstance,involvedObject.uid=U1,involvedObject.name=vm,"
    "involvedObject.namespace=ns", "Event");
  REQUIRE(describe);
  CHECK(describe->matches(event, "Event"));
  CHECK(field_value(event, "Event", "source") == "virt-handler"); // falls back to reportingComponent
  json with_source = event;
  with_source["source"] = {{"component", "kubelet"}};
  CHECK(field_value(with_source, "Event", "source") == "kubelet");
  CHECK_FALSE(field_value(event, "Event", "spec.nodeName"));

  CHECK(field_value(json::object(), "Node", "spec.unschedulable") == "false");
  CHECK(field_value(json{{"spec", {{"unschedulable", true}}}}, "Node", "spec.unschedulable") == "true");
  CHECK(field_value(json{{"type", "Opaque"}}, "Secret", "type") == "Opaque");

  // A term on an unsupported field never matches, even when negated.
  auto unsupported = field_matcher::parse("spec.foo!=x");
  REQUIRE(unsupported);
  CHECK_FALSE(unsupported->matches(running, "Pod"));
  // Objects of odd shape are read as empty values, never a crash.
  auto by_name = field_matcher::parse("metadata.name=");
  REQUIRE(by_name);
  CHECK(by_name->matches(json::array(), "Pod"));
  CHECK(by_name->matches(json{{"metadata", 5}}, "Pod"));
}
