#include "tome/telemetry/api/utf8.hpp"

namespace tome::telemetry::utf8 {

void AppendSanitized(std::string& out, std::string_view s) {
    const char* p = s.data();
    const char* const end = p + s.size();
    const char* run = p;  // start of the bytes not yet appended, all well-formed
    while (p != end) {
        if (static_cast<unsigned char>(*p) < 0x80) {
            ++p;
            continue;
        }
        const Sequence seq = NextSequence(p, end);
        if (!seq.valid) {
            out.append(run, p);
            out.append(kReplacement);
            run = p + seq.length;
        }
        p += seq.length;
    }
    out.append(run, p);
}

std::string Sanitized(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    AppendSanitized(out, s);
    return out;
}

}  // namespace tome::telemetry::utf8
