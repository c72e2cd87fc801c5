// A thin RAII layer over the SQLite C API: a connection, prepared statements with bound
// parameters, and the error text of the last failure. Private to storage/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tome/core/status.hpp"

namespace tome::storage::internal {

class Statement;

class Database {
public:
    Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    /// Opens `path` with SQLITE_OPEN_* `flags`; the Status quotes SQLite's reason.
    Status Open(const std::string& path, int flags);
    void Close();
    bool is_open() const { return db_ != nullptr; }

    /// Runs one or more statements without results.
    Status Exec(std::string_view sql);
    /// The first column of the first row of `sql` as text ("" when there is no row).
    Result<std::string> QueryText(std::string_view sql);
    Result<std::int64_t> QueryInt(std::string_view sql);
    Result<Statement> Prepare(std::string_view sql);

    std::string LastError() const;
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

/// One prepared statement. Bind parameters are 1-based; Step() returns true while there is a row.
class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& Bind(int index, std::string_view text);
    Statement& Bind(int index, std::int64_t value);
    Statement& BindNull(int index);
    /// True when a row is available; false when done. Errors become a Status.
    Result<bool> Step();
    /// Runs the statement to completion (for INSERT/UPDATE/DELETE) and resets it.
    Status Run();
    void Reset();

    std::string Text(int column) const;
    std::int64_t Int(int column) const;
    bool IsNull(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

}  // namespace tome::storage::internal
