#pragma once
// The CSV dialect of kube-apiserver's static token file: Go's encoding/csv reader with
// variable field counts and leading spaces trimmed. RFC 4180 quoting ("a,b" is one
// field, "" inside quotes is a quote, quoted fields may span lines), empty lines skipped,
// no comment lines (a '#' line is a record, as in Go), CRLF read as LF.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// One CSV record and the line it starts on (1-based, for error messages).
struct csv_record {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

/// Parses `text`; a bare quote in an unquoted field or a quoted field that is not closed
/// properly is a `parse_error` naming the line, as Go's reader reports it.
expected<std::vector<csv_record>> parse_csv(std::string_view text);

/// `field` as Go's csv.Writer writes it: quoted (with quotes doubled) when it contains
/// ',', '"', CR or LF or starts with a space or tab, otherwise as is.
std::string csv_field(std::string_view field);

/// `field` always quoted; the token file's group column is written this way so that
/// "a,b" is visibly one column.
std::string csv_quoted(std::string_view field);

} // namespace podvisor::kube::apiserver
