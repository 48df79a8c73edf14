#include "dsp/inversion_settings.hpp"

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::dsp {

void InversionSettings::validate() const {
  check_range("inversion.griffin_lim_iterations", griffin_lim_iterations, 0, 10000);
  check_range("inversion.momentum", momentum, 0.0, 9.999);
  check_range("inversion.clip_db", clip_db, -100.0, 200.0);
  check_range("inversion.crossfade_samples", crossfade_samples, 0, 1 << 20);
  check_range("inversion.nnls_warm_start_iterations", nnls_warm_start_iterations, 0, 100000);
  check_range("inversion.nnls_iterations", nnls_iterations, 0, 100000);
  if (!(pinv_rcond > 0.0 && pinv_rcond < 1.0)) {
    throw SettingsError(fmt::format("inversion.pinv_rcond = {} is out of range: allowed (0, 1)", pinv_rcond));
  }
}

}  // namespace mh::dsp
