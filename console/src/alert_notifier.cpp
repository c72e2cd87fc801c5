#include "alert_notifier.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <pthread.h>

#include "tome/telemetry/api/backoff.hpp"

namespace tome::console::internal {
namespace {

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

}  // namespace

AlertNotifier::AlertNotifier(AlertNotifyOptions options) : options_(std::move(options)) {
    worker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-alert-send");
        Run();
    });
}

AlertNotifier::~AlertNotifier() { Shutdown(std::chrono::seconds(2)); }

void AlertNotifier::Post(std::string url, std::string body) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (queue_.size() >= options_.max_queue) {
            queue_.pop_front();
            ++stats_.dropped;
        }
        queue_.push_back({std::move(url), std::move(body), 0, std::chrono::steady_clock::now(),
                          std::chrono::milliseconds(200)});
    }
    cv_.notify_one();
}

NotifierStats AlertNotifier::Stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

void AlertNotifier::Shutdown(std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        stopping_ = true;
        deadline_ = std::chrono::steady_clock::now() + timeout;
    }
    cv_.notify_one();
    if (worker_.joinable()) worker_.join();
}

std::string AlertNotifier::Send(const Delivery& d) const {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return "cannot create a libcurl handle";
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, d.url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(d.body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return d.url + ": " + curl_easy_strerror(rc);
    if (status < 200 || status >= 300) return d.url + ": HTTP " + std::to_string(status);
    return {};
}

void AlertNotifier::Run() {
    std::unique_lock lock(mu_);
    while (true) {
        if (queue_.empty()) {
            if (stopping_) return;
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            continue;
        }
        // The delivery due first.
        auto next = std::min_element(queue_.begin(), queue_.end(),
                                     [](const Delivery& a, const Delivery& b) { return a.due < b.due; });
        const auto now = std::chrono::steady_clock::now();
        if (stopping_ && now >= deadline_) {
            stats_.failed += queue_.size();
            stats_.last_error = "shut down with deliveries pending";
            queue_.clear();
            return;
        }
        if (next->due > now) {
            cv_.wait_until(lock, stopping_ ? std::min(next->due, deadline_) : next->due);
            continue;
        }
        Delivery d = std::move(*next);
        queue_.erase(next);
        lock.unlock();
        const std::string error = Send(d);
        lock.lock();
        if (error.empty()) {
            ++stats_.sent;
            continue;
        }
        stats_.last_error = error;
        if (++d.attempt >= options_.max_attempts || stopping_) {
            ++stats_.failed;
            continue;
        }
        ++stats_.retried;
        d.due = std::chrono::steady_clock::now() + telemetry::JitteredWait(d.backoff);
        d.backoff = telemetry::NextBackoff(d.backoff, std::chrono::milliseconds(10'000));
        queue_.push_back(std::move(d));
    }
}

}  // namespace tome::console::internal
