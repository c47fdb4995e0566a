#include "kube/api/validation/enums.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

namespace {
enum class flavor { vanilla, chocolate };
} // namespace

template <>
struct podvisor::kube::api::enum_table<flavor> {
  static constexpr std::array entries = {enum_entry{flavor::vanilla, "vanilla"},
                                         enum_entry{flavor::chocolate, "chocolate"}};
};

namespace {

struct scoop {
  enum_field<flavor> taste;
};

template <class F>
void describe(F& f, scoop& x) {
  f("taste", x.taste);
}

struct order {
  enum_field<flavor> main;
  std::optional<scoop> extra;
  std::vector<scoop> scoops;
  std::map<std::string, scoop> named;
  std::string note;
};

template <class F>
void describe(F& f, order& x) {
  f("main", x.main);
  f("extra", x.extra);
  f("scoops", x.scoops);
  f("named", x.named);
  f("note", x.note);
}

} // namespace

TEST_CASE("enum walker accepts known and unset values", "[kube][api][validation]") {
  order o;
  o.main = flavor::vanilla;
  o.extra = scoop{};
  o.scoops = {scoop{flavor::chocolate}, scoop{}};
  o.note = "mint"; // plain strings are not enums
  field_errors errors;
  check_enums(o, field_path{"spec"}, errors);
  CHECK(errors.empty());
}

TEST_CASE("enum walker reports every unknown value with its path", "[kube][api][validation]") {
  order o;
  o.main.set_raw("mint");
  o.extra = scoop{};
  o.extra->taste.set_raw("Vanilla");
  o.scoops.resize(2);
  o.scoops[1].taste.set_raw("lemon");
  o.named["kid"].taste.set_raw("x");
  field_errors errors;
  check_enums(o, field_path{"spec"}, errors);
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].message() == R"(spec.main: Unsupported value: "mint": supported values: "chocolate", "vanilla")");
  CHECK(errors[1].field == "spec.extra.taste");
  CHECK(errors[1].value == R"("Vanilla")");
  CHECK(errors[2].field == "spec.scoops[1].taste");
  CHECK(errors[3].field == "spec.named[kid].taste");
}
