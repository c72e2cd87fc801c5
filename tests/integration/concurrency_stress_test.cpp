// 8 concurrent clients doing 1,000 mixed requests each against the real binary; the results
// must be consistent afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

TEST(ConcurrencyStress, EightClientsThousandMixedRequestsEachStayConsistent) {
    TomeProcess process;
    constexpr int kClients = 8;
    constexpr int kRequests = 1000;
    std::atomic<int> failures{0};
    std::vector<int> events_sent(kClients, 0);
    std::vector<int> connections_left(kClients, 0);
    {
        std::vector<std::jthread> clients;
        for (int c = 0; c < kClients; ++c) {
            clients.emplace_back([&, c] {
                HttpClient client(process.port());
                const std::string a = "C" + std::to_string(c) + "A";
                const std::string b = "C" + std::to_string(c) + "B";
                auto expect = [&](const ClientResponse& r, int status) {
                    if (r.status != status) {
                        ++failures;
                        ADD_FAILURE() << "client " << c << ": " << r.status << " " << r.body;
                    }
                };
                expect(client.Post("/api/tomes", SimpleTome(a)), 201);
                expect(client.Post("/api/tomes", SimpleTome(b)), 201);
                std::string conn;
                for (int i = 2; i < kRequests; ++i) {
                    switch (i % 6) {
                        case 0:
                            expect(client.Post("/api/tomes/" + a + "/events", {{"type", "GO"}}), 200);
                            ++events_sent[c];
                            break;
                        case 1: {
                            if (conn.empty()) {
                                auto r = client.Post("/api/connections",
                                                     {{"sourceTome", a}, {"targetTome", b},
                                                      {"config", {{"bidirectional", false}}}});
                                expect(r, 201);
                                if (r.status == 201) conn = r.Json()["data"]["id"];
                            } else {
                                expect(client.Delete("/api/connections/" + conn), 200);
                                conn.clear();
                            }
                            break;
                        }
                        case 2: expect(client.Get("/api/topology"), 200); break;
                        case 3: expect(client.Get("/api/tomes/" + b), 200); break;
                        case 4: expect(client.Get("/api/health"), 200); break;
                        default: expect(client.Get("/api/connections?tome=" + a), 200); break;
                    }
                }
                connections_left[c] = conn.empty() ? 0 : 1;
            });
        }
    }
    EXPECT_EQ(failures.load(), 0);
    HttpClient check(process.port());
    for (int c = 0; c < kClients; ++c) {
        const std::string a = "C" + std::to_string(c) + "A";
        json view = CheckEnvelope(check.Get("/api/tomes/" + a), true);
        EXPECT_EQ(view["eventsReceived"].get<int>(), events_sent[c]) << a;
        json conns = CheckEnvelope(check.Get("/api/connections?tome=" + a), true);
        EXPECT_EQ(conns["count"].get<int>(), connections_left[c]) << a;
    }
    json metrics = CheckEnvelope(check.Get("/api/metrics"), true);
    EXPECT_GE(metrics["requests"]["total"].get<int>(), kClients * kRequests);
    EXPECT_EQ(metrics["requests"]["serverErrors"].get<int>(), 0);
    EXPECT_EQ(process.Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace tome::testing
