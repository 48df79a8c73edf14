#pragma once
/// The settings of the CLI tests' tiny agents: 0.25-s snippets, the fast ML1 with an 8-number
/// latent, one epoch each, so that `agent new` takes a second or two.
namespace mh::test {

inline constexpr const char* kTinyAgentToml =
    "preset = \"0.25_16\"\ndevice = \"cpu\"\n[snippet]\nsilence_window_seconds = 0.25\n"
    "[voice]\ngriffin_lim_iterations = 4\n[ingest]\nvalidation_fraction = 0.2\nreference_fraction = 0.0\n"
    "[ml1]\npreset = \"fast\"\nlatent_dim = 8\nepochs = 1\nbatch_size = 16\n"
    "[ml2]\nlatent_dim = 4\nhidden = 16\nmax_length = 64\nepochs = 1\nbatch_size = 2\n";

}  // namespace mh::test
