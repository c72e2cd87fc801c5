#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "tome/server/http_server.hpp"

namespace tome::server {

int WaitForTerminationSignal(const std::function<void()>& on_armed) {
    boost::asio::io_context io_context(1);
    boost::asio::signal_set signals(io_context, SIGINT, SIGTERM);
    int received = 0;
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (!ec) received = signal_number;
    });
    if (on_armed) on_armed();
    io_context.run();
    return received;
}

}  // namespace tome::server
