#pragma once
/// A tensor's shape as error messages write it: "[2, 128, 64]".
#include <c10/util/ArrayRef.h>

#include <string>

namespace mh {

inline std::string shape_string(c10::IntArrayRef sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

}  // namespace mh
