#include "agent/rank_checkpoint.hpp"

#include <filesystem>

#include "core/files.hpp"

namespace mh::agent {

void adopt_main_rank_ml1(model::DataParallel& group, const Agent& a) {
  const auto main_ml1 = group.share(group.is_main() ? read_file(a.ml1_path()) : std::string());
  if (!group.is_main() && (!std::filesystem::exists(a.ml1_path()) || read_file(a.ml1_path()) != main_ml1)) {
    write_file_atomic(a.ml1_path(), main_ml1);
  }
  group.barrier();
}

}  // namespace mh::agent
