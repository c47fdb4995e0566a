#pragma once
// Helpers shared by the printer files: exception-free reads from JSON objects of any
// shape (a stored object may hold a wrong type where a printer expects another; the cell
// then reads as empty rather than the request failing) and column construction.

#include <cstdint>
#include <string>
#include <string_view>

#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver::print {

/// `obj[key]` if obj is an object holding key, else a null value.
const json& at(const json& obj, std::string_view key);
/// `obj[key]` if it is an array, else an empty array.
const json& array_at(const json& obj, std::string_view key);
/// The string at a dotted path, or "" when absent or not a string.
std::string string_at(const json& obj, std::string_view dotted);
/// The integer at `obj[key]`, or 0.
std::int64_t int_at(const json& obj, std::string_view key);
/// The boolean at `obj[key]`, or false.
bool bool_at(const json& obj, std::string_view key);
/// The age of metadata.creationTimestamp ("<unknown>" when unset).
std::string age(const json& obj, const print_context& ctx);
/// The status ("True"/"False"/"Unknown") of the condition of `type` in a conditions
/// array, or "" when there is no such condition.
std::string condition_status(const json& conditions, std::string_view type);

/// `s`, or the placeholder kubectl shows for an empty value ("<none>", "<unknown>", ...).
std::string none_if_empty(std::string s, const char* placeholder = "<none>");

/// The Age column of built-in kinds (type string; the cells are humanized by the printer).
printer_column age_column();

/// A column definition; `json_path` only for path-driven printers.
printer_column column(std::string name, std::string type, std::string description, int priority = 0,
                      std::string json_path = {});

} // namespace podvisor::kube::apiserver::print
