// The command line: --version, check-config on good and bad files (file, line, what is wrong).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace {

struct CommandResult {
    int exit_code = -1;
    std::string output;
};

CommandResult RunTome(const std::string& args, const std::string& env = "") {
    CommandResult r;
    const std::string cmd =
        std::string("env -u TOME_ENV ") + env + " " + TOME_BINARY + " " + args + " 2>&1 </dev/null";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

TEST(Cli, PrintsItsVersion) {
    auto r = RunTome("--version");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("tome 0."), std::string::npos) << r.output;
}

TEST(Cli, ABadOtelValueIsReportedAtStartWithItsName) {
    for (const char* env : {"OTEL_TRACES_SAMPLER=bogus", "OTEL_BSP_MAX_QUEUE_SIZE=-3",
                            "OTEL_EXPORTER_OTLP_PROTOCOL=carrier-pigeon"}) {
        auto r = RunTome(std::string("check-config ") + TOME_TEST_CONFIG, env);
        EXPECT_EQ(r.exit_code, 2) << env << ": " << r.output;
        const std::string name = std::string(env).substr(0, std::string(env).find('='));
        EXPECT_NE(r.output.find(name), std::string::npos) << r.output;
    }
}

TEST(Cli, RefusesAnUnknownEnvironmentName) {
    auto r = RunTome(std::string("check-config ") + TOME_TEST_CONFIG, "TOME_ENV=qa");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("TOME_ENV"), std::string::npos) << r.output;
}

TEST(Cli, AcceptsTheShippedConfig) {
    auto r = RunTome(std::string("check-config ") + TOME_TEST_CONFIG);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("5 tomes"), std::string::npos) << r.output;
}

struct BadConfig {
    const char* file;
    const char* fragment;
};

void PrintTo(const BadConfig& b, std::ostream* os) { *os << b.file; }

class CliBadConfig : public ::testing::TestWithParam<BadConfig> {};

TEST_P(CliBadConfig, IsRefusedWithFileLineAndReason) {
    const std::string path = std::string(TOME_TEST_DATA) + "/" + GetParam().file;
    auto r = RunTome("check-config " + path);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(path + ":"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(GetParam().fragment), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Files, CliBadConfig,
                         ::testing::Values(BadConfig{"bad_connection.yaml", ":7: connection A -> Missing"},
                                           BadConfig{"bad_key.yaml", ":4: unknown key 'development.server.colour'"},
                                           BadConfig{"bad_syntax.yaml", ":3:"},
                                           BadConfig{"bad_tome.yaml", "target 'nowhere' is not a state"}),
                         [](const auto& param) {
                             std::string n = param.param.file;
                             return n.substr(0, n.find('.'));
                         });

TEST(Cli, ServeRefusesABadEnvironmentValueByName) {
    auto r = RunTome(std::string("serve --config ") + TOME_TEST_CONFIG, "TOME_PORT=abc");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("TOME_PORT"), std::string::npos) << r.output;
}

}  // namespace
