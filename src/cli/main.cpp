#include "cli/app.hpp"

int main(int argc, char** argv) { return mh::cli::run(argc, argv); }
