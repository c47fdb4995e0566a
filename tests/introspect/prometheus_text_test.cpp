#include "introspect/prometheus_text.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::introspect;

TEST_CASE("prometheus text: families with HELP, TYPE and labelled samples", "[introspect][prometheus]") {
  prometheus_text p;
  REQUIRE_FALSE(p.family("podvisor_vmi_vcpus", metric_type::gauge, "vCPUs of the VMI."));
  REQUIRE_FALSE(p.sample({{"namespace", "default"}, {"name", "vm1"}}, 2));
  REQUIRE_FALSE(p.family("podvisor_actor_restarts_total", metric_type::counter, "Restarts."));
  REQUIRE_FALSE(p.sample({}, 7));
  CHECK(p.text() == "# HELP podvisor_vmi_vcpus vCPUs of the VMI.\n"
                    "# TYPE podvisor_vmi_vcpus gauge\n"
                    "podvisor_vmi_vcpus{namespace=\"default\",name=\"vm1\"} 2\n"
                    "# HELP podvisor_actor_restarts_total Restarts.\n"
                    "# TYPE podvisor_actor_restarts_total counter\n"
                    "podvisor_actor_restarts_total 7\n");
}

TEST_CASE("prometheus text: label values and HELP are escaped", "[introspect][prometheus]") {
  CHECK(escape_label_value(R"(a\b"c)" "\nd") == R"(a\\b\"c\nd)");
  prometheus_text p;
  REQUIRE_FALSE(p.family("m", metric_type::gauge, "line one\nback\\slash \"quotes\" stay"));
  REQUIRE_FALSE(p.sample({{"reason", "say \"hi\"\n"}}, 1));
  CHECK(p.text() == "# HELP m line one\\nback\\\\slash \"quotes\" stay\n"
                    "# TYPE m gauge\n"
                    "m{reason=\"say \\\"hi\\\"\\n\"} 1\n");
}

TEST_CASE("prometheus text: values", "[introspect][prometheus]") {
  CHECK(format_sample_value(0) == "0");
  CHECK(format_sample_value(-3) == "-3");
  CHECK(format_sample_value(1048576.0) == "1048576");
  CHECK(format_sample_value(0.25) == "0.25");
  CHECK(format_sample_value(0.1) == "0.1");
  CHECK(format_sample_value(1e300) == "1e+300");
  CHECK(format_sample_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(format_sample_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_sample_value(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("prometheus text: bad names, repeated families and labels are refused", "[introspect][prometheus]") {
  prometheus_text p;
  CHECK(p.sample({}, 1) == errc::invalid_argument); // no family yet
  CHECK(p.family("1abc", metric_type::gauge, "") == errc::invalid_argument);
  CHECK(p.family("a-b", metric_type::gauge, "") == errc::invalid_argument);
  CHECK(p.family("", metric_type::gauge, "") == errc::invalid_argument);
  REQUIRE_FALSE(p.family("ns:metric_1", metric_type::gauge, ""));
  CHECK(p.family("ns:metric_1", metric_type::counter, "") == errc::invalid_argument);
  CHECK(p.sample({{"__name", "x"}}, 1) == errc::invalid_argument);
  CHECK(p.sample({{"a:b", "x"}}, 1) == errc::invalid_argument);
  CHECK(p.sample({{"a", "x"}, {"a", "y"}}, 1) == errc::invalid_argument);
  // Nothing of the refused samples was written.
  CHECK(p.text() == "# HELP ns:metric_1 \n# TYPE ns:metric_1 gauge\n");
  CHECK(is_label_name("_x1"));
  CHECK_FALSE(is_label_name("x y"));
}
