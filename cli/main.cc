#include "cli/cli.h"

int main(int argc, char** argv) { return flamingo::RunCli(argc, argv); }
