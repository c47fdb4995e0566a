#include "kube/api/core/status.hpp"

#include <set>

namespace podvisor::kube::api {

namespace {

status failure(std::int32_t code, std::string_view reason, std::string message) {
  status out;
  out.outcome = status_outcome::failure;
  out.code = code;
  out.reason = std::string(reason);
  out.message = std::move(message);
  return out;
}

status_details details_for(std::string_view group, std::string_view kind, std::string_view name) {
  status_details d;
  d.group = std::string(group);
  d.kind = std::string(kind);
  d.name = std::string(name);
  return d;
}

} // namespace

std::string_view cause_type(field_error_type type) {
  switch (type) {
    case field_error_type::required: return "FieldValueRequired";
    case field_error_type::invalid: return "FieldValueInvalid";
    case field_error_type::unsupported: return "FieldValueNotSupported";
    case field_error_type::duplicate: return "FieldValueDuplicate";
    case field_error_type::not_found: return "FieldValueNotFound";
    case field_error_type::forbidden: return "FieldValueForbidden";
    case field_error_type::too_long: return "FieldValueTooLong";
    case field_error_type::type_invalid: return "FieldValueTypeInvalid";
  }
  return "FieldValueInvalid";
}

std::string error_body(const field_error& error) {
  // message() is "<field>: <body>"; the body is everything after that prefix.
  std::string message = error.message();
  auto prefix = error.field.size() + 2;
  return prefix <= message.size() ? message.substr(prefix) : message;
}

std::string qualified_name(std::string_view name, std::string_view group) {
  std::string out(name);
  if (!group.empty()) {
    out += '.';
    out += group;
  }
  return out;
}

status make_invalid_status(std::string_view group, std::string_view kind, std::string_view name,
                           const field_errors& errors) {
  auto details = details_for(group, kind, name);
  for (const auto& e : errors)
    details.causes.push_back({.reason = std::string(cause_type(e.type)),
                              .message = error_body(e),
                              .field = e.field,
                              .unknown = {}});
  // ErrorList.ToAggregate drops repeated messages, keeping the first occurrence's order.
  std::vector<std::string> messages;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    auto m = e.message();
    if (seen.insert(m).second)
      messages.push_back(std::move(m));
  }
  std::string message = qualified_name(kind, group) + " " + quote(name) + " is invalid";
  if (messages.size() == 1) {
    message += ": " + messages.front();
  } else if (messages.size() > 1) {
    message += ": [";
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (i > 0)
        message += ", ";
      message += messages[i];
    }
    message += "]";
  }
  auto out = failure(422, "Invalid", std::move(message));
  out.details = std::move(details);
  return out;
}

status make_not_found_status(std::string_view group, std::string_view resource, std::string_view name) {
  auto out = failure(404, "NotFound", qualified_name(resource, group) + " " + quote(name) + " not found");
  out.details = details_for(group, resource, name);
  return out;
}

status make_already_exists_status(std::string_view group, std::string_view resource, std::string_view name) {
  auto out =
    failure(409, "AlreadyExists", qualified_name(resource, group) + " " + quote(name) + " already exists");
  out.details = details_for(group, resource, name);
  return out;
}

status make_conflict_status(std::string_view group, std::string_view resource, std::string_view name,
                            std::string_view why) {
  auto out = failure(409, "Conflict",
                     "Operation cannot be fulfilled on " + qualified_name(resource, group) + " " + quote(name)
                       + ": " + std::string(why));
  out.details = details_for(group, resource, name);
  return out;
}

status make_bad_request_status(std::string_view message) {
  return failure(400, "BadRequest", std::string(message));
}

status make_internal_error_status(std::string_view why) {
  auto out = failure(500, "InternalError", "Internal error occurred: " + std::string(why));
  status_details d;
  d.causes.push_back({.reason = {}, .message = std::string(why), .field = {}, .unknown = {}});
  out.details = std::move(d);
  return out;
}

} // namespace podvisor::kube::api
