// libFuzzer target: OTLP/HTTP protobuf bodies (application/x-protobuf) posted to the console's
// receiver. The input layout and every check are in fuzz_otlp.hpp.
#include <cstddef>
#include <cstdint>

#include "fuzz_otlp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tome::fuzz::FuzzOtlpRequest(tome::console::internal::OtlpEncoding::kProtobuf, data, size);
    return 0;
}
